"""Asset-level fit: a profile's asset against each partner's own pipeline assets.

For ``license_in``, ``platform_access`` and ``co_development`` a foreign company is after a Korean
asset, not a company profile, so each partner is also scored by its best-matching asset:
modality (hierarchy-aware), therapeutic area, stage, optional indication words, and whether its
rights are still open (an asset licensed to someone else is evidence of partnering, not for sale).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from kbio_match.features.query_rows import QueryRows
from kbio_match.features.taxonomy import MODALITY, STAGE, THERAPEUTIC_AREA, modality_similarity_matrix
from sklearn.base import BaseEstimator

__all__ = ["PartnerAssets", "ASSET_SEEKING", "reported_before"]

ASSET_SEEKING = ("license_in", "platform_access", "co_development")
_WORD = re.compile(r"[a-z0-9]+")
_STOP = {"and", "or", "of", "the", "for", "in", "with", "a", "an", "to", "treatment", "patients", "disease"}


def reported_before(assets: pd.DataFrame, as_of_year: int | None) -> pd.DataFrame:
    """The assets whose stage was reported before ``as_of_year`` (all of them when None; an
    undated asset counts only then)."""
    if as_of_year is None or not len(assets):
        return assets
    return assets[assets["stage_as_of"].map(lambda v: bool(v) and int(str(v)[:4]) < as_of_year)]


def _words(text: str | None) -> frozenset[str]:
    return frozenset(w for w in _WORD.findall((text or "").lower()) if w not in _STOP and len(w) > 1)


class PartnerAssets(BaseEstimator):
    """Scores partners by their best pipeline asset for a profile's asset.

    Parameters
    ----------
    modality_share, area_share, stage_share : float
        How an asset's fit mixes modality similarity, area overlap and stage closeness.
    text_share : float
        Part of the fit given to indication/target word overlap, only when the profile's asset
        has an indication text.
    licensed_out : float
        Fit kept by an asset already licensed to another company.
    stage_tolerance : float
        Stages of distance at which stage closeness reaches 0.
    unknown : float
        Fit of a partner with no indexed asset: its pipeline is not known, which is not the same
        as knowing it holds nothing that fits.
    """

    def __init__(
        self,
        modality_share: float = 0.4,
        area_share: float = 0.4,
        stage_share: float = 0.2,
        text_share: float = 0.2,
        licensed_out: float = 0.5,
        stage_tolerance: float = 3.0,
        unknown: float = 0.0,
    ):
        self.modality_share = modality_share
        self.area_share = area_share
        self.stage_share = stage_share
        self.text_share = text_share
        self.licensed_out = licensed_out
        self.stage_tolerance = stage_tolerance
        self.unknown = unknown

    def fit(self, pipeline: pd.DataFrame, *, partner_ids: np.ndarray, modality_decay: float, as_of_year=None):
        """Index the assets of the partners in ``partner_ids`` (in their order).

        With ``as_of_year``, only assets whose stage was reported before that year count (an
        asset without a date counts only when no year is given).
        """
        row_of = {pid: i for i, pid in enumerate(partner_ids)}
        rows = pipeline[pipeline["partner_id"].isin(row_of)] if len(pipeline) else pipeline
        rows = reported_before(rows, as_of_year)
        rows = rows.assign(_row=rows["partner_id"].map(row_of)).sort_values(["_row", "asset"], kind="stable")
        self.partner_row_ = rows["_row"].to_numpy(dtype=int) if len(rows) else np.zeros(0, dtype=int)
        self.n_partners_ = len(partner_ids)
        sim = modality_similarity_matrix(float(modality_decay)).astype(np.float32)
        order = np.arange(len(STAGE.ids), dtype=np.float32)
        self.modality_ = np.stack([sim[MODALITY.index(m)] for m in rows["modality"]]) if len(rows) else None
        self.stage_ = (
            np.stack([np.clip(1 - np.abs(order - STAGE.index(s)) / self.stage_tolerance, 0, 1) for s in rows["stage"]])
            if len(rows)
            else None
        )
        area = np.zeros((len(rows), len(THERAPEUTIC_AREA.ids)), dtype=np.float32)
        for i, areas in enumerate(rows["therapeutic_areas"] if len(rows) else []):
            for a in areas:
                area[i, THERAPEUTIC_AREA.index(a)] = 1.0
        self.area_ = area
        self.available_ = np.where(
            [bool(v) for v in (rows["licensee"] if len(rows) else [])], self.licensed_out, 1.0
        ).astype(np.float32)
        words = [_words(f"{r.indication} {r.target or ''}") for r in rows.itertuples()] if len(rows) else []
        self.words_ = np.array(words + [None], dtype=object)[:-1]  # an object array slices like the others
        keep = ("asset", "modality", "stage", "indication", "source", "stage_as_of", "licensee", "target")
        self.records_ = [{k: r[k] for k in keep} for r in rows.to_dict("records")] if len(rows) else []
        # first asset row of each partner that has any, for per-partner maxima
        self.starts_ = (
            np.flatnonzero(np.r_[True, self.partner_row_[1:] != self.partner_row_[:-1]])
            if len(rows)
            else np.zeros(0, dtype=int)
        )
        self.first_partner_ = self.partner_row_[self.starts_]  # partner row of each run, sorted
        return self

    def __len__(self) -> int:
        return len(self.records_)

    def fits(self, rows: QueryRows, applies: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """Per query row and partner, the best asset fit (``unknown`` for a partner with no
        indexed asset, 0 where the row does not ``apply``), and every indexed asset's fit per row
        (None when no row applies), for ``best_row``."""
        out = np.zeros((len(rows), self.n_partners_), dtype=np.float32)
        if not len(self.records_) or not applies.any():
            return out, None
        fit = np.zeros((len(rows), len(self.records_)), dtype=np.float32)
        idx = np.flatnonzero(applies & (rows.modality >= 0))  # no modality, no asset fit
        if len(idx):
            fit[idx] = self._fit(rows, idx)
        live = np.flatnonzero(applies)
        out[live] = self.unknown
        out[np.ix_(live, self.first_partner_)] = np.maximum.reduceat(fit[live], self.starts_, axis=1)
        return out, fit

    def _fit(self, rows: QueryRows, idx: np.ndarray) -> np.ndarray:
        """Fit of every indexed asset for the query rows ``idx``, in [0, 1], shape (len(idx), n_assets)."""
        modality = self.modality_[:, rows.modality[idx]].T
        hot = rows.areas[idx]
        count = hot.sum(axis=1, keepdims=True)
        area = np.divide(hot @ self.area_.T, count, out=np.zeros_like(modality), where=count > 0)
        stages = rows.stage[idx]
        stage = np.where((stages >= 0)[:, None], self.stage_[:, np.maximum(stages, 0)].T, 0.5)
        total = self.modality_share + self.area_share + self.stage_share
        fit = (self.modality_share * modality + self.area_share * area + self.stage_share * stage) / total
        for j, r in enumerate(idx):
            words = _words(rows.indication[r])
            if words:
                text = np.array([len(words & w) / len(words | w) if w else 0.0 for w in self.words_], np.float32)
                fit[j] = (1 - self.text_share) * fit[j] + self.text_share * np.minimum(1.0, 2 * text)
        # an asset of another modality family and another area is no match at all
        fit = np.where((modality > 0) | (area > 0), fit, 0.0)
        return (fit * self.available_[None, :]).astype(np.float32)

    def best_row(self, fit: np.ndarray | None, partner: int) -> int:
        """The indexed row of ``partner``'s best-fitting asset under ``fit`` (from ``best_fit``), or -1."""
        if fit is None:
            return -1
        k = int(np.searchsorted(self.first_partner_, partner))
        if k >= len(self.starts_) or self.first_partner_[k] != partner:
            return -1
        start = int(self.starts_[k])
        end = int(self.starts_[k + 1]) if k + 1 < len(self.starts_) else len(self.records_)
        local = fit[start:end]
        return start + int(np.argmax(local)) if local.max() > 0 else -1

    def record(self, row: int) -> dict:
        """The contract's ``partner_asset`` for an indexed asset row."""
        r = self.records_[row]
        return {
            "name": r["asset"],
            "modality": r["modality"],
            "stage": r["stage"],
            "indication": r["indication"],
            "source": r["source"],
            "stage_as_of": r["stage_as_of"],
        }
