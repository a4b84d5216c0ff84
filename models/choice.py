"""The served ranker: a conditional-logit choice model over the whole catalog.

Every foreign-Korean deal is one choice: the foreign company, described by the deal's asset and
the partnership it sought, chose one Korean partner out of the catalog. The model scores every
(profile, partner) pair linearly on pair features and turns the scores into a probability over
the catalog with a softmax, fitted by maximum likelihood of the partners actually chosen (with an
L2 penalty). It is listwise by construction: it learns what separates the partner that signed from
every other one the same query could have picked, not from a sample of negatives.

That probability (``probabilities``) is the model's estimate that this is the partner of the
catalog the company will deal with; its calibration is measured on the blind folds (model card).
It is small for most pairs (it sums to 1 over ~600 partners), so a match's ``score`` maps it to a
calibrated quantile (``score_of``): the share of real partnerships in the training deals that it
reaches. A score of 0.9 scores as high as the top 10% of real partner choices; 0.3 is weaker
than 70% of them. The order is the probabilities' order exactly.

Pair features (``FEATURES``): the hand-weighted score of ``PartnerMatcher``, its ten component
groups, which kind of organisation the partner is crossed with the partnership sought (which
categories do acquisitions, which do trials), the partner's foreign deals of the type sought and
in all, its evidence rows for the type sought and its pipeline size, all as of the query's year,
and its stock-market listing.

With fewer than ``min_deals`` deals to learn from, the hand-weighted model ranks alone (fallback),
and scores are its own.
"""

from __future__ import annotations

import zlib

import numpy as np
import pandas as pd
from kbio_match.features.catalog import Catalog
from kbio_match.features.profile import Profile
from kbio_match.features.text_match import indication_lexicon
from kbio_match.features.vocabularies import CATEGORY, PARTNERSHIP
from kbio_match.models.choice_features import (
    _F,
    DRIVER_OF,
    FEATURES,
    LISTINGS,
    MONOTONE,
    PRIORS,
    PartnerPriors,
    chunk_size,
    pair_features,
    seeking_matrix,
)
from kbio_match.models.conditional_logit import fit_conditional_logit, log_softmax
from kbio_match.models.match import Match
from kbio_match.models.matcher import BestRows, PartnerMatcher
from kbio_match.models.queries import deal_profiles, pair_keys
from kbio_match.models.ranking import TopK, TopKRanking, select
from kbio_match.models.score_layout import SCORE_GROUPS
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

__all__ = ["ChoiceRanker", "FEATURES", "DRIVER_OF", "MONOTONE", "PartnerPriors", "pair_features", "seeking_matrix"]


