"""POST /v1/match and /v1/match/batch."""

from __future__ import annotations

import datetime as dt
import uuid

from fastapi import APIRouter
from kbio_match.service.auth import TenantDep
from kbio_match.service.deps import ServedDep, StoreDep
from kbio_match.service.errors import validation_error
from kbio_match.service.schemas import BatchRequest, BatchResponse, MatchRequest, MatchResponse
from kbio_match.service.state import Served
from kbio_match.service.storage import RequestRow, ShownMatch, Store
from starlette.concurrency import run_in_threadpool

router = APIRouter(tags=["match"])


def _validate(requests: list[MatchRequest], served: Served, batch: bool) -> None:
    details = []
    for i, request in enumerate(requests):
        details += request.unknown_clusters(served.index.cluster_ids, prefix=f"profiles[{i}]." if batch else "")
    if details:
        raise validation_error(details)


def match_item(index, rank: int, m) -> dict:
    """One entry of a match answer (``MatchItem``), shared by the API and ``kbio-match match``."""
    return {
        "rank": rank,
        "partner": index.ref(m.partner_id),
        "score": m.score,
        "components": m.components,
        "best_asset": m.best_asset,
        "partner_asset": m.partner_asset,
        "reasons": m.reasons,
    }


def rank_requests(
    requests: list[MatchRequest], served: Served, store: Store, tenant: str
) -> tuple[list[dict], list[RequestRow]]:
    """Rank, explain and shape each request's answer; also the rows that store what was shown."""
    index = served.index
    profiles, hidden = [], []
    for request in requests:
        declined = set() if request.include_declined else store.declined(tenant, request.company.name)
        declined = {p for p in declined if p in index.by_id} - set(request.filters.exclude_partner_ids)
        profiles.append(request.to_profile(exclude=declined))
        hidden.append(len(declined))
    ranked = served.loaded.model.rank(profiles, top_k=max(r.top_k for r in requests))
    now = dt.datetime.now(dt.UTC)
    responses, rows = [], []
    for request, matches, n_hidden in zip(requests, ranked, hidden, strict=True):
        matches = matches[: request.top_k]
        request_id = str(uuid.uuid4())
        items = [match_item(index, rank, m) for rank, m in enumerate(matches, start=1)]
        version = served.loaded.version
        responses.append(
            {"request_id": request_id, "model_version": version, "declined_hidden": n_hidden, "matches": items}
        )
        shown = tuple(ShownMatch(i["rank"], i["partner"]["id"], i["score"], i["components"]) for i in items)
        rows.append(
            RequestRow(request_id, tenant, version, request.company.name, request.model_dump(mode="json"), shown, now)
        )
    return responses, rows


@router.post("/match", response_model=MatchResponse, summary="Rank Korean partners for one profile")
async def match(request: MatchRequest, tenant: TenantDep, served: ServedDep, store: StoreDep):
    # ranking is a few milliseconds of CPU: run it on the event loop, one request at a time, rather
    # than in a thread pool whose threads would only take turns on the GIL; the commit, which
    # waits on the disk, goes to a thread so the loop serves other requests meanwhile
    _validate([request], served, batch=False)
    responses, rows = rank_requests([request], served, store, tenant.name)
    await run_in_threadpool(store.save_requests, rows)  # committed before the answer: feedback can follow
    return responses[0]


@router.post("/match/batch", response_model=BatchResponse, summary="Rank partners for up to 1000 profiles")
def match_batch(batch: BatchRequest, tenant: TenantDep, served: ServedDep, store: StoreDep):
    _validate(batch.profiles, served, batch=True)
    responses, rows = rank_requests(batch.profiles, served, store, tenant.name)
    store.save_requests(rows)
    return {"results": responses}
