"""The whole feature pipeline: every group encoder side by side, partners and queries aligned."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from kbio_match.features.encoders import (
    ModalityEncoder,
    StageEncoder,
    TherapeuticEncoder,
    TherapeuticGapEncoder,
)
from kbio_match.features.partner_encoders import AppetiteEncoder, ClusterEncoder, PartnershipEncoder, TrackRecordEncoder
from kbio_match.features.profile import Profile
from kbio_match.features.query_rows import QueryRows
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.utils.validation import check_is_fitted

__all__ = ["PartnerFeatures", "QueryBatch", "GROUPS", "QUERY_KINDS", "BLOCK_OF_KIND", "ASSET_GROUPS"]

GROUPS = (
    "modality",
    "stage",
    "therapeutic",
    "therapeutic_gap",
    "cluster",
    "partnership",
    "track_record",
    "appetite",
)
# The groups an asset feeds; a profile without assets scores on the others only.
ASSET_GROUPS = ("modality", "stage", "therapeutic", "therapeutic_gap")
# The query columns built per asset; "seek" and "need" both read the partnership block.
QUERY_KINDS = (
    "modality",
    "stage",
    "therapeutic",
    "therapeutic_gap",
    "cluster",
    "seek",
    "need",
    "track_record",
    "appetite",
)
BLOCK_OF_KIND = {k: ("partnership" if k in ("seek", "need") else k) for k in QUERY_KINDS}
_DEFAULT_ENCODERS = {
    "modality": ModalityEncoder,
    "stage": StageEncoder,
    "therapeutic": TherapeuticEncoder,
    "therapeutic_gap": TherapeuticGapEncoder,
    "cluster": ClusterEncoder,
    "partnership": PartnershipEncoder,
    "track_record": TrackRecordEncoder,
    "appetite": AppetiteEncoder,
}


@dataclass(frozen=True)
class QueryBatch:
    """Query columns for a batch of profiles, one matrix per query kind.

    ``by_kind[k]`` has shape (width of the block kind ``k`` reads, n_rows). A row is one asset,
    or the whole profile when it has no assets.
    """

    by_kind: dict[str, np.ndarray]
    row_profile: np.ndarray  # profile index of each row
    row_asset: np.ndarray  # asset index within its profile, -1 for a no-asset profile
    n_seeking: np.ndarray  # number of partnership types sought, per row
    rows: QueryRows  # the rows' fields, for the partner-asset fit


class PartnerFeatures(TransformerMixin, BaseEstimator):
    """Fits every group encoder on the catalog; partners -> one matrix with named columns.

    Each group's encoder is a nested parameter (``modality``, ``stage``, ...), so every feature
    parameter is declared once, in its encoder, and reached the scikit-learn way:
    ``PartnerMatcher().set_params(features__modality__decay=0.3)``.
    """

    def __init__(
        self,
        modality: ModalityEncoder | None = None,
        stage: StageEncoder | None = None,
        therapeutic: TherapeuticEncoder | None = None,
        therapeutic_gap: TherapeuticGapEncoder | None = None,
        cluster: ClusterEncoder | None = None,
        partnership: PartnershipEncoder | None = None,
        track_record: TrackRecordEncoder | None = None,
        appetite: AppetiteEncoder | None = None,
    ):
        # a default instance per estimator (never a shared default object), so get_params shows
        # every encoder parameter and clone() keeps them
        self.modality = modality if modality is not None else ModalityEncoder()
        self.stage = stage if stage is not None else StageEncoder()
        self.therapeutic = therapeutic if therapeutic is not None else TherapeuticEncoder()
        self.therapeutic_gap = therapeutic_gap if therapeutic_gap is not None else TherapeuticGapEncoder()
        self.cluster = cluster if cluster is not None else ClusterEncoder()
        self.partnership = partnership if partnership is not None else PartnershipEncoder()
        self.track_record = track_record if track_record is not None else TrackRecordEncoder()
        self.appetite = appetite if appetite is not None else AppetiteEncoder()

    def fit(
        self,
        X: pd.DataFrame,
        y=None,
        *,
        clusters: pd.DataFrame,
        landscape: pd.DataFrame,
        deals: pd.DataFrame | None = None,
        capabilities: pd.DataFrame | None = None,
        as_of_year: int | None = None,
    ):
        """Fit on the partner frame ``X`` with the cluster table, landscape, deals and evidence."""
        self.encoders_ = {g: clone(getattr(self, g)) for g in GROUPS}
        self.encoders_["therapeutic_gap"].fit(X, landscape=landscape)
        self.encoders_["cluster"].fit(X, clusters=clusters)
        self.encoders_["track_record"].fit(
            X, deals=deals, as_of_year=as_of_year, modality_decay=self.encoders_["modality"].decay
        )
        self.encoders_["partnership"].fit(X, deals=deals, as_of_year=as_of_year)
        self.encoders_["appetite"].fit(X, capabilities=capabilities, as_of_year=as_of_year)
        for name in ("modality", "stage", "therapeutic"):
            self.encoders_[name].fit(X)
        self.slices_ = {}
        start = 0
        for name in GROUPS:
            width = len(self.encoders_[name].get_feature_names_out())
            self.slices_[name] = slice(start, start + width)
            start += width
        self.n_features_out_ = start
        return self

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        check_is_fitted(self, "encoders_")
        return np.concatenate([self.encoders_[g].get_feature_names_out() for g in GROUPS])

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        check_is_fitted(self, "encoders_")
        return pd.concat([self.encoders_[g].transform(X) for g in GROUPS], axis=1)

    def partner_matrix(self, X: pd.DataFrame) -> np.ndarray:
        """``transform`` as one C-contiguous float32 array (the scoring hot path)."""
        return np.ascontiguousarray(self.transform(X).to_numpy(dtype=np.float32))

    def with_deals(self, X: pd.DataFrame, deals: pd.DataFrame, as_of_year: int | None) -> np.ndarray:
        """The track-record block refitted on other deals (evaluation as of a date)."""
        encoder = clone(self.track_record).fit(
            X, deals=deals, as_of_year=as_of_year, modality_decay=self.encoders_["modality"].decay
        )
        return encoder.transform(X).to_numpy(dtype=np.float32)

    def with_evidence(self, X: pd.DataFrame, capabilities: pd.DataFrame, as_of_year: int | None) -> np.ndarray:
        """The appetite block refitted on other evidence rows (evaluation without a query's deal)."""
        encoder = clone(self.appetite).fit(X, capabilities=capabilities, as_of_year=as_of_year)
        return encoder.transform(X).to_numpy(dtype=np.float32)

    def query(self, profiles: list[Profile]) -> QueryBatch:
        """Query columns for every asset of every profile (see ``QueryBatch``), whole columns at once."""
        check_is_fitted(self, "encoders_")
        rows = QueryRows.from_profiles(profiles)
        encoders = self.encoders_
        by_kind = {g: encoders[g].query(rows) for g in GROUPS if g != "partnership"}
        by_kind["seek"] = encoders["partnership"].query(rows)
        by_kind["need"] = encoders["partnership"].need(rows)
        for kind in ASSET_GROUPS:  # a profile without assets matches on partnership, cluster, track record
            by_kind[kind][rows.placeholder] = 0.0
        return QueryBatch(
            {kind: np.ascontiguousarray(by_kind[kind].T, dtype=np.float32) for kind in QUERY_KINDS},
            rows.row_profile,
            rows.row_asset,
            np.maximum(rows.seeking.sum(axis=1), 1.0).astype(np.float32),
            rows,
        )

    def blocks(self, matrix: np.ndarray) -> dict[str, np.ndarray]:
        """The partner matrix split into contiguous arrays: one per group, plus ``linear``.

        ``linear`` spans the groups whose similarity is a plain dot product (modality, stage,
        therapeutic, therapeutic_gap, cluster: adjacent in GROUPS order), so their weighted sum
        is one matrix product.
        """
        out = {g: np.ascontiguousarray(matrix[:, self.slices_[g]]) for g in GROUPS}
        out["linear"] = np.ascontiguousarray(matrix[:, : self.slices_["cluster"].stop])
        return out
