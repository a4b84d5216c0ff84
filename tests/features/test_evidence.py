"""Flags as the evidence file supports them at a date, and evidence of held-out deals kept out."""

from __future__ import annotations

import dataclasses

import pandas as pd
from kbio_match.features.evidence import flags_as_of, without_evidence_of

PARTNERS = pd.DataFrame({"id": ["a", "b"], "category": ["biotech", "cro"], "partnership_types": [["license_in"], []]})
EVIDENCE = pd.DataFrame(
    {
        "partner_id": ["a", "a", "b"],
        "partnership": ["license_in", "co_development", "clinical_services"],
        "evidence": ["x", "y", "z"],
        "source": ["https://deal.example/1", "https://page.example/2", "https://page.example/3"],
        "year": pd.array([2020, 2018, None], dtype="Int64"),
    }
)


def test_a_flag_counts_from_the_year_after_its_evidence_and_undated_evidence_always():
    early = flags_as_of(PARTNERS, EVIDENCE, 2019)
    assert list(early["partnership_types"]) == [["co_development"], ["clinical_services"]]
    later = flags_as_of(PARTNERS, EVIDENCE, 2021)
    assert list(later["partnership_types"]) == [["license_in", "co_development"], ["clinical_services"]]
    assert flags_as_of(PARTNERS, EVIDENCE, None) is PARTNERS  # serving: the flags as shipped


def test_evidence_citing_a_held_out_deal_is_dropped():
    held_out = pd.DataFrame({"source": ["https://deal.example/1"]})
    kept = without_evidence_of(EVIDENCE, held_out)
    assert list(kept["source"]) == ["https://page.example/2", "https://page.example/3"]


def test_a_query_deal_never_confirms_its_own_partners_flag_in_any_fold(catalog):
    """Blind folds: the evidence restating a held-out deal is gone, and the flag it alone supports
    is off in the model that ranks it."""
    from kbio_match.features.taxonomy import PARTNERSHIP
    from kbio_match.models.blind import pair_folds
    from kbio_match.models.matcher import PartnerMatcher

    deals = catalog.deals.reset_index(drop=True)
    folds = pair_folds(deals)
    caps = catalog.capabilities
    checked = 0
    for fold in range(5):
        held_out = deals[folds == fold]
        seen = dataclasses.replace(
            catalog, deals=deals[folds != fold], capabilities=without_evidence_of(caps, held_out)
        )
        assert not seen.capabilities["source"].isin(set(held_out["source"])).any()
        # a held-out deal whose row is its partner's only evidence for the type
        for deal in held_out.itertuples():
            rows = caps[(caps["partner_id"] == deal.partner_id) & (caps["partnership"] == deal.partnership)]
            if len(rows) == 1 and rows["source"].iloc[0] == deal.source:
                model = PartnerMatcher().fit(seen, as_of_year=int(deal.year) + 5)
                row = list(model.partner_ids_).index(deal.partner_id)
                fit = model.matrix_[row, model.features_.slices_["partnership"]][PARTNERSHIP.index(deal.partnership)]
                prior_only = model.features_.encoders_["partnership"].unconfirmed_fit  # a confirmed flag: >= 0.7
                assert fit <= prior_only + 1e-6
                checked += 1
                break
    assert checked >= 3
