"""The asset rows of a batch of profiles as arrays, the one input every encoder's ``query`` reads.

A row is one asset of a profile, or the whole profile when it has no assets (a placeholder row
whose asset fields are unknown). Building it is the only per-profile Python loop of scoring;
the encoders then work on whole columns.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from kbio_match.features.profile import Profile
from kbio_match.features.taxonomy import MODALITY, PARTNERSHIP, STAGE, THERAPEUTIC_AREA

__all__ = ["QueryRows"]


@dataclass(frozen=True)
class QueryRows:
    modality: np.ndarray  # (n,) int position in MODALITY.ids, -1 unknown
    stage: np.ndarray  # (n,) int position in STAGE.ids, -1 unknown
    areas: np.ndarray  # (n, n_areas) float32 multi-hot of the asset's known areas
    seeking: np.ndarray  # (n, n_types) float32 multi-hot of the profile's partnership types
    preferred: tuple[tuple[str, ...], ...]  # the profile's preferred clusters, per row
    indication: tuple[str | None, ...]  # the asset's indication text, per row
    description: tuple[str | None, ...]  # the profile's company description, per row
    placeholder: np.ndarray  # (n,) bool: the row stands for a profile without assets
    row_profile: np.ndarray  # (n,) int profile index
    row_asset: np.ndarray  # (n,) int asset index within its profile, -1 for a placeholder

    def __len__(self) -> int:
        return len(self.modality)

    @classmethod
    def from_profiles(cls, profiles: list[Profile]) -> QueryRows:
        mod_at, stage_at = MODALITY.positions, STAGE.positions
        area_at, type_at = THERAPEUTIC_AREA.positions, PARTNERSHIP.positions
        modality, stage, area_cells, type_cells, preferred, row_profile, row_asset = [], [], [], [], [], [], []
        indication, description = [], []
        for p_index, profile in enumerate(profiles):
            types = [type_at[t] for t in profile.seeking if t in type_at]
            assets = profile.assets or (None,)
            for a_index, asset in enumerate(assets):
                row = len(modality)
                if asset is None:
                    modality.append(-1)
                    stage.append(-1)
                    row_asset.append(-1)
                    indication.append(None)
                else:
                    modality.append(mod_at.get(asset.modality, -1))
                    stage.append(stage_at.get(asset.stage, -1))
                    row_asset.append(a_index)
                    indication.append(asset.indication)
                    area_cells.extend((row, area_at[a]) for a in asset.therapeutic_areas if a in area_at)
                type_cells.extend((row, t) for t in types)
                preferred.append(profile.preferred_clusters)
                description.append(profile.description)
                row_profile.append(p_index)
        n = len(modality)
        areas = np.zeros((n, len(THERAPEUTIC_AREA.ids)), dtype=np.float32)
        seeking = np.zeros((n, len(PARTNERSHIP.ids)), dtype=np.float32)
        for target, cells in ((areas, area_cells), (seeking, type_cells)):
            if cells:
                r, c = np.array(cells).T
                target[r, c] = 1.0
        row_asset_arr = np.array(row_asset, dtype=int)
        return cls(
            modality=np.array(modality, dtype=int),
            stage=np.array(stage, dtype=int),
            areas=areas,
            seeking=seeking,
            preferred=tuple(preferred),
            indication=tuple(indication),
            description=tuple(description),
            placeholder=row_asset_arr < 0,
            row_profile=np.array(row_profile, dtype=int),
            row_asset=row_asset_arr,
        )

    def texts(self) -> list[str | None]:
        """Each row's free text: its profile's description and its asset's indication."""
        return [" ".join(t for t in pair if t) or None for pair in zip(self.description, self.indication, strict=True)]

    def area_weights(self, *, uniform_when_none: bool) -> np.ndarray:
        """Each row's areas as weights summing to 1; rows without areas get a uniform row
        (``uniform_when_none``) or zeros."""
        count = self.areas.sum(axis=1, keepdims=True)
        out = np.divide(self.areas, count, out=np.zeros_like(self.areas), where=count > 0)
        if uniform_when_none:
            out[count[:, 0] == 0] = 1.0 / self.areas.shape[1]
        return out

    def one_hot(self, positions: np.ndarray, width: int, *, uniform_when_unknown: bool) -> np.ndarray:
        out = np.zeros((len(positions), width), dtype=np.float32)
        known = positions >= 0
        out[np.flatnonzero(known), positions[known]] = 1.0
        if uniform_when_unknown:
            out[~known] = 1.0 / width
        return out
