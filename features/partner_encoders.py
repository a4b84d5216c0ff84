"""Feature encoders for the partner-side groups: cluster, partnership fit and track record.

Same interface as ``features.encoders``: ``fit`` on the partner catalog, ``transform`` to a named
block, ``query`` to aligned columns for a profile's assets.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from kbio_match.features.encoders import GroupEncoder, multi_hot
from kbio_match.features.query_rows import QueryRows
from kbio_match.features.taxonomy import MODALITY, PARTNERSHIP, STAGE, THERAPEUTIC_AREA, modality_similarity_matrix
from kbio_match.features.vocabulary_tables import PRIMARY_CATEGORIES, STAGE_NEED

__all__ = ["ClusterEncoder", "PartnershipEncoder", "TrackRecordEncoder", "AppetiteEncoder"]


class ClusterEncoder(GroupEncoder):
    """Cluster fit: the partner's biocluster against preferred clusters and the cluster's specialties.

    Parameters
    ----------
    preference : float
        Score of a partner in one of the profile's preferred clusters.
    specialty : float
        Score of a cluster whose specialties cover what is sought (half for the partnership
        sought, half for the asset's modality).
    """

    prefix = "cluster"

    def __init__(self, preference: float = 1.0, specialty: float = 0.6):
        self.preference = preference
        self.specialty = specialty

    def fit(self, X, y=None, *, clusters: pd.DataFrame):
        self.cluster_ids_ = tuple(clusters["id"])
        self.specialties_ = {c: set(s) for c, s in zip(clusters["id"], clusters["specialties"], strict=True)}
        return super().fit(X, y)

    def _names(self):
        return list(self.cluster_ids_)

    def _partner_block(self, X):
        return multi_hot(X["cluster"].map(lambda c: [c] if c else []), self.cluster_ids_)

    def _specialty_tables(self) -> tuple[np.ndarray, np.ndarray]:
        """Per cluster, which partnership types and which modalities its specialties name."""
        if getattr(self, "_tables", None) is None:
            spec = [self.specialties_[c] for c in self.cluster_ids_]
            self._tables = (
                np.array([[t in s for t in PARTNERSHIP.ids] for s in spec], dtype=np.float32),
                np.array([[m in s for m in MODALITY.ids] for s in spec], dtype=np.float32),
            )
        return self._tables

    def query(self, rows: QueryRows) -> np.ndarray:
        spec_types, spec_mods = self._specialty_tables()
        fit = 0.5 * (rows.seeking @ spec_types.T > 0)
        known = rows.modality >= 0
        fit[known] += 0.5 * spec_mods.T[rows.modality[known]]
        out = (self.specialty * fit).astype(np.float32)
        column = {c: i for i, c in enumerate(self.cluster_ids_)}
        for row, preferred in enumerate(rows.preferred):
            for cid in preferred:
                if cid in column:
                    out[row, column[cid]] = max(out[row, column[cid]], self.preference)
        return out


# STAGE_NEED as (type, stage) with a last column of each type's mean need (stage unknown)
_NEED_TABLE = np.array(
    [[STAGE_NEED[t][s] for s in STAGE.ids] + [float(np.mean(list(STAGE_NEED[t].values())))] for t in PARTNERSHIP.ids],
    dtype=np.float32,
)


class PartnershipEncoder(GroupEncoder):
    """The partnership types a partner is a fit for, against those the profile seeks.

    A flagged type (one with evidence) scores 1 for a partner whose category makes it that type's
    specialist (``PRIMARY_CATEGORIES``: a CDMO for manufacturing) and ``generalist_fit`` for any
    other partner. A type without evidence is not a no: it scores ``unconfirmed_fit`` times how
    often the partner's category signs that type of deal, per organisation, relative to the most
    active category (learned from the deals before ``as_of_year``). ``query`` returns two column
    sets: ``seek`` (which types are sought) and ``need`` (how much each sought type wants an asset
    at this asset's stage).

    Parameters
    ----------
    generalist_fit : float
        Fit of a partner that offers a partnership outside its core business.
    unconfirmed_fit : float
        Fit of an unflagged type for a partner of the category most active in it.
    """

    prefix = "partnership"

    def __init__(self, generalist_fit: float = 0.7, unconfirmed_fit: float = 0.5):
        self.generalist_fit = generalist_fit
        self.unconfirmed_fit = unconfirmed_fit

    def fit(self, X, y=None, *, deals: pd.DataFrame | None = None, as_of_year: int | None = None):
        """Learn the category x type deal rates from ``deals`` signed before ``as_of_year``."""
        category_of = dict(zip(X["id"], X["category"], strict=True)) if "id" in X else {}
        per_category = pd.Series(list(category_of.values()), dtype=object).value_counts()
        rates = pd.DataFrame(0.0, index=sorted(per_category.index), columns=list(PARTNERSHIP.ids))
        if deals is not None and len(deals) and category_of:
            seen = deals[deals["year"] < as_of_year] if as_of_year is not None else deals
            cats = seen["partner_id"].map(category_of)
            counts = pd.crosstab(cats, seen["partnership"]).reindex(
                index=rates.index, columns=rates.columns, fill_value=0
            )
            rates = counts.div(per_category.reindex(rates.index), axis=0)
        top = rates.max(axis=0).replace(0.0, np.nan)
        self.category_prior_ = rates.div(top, axis=1).fillna(0.0)
        return super().fit(X, y)

    def _names(self):
        return list(PARTNERSHIP.ids)

    def _partner_block(self, X):
        offered = multi_hot(X["partnership_types"], PARTNERSHIP.ids)
        primary = np.array(
            [[category in PRIMARY_CATEGORIES[t] for t in PARTNERSHIP.ids] for category in X["category"]],
            dtype=np.float32,
        ).reshape(len(X), len(PARTNERSHIP.ids))
        flagged = offered * np.where(primary > 0, 1.0, float(self.generalist_fit))
        prior = self.category_prior_.reindex(index=list(X["category"]), fill_value=0.0).to_numpy(dtype=np.float32)
        return (flagged + (1.0 - offered) * float(self.unconfirmed_fit) * prior).astype(np.float32)

    def query(self, rows: QueryRows) -> np.ndarray:
        return rows.seeking.copy()

    @staticmethod
    def need(rows: QueryRows) -> np.ndarray:
        """Per row, ``STAGE_NEED[t][stage]`` for every sought type ``t`` (0 elsewhere); the
        type's mean need when the stage is unknown."""
        column = np.where(rows.stage >= 0, rows.stage, len(STAGE.ids))  # the last column holds the mean
        return rows.seeking * _NEED_TABLE[:, column].T


class TrackRecordEncoder(GroupEncoder):
    """A partner's past foreign deals, recency-weighted, by partnership type, modality and area.

    Only deals strictly before ``as_of_year`` count, so evaluation queries never see their own
    deal or later ones.

    Parameters
    ----------
    half_life : float
        Years after which a deal counts half.
    type_share, modality_share, area_share : float
        How the query mixes deals of the sought type, of a related modality and of its areas.
    """

    prefix = "track_record"

    def __init__(
        self, half_life: float = 4.0, type_share: float = 0.5, modality_share: float = 0.25, area_share: float = 0.25
    ):
        self.half_life = half_life
        self.type_share = type_share
        self.modality_share = modality_share
        self.area_share = area_share

    def fit(
        self,
        X,
        y=None,
        *,
        deals: pd.DataFrame | None = None,
        as_of_year: int | None = None,
        modality_decay: float = 0.5,
    ):
        """``modality_decay`` is the modality encoder's, so a deal of a related modality counts alike."""
        self.modality_similarity_ = modality_similarity_matrix(float(modality_decay)).astype(np.float32)
        deals = deals if deals is not None else pd.DataFrame(columns=["partner_id", "year"])
        if as_of_year is not None and len(deals):
            deals = deals[deals["year"] < as_of_year]
        self.as_of_year_ = (
            int(as_of_year) if as_of_year is not None else (int(deals["year"].max()) + 1 if len(deals) else 0)
        )
        self.deals_ = deals.reset_index(drop=True)
        return super().fit(X, y)

    def _names(self):
        return (
            [f"type_{t}" for t in PARTNERSHIP.ids]
            + [f"modality_{m}" for m in MODALITY.ids]
            + [f"area_{a}" for a in THERAPEUTIC_AREA.ids]
        )

    def _partner_block(self, X):
        index = {pid: i for i, pid in enumerate(X["id"])}
        out = np.zeros((len(X), len(self._names())), dtype=np.float32)
        n_types, n_mod = len(PARTNERSHIP.ids), len(MODALITY.ids)
        for deal in self.deals_.itertuples(index=False):
            row = index.get(deal.partner_id)
            if row is None:
                continue
            weight = 0.5 ** ((self.as_of_year_ - 1 - deal.year) / float(self.half_life))
            if deal.partnership in PARTNERSHIP.ids:
                out[row, PARTNERSHIP.index(deal.partnership)] += weight
            if getattr(deal, "modality", None) in MODALITY.ids:
                out[row, n_types + MODALITY.index(deal.modality)] += weight
            areas = [a for a in (deal.therapeutic_areas or ()) if a in THERAPEUTIC_AREA.ids]
            for area in areas:
                out[row, n_types + n_mod + THERAPEUTIC_AREA.index(area)] += weight / len(areas)
        return out

    def query(self, rows: QueryRows) -> np.ndarray:
        mod = np.zeros((len(rows), len(MODALITY.ids)), dtype=np.float32)
        known = rows.modality >= 0
        mod[known] = self.modality_similarity_[rows.modality[known]]
        area = rows.area_weights(uniform_when_none=False)
        parts = [self.type_share * rows.seeking, self.modality_share * mod, self.area_share * area]
        return np.concatenate(parts, axis=1).astype(np.float32)


class AppetiteEncoder(GroupEncoder):
    """The Korean side's appetite for each partnership type now: its evidence rows of the type
    (deals, pages, its own record and assets), recency-weighted and saturating, as known before
    ``as_of_year``. A flag says "can"; appetite says "has lately, and how much".

    Parameters
    ----------
    half_life : float
        Years after which a dated row counts half.
    undated : float
        Weight of an undated row (a standing capability: a CRO's record, a plant).
    scale : float
        Weighted row count at which appetite reaches 63%.
    """

    prefix = "appetite"

    def __init__(self, half_life: float = 3.0, undated: float = 0.5, scale: float = 1.5):
        self.half_life = half_life
        self.undated = undated
        self.scale = scale

    def fit(self, X, y=None, *, capabilities: pd.DataFrame | None = None, as_of_year: int | None = None):
        rows = capabilities if capabilities is not None else pd.DataFrame(columns=["partner_id", "partnership", "year"])
        year = pd.to_numeric(rows["year"], errors="coerce")
        if as_of_year is not None:
            keep = year.isna() | (year < as_of_year)
            rows, year = rows[keep], year[keep]
        self.rows_ = rows  # kept so evaluation can refit without the evidence of held-out deals
        reference = as_of_year if as_of_year is not None else (int(year.max()) + 1 if year.notna().any() else 0)
        weight = np.where(year.isna(), float(self.undated), 0.5 ** ((reference - 1 - year.fillna(0)) / self.half_life))
        self.weights_ = (
            pd.DataFrame({"partner_id": rows["partner_id"], "partnership": rows["partnership"], "w": weight})
            .groupby(["partner_id", "partnership"])["w"]
            .sum()
        )
        return super().fit(X, y)

    def _names(self):
        return list(PARTNERSHIP.ids)

    def _partner_block(self, X):
        out = np.zeros((len(X), len(PARTNERSHIP.ids)), dtype=np.float32)
        row_of = {pid: i for i, pid in enumerate(X["id"])}
        for (pid, t), w in self.weights_.items():
            if pid in row_of and t in PARTNERSHIP.positions:
                out[row_of[pid], PARTNERSHIP.positions[t]] = w
        return -np.expm1(-out / float(self.scale))

    def query(self, rows: QueryRows) -> np.ndarray:
        """The mean over the types sought."""
        return rows.seeking / np.maximum(rows.seeking.sum(axis=1, keepdims=True), 1.0)
