"""Free-text matching: canonical terms, the text group's on/off rule and its effect on ranking."""

from __future__ import annotations

import numpy as np
import pandas as pd
from kbio_match.features.profile import Profile, ProfileAsset
from kbio_match.features.text_match import TextMatch, indication_lexicon, searcher_words
from kbio_match.features.text_terms import terms
from kbio_match.models.matcher import PartnerMatcher


def test_equivalent_words_in_english_and_korean_fold_to_one_term():
    assert set(terms("solid tumours")) >= {"cancer"}
    assert terms("항암") == terms("carcinoma") == ["cancer"]
    assert terms("antibody-drug conjugates") == ["adc"]
    assert terms("비만 obesity overweight") == ["obesity"] * 3
    # a broader class is not a synonym: obesity stays obesity
    assert "metabolic" not in terms("obesity")
    assert terms(None) == [] and terms("the and of") == []


def test_searcher_words_keep_disease_words_and_drop_codes_and_brands():
    pipeline = pd.DataFrame(
        {
            "partner_id": ["a", "b", "c"],
            "indication": ["obesity", "obesity and diabetes", "HER2 breast cancer"],
            "target": ["GLP-1R", None, "HER2"],
        }
    )
    lexicon = indication_lexicon(pipeline)
    assert "obesity" in lexicon and "her2" not in lexicon  # one partner's word is not shared vocabulary
    assert searcher_words("HM-12525A (oral GLP-1) for obesity", lexicon) == "obesity"
    assert searcher_words("Xyz-101", lexicon) is None


def _catalog_frames():
    partners = pd.DataFrame(
        {"id": ["p1", "p2", "p3"], "description": ["Makes vaccines", "Cancer antibody developer", "CRO in Seoul"]}
    )
    pipeline = pd.DataFrame(
        {
            "partner_id": ["p1", "p2"],
            "indication": ["influenza vaccine", "HER2-positive gastric cancer"],
            "target": [None, "HER2"],
            "stage_as_of": ["2020-01", "2024-05"],
        }
    )
    return partners, pipeline


def test_text_fit_is_highest_for_the_partner_using_the_words_and_off_without_them():
    partners, pipeline = _catalog_frames()
    text = TextMatch().fit(partners, pipeline)
    fit, has = text.query(["HER2 gastric tumour", None, "zzz unknown"])
    assert has.tolist() == [True, False, False]
    assert fit[0].argmax() == 1 and fit[0, 1] > 0.5 and fit[0, 2] == 0
    assert not fit[1:].any()
    assert set(text.shared_terms("HER2 gastric tumour", 1)) == {"her2", "gastric", "cancer"}


def test_assets_reported_after_the_query_year_do_not_count():
    partners, pipeline = _catalog_frames()
    text = TextMatch(use_description=False).fit(partners, pipeline, as_of_year=2021)
    fit, has = text.query(["HER2 gastric cancer"])
    assert not has[0] and not fit.any()  # the 2024 asset is not known in 2021


def test_a_request_without_text_scores_exactly_as_a_model_without_the_text_group(catalog):
    profile = Profile(
        seeking=("license_in",),
        assets=(ProfileAsset("q", "small_molecule", "phase2", ("metabolic",)),),
    )
    with_text = PartnerMatcher().fit(catalog).decision_scores([profile])
    without = PartnerMatcher(w_text=0.0).fit(catalog).decision_scores([profile])
    assert np.allclose(with_text, without)


def test_words_of_the_request_lift_the_partner_whose_asset_uses_them(catalog):
    asset = ProfileAsset("q", "small_molecule", "phase2", ("metabolic",))
    plain = Profile(seeking=("license_in",), assets=(asset,))
    worded = Profile(seeking=("license_in",), assets=(asset,), description="oral GLP-1 agonist for obesity")
    matcher = PartnerMatcher().fit(catalog)
    before, after = matcher.decision_scores([plain, worded])
    pipe = catalog.pipeline
    users = set(pipe[pipe["indication"].str.contains("obesity", case=False)]["partner_id"])
    ids = list(matcher.partner_ids_)
    lifted = [ids.index(p) for p in users]

    def ranks(scores):
        return np.argsort(np.argsort(-scores))[lifted]

    # the obesity-asset holders climb, on average and in the top 20
    assert ranks(after).mean() < ranks(before).mean()
    assert (ranks(after) < 20).sum() > (ranks(before) < 20).sum()


def test_a_reason_names_the_words_and_the_asset_or_description_that_use_them(model):
    profile = Profile(
        seeking=("license_in",),
        assets=(ProfileAsset("q", "peptide", "phase2", ("metabolic",)),),
        description="Looking for a GLP-1 obesity asset",
    )
    matches = model.rank([profile], 10)[0]
    worded = [r for m in matches for r in m.reasons if "matches your words" in r or " fits q " in r]
    assert worded, [m.reasons for m in matches]
    for m in matches:
        for r in m.reasons:
            if "matches your words" in r:
                assert '"obesity"' in r or '"GLP-1"' in r
