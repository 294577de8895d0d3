"""The Hub's pages, one module per part."""
