"""The whole feature pipeline: every group encoder side by side, partners and queries aligned."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from kbio_match.features.encoders import ModalityEncoder, StageEncoder, TherapeuticEncoder, TherapeuticGapEncoder
from kbio_match.features.partner_encoders import ClusterEncoder, PartnershipEncoder, TrackRecordEncoder
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

__all__ = ["PartnerFeatures", "QueryBatch", "assets_frame", "GROUPS", "QUERY_KINDS", "BLOCK_OF_KIND"]

GROUPS = ("modality", "stage", "therapeutic", "therapeutic_gap", "cluster", "partnership", "track_record")
# The query columns built per asset; "seek" and "need" both read the partnership block.
QUERY_KINDS = ("modality", "stage", "therapeutic", "therapeutic_gap", "cluster", "seek", "need", "track_record")
BLOCK_OF_KIND = {k: ("partnership" if k in ("seek", "need") else k) for k in QUERY_KINDS}


def assets_frame(profile: dict) -> pd.DataFrame:
    """A profile's assets as a frame (one row per asset; ids already normalised)."""
    assets = profile.get("assets") or []
    return pd.DataFrame(
        {
            "name": [a.get("name") for a in assets],
            "modality": [a.get("modality") for a in assets],
            "stage": [a.get("stage") for a in assets],
            "therapeutic_areas": [list(a.get("therapeutic_areas") or []) for a in assets],
        }
    )


class AssetColumns:
    """The columns of ``assets_frame`` without pandas: the per-request hot path builds many."""

    def __init__(self, assets: list[dict]):
        self._columns = {
            "name": [a.get("name") for a in assets],
            "modality": [a.get("modality") for a in assets],
            "stage": [a.get("stage") for a in assets],
            "therapeutic_areas": [list(a.get("therapeutic_areas") or []) for a in assets],
        }
        self._n = len(assets)

    def __getitem__(self, column: str) -> list:
        return self._columns[column]

    def __len__(self) -> int:
        return self._n


_PLACEHOLDER = [{"name": None, "modality": None, "stage": None, "therapeutic_areas": []}]


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


class PartnerFeatures(TransformerMixin, BaseEstimator):
    """Fits every group encoder on the catalog; partners -> one matrix with named columns.

    Parameters mirror the encoders' (see ``features.encoders``).
    """

    def __init__(
        self,
        modality_decay: float = 0.5,
        stage_tolerance: float = 2.0,
        gap_survey: str = "kddf_national_pipelines",
        gap_power: float = 0.5,
        rare_disease_gap: float = 0.8,
        unknown_gap: float = 0.5,
        cluster_preference: float = 1.0,
        cluster_specialty: float = 0.6,
        track_half_life: float = 4.0,
        partnership_generalist_fit: float = 0.7,
    ):
        self.partnership_generalist_fit = partnership_generalist_fit
        self.modality_decay = modality_decay
        self.stage_tolerance = stage_tolerance
        self.gap_survey = gap_survey
        self.gap_power = gap_power
        self.rare_disease_gap = rare_disease_gap
        self.unknown_gap = unknown_gap
        self.cluster_preference = cluster_preference
        self.cluster_specialty = cluster_specialty
        self.track_half_life = track_half_life

    def _encoders(self) -> dict:
        return {
            "modality": ModalityEncoder(decay=self.modality_decay),
            "stage": StageEncoder(tolerance=self.stage_tolerance),
            "therapeutic": TherapeuticEncoder(),
            "therapeutic_gap": TherapeuticGapEncoder(
                survey=self.gap_survey,
                power=self.gap_power,
                rare_disease=self.rare_disease_gap,
                unknown=self.unknown_gap,
            ),
            "cluster": ClusterEncoder(preference=self.cluster_preference, specialty=self.cluster_specialty),
            "partnership": PartnershipEncoder(generalist_fit=self.partnership_generalist_fit),
            "track_record": TrackRecordEncoder(half_life=self.track_half_life),
        }

    def fit(
        self,
        X: pd.DataFrame,
        y=None,
        *,
        clusters: pd.DataFrame,
        landscape: pd.DataFrame,
        deals: pd.DataFrame | None = None,
        as_of_year: int | None = None,
    ):
        """Fit on the partner frame ``X`` with the cluster table, landscape and deals."""
        self.encoders_ = self._encoders()
        self.encoders_["therapeutic_gap"].fit(X, landscape=landscape)
        self.encoders_["cluster"].fit(X, clusters=clusters)
        self.encoders_["track_record"].fit(X, deals=deals, as_of_year=as_of_year)
        for name in ("modality", "stage", "therapeutic", "partnership"):
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
        blocks = [self.encoders_[g].transform(X) for g in GROUPS]
        return pd.concat(blocks, axis=1)

    def partner_matrix(self, X: pd.DataFrame) -> np.ndarray:
        """``transform`` as one C-contiguous float32 array (the scoring hot path)."""
        return np.ascontiguousarray(self.transform(X).to_numpy(dtype=np.float32))

    def with_deals(self, X: pd.DataFrame, deals: pd.DataFrame, as_of_year: int | None) -> np.ndarray:
        """The track-record block refitted on other deals (evaluation as of a date)."""
        encoder = TrackRecordEncoder(half_life=self.track_half_life).fit(X, deals=deals, as_of_year=as_of_year)
        return encoder.transform(X).to_numpy(dtype=np.float32)

    def query(self, profiles: list[dict]) -> QueryBatch:
        """Query columns for every asset of every profile (see ``QueryBatch``)."""
        check_is_fitted(self, "encoders_")
        per_kind: dict[str, list[np.ndarray]] = {k: [] for k in QUERY_KINDS}
        row_profile, row_asset, n_seeking = [], [], []
        encoders = self.encoders_
        for p_index, profile in enumerate(profiles):
            placeholder = not profile.get("assets")
            assets = AssetColumns(_PLACEHOLDER if placeholder else profile["assets"])
            # encoders' _query_block take any column container; their pandas `query` wraps the same code
            blocks = {g: encoders[g]._query_block(assets, profile) for g in GROUPS if g != "partnership"}
            blocks["seek"] = encoders["partnership"]._query_block(assets, profile)
            blocks["need"] = encoders["partnership"].need(assets, profile, seek=blocks["seek"])
            if placeholder:
                for kind in ("modality", "stage", "therapeutic", "therapeutic_gap"):
                    blocks[kind] = np.zeros_like(blocks[kind])
            for kind in QUERY_KINDS:
                per_kind[kind].append(np.asarray(blocks[kind], dtype=np.float32))
            row_profile.extend([p_index] * len(assets))
            row_asset.extend([-1] if placeholder else range(len(assets)))
            n_seeking.extend([max(1, len(profile.get("seeking") or ()))] * len(assets))
        by_kind = {}
        for kind in QUERY_KINDS:
            width = self.slices_[BLOCK_OF_KIND[kind]].stop - self.slices_[BLOCK_OF_KIND[kind]].start
            rows = per_kind[kind]
            by_kind[kind] = np.ascontiguousarray(np.concatenate(rows).T) if rows else np.zeros((width, 0), np.float32)
        return QueryBatch(
            by_kind,
            np.array(row_profile, dtype=int),
            np.array(row_asset, dtype=int),
            np.array(n_seeking, dtype=np.float32),
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
