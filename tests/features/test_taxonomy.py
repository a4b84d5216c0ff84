from __future__ import annotations

import pytest
from kbio_match.features.taxonomy import MODALITY, UnknownTermError, modality_similarity_matrix, normalise, stage_rank


@pytest.mark.parametrize(
    ("vocabulary", "value", "expected"),
    [
        ("modality", "mAb", "antibody"),
        ("modality", "monoclonal antibody", "antibody"),
        ("modality", "ADC", "adc"),
        ("modality", "CAR-T", "cell_therapy"),
        ("modality", "siRNA", "rna"),
        ("modality", "mRNA", "rna"),
        ("modality", "ASO", "oligonucleotide"),
        ("modality", "Small Molecule", "small_molecule"),
        ("stage", "Phase II", "phase2"),
        ("stage", "Ph2", "phase2"),
        ("stage", "phase 2", "phase2"),
        ("stage", "PHASE3", "phase3"),
        ("partnership", "CDMO", "manufacturing"),
        ("partnership", "CMO", "manufacturing"),
        ("partnership", "co-development", "co_development"),
        ("therapeutic_area", "NSCLC", "oncology"),
        ("therapeutic_area", "Cardiovascular", "cardiovascular"),
        ("category", "CRO", "cro"),
    ],
)
def test_normalise_maps_free_input_to_ids(vocabulary, value, expected):
    assert normalise(vocabulary, value) == expected


def test_unknown_value_proposes_the_closest_id():
    with pytest.raises(UnknownTermError) as info:
        normalise("modality", "antibdy")
    assert info.value.closest == "antibody"
    assert "antibody" in info.value.allowed
    with pytest.raises(UnknownTermError) as info:
        normalise("stage", "phase9")
    assert info.value.closest in {"phase1", "phase2", "phase3"}


def test_every_id_normalises_to_itself():
    from kbio_match.features.taxonomy import VOCABULARIES

    for vocab in VOCABULARIES.values():
        for term in vocab.ids:
            assert normalise(vocab.name, term) == term


def test_modality_hierarchy_is_partial_and_symmetric():
    sim = modality_similarity_matrix()
    i = MODALITY.index
    assert sim[i("adc"), i("adc")] == 1.0
    assert 0 < sim[i("adc"), i("antibody")] < 1
    assert sim[i("adc"), i("antibody")] > sim[i("adc"), i("vaccine")] > 0
    assert sim[i("adc"), i("small_molecule")] == 0
    assert sim[i("cell_therapy"), i("gene_therapy")] > 0
    assert (sim == sim.T).all()


def test_stage_order():
    assert [
        stage_rank(s) for s in ("discovery", "preclinical", "phase1", "phase2", "phase3", "filed", "approved")
    ] == list(range(7))
