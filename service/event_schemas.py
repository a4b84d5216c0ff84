"""Request and response shapes of POST /v1/events/schedule and GET /v1/events/{schedule_id}."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from kbio_match.service.schemas import MatchRequest, Text
from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

SlotId = Annotated[str, Field(min_length=1, max_length=64)]
Id = Annotated[str, Field(min_length=1, max_length=200)]


def _duplicates(values: list[str]) -> list[str]:
    seen, dup = set(), []
    for v in values:
        if v in seen and v not in dup:
            dup.append(v)
        seen.add(v)
    return dup


class EventCompanyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: Id
    profile: MatchRequest
    max_meetings: Annotated[int | None, Field(ge=1, le=96)] = None
    unavailable: Annotated[list[SlotId], Field(max_length=96)] = []


class EventPartnerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    partner_id: Id
    max_meetings: Annotated[int | None, Field(ge=1, le=96)] = None
    unavailable: Annotated[list[SlotId], Field(max_length=96)] = []


class BlockedPair(BaseModel):
    model_config = ConfigDict(extra="forbid")
    company_id: Id
    partner_id: Id


class EventRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Annotated[Text | None, Field(max_length=200)] = None
    slots: Annotated[list[SlotId], Field(min_length=1, max_length=96)]
    companies: Annotated[list[EventCompanyIn], Field(min_length=1, max_length=1000)]
    partners: Annotated[list[EventPartnerIn], Field(min_length=1, max_length=2000)]
    blocked: Annotated[list[BlockedPair], Field(max_length=100_000)] = []
    min_score: Annotated[float, Field(ge=0, le=1)] = 0.0
    balance: Annotated[bool, Field(description="first maximise the fewest meetings of any company")] = False
    slot_starts: Annotated[
        list[dt.datetime] | None, Field(description="start time of each slot, in slot order (ISO 8601)")
    ] = None
    slot_minutes: Annotated[int | None, Field(ge=5, le=480, description="length of every slot")] = None

    @model_validator(mode="after")
    def _consistent(self):
        problems = []
        for field, values in (
            ("slots", self.slots),
            ("companies", [c.id for c in self.companies]),
            ("partners", [p.partner_id for p in self.partners]),
        ):
            if _duplicates(values):
                problems.append(f"{field}: duplicate id(s) {_duplicates(values)[:5]}")
        if self.slot_starts is not None:
            if len(self.slot_starts) != len(self.slots):
                problems.append(f"slot_starts: {len(self.slot_starts)} times for {len(self.slots)} slots")
            elif any(b <= a for a, b in zip(self.slot_starts, self.slot_starts[1:], strict=False)):
                problems.append("slot_starts: times must increase in slot order")
        if problems:
            raise PydanticCustomError("event", "; ".join(problems))
        return self


class Meeting(BaseModel):
    slot: str
    company_id: str
    partner_id: str
    score: float
    reasons: list[str]
    start: str | None = None
    end: str | None = None


class CompanyCount(BaseModel):
    id: str
    meetings: int


class PartnerCount(BaseModel):
    partner_id: str
    meetings: int


class Summary(BaseModel):
    meetings: int
    total_score: float
    upper_bound: float
    optimal: bool
    solve_ms: float
    method: str
    min_company_meetings: int


class ScheduleResponse(BaseModel):
    schedule_id: str
    model_version: str
    name: str | None = None
    meetings: list[Meeting]
    companies: list[CompanyCount]
    partners: list[PartnerCount]
    summary: Summary


class StoredSchedule(BaseModel):
    schedule_id: str
    created_at: str
    request: dict
    schedule: ScheduleResponse
