"""Feedback and the caller's stored match requests."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query
from kbio_match.service.auth import TenantDep
from kbio_match.service.deps import ServedDep, StoreDep
from kbio_match.service.errors import NotFound
from kbio_match.service.schemas import FeedbackRecord, FeedbackRequest, StoredRequest, StoredRequestList
from kbio_match.service.storage import FeedbackRow, RequestRow

router = APIRouter(tags=["history"])


def _iso(value: dt.datetime) -> str:
    return value.isoformat(timespec="milliseconds")


def feedback_record(row: FeedbackRow) -> dict:
    return {
        "id": row.id,
        "request_id": row.request_id,
        "partner_id": row.partner_id,
        "outcome": row.outcome,
        "reason": row.reason,
        "note": row.note,
        "created_at": _iso(row.created_at),
    }


def _matches(row: RequestRow) -> list[dict]:
    return [
        {"rank": m.rank, "partner_id": m.partner_id, "score": m.score, "components": m.components} for m in row.shown
    ]


@router.post("/feedback", status_code=201, response_model=FeedbackRecord, summary="Record feedback on a match")
def post_feedback(body: FeedbackRequest, tenant: TenantDep, served: ServedDep, store: StoreDep):
    if body.partner_id not in served.index.by_id:
        raise NotFound("partner_id", body.partner_id)
    row = FeedbackRow(
        id=None,
        request_id=body.request_id,
        tenant=tenant.name,
        partner_id=body.partner_id,
        outcome=body.outcome,
        reason=body.reason,
        note=body.note,
        created_at=dt.datetime.now(dt.UTC),
    )
    stored = store.add_feedback(row)
    if stored is None:
        raise NotFound("request_id", body.request_id)
    return feedback_record(stored)


@router.get("/requests", response_model=StoredRequestList, summary="Your stored match requests, newest first")
def list_requests(
    tenant: TenantDep,
    store: StoreDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
):
    rows, total = store.list_requests(tenant.name, limit=limit, offset=offset)
    items = [
        {
            "request_id": r.id,
            "created_at": _iso(r.created_at),
            "model_version": r.model_version,
            "company": r.company,
            "n_matches": len(r.shown),
        }
        for r in rows
    ]
    return {"items": items, "total": total}


@router.get("/requests/{request_id}", response_model=StoredRequest, summary="One stored request with its feedback")
def get_request(request_id: str, tenant: TenantDep, store: StoreDep):
    row = store.get_request(request_id[:64], tenant.name)
    if row is None:
        raise NotFound("request_id", request_id[:64])
    return {
        "request_id": row.id,
        "created_at": _iso(row.created_at),
        "model_version": row.model_version,
        "profile": row.profile,
        "matches": _matches(row),
        "feedback": [feedback_record(f) for f in row.feedback],
    }
