from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field


class AnswersIn(Schema):
    """Answers 1–4 per element; leave an element out (or null) when the respondent skipped it."""

    u1: int | None = None
    u2: int | None = None
    u3: int | None = None
    u4: int | None = None
    u5: int | None = None
    u6: int | None = None
    u7: int | None = None
    u8: int | None = None
    u9: int | None = None


class ProfileIn(Schema):
    """Optional respondent profile: sex L/P; age_band lt20, 20_29, 30_39, 40_49, 50_59, 60p; education sd, smp,
    sma, d1_d3, d4_s1, s2, s3; occupation pns, tni, polri, swasta, wirausaha, lainnya. Empty = not stated."""

    sex: str = ""
    age_band: str = ""
    education: str = ""
    occupation: str = ""


class ResponseIn(Schema):
    token: str = Field(description="The token of the survey link (/skm/<token>/), given once per service event")
    answers: AnswersIn
    profile: ProfileIn = Field(default_factory=ProfileIn)


class ResponseOut(Schema):
    received: bool
    served_on: dt.date


class InvitationIn(Schema):
    event: int = Field(description="Id of the ServiceEvent (the citizen just served)")


class InvitationOut(Schema):
    token: str
    url: str
    expires_at: dt.datetime


class SkmErrorOut(Schema):
    message: str
    reason: str = ""
    errors: dict[str, list[str]] = Field(default_factory=dict)


class ElementOut(Schema):
    code: str
    name: str
    answered: int = Field(description="Respondents who answered this element")
    total: int = Field(description="Sum of their answers")
    nrr: float | None = Field(description="Σ answers / respondents who answered; null when nobody did")


class ResultOut(Schema):
    unit: str | None
    unit_name: str | None
    service: int | None
    service_name: str | None
    period: str
    respondents: int
    population: int = Field(description="Citizens served (service events) in the period: N of Krejcie–Morgan")
    minimum_sample: int
    sample_met: bool
    elements: list[ElementOut]
    index: float | None = Field(description="IKM on the 1–4 scale: Σ NRR × 1/9 (null: not enough data)")
    ikm: float | None = Field(description="IKM of the unit, index × 25, rounded to 2 decimals (null: not enough data)")
    grade: str | None = Field(description="A (≥ 88.31), B (≥ 76.61), C (≥ 65.00) or D")
    grade_label: str | None
    missing_elements: list[str] = Field(description="Elements nobody answered: the IKM is undefined until answered")
