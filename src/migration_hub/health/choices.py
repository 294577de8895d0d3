from django.db import models
from django.utils.translation import gettext_lazy as _


class Destination(models.TextChoices):
    """Receiving countries whose health requirements are kept as protocols (ISO alpha-2)."""

    US = "US", _("United States")
    CA = "CA", _("Canada")
    GB = "GB", _("United Kingdom")
    AU = "AU", _("Australia")
    NZ = "NZ", _("New Zealand")


class ApplicantCategory(models.TextChoices):
    IMMIGRANT = "immigrant", _("Immigrant")
    REFUGEE = "refugee", _("Refugee")
    PERMANENT = "permanent", _("Permanent resident")
    PROVISIONAL = "provisional", _("Provisional")
    TEMPORARY = "temporary", _("Temporary resident")
    STUDENT = "student", _("Student")
    WORKER = "worker", _("Worker")
    VISITOR = "visitor", _("Visitor")
    FIANCE = "fiance", _("Fiancé(e)")


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Not stated")


class Item(models.TextChoices):
    """What a protocol can require of an examination."""

    MEDICAL_EXAM = "medical_exam", _("Medical examination")
    CHEST_XRAY = "chest_xray", _("Chest X-ray")
    TB_INFECTION_TEST = "tb_infection_test", _("TB infection test (IGRA or TST)")
    SPUTUM = "sputum", _("Sputum smear and culture")
    SYPHILIS_TEST = "syphilis_test", _("Syphilis test")
    GONORRHEA_TEST = "gonorrhea_test", _("Gonorrhea test")
    HIV_TEST = "hiv_test", _("HIV test")
    HEPATITIS_B_TEST = "hepatitis_b_test", _("Hepatitis B test")
    HEPATITIS_C_TEST = "hepatitis_c_test", _("Hepatitis C test")
    URINALYSIS = "urinalysis", _("Urinalysis")
    CREATININE = "creatinine", _("Serum creatinine")
    VACCINATION_ASSESSMENT = "vaccination_assessment", _("Vaccination assessment")
    TB_CLINICAL_ASSESSMENT = "tb_clinical_assessment", _("TB clinical assessment (questionnaire)")


ITEM_CODES = frozenset(Item.values)
"""Also the keywords a protocol's alternatives may use besides items."""
ALTERNATIVE_ACTIONS = frozenset({"deferral"})
