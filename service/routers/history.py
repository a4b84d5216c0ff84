"""Feedback and the caller's stored match requests."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from kbio_match.service.auth import TenantDep
from kbio_match.service.deps import ServedDep, StoreDep
from kbio_match.service.errors import NotFound
from kbio_match.service.schemas import FeedbackRecord, FeedbackRequest, StoredRequest, StoredRequestList

router = APIRouter(tags=["history"])


@router.post("/feedback", status_code=201, response_model=FeedbackRecord, summary="Record feedback on a match")
def post_feedback(body: FeedbackRequest, tenant: TenantDep, served: ServedDep, store: StoreDep):
    if body.partner_id not in served.view.by_id:
        raise NotFound("partner_id", body.partner_id)
    record = store.add_feedback(
        request_id=body.request_id, tenant=tenant.name, partner_id=body.partner_id, outcome=body.outcome, note=body.note
    )
    if record is None:
        raise NotFound("request_id", body.request_id)
    return JSONResponse(record, status_code=201)


@router.get("/requests", response_model=StoredRequestList, summary="Your stored match requests, newest first")
def list_requests(
    tenant: TenantDep,
    store: StoreDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
):
    items, total = store.list_requests(tenant.name, limit=limit, offset=offset)
    return {"items": items, "total": total}


@router.get("/requests/{request_id}", response_model=StoredRequest, summary="One stored request with its feedback")
def get_request(request_id: str, tenant: TenantDep, store: StoreDep):
    record = store.get_request(request_id[:64], tenant.name)
    if record is None:
        raise NotFound("request_id", request_id[:64])
    return record
