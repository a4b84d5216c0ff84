"""The served model: partner index, matcher and explainer, fitted together and saved as one artifact."""

from __future__ import annotations

import numpy as np
from kbio_match.features.catalog import Catalog
from kbio_match.features.index import PartnerIndex
from kbio_match.features.profile import Profile
from kbio_match.models.choice import ChoiceRanker
from kbio_match.models.explainer import Explainer
from kbio_match.models.match import Match
from kbio_match.models.matcher import PartnerMatcher
from sklearn.base import BaseEstimator

__all__ = ["Recommender", "scalar_params"]


def scalar_params(estimator: BaseEstimator) -> dict:
    """Every parameter of ``estimator`` and its nested estimators that is a plain value (JSON-ready)."""
    return {
        k: v for k, v in estimator.get_params(deep=True).items() if v is None or isinstance(v, str | int | float | bool)
    }


class Recommender:
    """Ranks and explains: what the service, the CLI and batch jobs call.

    ``index`` is the catalog (ids, records, masks); ``ranker`` orders and scores (the choice model
    over the hand-weighted ``matcher``, whose components a match shows); ``explainer`` writes
    reasons from what drove each pair's score.
    """

    def __init__(self, index: PartnerIndex, ranker: ChoiceRanker, explainer: Explainer):
        self.index = index
        self.ranker = ranker
        self.explainer = explainer

    @property
    def matcher(self) -> PartnerMatcher:
        """The hand-weighted model under the ranker (its components, its features)."""
        return self.ranker.matcher_

    @classmethod
    def fit(
        cls,
        catalog: Catalog,
        params: dict | None = None,
        *,
        as_of_year: int | None = None,
        choice: dict | None = None,
    ) -> Recommender:
        """Fit on ``catalog``; ``params`` are ``PartnerMatcher`` parameters (nested ones included),
        ``choice`` those of the ``ChoiceRanker`` over it."""
        ranker = ChoiceRanker(**(choice or {}), matcher_params=dict(params or {})).fit(catalog, as_of_year=as_of_year)
        index = PartnerIndex(catalog)
        if not np.array_equal(index.ids, ranker.partner_ids_):
            raise ValueError("the index and the matcher disagree on the partners' order")
        return cls(index, ranker, Explainer.from_fitted(index, ranker.matcher_, catalog.landscape))

    @property
    def fingerprint(self) -> str:
        return self.index.fingerprint

    def params(self) -> dict:
        choice = {f"choice__{k}": v for k, v in scalar_params(self.ranker).items()}
        return {**scalar_params(self.matcher), **choice, "choice__learned": self.ranker.learned}

    def masks(self, profiles: list[Profile]) -> list[np.ndarray | None]:
        """Per profile, the partners its filters allow (None: all)."""
        return [self.index.mask(p.filters) for p in profiles]

    def rank(
        self,
        profiles: list[Profile],
        top_k: int = 10,
        *,
        explain: bool = True,
        masks_override: list[np.ndarray] | None = None,
    ) -> list[list[Match]]:
        """The ``top_k`` best partners for each profile, within its filters, with reasons.

        ``masks_override`` replaces the filters' masks (an event ranks only the partners a
        company meets); scores are the same either way.
        """
        masks = masks_override or self.masks(profiles)
        ranked = self.ranker.rank(profiles, top_k, masks=masks, drivers=explain)
        if explain:
            for profile, matches in zip(profiles, ranked, strict=True):
                for match in matches:
                    match.reasons = self.explainer.explain(match, profile, match.drivers)
                _drop_shared(matches)
        return ranked


def _drop_shared(matches: list[Match]) -> None:
    """A sentence every match of a list carries tells the reader nothing about any of them
    (e.g. "CDMO / CMO open to contract manufacturing." on a list of CDMOs): drop it where the
    match keeps at least two other reasons; otherwise move it after the ones of its own."""
    if len(matches) < 2:
        return
    shared = set(matches[0].reasons).intersection(*(m.reasons for m in matches[1:]))
    if not shared:
        return
    for m in matches:
        own = [r for r in m.reasons if r not in shared]
        m.reasons = own if len(own) >= 2 else own + [r for r in m.reasons if r in shared]
