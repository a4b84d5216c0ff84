"""The score groups that are not products over the partner matrix: each query row's fit of each
partner computed by its own matcher (best pipeline asset, free text)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from kbio_match.models.score_layout import PAIR_GROUPS, G

__all__ = ["PairBlock"]


@dataclass(frozen=True)
class PairBlock:
    """Per query row and partner, the fit of each pair group (None where no row has it).
    Indexing applies to every array alike, so a block slices like the score rows it adds to."""

    partner_asset: np.ndarray | None
    text: np.ndarray | None

    def __getitem__(self, index) -> PairBlock:
        return PairBlock(*(None if a is None else a[index] for a in self.arrays()))

    def arrays(self) -> tuple[np.ndarray | None, ...]:
        return tuple(getattr(self, g) for g in PAIR_GROUPS)

    def weighted(self, w: np.ndarray) -> np.ndarray | None:
        """Sum of the groups times their per-row weights ``w`` (rows of normalised weights)."""
        total = None
        for g, a in zip(PAIR_GROUPS, self.arrays(), strict=True):
            if a is not None:
                term = a * w[:, G[g]][:, None]
                total = term if total is None else total + term
        return total
