"""Response shapes of the catalog routes: partners with their deals and pipeline, clusters."""

from __future__ import annotations

from pydantic import BaseModel


class Deal(BaseModel):
    year: int
    announced: str | None = None
    foreign_company: str
    foreign_country: str
    partnership: str
    asset: str | None
    modality: str | None
    therapeutic_areas: list[str]
    stage_at_deal: str | None
    value_usd_m: float | None
    status: str | None
    summary: str | None
    source: str


class Partner(BaseModel):
    id: str
    name: str
    aliases: list[str]
    category: str
    city: str | None
    cluster: str | None
    modalities: list[str]
    therapeutic_areas: list[str]
    stages: list[str]
    partnership_types: list[str]
    description: str
    highlights: list[str]
    sources: list[str]
    founded: int | None
    listing: str | None
    website: str | None
    last_checked: str | None


class PipelineAsset(BaseModel):
    asset: str
    modality: str
    target: str | None
    indication: str
    therapeutic_areas: list[str]
    stage: str
    stage_as_of: str | None
    rights: str | None
    licensee: str | None
    source: str


class PartnerDetail(Partner):
    deals: list[Deal]
    pipeline: list[PipelineAsset] = []


class PartnerList(BaseModel):
    items: list[Partner]
    total: int


class Cluster(BaseModel):
    id: str
    name: str
    province: str
    city: str
    latitude: float
    longitude: float
    specialties: list[str]
    anchor_organisations: list[str]
    designations: list[str]
    sources: list[str]
    partner_count: int


class ClusterList(BaseModel):
    items: list[Cluster]
