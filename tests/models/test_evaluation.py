"""Evaluation protocol: no leakage, and the model measured against the baselines."""

from __future__ import annotations

import pytest
from kbio_match.models.evaluation import deal_profiles, evaluate_leave_one_out, evaluate_time_split


@pytest.fixture(scope="module")
def time_split(catalog):
    return evaluate_time_split(catalog, cutoff_year=2021)


def test_queries_are_anonymous_and_ask_for_the_deal(catalog):
    profiles = deal_profiles(catalog.deals.head(20))
    for profile, deal in zip(profiles, catalog.deals.head(20).itertuples(), strict=True):
        assert profile.company is None and profile.description is None
        assert profile.seeking == (deal.partnership,)


def test_time_split_queries_only_later_deals(time_split, catalog):
    ranks = time_split.ranks
    assert (ranks["year"] > 2021).all()
    assert ranks["query"].nunique() == int((catalog.deals["year"] > 2021).sum())


def test_track_record_never_sees_the_query_deal(catalog):
    from kbio_match.models.matcher import PartnerMatcher

    model = PartnerMatcher().fit(catalog, as_of_year=2022)
    assert model.features_.encoders_["track_record"].deals_["year"].max() <= 2021
    # leave-one-out: removing a partner's only deal empties its track-record block
    counts = catalog.deals["partner_id"].value_counts()
    lonely = counts[counts == 1].index[0]
    others = catalog.deals[catalog.deals["partner_id"] != lonely]
    matrix = model.matrix_with_deals(others, None)
    row = list(model.partner_ids_).index(lonely)
    assert matrix[row, model.features_.slices_["track_record"]].sum() == 0


def test_model_beats_every_baseline_on_the_time_split(time_split):
    summary = time_split.summary()
    for baseline in ("random", "popularity", "overlap"):
        assert summary["model"]["mrr"] > summary[baseline]["mrr"], (baseline, summary)
    for baseline in ("random", "popularity"):
        assert summary["model"]["hit@10"] > summary[baseline]["hit@10"], (baseline, summary)
    # with flags as evidenced before each query, naive overlap ties the model on hit@10 (0.48):
    # the README reports it; the model's lead is in where the partner lands (MRR)


def test_leave_one_out_runs_every_deal(catalog):
    loo = evaluate_leave_one_out(catalog)
    assert loo.ranks.groupby("ranker")["query"].nunique().eq(len(catalog.deals)).all()
    summary = loo.summary()
    assert "model" not in summary  # the choice model needs a refit per query: the blind folds do that
    assert summary["hand-weighted"]["mrr"] > summary["popularity"]["mrr"]


def test_breakdowns_exist(time_split):
    groups = set(time_split.table()["group"])
    assert {"overall", "no earlier deal", "manufacturing", "license_in"} <= groups


def test_validation_window_excludes_the_reported_queries(catalog):
    window = evaluate_time_split(catalog, cutoff_year=2019, until_year=2021)
    years = window.ranks["year"]
    assert years.min() >= 2020 and years.max() <= 2021
