"""Plain-language reasons for a match, built from the pair's own data.

Each feature group proposes at most one sentence about this partner and this asset; sentences
are ordered by the group's weighted contribution, and one sourced highlight of the partner
(capacity, approvals, named deals) is added where it speaks to what the profile seeks.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from kbio_match.features.encoders import INLICENSING_TYPES
from kbio_match.features.taxonomy import (
    CATEGORY,
    MODALITY,
    PARTNERSHIP,
    STAGE,
    THERAPEUTIC_AREA,
    modality_similarity_matrix,
)

if TYPE_CHECKING:
    from kbio_match.models.matcher import Match, PartnerMatcher

__all__ = ["explain_match", "deal_phrase"]

MAX_REASONS = 5

# What a partner of each fit does, phrased from the Korean partner's side.
OFFERS = {
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

DEAL_VERB = {
    "license_in": "Out-licensed {what}to",
    "platform_access": "Licensed its platform to",
    "co_development": "Co-develops {what}with",
    "manufacturing": "Manufactures {what}for",
    "clinical_services": "Ran clinical or trial work for",
    "commercialization": "Commercialises products of",
    "license_out": "In-licensed {what}from",
    "investment": "Investment or acquisition deal with",
    "research_collaboration": "Research collaboration with",
}
PLURAL = {
    "adc": "ADCs",
    "antibody": "antibodies",
    "bispecific": "bispecifics",
    "small_molecule": "small molecules",
    "cell_therapy": "cell therapies",
    "gene_therapy": "gene therapies",
    "vaccine": "vaccines",
    "biosimilar": "biosimilars",
    "rna": "RNA therapeutics",
    "oligonucleotide": "oligonucleotides",
    "peptide": "peptides",
    "degrader": "protein degraders",
    "radiopharmaceutical": "radiopharmaceuticals",
    "fusion_protein": "fusion proteins",
    "recombinant_protein": "recombinant proteins",
    "botulinum_toxin": "botulinum toxins",
    "microbiome": "microbiome therapeutics",
    "drug_delivery": "drug-delivery technology",
    "other": "other modalities",
}


def _join(items: list[str]) -> str:
    items = list(dict.fromkeys(items))
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _label(vocab, term: str) -> str:
    return vocab.labels[term].split(" (")[0].lower() if vocab is not MODALITY else PLURAL.get(term, term)


def deal_phrase(deals: list[dict]) -> str:
    """One sentence from a partner's deals of one partnership type (newest first)."""
    first = deals[0]
    modalities = {d["modality"] for d in deals if d["modality"]}
    what = f"{PLURAL[next(iter(modalities))]} " if len(modalities) == 1 else ""
    if first["partnership"] == "license_in":
        what = what or "assets "
    verb = DEAL_VERB[first["partnership"]].format(what=what)
    years: dict[str, list[int]] = {}
    for deal in deals:
        years.setdefault(deal["foreign_company"], []).append(deal["year"])
    names = [f"{company} ({', '.join(str(y) for y in sorted(set(ys)))})" for company, ys in list(years.items())[:2]]
    more = f", {len(deals)} deals of this kind in all" if len(years) > 2 else ""
    return f"{verb} {_join(names)}{more}"


def _track_reason(model: PartnerMatcher, pid: str, asset: dict | None, seeking: list[str]) -> str | None:
    deals = model.deals_by_partner_.get(pid)
    if not deals:
        return None
    sim = modality_similarity_matrix(0.5)
    modality = (asset or {}).get("modality")

    def relevance(deal: dict) -> tuple:
        mod = sim[MODALITY.index(modality), MODALITY.index(deal["modality"])] if modality and deal["modality"] else 0
        return (2.0 * (deal["partnership"] in seeking) + mod, deal["year"])

    top_type = max(deals, key=relevance)["partnership"]
    return deal_phrase([d for d in deals if d["partnership"] == top_type])


def _gap_reason(model: PartnerMatcher, asset: dict) -> str | None:
    weights = model.features_.encoders_["therapeutic_gap"].weights_
    areas = [a for a in asset.get("therapeutic_areas") or [] if weights.get(a, 0) > 0]
    if not areas:
        return None
    area = max(areas, key=lambda a: weights[a])
    if area == "rare_disease":
        return "Rare diseases are one of the gaps left by Korea's oncology-heavy pipelines"
    if area not in model.gap_shares_:
        return None
    share, total = model.gap_shares_[area]
    label = THERAPEUTIC_AREA.labels[area]
    return (
        f"{label} is among Korea's least-served areas ({share:.0%} of {total:,} national pipelines), "
        f"so a Korean licensee gains a gap-filling asset"
    )


