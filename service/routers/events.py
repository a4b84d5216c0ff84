"""POST /v1/events/schedule and GET /v1/events/{schedule_id}: partnering-event meeting plans."""

from __future__ import annotations

import datetime as dt
import uuid

from fastapi import APIRouter
from kbio_match.models.event_planner import EventCompany, EventPartner, EventPlan, plan_event
from kbio_match.service.auth import TenantDep
from kbio_match.service.deps import ServedDep, StoreDep
from kbio_match.service.errors import NotFound, unknown_ids, validation_error
from kbio_match.service.event_schemas import EventRequest, ScheduleResponse, StoredSchedule
from kbio_match.service.state import Served
from kbio_match.service.storage import Store

router = APIRouter(tags=["events"])


def _unknown(field: str, value: str, allowed: list[str], what: str) -> dict:
    return {"field": field, "value": value, "message": f"unknown {what} '{value}'", "allowed": allowed[:50]}


def event_problems(body: EventRequest, served: Served) -> list[dict]:
    """Every id the request names that the catalog or the request itself does not have."""
    index = served.index
    slots, companies = set(body.slots), {c.id for c in body.companies}
    partners = {p.partner_id for p in body.partners}
    details = []
    for i, p in enumerate(body.partners):
        if p.partner_id not in index.by_id:
            details.append(
                {
                    "field": f"partners[{i}].partner_id",
                    "value": p.partner_id,
                    "message": f"unknown partner '{p.partner_id}'",
                }
            )
        details += unknown_ids(f"partners[{i}].unavailable", p.unavailable, slots, "slot")
    for i, c in enumerate(body.companies):
        details += unknown_ids(f"companies[{i}].unavailable", c.unavailable, slots, "slot")
        details += c.profile.unknown_clusters(index.cluster_ids, prefix=f"companies[{i}].profile.")
    for i, pair in enumerate(body.blocked):
        if pair.company_id not in companies:
            details.append(_unknown(f"blocked[{i}].company_id", pair.company_id, sorted(companies), "company"))
        if pair.partner_id not in partners:
            details.append(_unknown(f"blocked[{i}].partner_id", pair.partner_id, sorted(partners), "event partner"))
    return details


def _times(body: EventRequest) -> dict[str, tuple[str, str | None]]:
    if body.slot_starts is None:
        return {}
    minutes = dt.timedelta(minutes=body.slot_minutes) if body.slot_minutes else None
    return {
        s: (start.isoformat(), (start + minutes).isoformat() if minutes else None)
        for s, start in zip(body.slots, body.slot_starts, strict=True)
    }


def plan(body: EventRequest, served: Served, store: Store | None, tenant: str) -> EventPlan:
    """The plan for a validated request; declines come from ``store`` (none without one)."""
    n_slots = len(body.slots)
    companies = [
        EventCompany(
            id=c.id,
            profile=c.profile.to_profile(),
            max_meetings=c.max_meetings or n_slots,
            unavailable=frozenset(c.unavailable),
            declined=frozenset(store.declined(tenant, c.profile.company.name)) if store else frozenset(),
        )
        for c in body.companies
    ]
    partners = [EventPartner(p.partner_id, p.max_meetings or n_slots, frozenset(p.unavailable)) for p in body.partners]
    blocked = {(b.company_id, b.partner_id) for b in body.blocked}
    return plan_event(
        served.loaded.model,
        list(body.slots),
        companies,
        partners,
        blocked=blocked,
        min_score=body.min_score,
        balance=body.balance,
    )


def schedule_body(body: EventRequest, result: EventPlan, schedule_id: str, version: str) -> dict:
    times = _times(body)
    meetings = [
        m | ({"start": times[m["slot"]][0], "end": times[m["slot"]][1]} if times else {}) for m in result.meetings
    ]
    s = result.schedule
    return {
        "schedule_id": schedule_id,
        "model_version": version,
        "name": body.name,
        "meetings": meetings,
        "companies": [{"id": k, "meetings": v} for k, v in result.per_company.items()],
        "partners": [{"partner_id": k, "meetings": v} for k, v in result.per_partner.items()],
        "summary": {
            "meetings": len(meetings),
            "total_score": round(sum(m["score"] for m in meetings), 4),
            "upper_bound": round(max(s.upper_bound, sum(m["score"] for m in meetings)), 4),
            "optimal": s.optimal,
            "solve_ms": round(s.solve_ms, 1),
            "method": s.method,
            "min_company_meetings": min(result.per_company.values()),
        },
    }


@router.post("/events/schedule", response_model=ScheduleResponse, summary="Plan a partnering event's meetings")
def schedule_event(body: EventRequest, tenant: TenantDep, served: ServedDep, store: StoreDep):
    details = event_problems(body, served)
    if details:
        raise validation_error(details)
    result = plan(body, served, store, tenant.name)
    schedule_id = str(uuid.uuid4())
    answer = schedule_body(body, result, schedule_id, served.loaded.version)
    store.save_event(schedule_id, tenant.name, served.loaded.version, body.model_dump(mode="json"), answer)
    return answer


@router.get("/events/{schedule_id}", response_model=StoredSchedule, summary="A stored event plan")
def get_event(schedule_id: str, tenant: TenantDep, store: StoreDep):
    found = store.get_event(schedule_id[:64], tenant.name)
    if found is None:
        raise NotFound("schedule_id", schedule_id[:64])
    created, request, schedule = found
    return {
        "schedule_id": schedule_id,
        "created_at": created.isoformat(timespec="milliseconds"),
        "request": request,
        "schedule": schedule,
    }
