"""Each feature encoder: named pandas output, query columns aligned with the partner block."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from kbio_match.features.encoders import (
    ModalityEncoder,
    StageEncoder,
    TherapeuticEncoder,
    TherapeuticGapEncoder,
)
from kbio_match.features.partner_encoders import ClusterEncoder, PartnershipEncoder, TrackRecordEncoder
from kbio_match.features.query_rows import QueryRows
from kbio_match.features.vocabulary_tables import STAGE_NEED

from tests.profiles import as_profile

PROFILE = as_profile(
    {
        "assets": [
            {"name": "A", "modality": "adc", "stage": "phase1", "therapeutic_areas": ["oncology"]},
            {"name": "B", "modality": "rna", "stage": "phase3", "therapeutic_areas": ["cardiovascular"]},
        ],
        "seeking": ["license_out"],
        "preferred_clusters": ["songdo"],
    }
)
CONTEXT = {  # what each encoder's fit takes besides the partners, by name
    TherapeuticGapEncoder: "landscape",
    ClusterEncoder: "clusters",
    TrackRecordEncoder: "deals",
}


def fitted(encoder, catalog):
    extra = CONTEXT.get(type(encoder))
    return encoder.fit(catalog.partners, **({extra: getattr(catalog, extra)} if extra else {}))


@pytest.mark.parametrize(
    "make",
    [
        ModalityEncoder,
        StageEncoder,
        TherapeuticEncoder,
        TherapeuticGapEncoder,
        ClusterEncoder,
        PartnershipEncoder,
        TrackRecordEncoder,
    ],
)
def test_encoder_outputs_named_frames_aligned_with_queries(make, catalog):
    encoder = fitted(make(), catalog)
    block = encoder.transform(catalog.partners)
    names = list(encoder.get_feature_names_out())
    assert isinstance(block, pd.DataFrame) and list(block.columns) == names and len(block) == len(catalog.partners)
    assert all(n.startswith(encoder.prefix + "__") for n in names)
    query = encoder.query(QueryRows.from_profiles([PROFILE]))
    assert query.shape == (2, len(names))
    assert np.isfinite(block.to_numpy()).all() and (block.to_numpy() >= 0).all()


def test_modality_affinity_is_hierarchical(catalog):
    encoder = fitted(ModalityEncoder(), catalog)
    partners = pd.DataFrame({"modalities": [["antibody"], ["adc"], ["small_molecule"], []]})
    block = encoder.transform(partners)
    assert block.loc[0, "modality__adc"] == 0.5 and block.loc[1, "modality__adc"] == 1.0
    assert block.loc[2, "modality__adc"] == 0.0 and block.loc[3, "modality__adc"] == 0.5  # unknown: neutral


def test_partnership_specialists_outrank_generalists(catalog):
    encoder = PartnershipEncoder().fit(catalog.partners)
    partners = pd.DataFrame(
        {"category": ["cdmo", "biotech"], "partnership_types": [["manufacturing"], ["manufacturing"]]}
    )
    block = encoder.transform(partners)
    assert block.loc[0, "partnership__manufacturing"] == 1.0 > block.loc[1, "partnership__manufacturing"] > 0


def test_track_record_counts_only_earlier_deals(catalog):
    late = TrackRecordEncoder().fit(catalog.partners, deals=catalog.deals, as_of_year=2030)
    early = TrackRecordEncoder().fit(catalog.partners, deals=catalog.deals, as_of_year=2016)
    assert late.transform(catalog.partners).to_numpy().sum() > early.transform(catalog.partners).to_numpy().sum() > 0
    assert early.deals_["year"].max() < 2016


def test_fit_refuses_misspelt_context(catalog):
    with pytest.raises(TypeError):
        ClusterEncoder().fit(catalog.partners, cluster=catalog.clusters)  # 'clusters' misspelt


def test_a_batch_queries_each_profile_as_alone(model):
    """Whole-column encoding never lets one profile's fields reach another's rows."""
    from kbio_match.features.profile import Profile, ProfileAsset

    profiles = [
        PROFILE,
        Profile(seeking=("manufacturing",), preferred_clusters=("osong",)),
        Profile(seeking=("license_in", "co_development"), assets=(ProfileAsset(modality="adc"),)),
        Profile(
            seeking=("clinical_services",), assets=(ProfileAsset(stage="phase2", therapeutic_areas=("rare_disease",)),)
        ),
    ]
    features = model.matcher.features_
    together = features.query(profiles)
    for kind, columns in together.by_kind.items():
        alone = np.concatenate([features.query([p]).by_kind[kind] for p in profiles], axis=1)
        assert np.array_equal(columns, alone), kind
    assert list(together.row_profile) == [0, 0, 1, 2, 3] and list(together.row_asset) == [0, 1, -1, 0, 0]


def test_need_uses_the_stage_or_the_mean_need_when_the_stage_is_unknown():
    from kbio_match.features.profile import Profile, ProfileAsset
    from kbio_match.features.taxonomy import PARTNERSHIP

    rows = QueryRows.from_profiles(
        [Profile(seeking=("license_in",), assets=(ProfileAsset(stage="phase2"), ProfileAsset(modality="adc")))]
    )
    need = PartnershipEncoder.need(rows)
    col = PARTNERSHIP.index("license_in")
    assert need[0, col] == pytest.approx(STAGE_NEED["license_in"]["phase2"])
    assert need[1, col] == pytest.approx(np.mean(list(STAGE_NEED["license_in"].values())))
    assert need[:, [i for i in range(len(PARTNERSHIP.ids)) if i != col]].sum() == 0


def test_a_preferred_cluster_scores_its_preference(catalog):
    encoder = fitted(ClusterEncoder(preference=1.0, specialty=0.6), catalog)
    from kbio_match.features.profile import Profile

    rows = QueryRows.from_profiles([Profile(seeking=("manufacturing",), preferred_clusters=("daegu",))])
    out = encoder.query(rows)[0]
    ids = list(encoder.cluster_ids_)
    assert out[ids.index("daegu")] == 1.0
    # songdo lists manufacturing among its specialties: half the specialty score (no asset modality)
    assert out[ids.index("songdo")] == pytest.approx(0.3)