def _highlight(partner, asset: dict | None, seeking: list[str]) -> str | None:
    highlights = list(partner["highlights"] or [])
    if not highlights:
        return None
    words = {w for t in seeking for w in re.findall(r"[a-z]+", PARTNERSHIP.labels[t].lower()) if len(w) > 3}
    if asset and asset.get("modality"):
        words |= set(re.findall(r"[a-z]+", MODALITY.labels[asset["modality"]].lower()))
    words |= {"manufactur", "capacity", "licens", "approved", "deal", "trial"}
    scored = [(sum(w in h.lower() for w in words), -i, h) for i, h in enumerate(highlights)]
    return max(scored)[2].rstrip(".")


def explain_match(model: PartnerMatcher, row: int, match: Match, profile: dict) -> list[str]:
    """1-5 reasons for ``match`` (partner at ``row`` of the fitted catalog) and ``profile``."""
    partner = model.partner_records_[row]
    asset = profile["assets"][match.asset_index] if match.asset_index >= 0 else None
    seeking = list(profile.get("seeking") or [])
    name = (asset or {}).get("name") or "your asset"
    weights = dict(
        zip(
            ("modality", "stage", "therapeutic", "therapeutic_gap", "cluster", "partnership", "track_record"),
            model.weights_,
            strict=True,
        )
    )
    comp = match.components
    candidates: list[tuple[float, str]] = []

    fits = [t for t in seeking if t in (partner["partnership_types"] or [])]
    if fits:
        kind = CATEGORY.labels[partner["category"]]
        candidates.append(
            (weights["partnership"] * comp["partnership"], f"{kind} open to {_join([OFFERS[t] for t in fits])}")
        )

    track = _track_reason(model, match.partner_id, asset, seeking)
    if track:
        candidates.append((weights["track_record"] * max(comp["track_record"], 0.3), track))

    if asset and asset.get("modality") and partner["modalities"]:
        modality = asset["modality"]
        if modality in partner["modalities"]:
            candidates.append(
                (weights["modality"] * comp["modality"], f"Works with {PLURAL[modality]}, the modality of {name}")
            )
        elif comp["modality"] > 0:
            sim = modality_similarity_matrix(0.5)[MODALITY.index(modality)]
            nearest = max(partner["modalities"], key=lambda m: sim[MODALITY.index(m)])
            candidates.append(
                (
                    weights["modality"] * comp["modality"],
                    f"Works with {PLURAL[nearest]}, related to {name}'s {MODALITY.labels[modality].lower()}",
                )
            )

    if asset and partner["therapeutic_areas"]:
        shared = [a for a in asset.get("therapeutic_areas") or [] if a in partner["therapeutic_areas"]]
        if shared:
            candidates.append(
                (
                    weights["therapeutic"] * comp["therapeutic"],
                    f"Active in {_join([_label(THERAPEUTIC_AREA, a) for a in shared])}, like {name}",
                )
            )

    if asset and comp["therapeutic_gap"] > 0 and any(t in INLICENSING_TYPES for t in seeking):
        gap = _gap_reason(model, asset)
        if gap:
            # the gap is the least obvious, most specific argument for an in-licensor: rank it high
            candidates.append((2.0 * weights["therapeutic_gap"] * comp["therapeutic_gap"], gap))

    cluster_id = partner["cluster"]
    if cluster_id and comp["cluster"] > 0:
        cluster = model.cluster_records_[cluster_id]
        if cluster_id in (profile.get("preferred_clusters") or []):
            text = f"Based in {cluster['name']}, one of your preferred clusters"
        else:
            wanted = set(seeking) | ({asset["modality"]} if asset and asset.get("modality") else set())
            matched = [spec.replace("_", " ") for spec in cluster["specialties"] if spec in wanted]
            text = f"Based in {cluster['name']}, a cluster known for {_join(matched) or 'this work'}"
        candidates.append((weights["cluster"] * comp["cluster"], text))

    if asset and asset.get("stage") and partner["stages"] and comp["stage"] >= 0.75:
        stages = sorted(partner["stages"], key=STAGE.index)
        span = (
            STAGE.labels[stages[0]] if len(stages) == 1 else f"{STAGE.labels[stages[0]]} to {STAGE.labels[stages[-1]]}"
        )
        candidates.append(
            (
                weights["stage"] * comp["stage"] * 0.8,
                f"Works from {span}, which covers {name} at {STAGE.labels[asset['stage']]}",
            )
        )

    candidates.sort(key=lambda c: -c[0])
    reasons = [text for _, text in candidates[: MAX_REASONS - 1]]
    highlight = _highlight(partner, asset, seeking)
    if highlight:
        reasons.insert(min(1, len(reasons)), highlight)
    if not reasons:
        reasons.append(str(partner["description"]).split(". ")[0].rstrip("."))
    return [r if r.endswith(".") else r + "." for r in reasons[:MAX_REASONS]]
