"""Evaluation on real historical deals: each deal becomes an anonymous query profile.

A query carries no company name: the deal's asset (modality, stage, areas) and the partnership
sought. Its Korean partner is the one relevant item; the whole catalog is ranked.

Protocols
---------
time split
    Rankers learn from deals up to ``cutoff_year`` (their track record and popularity); every
    later deal is a query.
leave-one-out
    Every deal is a query; its track record comes from all other deals, minus any deal of the
    same partner with the same foreign company in the same year (the same agreement reported
    twice would otherwise leak).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from kbio_match.features.catalog import Catalog
from kbio_match.models.baselines import OverlapRanker, PopularityRanker, RandomRanker
from kbio_match.models.choice import ChoiceRanker
from kbio_match.models.matcher import PartnerMatcher
from kbio_match.models.metrics import hit_at_k, mrr, ndcg_at_k
from kbio_match.models.queries import deal_profiles

# groups beside the partnership types: a query whose partner had, or had not, a foreign deal before it
WARM, COLD = "with an earlier deal", "no earlier deal"
SUMMARY_GROUPS = ("overall", WARM, COLD)

__all__ = [
    "SUMMARY_GROUPS",
    "WARM",
    "COLD",
    "deal_profiles",
    "evaluate_time_split",
    "evaluate_leave_one_out",
    "default_rankers",
    "Evaluation",
    "DEFAULT_CUTOFF",
]

DEFAULT_CUTOFF = 2021
METRIC_COLUMNS = ["hit@1", "hit@5", "hit@10", "mrr", "ndcg@10"]


class _ModelAdapter:
    """Gives the matcher the baselines' ``decision_scores(profiles, deals=...)`` form."""

    def __init__(self, params: dict | None = None):
        self.params = params or {}

    def fit(self, catalog: Catalog, as_of_year: int | None = None):
        self.model_ = PartnerMatcher().set_params(**self.params).fit(catalog, as_of_year=as_of_year)
        self.as_of_year_ = as_of_year
        return self

    def decision_scores(self, profiles, *, deals=None):
        matrix = None if deals is None else self.model_.matrix_with_deals(deals, self.as_of_year_)
        return self.model_.decision_scores(profiles, matrix=matrix)


class _ChoiceAdapter:
    """A ``ChoiceRanker`` factory's product; the factory's ``cache`` keeps each year's training
    features across the refits of one evaluation (the blind protocol refits per fold and year)."""

    def __init__(self, params: dict | None, cache: dict):
        self.params, self.cache = params or {}, cache

    def fit(self, catalog: Catalog, as_of_year: int | None = None):
        # probabilities do not read the score's reference: the faster in-sample one serves here
        ranker = ChoiceRanker(matcher_params=self.params, reference="in_sample")
        self.model_ = ranker.fit(catalog, as_of_year=as_of_year, cache=self.cache)
        return self

    def decision_scores(self, profiles, *, deals=None):
        """The choice probabilities: the served scores' order exactly, and what the model card's
        calibration reads (a query's top score is its first pick's probability)."""
        if deals is not None:  # its learned weights saw every deal: it cannot leave one out
            raise ValueError("the choice model is not evaluated leave-one-out")
        return self.model_.probabilities(profiles)


def choice_factory(params: dict | None = None) -> Callable[[], _ChoiceAdapter]:
    """Factory of the served ranker for an evaluation protocol (one feature cache per factory)."""
    cache: dict = {}
    return lambda: _ChoiceAdapter(params, cache)


def default_rankers(model_params: dict | None = None, *, learned: bool = True) -> dict[str, Callable[[], object]]:
    """Factories of the served model (the choice model over the hand-weighted one), the
    hand-weighted model alone, the served model without asset-level matching, and the three
    baselines; ``learned=False`` leaves out the two learned ones (leave-one-out cannot refit them
    per query)."""
    company_level = {**(model_params or {}), "w_partner_asset": 0.0}
    learned_rankers = {
        "model": choice_factory(model_params),
        # the same model without its pipeline-asset group, to show what asset matching adds
        "company-level": choice_factory(company_level),
    }
    return {
        **(learned_rankers if learned else {}),
        "hand-weighted": lambda: _ModelAdapter(model_params),
        "popularity": PopularityRanker,
        "overlap": OverlapRanker,
        "random": lambda: RandomRanker(seed=0),
    }


