"""POST /v1/match and /v1/match/batch."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from kbio_match.service.auth import TenantDep
from kbio_match.service.deps import ServedDep, StoreDep, check_ids
from kbio_match.service.schemas import BatchRequest, BatchResponse, MatchRequest, MatchResponse
from kbio_match.service.state import Served

router = APIRouter(tags=["match"])


def _validate(request: MatchRequest, served: Served, prefix: str = "") -> None:
    check_ids(f"{prefix}preferred_clusters", request.preferred_clusters, served.view.cluster_ids)
    check_ids(f"{prefix}filters.clusters", request.filters.clusters, served.view.cluster_ids)


def _rank(requests: list[MatchRequest], served: Served, tenant: str) -> tuple[list[dict], list[dict]]:
    model = served.loaded.model
    ranked = model.rank([r.profile() for r in requests], top_k=max(r.top_k for r in requests))
    responses, rows = [], []
    for request, matches in zip(requests, ranked, strict=True):
        matches = matches[: request.top_k]
        request_id = str(uuid.uuid4())
        items = []
        for rank, m in enumerate(matches, start=1):
            p = served.view.by_id[m.partner_id]
            items.append(
                {
                    "rank": rank,
                    "partner": {
                        "id": p["id"],
                        "name": p["name"],
                        "category": p["category"],
                        "cluster": p["cluster"],
                        "city": p["city"],
                    },
                    "score": m.score,
                    "components": m.components,
                    "best_asset": m.best_asset,
                    "reasons": m.reasons,
                }
            )
        responses.append({"request_id": request_id, "model_version": served.loaded.version, "matches": items})
        rows.append(
            {
                "id": request_id,
                "tenant": tenant,
                "model_version": served.loaded.version,
                "company": request.company.name,
                "profile": request.model_dump(mode="json"),
                "results": [{"rank": i["rank"], "partner_id": i["partner"]["id"], "score": i["score"]} for i in items],
            }
        )
    return responses, rows


@router.post("/match", response_model=MatchResponse, summary="Rank Korean partners for one profile")
def match(request: MatchRequest, tenant: TenantDep, served: ServedDep, store: StoreDep):
    _validate(request, served)
    responses, rows = _rank([request], served, tenant.name)
    store.save_requests(rows)  # committed before the answer: its request_id can take feedback at once
    return JSONResponse(responses[0])


@router.post("/match/batch", response_model=BatchResponse, summary="Rank partners for up to 1000 profiles")
def match_batch(batch: BatchRequest, tenant: TenantDep, served: ServedDep, store: StoreDep):
    for i, request in enumerate(batch.profiles):
        _validate(request, served, prefix=f"profiles[{i}].")
    responses, rows = _rank(batch.profiles, served, tenant.name)
    store.save_requests(rows)
    return JSONResponse({"results": responses})
