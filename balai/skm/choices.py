"""The respondent profile of the Permenpan-RB 14/2017 form and the IKM grades.

The profile is what the regulation's form asks (sex, age, education, occupation) and nothing more: no name,
no contact, no NIK. Age is kept as a band, not in years: the report only counts bands, and a band with the
other three answers identifies a respondent of a small kelurahan far less than an exact age would.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    MALE = "L", _("Male")
    FEMALE = "P", _("Female")


class AgeBand(models.TextChoices):
    UNDER_20 = "lt20", _("Under 20")
    AGE_20_29 = "20_29", _("20–29")
    AGE_30_39 = "30_39", _("30–39")
    AGE_40_49 = "40_49", _("40–49")
    AGE_50_59 = "50_59", _("50–59")
    AGE_60_PLUS = "60p", _("60 and over")


class Education(models.TextChoices):
    # The school levels of the sample form; the names are Indonesian school levels, kept as they are.
    SD = "sd", _("SD or below")
    SMP = "smp", "SMP"
    SMA = "sma", _("SMA/SMK")
    D1_D3 = "d1_d3", "D1–D3"
    D4_S1 = "d4_s1", "D4/S1"
    S2 = "s2", "S2"
    S3 = "s3", "S3"


class Occupation(models.TextChoices):
    PNS = "pns", "PNS"
    TNI = "tni", "TNI"
    POLRI = "polri", "POLRI"
    PRIVATE = "swasta", _("Private employee (swasta)")
    SELF_EMPLOYED = "wirausaha", _("Self-employed (wirausaha)")
    OTHER = "lainnya", _("Other")


class Grade(models.TextChoices):
    """Mutu pelayanan of Permenpan-RB 14/2017 on the converted value (25–100)."""

    A = "A", _("Very good (Sangat Baik)")
    B = "B", _("Good (Baik)")
    C = "C", _("Less good (Kurang Baik)")
    D = "D", _("Not good (Tidak Baik)")


#: The regulation's own grade names, printed in the Permenpan-format report whatever the UI language.
GRADE_NAMES_ID = {"A": "Sangat Baik", "B": "Baik", "C": "Kurang Baik", "D": "Tidak Baik"}

PROFILE_FIELDS: dict[str, type[models.TextChoices]] = {
    "sex": Sex,
    "age_band": AgeBand,
    "education": Education,
    "occupation": Occupation,
}
