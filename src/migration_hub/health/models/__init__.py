from .protocols import CountryList, ProtocolVersion, TbIncidence

__all__ = ["CountryList", "ProtocolVersion", "TbIncidence"]
