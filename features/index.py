"""The partner index: built once from a catalog, read by the ranker's filters, the explainer,
the service's catalog views and the CLI. It is the only id -> row map."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from kbio_match.features.catalog import DEAL_COLUMNS, Catalog
from kbio_match.features.profile import ProfileFilters

__all__ = ["PartnerIndex"]

PARTNER_LIST_FIELDS = (
    "aliases",
    "modalities",
    "therapeutic_areas",
    "stages",
    "partnership_types",
    "highlights",
    "sources",
)
CLUSTER_FIELDS = (
    "id",
    "name",
    "province",
    "city",
    "latitude",
    "longitude",
    "specialties",
    "anchor_organisations",
    "designations",
    "sources",
)


def _clean(value):
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _partner_record(row: dict) -> dict:
    record = {k: _clean(v) for k, v in row.items()}
    record["founded"] = int(record["founded"]) if record.get("founded") else None
    for key in PARTNER_LIST_FIELDS:
        record[key] = list(record.get(key) or [])
    for key in ("city", "cluster", "listing", "website", "last_checked"):
        record[key] = record.get(key) or None
    return record


class PartnerIndex:
    """Ids, id -> row, JSON-ready partner, deal and cluster records, and filter masks."""

    def __init__(self, catalog: Catalog):
        partners = catalog.partners.reset_index(drop=True)
        self.ids = partners["id"].to_numpy()
        self.row_of = {pid: i for i, pid in enumerate(self.ids)}
        self.records = [_partner_record(row) for row in partners.to_dict("records")]
        self.by_id = {p["id"]: p for p in self.records}
        self._categories = partners["category"].to_numpy()
        self._clusters = np.array([p["cluster"] or "" for p in self.records], dtype=object)

        self.deals_by_partner: dict[str, list[dict]] = {}
        ordered = catalog.deals.sort_values(["year", "foreign_company"], ascending=[False, True])
        for deal in ordered.to_dict("records"):
            record = {k: _clean(deal.get(k)) for k in DEAL_COLUMNS if k != "partner_id"}
            record["therapeutic_areas"] = list(record["therapeutic_areas"] or [])
            record["year"] = int(record["year"])
            if "announced" in deal:
                record["announced"] = deal["announced"] or None
            self.deals_by_partner.setdefault(deal["partner_id"], []).append(record)
        self.n_deals = len(catalog.deals)

        self.pipeline_by_partner: dict[str, list[dict]] = {}
        keep = ("asset", "modality", "target", "indication", "therapeutic_areas", "stage", "stage_as_of")
        for row in catalog.pipeline.sort_values(["partner_id", "asset"]).to_dict("records"):
            record = {k: _clean(row.get(k)) or None for k in keep}
            record["therapeutic_areas"] = list(row.get("therapeutic_areas") or [])
            record.update({k: _clean(row.get(k)) or None for k in ("rights", "licensee", "source")})
            self.pipeline_by_partner.setdefault(row["partner_id"], []).append(record)
        # for the partner list's asset search: asset names, targets and indications, folded
        self.asset_text = {
            pid: " ".join(f"{a['asset']} {a['target'] or ''} {a['indication']}" for a in assets).casefold()
            for pid, assets in self.pipeline_by_partner.items()
        }

        # evidence behind each flag, newest first; "deal" rows restate a deal (the track record's
        # reason cites those), "record" rows restate the organisation's own description
        self.evidence_by_partner: dict[str, list[dict]] = {}
        deal_sources = {(d["partner_id"], d["source"]) for d in catalog.deals.to_dict("records") if "source" in d}
        rows = catalog.capabilities if catalog.capabilities is not None else []
        for row in rows.to_dict("records") if len(rows) else []:
            year = row["year"]
            kind = "deal" if (row["partner_id"], row["source"]) in deal_sources else "page"
            if str(row["evidence"]).startswith("Organisation record:"):
                kind = "record"
            record = {
                "partnership": row["partnership"],
                "evidence": row["evidence"],
                "source": row["source"],
                "year": None if year is None or pd.isna(year) else int(year),
                "kind": kind,
            }
            self.evidence_by_partner.setdefault(row["partner_id"], []).append(record)
        for records in self.evidence_by_partner.values():
            records.sort(key=lambda r: -(r["year"] or 0))

        counts: dict[str, int] = {}
        for p in self.records:
            if p["cluster"]:
                counts[p["cluster"]] = counts.get(p["cluster"], 0) + 1
        self.clusters = [
            {**{k: row[k] for k in CLUSTER_FIELDS}, "partner_count": counts.get(row["id"], 0)}
            for row in catalog.clusters.to_dict("records")
        ]
        self.cluster_by_id = {c["id"]: c for c in self.clusters}
        self.cluster_ids = frozenset(self.cluster_by_id)
        # for the partner list search: every name and alias, folded
        self.search_text = {p["id"]: " ".join([p["name"], *p["aliases"], p["id"]]).casefold() for p in self.records}
        self.fingerprint = catalog.fingerprint

    def __len__(self) -> int:
        return len(self.ids)

    def mask(self, filters: ProfileFilters) -> np.ndarray | None:
        """Partners the filters allow, or None when there are no filters."""
        if not filters:
            return None
        mask = np.ones(len(self.ids), dtype=bool)
        if filters.categories:
            mask &= np.isin(self._categories, list(filters.categories))
        if filters.clusters:
            mask &= np.isin(self._clusters, list(filters.clusters))
        if filters.exclude_partner_ids:
            mask &= ~np.isin(self.ids, list(filters.exclude_partner_ids))
        return mask

    def ref(self, partner_id: str) -> dict:
        """The short partner record a match shows."""
        p = self.by_id[partner_id]
        return {k: p[k] for k in ("id", "name", "category", "cluster", "city")}
