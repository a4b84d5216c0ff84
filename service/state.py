"""The model being served and the catalog view built from it, swapped atomically on reload."""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

from kbio_match.features.catalog import DEAL_COLUMNS
from kbio_match.models.persistence import LoadedModel


def _clean(value):
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


class CatalogView:
    """JSON-ready partner, deal and cluster records of one fitted model's catalog."""

    def __init__(self, loaded: LoadedModel):
        model = loaded.model
        deals_by_partner: dict[str, list[dict]] = {}
        for deal in model.deals_.sort_values("year", ascending=False).to_dict("records"):
            record = {k: _clean(deal.get(k)) for k in DEAL_COLUMNS if k != "partner_id"}
            record["therapeutic_areas"] = list(record["therapeutic_areas"] or [])
            record["year"] = int(record["year"])
            deals_by_partner.setdefault(deal["partner_id"], []).append(record)
        self.partners: list[dict] = []
        for row in model.partners_.to_dict("records"):
            record = {k: _clean(v) for k, v in row.items()}
            record["founded"] = int(record["founded"]) if record.get("founded") else None
            for key in (
                "aliases",
                "modalities",
                "therapeutic_areas",
                "stages",
                "partnership_types",
                "highlights",
                "sources",
            ):
                record[key] = list(record.get(key) or [])
            for key in ("city", "cluster", "listing", "website", "last_checked"):
                record[key] = record.get(key) or None
            self.partners.append(record)
        self.by_id = {p["id"]: p for p in self.partners}
        self.deals_by_partner = deals_by_partner
        counts: dict[str, int] = {}
        for p in self.partners:
            if p["cluster"]:
                counts[p["cluster"]] = counts.get(p["cluster"], 0) + 1
        self.clusters = []
        for row in model.clusters_.to_dict("records"):
            record = {
                k: row[k]
                for k in (
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
            }
            record["partner_count"] = counts.get(row["id"], 0)
            self.clusters.append(record)
        self.cluster_ids = {c["id"] for c in self.clusters}
        # for the partner list search: every name and alias, folded
        self.search_text = {p["id"]: " ".join([p["name"], *p["aliases"], p["id"]]).casefold() for p in self.partners}


@dataclass(frozen=True)
class Served:
    loaded: LoadedModel
    view: CatalogView


class ModelState:
    """Holds what is served; readers take ``current`` once per request, reload swaps it whole."""

    def __init__(self, loaded: LoadedModel):
        self._served = Served(loaded, CatalogView(loaded))
        self._lock = threading.Lock()

    @property
    def current(self) -> Served:
        return self._served

    def swap(self, loaded: LoadedModel) -> Served:
        served = Served(loaded, CatalogView(loaded))  # built before the swap, so readers never wait
        with self._lock:
            previous, self._served = self._served, served
        return previous
