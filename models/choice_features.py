"""The choice model's pair features: what it knows about a (profile, partner) pair.

``FEATURES`` names them: the hand-weighted score and its groups (``BestRows``), the partner's
category crossed with the partnership sought, its foreign deals of the type sought and in all, its
evidence rows for the type sought, its pipeline size (``PartnerPriors``, as of a year) and its
stock-market listing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from kbio_match.features.catalog import Catalog
from kbio_match.features.partner_assets import reported_before
from kbio_match.features.profile import Profile
from kbio_match.features.vocabularies import CATEGORY, PARTNERSHIP
from kbio_match.models.matcher import BestRows
from kbio_match.models.score_layout import SCORE_GROUPS

__all__ = [
    "FEATURES",
    "DRIVER_OF",
    "MONOTONE",
    "PRIORS",
    "LISTINGS",
    "PartnerPriors",
    "pair_features",
    "seeking_matrix",
    "chunk_size",
]

LISTINGS = ("kospi", "kosdaq")
PRIORS = [f"{c} x {t}" for c in CATEGORY.ids for t in PARTNERSHIP.ids]
ACTIVITY = ["deals of the sought type", "deals in all", "evidence of the sought type", "pipeline assets"]
FEATURES = ["hand-weighted score", *SCORE_GROUPS, *PRIORS, *ACTIVITY, *LISTINGS]
_F = {name: i for i, name in enumerate(FEATURES)}

# the reason group each feature argues for; the hand-weighted score is shared out over the groups
# in proportion to their weighted components (see ``ChoiceRanker.drivers``)
DRIVER_OF = {
    **{g: g for g in SCORE_GROUPS},
    **{p: "kind" for p in PRIORS},
    **{listing: "kind" for listing in LISTINGS},
    "deals of the sought type": "track_record",
    "deals in all": "track_record",
    "evidence of the sought type": "partnership",
    "pipeline assets": "partner_asset",
}
# more of these never argues against a partner: their coefficients are kept >= 0, so a learned
# weight cannot flip a sign on collinear evidence, and a reason drawn from them always points the
# way the score moved
MONOTONE = np.array(
    [1, *[1] * len(SCORE_GROUPS), *[0] * len(PRIORS), *[1] * len(ACTIVITY), *[0] * len(LISTINGS)], dtype=float
)
CHUNK_CELLS = 20_000_000  # (profile, partner, feature) cells built at once: ~80 MB of float32


def chunk_size(n_partners: int) -> int:
    """Profiles scored at once, so one block of pair features stays near ``CHUNK_CELLS``."""
    return max(1, min(512, CHUNK_CELLS // max(1, n_partners * len(FEATURES))))


@dataclass
class PartnerPriors:
    """Per-partner features as of a year, in the catalog's partner order."""

    category: np.ndarray  # (n, len(CATEGORY)) one-hot
    deals_by_type: np.ndarray  # (n, len(PARTNERSHIP)) log1p foreign deals before the year
    deals_total: np.ndarray  # (n,) log1p
    evidence_by_type: np.ndarray  # (n, len(PARTNERSHIP)) log1p evidence rows known before the year
    assets: np.ndarray  # (n,) log1p pipeline assets reported before the year
    listing: np.ndarray  # (n, len(LISTINGS))

    @classmethod
    def of(cls, catalog: Catalog, partner_ids: np.ndarray, as_of_year: int | None) -> PartnerPriors:
        year = as_of_year if as_of_year is not None else 10**6
        partners = catalog.partners.set_index("id").loc[partner_ids]
        row = {p: i for i, p in enumerate(partner_ids)}
        n, t = len(partner_ids), len(PARTNERSHIP.ids)
        category = np.zeros((n, len(CATEGORY.ids)), dtype=np.float32)
        category[np.arange(n), [CATEGORY.index(c) for c in partners["category"]]] = 1.0
        listing = np.array([[v == x for x in LISTINGS] for v in partners["listing"]], dtype=np.float32).reshape(n, -1)
        deals = catalog.deals[catalog.deals["year"] < year]
        by_type = _counts(deals["partner_id"], deals["partnership"], row, t)
        evidence = np.zeros((n, t), dtype=np.float32)
        if catalog.capabilities is not None:
            caps = catalog.capabilities
            caps = caps[caps["year"].isna() | (caps["year"] < year)]
            evidence = _counts(caps["partner_id"], caps["partnership"], row, t)
        assets = reported_before(catalog.pipeline, as_of_year)["partner_id"].map(row).dropna().astype(int)
        n_assets = np.bincount(assets.to_numpy(), minlength=n).astype(np.float32)
        return cls(
            category=category,
            deals_by_type=np.log1p(by_type),
            deals_total=np.log1p(by_type.sum(axis=1)),
            evidence_by_type=np.log1p(evidence),
            assets=np.log1p(n_assets),
            listing=listing,
        )


def _counts(partner_ids: pd.Series, types: pd.Series, row: dict, n_types: int) -> np.ndarray:
    out = np.zeros((len(row), n_types), dtype=np.float32)
    for pid, t in zip(partner_ids, types, strict=True):
        if pid in row:
            out[row[pid], PARTNERSHIP.index(t)] += 1
    return out


def seeking_matrix(profiles: list[Profile]) -> np.ndarray:
    seek = np.zeros((len(profiles), len(PARTNERSHIP.ids)), dtype=np.float32)
    for i, profile in enumerate(profiles):
        seek[i, [PARTNERSHIP.index(t) for t in profile.seeking]] = 1.0
    return seek


def pair_features(best: BestRows, priors: PartnerPriors, seek: np.ndarray) -> np.ndarray:
    """``FEATURES`` of every (profile, partner) pair, shape (n_profiles, n_partners, len(FEATURES))."""
    n_q, n_p = best.score.shape
    out = np.zeros((n_q, n_p, len(FEATURES)), dtype=np.float32)
    out[:, :, 0] = best.score
    out[:, :, 1 : 1 + len(SCORE_GROUPS)] = best.components
    start = 1 + len(SCORE_GROUPS)
    out[:, :, start : start + len(PRIORS)] = (priors.category[None, :, :, None] * seek[:, None, None, :]).reshape(
        n_q, n_p, -1
    )
    out[:, :, _F["deals of the sought type"]] = (priors.deals_by_type[None] * seek[:, None, :]).max(axis=2)
    out[:, :, _F["deals in all"]] = priors.deals_total[None]
    out[:, :, _F["evidence of the sought type"]] = (priors.evidence_by_type[None] * seek[:, None, :]).max(axis=2)
    out[:, :, _F["pipeline assets"]] = priors.assets[None]
    out[:, :, _F[LISTINGS[0]] :] = priors.listing[None]
    return out
