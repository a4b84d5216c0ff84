"""Partners, clusters and the taxonomy."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from kbio_match.features.taxonomy import UnknownTermError, normalise, taxonomy_document
from kbio_match.service.catalog_schemas import ClusterList, PartnerDetail, PartnerList
from kbio_match.service.deps import ServedDep, check_ids
from kbio_match.service.errors import NotFound, validation_error

router = APIRouter(tags=["catalog"])


def _term(field: str, vocabulary: str, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return normalise(vocabulary, value)
    except UnknownTermError as exc:
        raise validation_error(
            [
                {
                    "field": field,
                    "value": value[:100],
                    "message": str(exc),
                    "allowed": list(exc.allowed),
                    "closest": exc.closest,
                }
            ]
        ) from None


@router.get("/partners", response_model=PartnerList, summary="List and search catalog partners")
def list_partners(
    served: ServedDep,
    category: Annotated[str | None, Query(max_length=64)] = None,
    cluster: Annotated[str | None, Query(max_length=64)] = None,
    modality: Annotated[str | None, Query(max_length=64)] = None,
    therapeutic_area: Annotated[str | None, Query(max_length=64)] = None,
    partnership: Annotated[str | None, Query(max_length=64)] = None,
    q: Annotated[
        str | None,
        Query(max_length=200, description="any part of a name, alias, or pipeline asset name, target or indication"),
    ] = None,
    asset_modality: Annotated[
        str | None, Query(max_length=64, description="has a pipeline asset of this modality")
    ] = None,
    asset_stage: Annotated[str | None, Query(max_length=64, description="has a pipeline asset at this stage")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
):
    view = served.index
    category = _term("category", "category", category)
    modality = _term("modality", "modality", modality)
    area = _term("therapeutic_area", "therapeutic_area", therapeutic_area)
    partnership = _term("partnership", "partnership", partnership)
    asset_modality = _term("asset_modality", "modality", asset_modality)
    asset_stage = _term("asset_stage", "stage", asset_stage)
    if cluster is not None:
        check_ids("cluster", [cluster], view.cluster_ids)
    needle = q.casefold().strip() if q else None
    items = [
        p
        for p in view.records
        if (category is None or p["category"] == category)
        and (cluster is None or p["cluster"] == cluster)
        and (modality is None or modality in p["modalities"])
        and (area is None or area in p["therapeutic_areas"])
        and (partnership is None or partnership in p["partnership_types"])
        and (not needle or needle in view.search_text[p["id"]] or needle in view.asset_text.get(p["id"], ""))
        and _has_asset(view.pipeline_by_partner.get(p["id"], []), asset_modality, asset_stage)
    ]
    return {"items": items[offset : offset + limit], "total": len(items)}


def _has_asset(assets: list[dict], modality: str | None, stage: str | None) -> bool:
    if modality is None and stage is None:
        return True
    return any(
        (modality is None or a["modality"] == modality) and (stage is None or a["stage"] == stage) for a in assets
    )


@router.get("/partners/{partner_id}", response_model=PartnerDetail, summary="One partner with its deals")
def get_partner(partner_id: str, served: ServedDep):
    partner = served.index.by_id.get(partner_id)
    if partner is None:
        raise NotFound("partner", partner_id)
    index = served.index
    return partner | {
        "deals": index.deals_by_partner.get(partner_id, []),
        "pipeline": index.pipeline_by_partner.get(partner_id, []),
    }


@router.get("/clusters", response_model=ClusterList, summary="Korea's bioclusters")
def list_clusters(served: ServedDep):
    return {"items": served.index.clusters}


@router.get("/taxonomy", summary="Vocabularies with labels, synonyms and the modality hierarchy")
def get_taxonomy(served: ServedDep) -> dict:
    doc = taxonomy_document()
    doc["cluster"] = [{"id": c["id"], "label": c["name"]} for c in served.index.clusters]
    return doc
