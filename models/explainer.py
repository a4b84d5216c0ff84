"""Plain-language reasons for a match, built from the pair's own data.

Each feature group proposes at most one sentence about this partner and this asset; sentences
are ordered by what drove this pair's score (the learned ranker's lift per group, or the
hand-weighted groups' weighted components when it fell back), and one sourced highlight of the partner
(capacity, approvals, named deals) is added where it speaks to what the profile seeks.
The ``Explainer`` owns what reasons read: the partner index and the fitted model's settings.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import pandas as pd
from kbio_match.features.index import PartnerIndex
from kbio_match.features.profile import Profile, ProfileAsset
from kbio_match.features.taxonomy import (
    CATEGORY,
    MODALITY,
    PARTNERSHIP,
    STAGE,
    THERAPEUTIC_AREA,
    modality_similarity_matrix,
)
from kbio_match.features.text_terms import shown, terms
from kbio_match.features.vocabulary_tables import DEAL_VERB, INLICENSING_TYPES, MODALITY_PLURAL, OFFERS
from kbio_match.models.licensing_direction import contradicts
from kbio_match.models.match import Match
from kbio_match.models.matcher import SCORE_GROUPS

__all__ = ["Explainer", "deal_phrase", "contradicts"]

MAX_REASONS = 5
PLURAL = MODALITY_PLURAL


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


@lru_cache(maxsize=1024)
def _cue_words(seeking: tuple[str, ...], modality: str | None) -> frozenset[str]:
    """Words that make a highlight relevant to what is sought (computed once per combination)."""
    words = {w for t in seeking for w in re.findall(r"[a-z]+", PARTNERSHIP.labels[t].lower()) if len(w) > 3}
    if modality:
        words |= set(re.findall(r"[a-z]+", MODALITY.labels[modality].lower()))
    return frozenset(words | {"manufactur", "capacity", "licens", "approved", "deal", "trial"})


@lru_cache(maxsize=8192)
def _lower(text: str) -> str:
    return text.lower()


def _highlight(partner: dict, asset: ProfileAsset | None, seeking: tuple[str, ...]) -> str | None:
    highlights = [h for h in partner["highlights"] or [] if not contradicts(h, seeking)]
    if not highlights:
        return None
    words = _cue_words(tuple(seeking), asset.modality if asset else None)
    scored = [(sum(w in _lower(h) for w in words), -i, h) for i, h in enumerate(highlights)]
    return max(scored)[2].rstrip(".")


def _site(url: str | None) -> str:
    """The site a reason cites: the URL's host without scheme, www. or m."""
    return re.sub(r"^(?:https?://)?(?:www\.|m\.)?", "", url or "").split("/")[0]


@lru_cache(maxsize=8192)
def _term_set(text: str | None) -> frozenset[str]:
    """The canonical terms of a catalog text (asset indications and descriptions repeat across lists)."""
    return frozenset(terms(text))


def _rarity(matcher) -> dict[str, float]:
    text = getattr(matcher, "text_", None)
    if text is None or text.vectorizer_ is None:
        return {}
    vectorizer = text.vectorizer_
    return dict(zip(vectorizer.get_feature_names_out().tolist(), vectorizer.idf_.tolist(), strict=True))


def _asset_reason(match: Match, name: str) -> str:
    """The partner's own asset behind the match, with where and when its stage was reported."""
    pa = match.partner_asset
    stage = STAGE.labels[pa["stage"]].lower() if pa.get("stage") else ""
    kind = MODALITY.labels[pa["modality"]].split(" (")[0].lower() if pa.get("modality") else "asset"
    when = f", {pa['stage_as_of']}" if pa.get("stage_as_of") else ""
    cited = f"({_site(pa['source'])}{when})"
    return f"Its {stage} {kind} {pa['name']} for {pa['indication']} fits {name} {cited}".replace("  ", " ")


