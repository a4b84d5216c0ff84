"""One ranked partner for one profile, as the ranker returns it."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Match"]


@dataclass
class Match:
    partner_id: str
    score: float
    components: dict[str, float]
    best_asset: str | None
    asset_index: int  # the profile's asset that drove the match, -1 for a no-asset profile
    reasons: list[str] = field(default_factory=list)
    partner_asset: dict | None = None  # the partner's own pipeline asset behind the match, if any
    # what lifted the pair's score above the catalog's average partner, per reason group, in
    # log-odds (``ChoiceRanker.drivers``); empty when not asked for or when the model fell back
    drivers: dict[str, float] = field(default_factory=dict)
