"""A toy catalog small enough to compute scores by hand (four partners, one cluster, one survey, two deals)."""

from __future__ import annotations

import pandas as pd
from kbio_match.features.catalog import Catalog


def _partner(pid, category, modalities, areas, stages, types, cluster=None):
    return {
        "id": pid,
        "name": pid.replace("-", " ").title(),
        "aliases": [],
        "category": category,
        "city": "Incheon" if cluster else None,
        "cluster": cluster,
        "modalities": modalities,
        "therapeutic_areas": areas,
        "stages": stages,
        "partnership_types": types,
        "description": f"Toy {category}.",
        "highlights": [],
        "sources": ["https://example.org/toy"],
        "founded": None,
        "listing": None,
        "website": None,
        "last_checked": "2026-11-30",
    }


def _deal(year, partner_id, partnership, modality, areas):
    return {
        "year": year,
        "foreign_company": f"Foreign {year}",
        "foreign_country": "US",
        "partner_id": partner_id,
        "partnership": partnership,
        "asset": None,
        "modality": modality,
        "therapeutic_areas": areas,
        "stage_at_deal": None,
        "value_usd_m": float("nan"),
        "status": None,
        "summary": "toy deal",
        "source": "https://example.org/deal",
    }


def toy_catalog() -> Catalog:
    partners = pd.DataFrame(
        [
            _partner("antibody-biotech", "biotech", ["antibody"], ["oncology"], ["phase1"], ["co_development"]),
            _partner(
                "toy-cdmo",
                "cdmo",
                ["antibody"],
                [],
                ["phase1", "phase2", "phase3", "approved"],
                ["manufacturing"],
                cluster="songdo",
            ),
            _partner("cv-pharma", "pharma", ["small_molecule"], ["cardiovascular"], ["phase3"], ["license_out"]),
            _partner("toy-institute", "research_institute", [], [], [], ["research_collaboration"]),
        ]
    )
    clusters = pd.DataFrame(
        [
            {
                "id": "songdo",
                "name": "Songdo",
                "province": "Incheon",
                "city": "Incheon",
                "latitude": 37.38,
                "longitude": 126.66,
                "specialties": ["manufacturing", "antibody"],
                "anchor_organisations": [],
                "designations": [],
                "sources": ["https://example.org/songdo"],
            }
        ]
    )
    landscape = pd.DataFrame(
        [
            {
                "survey": "toy",
                "year": 2024,
                "total": 100,
                "source_label": "Oncology",
                "therapeutic_area": "oncology",
                "count": 50,
                "share": 0.5,
                "source": "https://example.org/s",
            },
            {
                "survey": "toy",
                "year": 2024,
                "total": 100,
                "source_label": "CV",
                "therapeutic_area": "cardiovascular",
                "count": 8,
                "share": 0.08,
                "source": "https://example.org/s",
            },
        ]
    )
    deals = pd.DataFrame(
        [
            _deal(2020, "toy-cdmo", "manufacturing", "antibody", ["oncology"]),  # age 0 at 2021: weight 1
            _deal(2016, "antibody-biotech", "co_development", "antibody", ["oncology"]),  # one half-life (4 y) old
        ]
    )
    return Catalog(partners=partners, clusters=clusters, landscape=landscape, deals=deals, fingerprint="toy")