@dataclass
class Evaluation:
    """Per-query ranks of the relevant partner, and the metrics table built from them."""

    protocol: str
    ranks: pd.DataFrame  # query, ranker, partner_id, partnership, year, cold, rank, top (first 5 ids)

    def table(self) -> pd.DataFrame:
        rows = []
        for (ranker, group), frame in self._groups():
            true = pd.DataFrame({"query": frame["query"], "item": frame["partner_id"]})
            pred = pd.DataFrame({"query": frame["query"], "item": frame["partner_id"], "rank": frame["rank"]})
            rows.append(
                {
                    "protocol": self.protocol,
                    "ranker": ranker,
                    "group": group,
                    "queries": len(frame),
                    "hit@1": hit_at_k(true=true, pred=pred, k=1),
                    "hit@5": hit_at_k(true=true, pred=pred, k=5),
                    "hit@10": hit_at_k(true=true, pred=pred, k=10),
                    "mrr": mrr(true=true, pred=pred),
                    "ndcg@10": ndcg_at_k(true=true, pred=pred, k=10),
                }
            )
        return pd.DataFrame(rows)

    def _groups(self):
        for ranker, frame in self.ranks.groupby("ranker", sort=False):
            yield (ranker, "overall"), frame
            for partnership, part in frame.groupby("partnership"):
                yield (ranker, partnership), part
            for group, part in ((WARM, frame[~frame["cold"]]), (COLD, frame[frame["cold"]])):
                if len(part):
                    yield (ranker, group), part

    def worst_misses(self, n: int = 10, *, ranker: str = "model") -> pd.DataFrame:
        """The ``n`` queries whose real partner ``ranker`` placed lowest, with what it ranked first."""
        frame = self.ranks[self.ranks["ranker"] == ranker]
        return (
            frame.sort_values("rank", ascending=False)
            .head(n)[["query", "year", "foreign_company", "partnership", "partner_id", "rank", "top"]]
            .reset_index(drop=True)
        )

    def summary(self) -> dict:
        """Overall metrics per ranker, as stored in a model manifest."""
        table = self.table()
        overall = table[table["group"] == "overall"].set_index("ranker")
        return {r: {m: round(float(overall.loc[r, m]), 4) for m in ["queries", *METRIC_COLUMNS]} for r in overall.index}


def _query_row(q: int, name: str, deal, cold: bool, rank: int, top: list[str], top_score: float = np.nan) -> dict:
    return {
        "query": q,
        "ranker": name,
        "partner_id": deal.partner_id,
        "partnership": deal.partnership,
        "year": deal.year,
        "foreign_company": deal.foreign_company,
        "cold": cold,
        "rank": rank,
        "top": top,
        "top_score": top_score,  # the ranker's score of its first pick
    }


def _rank_rows(scores: np.ndarray, partner_ids: np.ndarray, relevant: str, seed: int) -> tuple[int, list[str]]:
    # ties broken by a seeded shuffle, the same for every ranker, so no ranker gains from id order
    tiebreak = np.random.default_rng(seed).random(len(scores))
    order = np.lexsort((tiebreak, -scores))
    position = int(np.flatnonzero(partner_ids[order] == relevant)[0]) + 1
    return position, [str(x) for x in partner_ids[order[:5]]]


def evaluate_time_split(
    catalog: Catalog,
    *,
    cutoff_year: int = DEFAULT_CUTOFF,
    until_year: int | None = None,
    rankers: dict[str, Callable[[], object]] | None = None,
) -> Evaluation:
    """Learn from deals up to ``cutoff_year``; query with later deals (up to ``until_year`` if given).

    ``until_year`` makes a validation window: tune on deals of ``cutoff_year + 1 .. until_year``
    so that deals after it stay unseen for the final report.
    """
    rankers = rankers or default_rankers()
    deals = catalog.deals
    later = (deals["year"] > cutoff_year) & (deals["year"] <= (until_year if until_year is not None else 9999))
    train, test = deals[deals["year"] <= cutoff_year], deals[later].reset_index(drop=True)
    assert train["year"].max() < test["year"].min(), "train and test deals overlap in time"
    known = set(train["partner_id"])
    profiles = deal_profiles(test)
    partner_ids = catalog.partners["id"].to_numpy()
    rows = []
    for name, factory in rankers.items():
        ranker = factory().fit(catalog, as_of_year=cutoff_year + 1)
        scores = ranker.decision_scores(profiles)
        for q, deal in enumerate(test.itertuples(index=False)):
            rank, top = _rank_rows(scores[q], partner_ids, deal.partner_id, seed=q)
            rows.append(_query_row(q, name, deal, deal.partner_id not in known, rank, top))
    return Evaluation("time_split", pd.DataFrame(rows))


def evaluate_leave_one_out(catalog: Catalog, *, rankers: dict[str, Callable[[], object]] | None = None) -> Evaluation:
    """Query with every deal; its own agreement never feeds its track record (the rule-based
    rankers only: a learned ranker would need a refit per query, which the blind folds do)."""
    rankers = rankers or default_rankers(learned=False)
    deals = catalog.deals.reset_index(drop=True)
    as_of = int(deals["year"].max()) + 1
    profiles = deal_profiles(deals)
    partner_ids = catalog.partners["id"].to_numpy()
    same_agreement = deals["partner_id"] + "|" + deals["foreign_company"].str.lower() + "|" + deals["year"].astype(str)
    rows = []
    for name, factory in rankers.items():
        ranker = factory().fit(catalog, as_of_year=as_of)
        for q, deal in enumerate(deals.itertuples(index=False)):
            others = deals[same_agreement != same_agreement[q]]
            scores = ranker.decision_scores([profiles[q]], deals=others)[0]
            rank, top = _rank_rows(scores, partner_ids, deal.partner_id, seed=q)
            rows.append(_query_row(q, name, deal, deal.partner_id not in set(others["partner_id"]), rank, top))
    return Evaluation("leave_one_out", pd.DataFrame(rows))
