"""The contract's controlled vocabularies as data: ids, labels, synonyms, modality parents.

Functions over them (normalising free input, similarities, the served document) live in
``features.taxonomy``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

__all__ = [
    "Vocabulary",
    "MODALITY",
    "STAGE",
    "THERAPEUTIC_AREA",
    "PARTNERSHIP",
    "CATEGORY",
    "VOCABULARIES",
    "MODALITY_PARENT",
]


@dataclass(frozen=True)
class Vocabulary:
    """One controlled vocabulary: ordered ids, labels and synonyms (already folded)."""

    name: str
    labels: dict[str, str]
    synonyms: dict[str, str] = field(default_factory=dict)
    ordered: bool = False

    @cached_property
    def ids(self) -> tuple[str, ...]:
        return tuple(self.labels)

    @cached_property
    def _positions(self) -> dict[str, int]:
        return {term: i for i, term in enumerate(self.labels)}

    @property
    def positions(self) -> dict[str, int]:
        """Id -> position (the hot paths look ids up in bulk)."""
        return self._positions

    def index(self, term_id: str) -> int:
        """Position of ``term_id`` (ValueError when it is not an id of this vocabulary)."""
        try:
            return self._positions[term_id]
        except KeyError:
            raise ValueError(f"'{term_id}' is not a {self.name} id") from None


MODALITY = Vocabulary(
    "modality",
    {
        "small_molecule": "Small molecule",
        "peptide": "Peptide",
        "antibody": "Antibody",
        "bispecific": "Bispecific antibody",
        "adc": "Antibody-drug conjugate",
        "fusion_protein": "Fusion protein",
        "recombinant_protein": "Recombinant protein",
        "biosimilar": "Biosimilar",
        "botulinum_toxin": "Botulinum toxin",
        "vaccine": "Vaccine",
        "cell_therapy": "Cell therapy",
        "gene_therapy": "Gene therapy",
        "rna": "RNA therapeutic (siRNA, mRNA)",
        "oligonucleotide": "Oligonucleotide (ASO)",
        "degrader": "Targeted protein degrader",
        "radiopharmaceutical": "Radiopharmaceutical",
        "microbiome": "Microbiome therapeutic",
        "drug_delivery": "Drug delivery / formulation platform",
        "other": "Other",
    },
    {
        "mab": "antibody",
        "monoclonal antibody": "antibody",
        "monoclonal antibodies": "antibody",
        "antibodies": "antibody",
        "igg": "antibody",
        "nanobody": "antibody",
        "bsab": "bispecific",
        "bispecific antibody": "bispecific",
        "multispecific": "bispecific",
        "antibody drug conjugate": "adc",
        "antibody-drug conjugate": "adc",
        "small molecules": "small_molecule",
        "chemical": "small_molecule",
        "synthetic": "small_molecule",
        "nce": "small_molecule",
        "api": "small_molecule",
        "peptides": "peptide",
        "fusion": "fusion_protein",
        "fc fusion": "fusion_protein",
        "protein": "recombinant_protein",
        "recombinant": "recombinant_protein",
        "enzyme": "recombinant_protein",
        "biosimilars": "biosimilar",
        "botox": "botulinum_toxin",
        "toxin": "botulinum_toxin",
        "botulinum": "botulinum_toxin",
        "vaccines": "vaccine",
        "car-t": "cell_therapy",
        "car t": "cell_therapy",
        "cart": "cell_therapy",
        "car-nk": "cell_therapy",
        "stem cell": "cell_therapy",
        "stem cells": "cell_therapy",
        "cgt": "cell_therapy",
        "nk cell": "cell_therapy",
        "aav": "gene_therapy",
        "gene editing": "gene_therapy",
        "crispr": "gene_therapy",
        "oncolytic virus": "gene_therapy",
        "sirna": "rna",
        "mrna": "rna",
        "rnai": "rna",
        "aso": "oligonucleotide",
        "antisense": "oligonucleotide",
        "oligo": "oligonucleotide",
        "oligonucleotides": "oligonucleotide",
        "protac": "degrader",
        "tpd": "degrader",
        "molecular glue": "degrader",
        "rpt": "radiopharmaceutical",
        "radioligand": "radiopharmaceutical",
        "radiopharma": "radiopharmaceutical",
        "live biotherapeutic": "microbiome",
        "lbp": "microbiome",
        "drug delivery": "drug_delivery",
        "ddds": "drug_delivery",
        "formulation": "drug_delivery",
        "subcutaneous": "drug_delivery",
        "long-acting": "drug_delivery",
        "lai": "drug_delivery",
    },
)

STAGE = Vocabulary(
    "stage",
    {
        "discovery": "Discovery",
        "preclinical": "Preclinical",
        "phase1": "Phase 1",
        "phase2": "Phase 2",
        "phase3": "Phase 3",
        "filed": "Filed (NDA/BLA)",
        "approved": "Approved",
    },
    {
        "research": "discovery",
        "hit": "discovery",
        "lead": "discovery",
        "nonclinical": "preclinical",
        "non-clinical": "preclinical",
        "ind-enabling": "preclinical",
        "pre-clinical": "preclinical",
        "phase i": "phase1",
        "ph1": "phase1",
        "p1": "phase1",
        "phase 1": "phase1",
        "phase1a": "phase1",
        "phase1b": "phase1",
        "phase ii": "phase2",
        "ph2": "phase2",
        "p2": "phase2",
        "phase 2": "phase2",
        "phase2a": "phase2",
        "phase2b": "phase2",
        "phase iii": "phase3",
        "ph3": "phase3",
        "p3": "phase3",
        "phase 3": "phase3",
        "pivotal": "phase3",
        "nda": "filed",
        "bla": "filed",
        "submitted": "filed",
        "registration": "filed",
        "marketed": "approved",
        "commercial": "approved",
        "launched": "approved",
    },
    ordered=True,
)

THERAPEUTIC_AREA = Vocabulary(
    "therapeutic_area",
    {
        "oncology": "Oncology",
        "immunology": "Immunology and inflammation",
        "neurology": "Neurology",
        "psychiatry": "Psychiatry",
        "cardiovascular": "Cardiovascular",
        "metabolic": "Metabolic and endocrine",
        "gastrointestinal": "Gastrointestinal",
        "hepatology": "Hepatology",
        "renal": "Renal",
        "infectious_disease": "Infectious disease",
        "rare_disease": "Rare disease",
        "ophthalmology": "Ophthalmology",
        "dermatology": "Dermatology",
        "respiratory": "Respiratory",
        "hematology": "Hematology",
        "musculoskeletal": "Musculoskeletal",
        "womens_health": "Women's health",
        "other": "Other",
    },
    {
        "cancer": "oncology",
        "tumor": "oncology",
        "tumour": "oncology",
        "nsclc": "oncology",
        "sclc": "oncology",
        "solid tumors": "oncology",
        "solid tumours": "oncology",
        "lymphoma": "oncology",
        "leukemia": "oncology",
        "leukaemia": "oncology",
        "myeloma": "oncology",
        "immuno-oncology": "oncology",
        "io": "oncology",
        "breast cancer": "oncology",
        "lung cancer": "oncology",
        "autoimmune": "immunology",
        "inflammation": "immunology",
        "i&i": "immunology",
        "immune": "immunology",
        "rheumatology": "immunology",
        "cns": "neurology",
        "neuroscience": "neurology",
        "neurodegeneration": "neurology",
        "alzheimer": "neurology",
        "alzheimer's": "neurology",
        "parkinson": "neurology",
        "epilepsy": "neurology",
        "depression": "psychiatry",
        "schizophrenia": "psychiatry",
        "mental health": "psychiatry",
        "cv": "cardiovascular",
        "cardiology": "cardiovascular",
        "heart failure": "cardiovascular",
        "hypertension": "cardiovascular",
        "diabetes": "metabolic",
        "obesity": "metabolic",
        "endocrine": "metabolic",
        "endocrinology": "metabolic",
        "gi": "gastrointestinal",
        "digestive": "gastrointestinal",
        "gerd": "gastrointestinal",
        "ibd": "gastrointestinal",
        "liver": "hepatology",
        "nash": "hepatology",
        "mash": "hepatology",
        "hepatic": "hepatology",
        "kidney": "renal",
        "nephrology": "renal",
        "ckd": "renal",
        "infection": "infectious_disease",
        "infectious": "infectious_disease",
        "infectious diseases": "infectious_disease",
        "antiviral": "infectious_disease",
        "antibacterial": "infectious_disease",
        "rare": "rare_disease",
        "orphan": "rare_disease",
        "rare diseases": "rare_disease",
        "eye": "ophthalmology",
        "ophthalmic": "ophthalmology",
        "retina": "ophthalmology",
        "skin": "dermatology",
        "aesthetics": "dermatology",
        "aesthetic": "dermatology",
        "lung": "respiratory",
        "pulmonary": "respiratory",
        "copd": "respiratory",
        "asthma": "respiratory",
        "blood": "hematology",
        "haematology": "hematology",
        "bone": "musculoskeletal",
        "orthopedics": "musculoskeletal",
        "osteoarthritis": "musculoskeletal",
        "women's health": "womens_health",
        "womens health": "womens_health",
        "gynecology": "womens_health",
    },
)

PARTNERSHIP = Vocabulary(
    "partnership",
    {
        "license_out": "License an asset to a Korean partner",
        "license_in": "In-license a Korean asset",
        "platform_access": "Access a Korean technology platform",
        "co_development": "Co-development",
        "manufacturing": "Contract manufacturing (CDMO/CMO)",
        "clinical_services": "Clinical services (CRO, trial sites)",
        "commercialization": "Commercialisation in Korea",
        "investment": "Investment, joint venture, acquisition",
        "research_collaboration": "Research collaboration",
    },
    {
        "cdmo": "manufacturing",
        "cmo": "manufacturing",
        "contract manufacturing": "manufacturing",
        "fill-finish": "manufacturing",
        "fill finish": "manufacturing",
        "cro": "clinical_services",
        "clinical trials": "clinical_services",
        "trial sites": "clinical_services",
        "out-licensing": "license_out",
        "outlicense": "license_out",
        "out-license": "license_out",
        "in-licensing": "license_in",
        "inlicense": "license_in",
        "in-license": "license_in",
        "platform": "platform_access",
        "technology access": "platform_access",
        "co-development": "co_development",
        "codevelopment": "co_development",
        "joint development": "co_development",
        "distribution": "commercialization",
        "co-promotion": "commercialization",
        "commercialisation": "commercialization",
        "marketing": "commercialization",
        "equity": "investment",
        "jv": "investment",
        "joint venture": "investment",
        "acquisition": "investment",
        "m&a": "investment",
        "research": "research_collaboration",
        "collaboration": "research_collaboration",
    },
)

CATEGORY = Vocabulary(
    "category",
    {
        "pharma": "Pharmaceutical company",
        "biotech": "Biotech",
        "cdmo": "CDMO / CMO",
        "cro": "CRO",
        "hospital": "Research hospital",
        "research_institute": "Research institute or public programme",
        "investor": "Investor",
        "cluster_operator": "Cluster operator",
    },
    {"pharmaceutical": "pharma", "biotechnology": "biotech", "cmo": "cdmo", "institute": "research_institute"},
)

VOCABULARIES: dict[str, Vocabulary] = {v.name: v for v in (MODALITY, STAGE, THERAPEUTIC_AREA, PARTNERSHIP, CATEGORY)}

# Parent links of the modality hierarchy. Similarity decays with tree distance, so related
# modalities match partly (an ADC asset partly matches an antibody specialist), unrelated ones not.
MODALITY_PARENT: dict[str, str] = {
    "antibody": "biologic",
    "bispecific": "antibody",
    "adc": "antibody",
    "fusion_protein": "biologic",
    "recombinant_protein": "biologic",
    "biosimilar": "biologic",
    "botulinum_toxin": "biologic",
    "vaccine": "biologic",
    "cell_therapy": "cell_and_gene",
    "gene_therapy": "cell_and_gene",
    "rna": "nucleic_acid",
    "oligonucleotide": "nucleic_acid",
    "small_molecule": "chemical",
    "peptide": "chemical",
    "degrader": "small_molecule",
    "radiopharmaceutical": "chemical",
    "microbiome": "living",
    "drug_delivery": "platform",
    "other": "other_group",
}
