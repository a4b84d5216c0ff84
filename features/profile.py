"""The typed profile every ranker takes: built from an API request, a CLI file or a deal.

Fields hold contract ids that are already normalised; building one from free input is the
service schema's job (``service.schemas.MatchRequest.to_profile``), shared by the API and the CLI.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Profile", "ProfileAsset", "ProfileFilters"]


@dataclass(frozen=True)
class ProfileAsset:
    """One asset the partnership is about; ``None`` where a deal does not record a field."""

    name: str | None = None
    modality: str | None = None
    stage: str | None = None
    therapeutic_areas: tuple[str, ...] = ()
    indication: str | None = None


@dataclass(frozen=True)
class ProfileFilters:
    categories: tuple[str, ...] = ()
    clusters: tuple[str, ...] = ()
    exclude_partner_ids: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.categories or self.clusters or self.exclude_partner_ids)


@dataclass(frozen=True)
class Profile:
    """What a foreign company seeks: its assets (possibly none), partnerships, clusters, filters."""

    seeking: tuple[str, ...]
    assets: tuple[ProfileAsset, ...] = ()
    preferred_clusters: tuple[str, ...] = ()
    filters: ProfileFilters = field(default_factory=ProfileFilters)
    company: str | None = None
    description: str | None = None

    @classmethod
    def from_deal(cls, deal, indication: str | None = None) -> Profile:
        """An anonymous query from a deal row: its asset (if recorded), the partnership sought and,
        optionally, an indication text standing for the words a searcher would type."""
        areas = tuple(deal.therapeutic_areas or ())
        has_asset = bool(deal.modality or deal.stage_at_deal or areas)
        asset = ProfileAsset(
            name="query-asset",
            modality=deal.modality,
            stage=deal.stage_at_deal,
            therapeutic_areas=areas,
            indication=indication,
        )
        return cls(seeking=(deal.partnership,), assets=(asset,) if has_asset else ())
