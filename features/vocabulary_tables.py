"""Tables keyed by vocabulary ids: every id of its vocabulary has an entry (a test checks it).

They sit beside the vocabularies so a new id fails one parametrised test, not a request.
"""

from __future__ import annotations

from types import MappingProxyType

from kbio_match.features.vocabularies import CATEGORY, MODALITY, PARTNERSHIP, STAGE

__all__ = [
    "MODALITY_PLURAL",
    "OFFERS",
    "DEAL_VERB",
    "STAGE_NEED",
    "PRIMARY_CATEGORIES",
    "INLICENSING_TYPES",
    "KEYED_TABLES",
]


def _frozen(table: dict) -> MappingProxyType:
    return MappingProxyType(table)


# How reasons name a modality in the plural ("Works with ADCs").
MODALITY_PLURAL = _frozen(
    {
        "small_molecule": "small molecules",
        "peptide": "peptides",
        "antibody": "antibodies",
        "bispecific": "bispecifics",
        "adc": "ADCs",
        "fusion_protein": "fusion proteins",
        "recombinant_protein": "recombinant proteins",
        "biosimilar": "biosimilars",
        "botulinum_toxin": "botulinum toxins",
        "vaccine": "vaccines",
        "cell_therapy": "cell therapies",
        "gene_therapy": "gene therapies",
        "rna": "RNA therapeutics",
        "oligonucleotide": "oligonucleotides",
        "degrader": "protein degraders",
        "radiopharmaceutical": "radiopharmaceuticals",
        "microbiome": "microbiome therapeutics",
        "drug_delivery": "drug-delivery technology",
        "other": "other modalities",
    }
)

# What a partner of each fit does, phrased from the Korean partner's side.
OFFERS = _frozen(
    {
        "license_out": "in-licensing foreign assets for Korea",
        "license_in": "out-licensing its own assets",
        "platform_access": "licensing its technology platform",
        "co_development": "co-development",
        "manufacturing": "contract manufacturing",
        "clinical_services": "clinical trial services",
        "commercialization": "marketing and distribution in Korea",
        "investment": "investment and joint ventures",
        "research_collaboration": "research collaboration",
    }
)

# A partner's past deal of each type, as a verb phrase ("Out-licensed ADCs to Pfizer (2023)").
DEAL_VERB = _frozen(
    {
        "license_out": "In-licensed {what}from",
        "license_in": "Out-licensed {what}to",
        "platform_access": "Licensed its platform to",
        "co_development": "Co-develops {what}with",
        "manufacturing": "Manufactures {what}for",
        "clinical_services": "Ran clinical or trial work for",
        "commercialization": "Commercialises products of",
        "investment": "Investment or acquisition deal with",
        "research_collaboration": "Research collaboration with",
    }
)


def _by_stage(values: tuple[float, ...]) -> MappingProxyType:
    if len(values) != len(STAGE.ids):
        raise ValueError(f"a stage row needs {len(STAGE.ids)} values, got {len(values)}")
    return _frozen(dict(zip(STAGE.ids, values, strict=True)))


# How much each partnership needs an asset at each stage. A Korean licensee wants late assets, a
# platform deal is early, a CDMO needs clinical or commercial supply.
STAGE_NEED = _frozen(
    {
        #                                   disc  pre   ph1   ph2   ph3   filed appr
        "license_out": _by_stage((0.1, 0.2, 0.4, 0.7, 1.0, 1.0, 1.0)),
        "license_in": _by_stage((0.5, 0.8, 1.0, 1.0, 1.0, 0.9, 0.8)),
        "platform_access": _by_stage((1.0, 1.0, 0.8, 0.5, 0.3, 0.2, 0.2)),
        "co_development": _by_stage((0.4, 0.8, 1.0, 1.0, 0.8, 0.5, 0.3)),
        "manufacturing": _by_stage((0.2, 0.6, 0.9, 1.0, 1.0, 1.0, 1.0)),
        "clinical_services": _by_stage((0.1, 0.6, 1.0, 1.0, 1.0, 0.5, 0.4)),
        "commercialization": _by_stage((0.0, 0.0, 0.1, 0.2, 0.6, 0.9, 1.0)),
        "investment": _by_stage((0.6, 0.8, 1.0, 1.0, 0.8, 0.6, 0.5)),
        "research_collaboration": _by_stage((1.0, 1.0, 0.8, 0.6, 0.4, 0.3, 0.3)),
    }
)

# The kinds of organisation whose core business each partnership is; others that offer it
# (a biotech with spare manufacturing capacity) count as generalists.
PRIMARY_CATEGORIES = _frozen(
    {
        "license_out": ("pharma",),
        "license_in": ("biotech", "pharma"),
        "platform_access": ("biotech",),
        "co_development": ("biotech", "pharma"),
        "manufacturing": ("cdmo",),
        "clinical_services": ("cro", "hospital"),
        "commercialization": ("pharma",),
        "investment": ("investor", "pharma"),
        "research_collaboration": ("research_institute", "hospital", "cluster_operator"),
    }
)

# Partnerships in which the Korean partner takes the foreign asset into its own pipeline: where
# the therapeutic gap matters.
INLICENSING_TYPES = ("license_out", "co_development", "commercialization")

# (table, vocabulary of its keys, vocabulary its values must stay inside or None)
KEYED_TABLES = {
    "MODALITY_PLURAL": (MODALITY_PLURAL, MODALITY, None),
    "OFFERS": (OFFERS, PARTNERSHIP, None),
    "DEAL_VERB": (DEAL_VERB, PARTNERSHIP, None),
    "STAGE_NEED": (STAGE_NEED, PARTNERSHIP, None),
    "PRIMARY_CATEGORIES": (PRIMARY_CATEGORIES, PARTNERSHIP, CATEGORY),
}
