"""Each feature encoder: named pandas output, query columns aligned with the partner block."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from kbio_match.features.encoders import (
    AssetColumns,
    ModalityEncoder,
    StageEncoder,
    TherapeuticEncoder,
    TherapeuticGapEncoder,
)
from kbio_match.features.partner_encoders import ClusterEncoder, PartnershipEncoder, TrackRecordEncoder

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
    query = encoder.query(AssetColumns(PROFILE.assets), PROFILE)
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
