"""Deals as anonymous query profiles: what evaluation and the learned ranker ask with."""

from __future__ import annotations

import pandas as pd
from kbio_match.features.profile import Profile
from kbio_match.features.text_match import searcher_words
from kbio_match.features.validation import organisation_key

__all__ = ["deal_profiles", "pair_keys"]


def pair_keys(deals: pd.DataFrame) -> pd.Series:
    """Each deal's foreign-Korean pair ("foreign company|partner id", the company's name folded as
    the validator folds it): what blind folds and out-of-fold refits hold out together."""
    return deals["foreign_company"].map(organisation_key) + "|" + deals["partner_id"]


def deal_profiles(deals: pd.DataFrame, lexicon: frozenset[str] | None = None) -> list[Profile]:
    """Anonymous query profiles from deals (no company name; the deal's asset and partnership).
    With a ``lexicon`` (``indication_lexicon``), each also carries the words of the deal's asset
    text that a searcher could type: disease and target words, no code or brand name."""
    if lexicon is None:
        return [Profile.from_deal(deal) for deal in deals.itertuples(index=False)]
    return [
        Profile.from_deal(deal, indication=searcher_words(deal.asset, lexicon))
        for deal in deals.itertuples(index=False)
    ]