class ChoiceRanker(TopKRanking, BaseEstimator):
    """Conditional-logit ranking over the catalog (see the module doc).

    Parameters
    ----------
    C : float
        Inverse strength of the L2 penalty on the standardised coefficients.
    min_deals : int
        Fewer deals than this to learn from: the hand-weighted model ranks alone.
    max_alternatives, max_deals : int
        In a catalog of more partners than ``max_alternatives``, each training deal is a choice
        among its partner and a random subset of the others; at most ``max_deals`` deals (the
        most recent) are learned from. The shipped catalog is below both.
    query_words : bool
        Training queries carry the words of their deal's asset that a searcher could type
        (``deal_profiles`` with the pipeline's lexicon), so the text group has something to learn
        from; without them it never varies in training and gets no weight.
    monotone : bool
        Keep the coefficients of the scores, components and activity counts non-negative
        (``MONOTONE``).
    matcher_params : dict or None
        Parameters of the hand-weighted ``PartnerMatcher`` whose score and components are features.
    reference : {"out_of_fold", "in_sample"}
        Which chosen-partner log-probabilities ``score_of`` ranks a pair among: each training
        deal's under a refit without its foreign-Korean pair (five folds by pair), which is what a
        new company's real partner looks like, or under the fit itself (faster, optimistic: the fit
        has seen those deals). The order of partners is the same either way.
    """

    def __init__(
        self,
        C: float = 0.1,
        min_deals: int = 40,
        monotone: bool = True,
        query_words: bool = True,
        max_alternatives: int = 1000,
        max_deals: int = 1500,
        matcher_params: dict | None = None,
        reference: str = "out_of_fold",
    ):
        self.C = C
        self.max_alternatives = max_alternatives
        self.max_deals = max_deals
        self.monotone = monotone
        self.query_words = query_words
        self.min_deals = min_deals
        self.matcher_params = matcher_params
        self.reference = reference

    def _matcher(self, catalog: Catalog, year: int | None) -> PartnerMatcher:
        return PartnerMatcher().set_params(**(self.matcher_params or {})).fit(catalog, as_of_year=year)

    def fit(self, X: Catalog, y=None, *, as_of_year: int | None = None, cache: dict | None = None) -> ChoiceRanker:
        """Learn from the catalog's deals before ``as_of_year``, each as of its own year.

        ``cache`` (a dict the caller keeps) holds each year's training features across fits on the
        same catalog object, as blind evaluation refits the ranker for every query year.
        """
        self._check_reference()
        deals = X.deals if as_of_year is None else X.deals[X.deals["year"] < as_of_year]
        self.matcher_ = self._matcher(X, as_of_year)
        self.partner_ids_ = self.matcher_.partner_ids_
        self.priors_ = PartnerPriors.of(X, self.partner_ids_, as_of_year)
        row = {p: i for i, p in enumerate(self.partner_ids_)}
        deals = deals[deals["partner_id"].isin(row)]
        if len(deals) > self.max_deals:
            deals = deals.sort_values("year", kind="stable").tail(self.max_deals)
        self.n_deals_ = len(deals)
        if len(deals) < self.min_deals:
            self.coef_ = None
            return self
        lexicon = indication_lexicon(X.pipeline) if self.query_words else None
        cache = {} if cache is None else cache
        features, chosen, pairs = [], [], []
        for year, group in deals.groupby("year"):
            key = (id(X), int(year), self.query_words)
            if key not in cache:  # X kept alive in the entry: its id stays unique while cached
                cache[key] = (X, *self._year_features(X, group, int(year), lexicon))
            _, f, c = cache[key]
            features.append(f)
            chosen.append(c)
            pairs.append(pair_keys(group).to_numpy())
        warm = ("warm", id(X))  # the previous fit on this catalog starts the next one
        signs = MONOTONE if self.monotone else None
        self.coef_, self.spread_, cache[warm] = fit_conditional_logit(features, chosen, self.C, signs, cache.get(warm))
        if self.reference == "out_of_fold" and len(deals) >= 2 * self.min_deals:
            chosen_logp = _out_of_fold_logp(features, chosen, pairs, self.C, signs, cache[warm])
        else:
            chosen_logp = [_chosen_logp(f, c, self.coef_) for f, c in zip(features, chosen, strict=True)]
        self.reference_ = np.sort(np.concatenate(chosen_logp)).astype(np.float64)
        return self

    def _check_reference(self):
        if self.reference not in ("out_of_fold", "in_sample"):
            raise ValueError(f"reference must be 'out_of_fold' or 'in_sample', not {self.reference!r}")

    def _year_features(
        self, catalog: Catalog, deals: pd.DataFrame, year: int, lexicon: frozenset[str] | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Pair features of one year's deals, as of that year, over every partner; over the chosen
        one and ``max_alternatives - 1`` random others in a larger catalog (a random subset of
        alternatives that holds the chosen one keeps a conditional logit's estimate consistent,
        McFadden 1978). Returns (features, position of the chosen partner in each row)."""
        matcher = self._matcher(catalog, year)
        row = {p: i for i, p in enumerate(matcher.partner_ids_)}
        profiles = deal_profiles(deals, lexicon)
        priors = PartnerPriors.of(catalog, matcher.partner_ids_, year)
        chosen = np.array([row[p] for p in deals["partner_id"]])
        n = len(matcher.partner_ids_)
        if n <= self.max_alternatives:
            return pair_features(matcher.best_rows(profiles), priors, seeking_matrix(profiles)), chosen
        rng = np.random.default_rng(year)
        size, blocks = chunk_size(n), []
        for start in range(0, len(profiles), size):
            part = profiles[start : start + size]
            feats = pair_features(matcher.best_rows(part), priors, seeking_matrix(part))
            for q, c in enumerate(chosen[start : start + size]):
                others = rng.choice(np.delete(np.arange(n), c), self.max_alternatives - 1, replace=False)
                blocks.append(feats[q, np.r_[c, others]])
        return np.stack(blocks), np.zeros(len(profiles), dtype=int)

    # -------------------------------------------------------------- scoring
    @property
    def assets_(self):
        return self.matcher_.assets_

    @property
    def learned(self) -> bool:
        return getattr(self, "coef_", None) is not None

    def _chunks(self, profiles: list[Profile]):
        """(profile slice, BestRows, logits or None) per chunk of profiles."""
        size = chunk_size(len(self.partner_ids_))
        for start in range(0, len(profiles), size):
            part = profiles[start : start + size]
            best = self.matcher_.best_rows(part)
            logits = self._logits(best, seeking_matrix(part)) if self.learned else None
            yield slice(start, start + len(part)), best, logits

    def _logits(self, best: BestRows, seek: np.ndarray) -> np.ndarray:
        """``pair_features(best, priors, seek) @ coef_`` without building the features: each
        block's product is taken on its own (the category prior is one small matrix product, the
        activity of the type sought a maximum over types), which keeps batches fast."""
        coef, priors = self.coef_.astype(np.float32), self.priors_
        n_groups = len(SCORE_GROUPS)
        out = best.score * coef[0]
        out += best.components @ coef[1 : 1 + n_groups]
        start = 1 + n_groups
        prior = coef[start : start + len(PRIORS)].reshape(len(CATEGORY.ids), len(PARTNERSHIP.ids))
        out += (seek @ prior.T) @ priors.category.T
        for name, by_type in (
            ("deals of the sought type", priors.deals_by_type),
            ("evidence of the sought type", priors.evidence_by_type),
        ):
            if coef[_F[name]]:
                out += coef[_F[name]] * (by_type[None] * seek[:, None, :]).max(axis=2)
        static = coef[_F["deals in all"]] * priors.deals_total + coef[_F["pipeline assets"]] * priors.assets
        static = static + priors.listing @ coef[_F[LISTINGS[0]] :]
        out += static[None]
        return out

    def probabilities(self, profiles: list[Profile]) -> np.ndarray:
        """Every partner's probability of being the one chosen, per profile (rows sum to 1);
        the hand-weighted scores when the model fell back."""
        check_is_fitted(self, "matcher_")
        out = np.zeros((len(profiles), len(self.partner_ids_)), dtype=np.float32)
        for at, best, logits in self._chunks(profiles):
            out[at] = best.score if logits is None else np.exp(log_softmax(logits))
        return out

    def decision_scores(self, profiles: list[Profile], *, deals=None) -> np.ndarray:
        """Every partner's served score per profile (``score_of``): what orders and what shows."""
        check_is_fitted(self, "matcher_")
        out = np.zeros((len(profiles), len(self.partner_ids_)), dtype=np.float32)
        for at, best, logits in self._chunks(profiles):
            out[at] = self._shown(best, logits)
        return out

    def _shown(self, best: BestRows, logits: np.ndarray | None) -> np.ndarray:
        return best.score if logits is None else self.score_of(log_softmax(logits))

    def score_of(self, log_probability: np.ndarray) -> np.ndarray:
        """The served score of a choice log-probability: the share of the training deals' real
        partners whose own log-probability it reaches (a calibrated quantile in [0, 1]: "scores
        as high as the top x% of real partnerships"). Linear between the training deals'
        quantiles and exponential beyond them, so it is strictly increasing: the order of the
        probabilities is kept exactly, ties included."""
        ref = self.reference_
        n = len(ref)
        q = (np.arange(n) + 0.5) / n
        x = np.asarray(log_probability, dtype=np.float64)
        out = np.interp(x, ref, q)
        low, high = x < ref[0], x > ref[-1]
        out[low] = q[0] * np.exp(x[low] - ref[0])
        out[high] = 1.0 - (1.0 - q[-1]) * np.exp(ref[-1] - x[high])
        return out.astype(np.float32)

    def rank(
        self, profiles: list[Profile], top_k: int = 10, *, masks=None, matrix=None, drivers: bool = False
    ) -> list[list[Match]]:
        """Rank partners for each profile within its mask, with components; with ``drivers``,
        each match also carries what drove its score (``Match.drivers``, see ``drivers``)."""
        return self._matches(profiles, self.rank_arrays(profiles, top_k, masks=masks, matrix=matrix, drivers=drivers))

    def rank_arrays(
        self, profiles: list[Profile], top_k: int = 10, *, masks=None, matrix=None, drivers: bool = False
    ) -> TopK:
        """The top ``top_k`` partners of every profile within its mask, with components (and,
        with ``drivers``, what drove each one's score, from the same pass over the catalog)."""
        check_is_fitted(self, "matcher_")
        k = min(top_k, len(self.partner_ids_))
        partner = np.full((len(profiles), k), -1, dtype=int)
        score = np.zeros((len(profiles), k), dtype=np.float32)
        row = np.zeros((len(profiles), k), dtype=int)
        components = np.zeros((len(profiles), k, len(SCORE_GROUPS)), dtype=np.float32)
        row_asset, asset_fits, offset = [], [], 0
        fits_width, driven = None, [] if drivers else None
        for at, best, logits in self._chunks(profiles):
            shown = self._shown(best, logits)
            order = shown.copy()
            for j, p in enumerate(range(at.start, at.stop)):
                if masks is not None and masks[p] is not None:
                    order[j, ~masks[p]] = -np.inf
            top, ok = select(order, self._id_rank(), k)
            partner[at] = np.where(ok, top, -1)
            score[at] = np.where(ok, np.take_along_axis(shown, top, axis=1), 0.0)
            row[at] = np.take_along_axis(best.row, top, axis=1) + offset
            components[at] = np.take_along_axis(best.components, top[:, :, None], axis=1)
            if driven is not None:
                driven += self._drivers(best, profiles[at], [t[o] for t, o in zip(top, ok, strict=True)])
            row_asset.append(best.row_asset)
            asset_fits.append(best.asset_fits)
            fits_width = fits_width or next((f.shape[1] for f in asset_fits if f is not None), None)
            offset += len(best.row_asset)
        fits = None
        if fits_width is not None:  # rows of chunks without asset fits carry zeros
            fits = np.concatenate(
                [
                    f if f is not None else np.zeros((len(r), fits_width), dtype=np.float32)
                    for f, r in zip(asset_fits, row_asset, strict=True)
                ]
            )
        rows = np.concatenate(row_asset) if row_asset else np.zeros(0, dtype=int)
        return TopK(partner, score, row, components, rows, fits, driven)

    # ------------------------------------------------------------ reading it
    def drivers(self, profile: Profile, partners: list[int]) -> list[dict[str, float]]:
        """Per partner position: what lifts it above the catalog's average partner for
        ``profile``, in log-odds, per reason group (``DRIVER_OF``; the hand-weighted score's part
        is shared over the groups in proportion to their weighted components). Empty dicts when
        the model fell back to the hand-weighted one."""
        if not self.learned or not len(partners):
            return [{} for _ in partners]
        return self._drivers(self.matcher_.best_rows([profile]), [profile], [np.asarray(partners, dtype=int)])[0]

    def _drivers(self, best: BestRows, profiles: list[Profile], partners: list[np.ndarray]) -> list[list[dict]]:
        """``drivers`` of each profile's ``partners`` from the profiles' already computed best rows."""
        if not self.learned:
            return [[{} for _ in p] for p in partners]
        feats = pair_features(best, self.priors_, seeking_matrix(profiles))
        out = []
        for q, positions in enumerate(partners):
            lifts = (feats[q, positions] - feats[q].mean(axis=0)) * self.coef_
            out.append([self._driven(lift, best.components[q, j]) for j, lift in zip(positions, lifts, strict=True)])
        return out

    def _driven(self, lift: np.ndarray, components: np.ndarray) -> dict[str, float]:
        weighted = self.matcher_.weights_ * components
        share = weighted / weighted.sum() if weighted.sum() > 0 else np.zeros_like(weighted)
        driven = {g: float(lift[_F["hand-weighted score"]] * s) for g, s in zip(SCORE_GROUPS, share, strict=True)}
        for name, value in zip(FEATURES[1:], lift[1:], strict=True):
            group = DRIVER_OF[name]
            driven[group] = driven.get(group, 0.0) + float(value)
        return driven

    def coefficients(self, n: int = 15) -> pd.DataFrame:
        """The ``n`` largest coefficients, each times its feature's standard deviation over the
        catalog (one standard deviation's change in log-odds), largest magnitude first."""
        if not self.learned:
            return pd.DataFrame(columns=["feature", "coefficient"])
        coef = self.coef_ * self.spread_
        order = np.argsort(-np.abs(coef))[:n]
        return pd.DataFrame({"feature": [FEATURES[i] for i in order], "coefficient": coef[order]})


def _chosen_logp(features: np.ndarray, chosen: np.ndarray, coef: np.ndarray) -> np.ndarray:
    return log_softmax(features @ coef.astype(np.float32))[np.arange(len(chosen)), chosen]


def _out_of_fold_logp(features, chosen, pairs, C, signs, start, n_folds: int = 5) -> list[np.ndarray]:
    """Each training deal's chosen log-probability under a model refitted on the other folds'
    deals (folds by foreign-Korean pair, from a stable hash of the pair)."""
    folds = [np.array([zlib.crc32(p.encode()) % n_folds for p in year_pairs]) for year_pairs in pairs]
    out = [np.zeros(len(c)) for c in chosen]
    for k in range(n_folds):
        kept = [(f[fold != k], c[fold != k]) for f, c, fold in zip(features, chosen, folds, strict=True)]
        kept = [(f, c) for f, c in kept if len(c)]
        coef, _, _ = fit_conditional_logit([f for f, _ in kept], [c for _, c in kept], C, signs, start)
        for i, (f, c, fold) in enumerate(zip(features, chosen, folds, strict=True)):
            held = fold == k
            if held.any():
                out[i][held] = _chosen_logp(f[held], c[held], coef)
    return out