class Explainer:
    """Writes a match's reasons from the partner index and the fitted model's settings.

    Parameters
    ----------
    index
        The catalog's partner index (records, deals by partner, clusters).
    weights
        The matcher's group weights, in ``SCORE_GROUPS`` order.
    modality_decay
        The modality encoder's decay, so reasons call the same modalities related as the score.
    gap_weights
        Gap weight of each therapeutic area (the fitted gap encoder's).
    gap_shares
        Area -> (share of national pipelines, pipelines in the survey), for the gap sentence.
    term_rarity
        The text matcher's inverse document frequency of each term, to name the telling words first.
    """

    def __init__(
        self,
        index: PartnerIndex,
        *,
        weights: np.ndarray,
        modality_decay: float,
        gap_weights: dict[str, float],
        gap_shares: dict[str, tuple[float, int]],
        term_rarity: dict[str, float] | None = None,
    ):
        self.index = index
        self.weights = dict(zip(SCORE_GROUPS, (float(w) for w in weights), strict=True))
        self.modality_similarity = modality_similarity_matrix(float(modality_decay))
        self.gap_weights = dict(gap_weights)
        self.gap_shares = dict(gap_shares)
        self.term_rarity = dict(term_rarity or {})

    @classmethod
    def from_fitted(cls, index: PartnerIndex, matcher, landscape: pd.DataFrame) -> Explainer:
        """The explainer of a fitted ``PartnerMatcher`` over ``index``."""
        gap = matcher.features_.encoders_["therapeutic_gap"]
        survey = landscape[landscape["survey"] == gap.survey]
        shares = {
            area: (float(group["share"].sum()), int(group["total"].iloc[0]))
            for area, group in survey[survey["therapeutic_area"] != ""].groupby("therapeutic_area")
        }
        return cls(
            index,
            weights=matcher.weights_,
            modality_decay=matcher.features_.encoders_["modality"].decay,
            gap_weights=gap.weights_,
            gap_shares=shares,
            term_rarity=_rarity(matcher),
        )

    def _similarity(self, a: str, b: str) -> float:
        return float(self.modality_similarity[MODALITY.index(a), MODALITY.index(b)])

    def _track_reason(self, pid: str, asset: ProfileAsset | None, seeking: tuple[str, ...]) -> str | None:
        deals = self.index.deals_by_partner.get(pid)
        if not deals:
            return None
        modality = asset.modality if asset else None

        def relevance(deal: dict) -> tuple:
            mod = self._similarity(modality, deal["modality"]) if modality and deal["modality"] else 0
            return (2.0 * (deal["partnership"] in seeking) + mod, deal["year"])

        # an in-licensing record is no argument for out-licensing to the partner, and vice versa
        opposite = {"license_out": "license_in", "license_in": "license_out"}
        contrary = {opposite[t] for t in seeking if t in opposite} - set(seeking)
        deals = [d for d in deals if d["partnership"] not in contrary]
        # the most relevant type whose sentence does not point the other way (a platform licensed
        # out is no argument for licensing an asset in)
        # (types in name order first: a set's order changes between processes, and a tie must
        # give the same sentence on every restart)
        for top_type in sorted(
            sorted({d["partnership"] for d in deals}),
            key=lambda t: max(relevance(d) for d in deals if d["partnership"] == t),
            reverse=True,
        ):
            phrase = deal_phrase([d for d in deals if d["partnership"] == top_type])
            if not contradicts(phrase, seeking):
                return phrase
        return None

    def _evidence_reason(self, pid: str, types: list[str]) -> str | None:
        """The newest page evidence for one of ``types`` (deals are the track record's reason),
        with the site and year it comes from."""
        for row in self.index.evidence_by_partner.get(pid, []):
            if row["partnership"] in types and row["kind"] == "page":
                when = f", {row['year']}" if row["year"] else ""
                return f"{row['evidence'].rstrip('.')} ({_site(row['source'])}{when})"
        return None

    def _text_reason(self, match: Match, text: str) -> str | None:
        """Which of the request's words the partner's own asset, or else its description, uses."""
        wanted = {t for t in terms(text) if t in self.term_rarity}
        if not wanted:
            return None

        def telling(found: set[str]) -> str:
            best = sorted(found, key=lambda t: (-self.term_rarity[t], t))[:3]
            return _join([f'"{shown(t)}"' for t in best])

        assets = self.index.pipeline_by_partner.get(match.partner_id, [])
        scored = [(wanted & _term_set(f"{a['indication']} {a['target'] or ''}"), a) for a in assets]
        found, best = max(scored, key=lambda s: (len(s[0]), STAGE.index(s[1]["stage"])), default=(set(), None))
        if found:
            if match.partner_asset and match.partner_asset["name"] == best["asset"]:
                return None  # the asset reason already names it
            when = f", {best['stage_as_of']}" if best["stage_as_of"] else ""
            stage = STAGE.labels[best["stage"]].lower()
            asset = f"{best['asset']} for {best['indication']}"
            return f"Its {stage} asset {asset} matches your words {telling(found)} ({_site(best['source'])}{when})"
        partner = self.index.by_id[match.partner_id]
        found = wanted & _term_set(partner["description"])
        if not found:
            return None
        return f"{partner['name']}'s own description matches your words {telling(found)}"

    def _gap_reason(self, asset: ProfileAsset) -> str | None:
        areas = [a for a in asset.therapeutic_areas if self.gap_weights.get(a, 0) > 0]
        if not areas:
            return None
        area = max(areas, key=lambda a: self.gap_weights[a])
        if area == "rare_disease":
            return "Rare diseases are one of the gaps left by Korea's oncology-heavy pipelines"
        if area not in self.gap_shares:
            return None
        share, total = self.gap_shares[area]
        label = THERAPEUTIC_AREA.labels[area]
        return (
            f"{label} is among Korea's least-served areas ({share:.0%} of {total:,} national pipelines), "
            f"so a Korean licensee gains a gap-filling asset"
        )

    def explain(self, match: Match, profile: Profile, drivers: dict[str, float] | None = None) -> list[str]:
        """1-5 reasons for ``match`` and ``profile``, strongest first.

        With ``drivers`` (the learned ranker's lift of this pair per reason group, in log-odds),
        reasons are ordered by what drove this pair's score, and a reason whose groups pulled the
        partner down is not given: it would argue the other way. Without, by the hand-weighted
        groups' weighted components."""
        partner = self.index.by_id[match.partner_id]
        asset = profile.assets[match.asset_index] if match.asset_index >= 0 else None
        seeking = profile.seeking
        name = (asset.name if asset else None) or "your asset"
        weights, comp = self.weights, match.components
        candidates: list[tuple[float, str]] = []

        def strength(groups: tuple[str, ...], hand: float) -> float:
            return sum(drivers.get(g, 0.0) for g in groups) if drivers else hand

        fits = [t for t in seeking if t in partner["partnership_types"]]
        evidence = self._evidence_reason(match.partner_id, fits)
        if evidence:
            # the page behind the flag, for a type sought: never a fact about another type
            candidates.append(
                (strength(("partnership", "kind"), weights["partnership"] * comp["partnership"]), evidence)
            )
        elif fits:
            kind = CATEGORY.labels[partner["category"]]
            candidates.append(
                (
                    strength(("partnership", "kind"), weights["partnership"] * comp["partnership"]),
                    f"{kind} open to {_join([OFFERS[t] for t in fits])}",
                )
            )

        pinned = None
        if match.partner_asset and asset:
            # the partner's own asset is the most checkable argument for an asset deal: rank it high
            pinned = _asset_reason(match, name)
            candidates.append((strength(("partner_asset",), 2.0 * comp["partner_asset"]), pinned))

        if comp.get("text", 0) > 0:
            said = self._text_reason(match, " ".join(t for t in (profile.description, asset and asset.indication) if t))
            if said:
                candidates.append((strength(("text",), 1.5 * weights["text"] * comp["text"]), said))

        track = self._track_reason(match.partner_id, asset, seeking)
        if track:
            candidates.append(
                (strength(("track_record",), weights["track_record"] * max(comp["track_record"], 0.3)), track)
            )

        if asset and asset.modality and partner["modalities"]:
            modality = asset.modality
            if modality in partner["modalities"]:
                candidates.append(
                    (
                        strength(("modality",), weights["modality"] * comp["modality"]),
                        f"Works with {PLURAL[modality]}, the modality of {name}",
                    )
                )
            elif comp["modality"] > 0:
                nearest = max(partner["modalities"], key=lambda m: self._similarity(modality, m))
                candidates.append(
                    (
                        strength(("modality",), weights["modality"] * comp["modality"]),
                        f"Works with {PLURAL[nearest]}, related to {name}'s {MODALITY.labels[modality].lower()}",
                    )
                )

        if asset and partner["therapeutic_areas"]:
            shared = [a for a in asset.therapeutic_areas if a in partner["therapeutic_areas"]]
            if shared:
                candidates.append(
                    (
                        strength(("therapeutic",), weights["therapeutic"] * comp["therapeutic"]),
                        f"Active in {_join([_label(THERAPEUTIC_AREA, a) for a in shared])}, like {name}",
                    )
                )

        if asset and comp["therapeutic_gap"] > 0 and any(t in INLICENSING_TYPES for t in seeking):
            gap = self._gap_reason(asset)
            if gap:
                # the gap is the least obvious, most specific argument for an in-licensor: rank it high;
                # learned, it is part of the therapeutic fit it qualifies (the area's own weight)
                hand = 2.0 * weights["therapeutic_gap"] * comp["therapeutic_gap"]
                candidates.append((0.9 * strength(("therapeutic", "therapeutic_gap"), hand), gap))

        cluster_id = partner["cluster"]
        if cluster_id and comp["cluster"] > 0:
            cluster = self.index.cluster_by_id[cluster_id]
            if cluster_id in profile.preferred_clusters:
                text = f"Based in {cluster['name']}, one of your preferred clusters"
            else:
                wanted = set(seeking) | ({asset.modality} if asset and asset.modality else set())
                matched = [spec.replace("_", " ") for spec in cluster["specialties"] if spec in wanted]
                text = f"Based in {cluster['name']}, a cluster known for {_join(matched) or 'this work'}"
            candidates.append((strength(("cluster",), weights["cluster"] * comp["cluster"]), text))

        if asset and asset.stage and partner["stages"] and comp["stage"] >= 0.75:
            stages = sorted(partner["stages"], key=STAGE.index)
            first, last = STAGE.labels[stages[0]], STAGE.labels[stages[-1]]
            span = first if len(stages) == 1 else f"{first} to {last}"
            candidates.append(
                (
                    strength(("stage",), weights["stage"] * comp["stage"] * 0.8),
                    f"Works from {span}, which covers {name} at {STAGE.labels[asset.stage]}",
                )
            )

        # a sentence quoting a licensing fact that points the other way is never a reason for it
        candidates = [c for c in candidates if not contradicts(c[1], seeking)]
        if drivers:  # what pulled the pair down argues against it: not a reason
            candidates = [c for c in candidates if c[0] >= 0]
        candidates.sort(key=lambda c: -c[0])
        reasons = [text for _, text in candidates[: MAX_REASONS - 1]]
        if pinned and pinned in [t for _, t in candidates] and pinned not in reasons:
            # the partner asset a match names is its most checkable argument: always say why
            reasons[-1] = pinned
        highlight = _highlight(partner, asset, seeking)
        if highlight:
            reasons.insert(min(1, len(reasons)), highlight)
        if not reasons:
            reasons.append(str(partner["description"]).split(". ")[0].rstrip("."))
        return [r if r.endswith(".") else r + "." for r in reasons[:MAX_REASONS]]
