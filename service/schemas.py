"""Request and response shapes of the HTTP API (``shared/contract.md`` section 2).

Vocabulary fields are normalised before validation (``mAb`` -> ``antibody``); an unknown value
fails with the allowed ids and the closest one in the error context.
"""

from __future__ import annotations

import difflib
import re
from typing import Annotated, Literal

from kbio_match.features.profile import Profile, ProfileAsset, ProfileFilters
from kbio_match.features.taxonomy import UnknownTermError, normalise
from kbio_match.service.errors import unknown_ids
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

OUTCOMES = ("relevant", "not_relevant", "contacted", "meeting", "deal")
DECLINE_REASONS = (
    "wrong_modality",
    "wrong_stage",
    "wrong_area",
    "wrong_partnership",
    "no_capacity",
    "not_partnering",
    "already_partnered",
    "other",
)


def _vocab(name: str):
    def check(value):
        try:
            return normalise(name, value)
        except UnknownTermError as exc:
            hint = f"; closest: '{exc.closest}'" if exc.closest else ""
            raise PydanticCustomError(
                "unknown_term",
                "unknown {vocabulary} '{value}'" + hint.replace("{", "{{").replace("}", "}}"),
                {"vocabulary": name, "value": str(value)[:100], "allowed": list(exc.allowed), "closest": exc.closest},
            ) from None

    return BeforeValidator(check)


def _text(value: str) -> str:
    # a lone surrogate cannot be stored or echoed as UTF-8: refuse it here, as a 422
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise PydanticCustomError("invalid_text", "text contains an unpaired surrogate character") from None
    return value


Text = Annotated[str, AfterValidator(_text)]
Modality = Annotated[str, _vocab("modality")]
Stage = Annotated[str, _vocab("stage")]
Area = Annotated[str, _vocab("therapeutic_area")]
Partnership = Annotated[str, _vocab("partnership")]
Category = Annotated[str, _vocab("category")]
ClusterId = Annotated[str, Field(min_length=1, max_length=64)]


def _unique(items: list) -> list:
    return list(dict.fromkeys(items))


class Company(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Annotated[Text, Field(min_length=1, max_length=200)]
    country: Annotated[str | None, Field(default=None, description="ISO 3166-1 alpha-2")] = None
    description: Annotated[Text | None, Field(max_length=2000)] = None

    @field_validator("name")
    @classmethod
    def _strip(cls, v: str) -> str:
        if not v.strip():
            raise PydanticCustomError("blank", "company name must not be blank")
        return v.strip()

    @field_validator("country")
    @classmethod
    def _country(cls, v: str | None) -> str | None:
        if v is None or v == "":
            return None
        if not isinstance(v, str) or not re.fullmatch(r"[A-Za-z]{2}", v.strip()):
            raise PydanticCustomError("country", "country must be an ISO 3166-1 alpha-2 code such as 'GB'")
        return v.strip().upper()


class Asset(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Annotated[Text | None, Field(max_length=200)] = None
    modality: Modality
    stage: Stage
    therapeutic_areas: Annotated[list[Area], Field(min_length=1, max_length=5), AfterValidator(_unique)]
    indication: Annotated[Text | None, Field(max_length=500)] = None


class Filters(BaseModel):
    model_config = ConfigDict(extra="forbid")
    categories: Annotated[list[Category], Field(max_length=8), AfterValidator(_unique)] = []
    clusters: Annotated[list[ClusterId], Field(max_length=50), AfterValidator(_unique)] = []
    exclude_partner_ids: Annotated[list[Annotated[str, Field(max_length=200)]], Field(max_length=1000)] = []


class MatchRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "example": {
                "company": {"name": "Example Therapeutics", "country": "GB"},
                "assets": [{"name": "EX-101", "modality": "adc", "stage": "phase1", "therapeutic_areas": ["oncology"]}],
                "seeking": ["license_out", "manufacturing"],
                "preferred_clusters": [],
                "top_k": 10,
            }
        },
    )
    company: Company
    assets: Annotated[list[Asset], Field(max_length=100)] = []
    seeking: Annotated[list[Partnership], Field(min_length=1, max_length=9), AfterValidator(_unique)]
    preferred_clusters: Annotated[list[ClusterId], Field(max_length=50), AfterValidator(_unique)] = []
    filters: Filters = Filters()
    top_k: Annotated[int, Field(ge=1, le=100)] = 10
    include_declined: Annotated[
        bool, Field(description="also list partners this tenant marked not_relevant for this company")
    ] = False

    def to_profile(self, exclude: set[str] | frozenset[str] = frozenset()) -> Profile:
        """The typed profile the ranker takes (asset names default to 'asset N'); ``exclude``
        adds partner ids to leave out (declined ones) to the request's own exclusions."""
        return Profile(
            seeking=tuple(self.seeking),
            assets=tuple(
                ProfileAsset(
                    name=a.name or f"asset {i + 1}",
                    modality=a.modality,
                    stage=a.stage,
                    therapeutic_areas=tuple(a.therapeutic_areas),
                    indication=a.indication,
                )
                for i, a in enumerate(self.assets)
            ),
            preferred_clusters=tuple(self.preferred_clusters),
            filters=ProfileFilters(
                categories=tuple(self.filters.categories),
                clusters=tuple(self.filters.clusters),
                exclude_partner_ids=frozenset(self.filters.exclude_partner_ids) | frozenset(exclude),
            ),
            company=self.company.name,
            description=self.company.description,
        )

    def unknown_clusters(self, known: frozenset[str], prefix: str = "") -> list[dict]:
        """One detail per cluster id the catalog does not have: field, value, allowed, closest."""
        return unknown_ids(f"{prefix}preferred_clusters", self.preferred_clusters, known, "cluster") + unknown_ids(
            f"{prefix}filters.clusters", self.filters.clusters, known, "cluster"
        )


class BatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    profiles: Annotated[list[MatchRequest], Field(min_length=1, max_length=1000)]


class PartnerRef(BaseModel):
    id: str
    name: str
    category: str
    cluster: str | None
    city: str | None


class Components(BaseModel):
    model_config = ConfigDict(extra="allow")
    modality: float
    stage: float
    therapeutic: float
    therapeutic_gap: float
    cluster: float
    partnership: float
    track_record: float


class PartnerAsset(BaseModel):
    name: str
    modality: str | None
    stage: str | None
    indication: str | None
    source: str
    stage_as_of: Annotated[str | None, Field(description="when the source reported that stage (YYYY-MM)")] = None


class MatchItem(BaseModel):
    rank: int
    partner: PartnerRef
    score: Annotated[float, Field(ge=0, le=1)]
    components: Components
    best_asset: str | None
    partner_asset: PartnerAsset | None = None
    reasons: Annotated[list[str], Field(min_length=1, max_length=5)]


class MatchResponse(BaseModel):
    request_id: str
    model_version: str
    declined_hidden: int = 0
    matches: list[MatchItem]


class BatchResponse(BaseModel):
    results: list[MatchResponse]


def _decline_reason(value: str | None) -> str | None:
    if value is None:
        return None
    folded = value.strip().lower().replace("-", "_").replace(" ", "_")
    if folded not in DECLINE_REASONS:
        closest = difflib.get_close_matches(folded, DECLINE_REASONS, n=1, cutoff=0.0)
        raise PydanticCustomError(
            "unknown_term",
            "unknown reason '{value}'; allowed: " + ", ".join(DECLINE_REASONS),
            {"value": str(value)[:100], "allowed": list(DECLINE_REASONS), "closest": closest[0] if closest else None},
        )
    return folded


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    request_id: Annotated[str, Field(min_length=1, max_length=64)]
    partner_id: Annotated[str, Field(min_length=1, max_length=200)]
    outcome: Literal[OUTCOMES]
    reason: Annotated[
        str | None,
        AfterValidator(_decline_reason),
        Field(description="why a partner is not relevant (with outcome not_relevant): " + ", ".join(DECLINE_REASONS)),
    ] = None
    note: Annotated[Text | None, Field(max_length=2000)] = None

    @model_validator(mode="after")
    def _reason_fits_outcome(self):
        if self.reason is not None and self.outcome != "not_relevant":
            raise PydanticCustomError(
                "reason_outcome", "a reason is given only with outcome 'not_relevant'", {"allowed": ["not_relevant"]}
            )
        return self


class FeedbackRecord(BaseModel):
    id: int
    request_id: str
    partner_id: str
    outcome: str
    reason: str | None = None
    note: str | None
    created_at: str


class StoredMatch(BaseModel):
    rank: int
    partner_id: str
    score: float
    components: dict[str, float] = {}


class StoredRequestSummary(BaseModel):
    request_id: str
    created_at: str
    model_version: str
    company: str
    n_matches: int


class StoredRequest(BaseModel):
    request_id: str
    created_at: str
    model_version: str
    profile: dict
    matches: list[StoredMatch]
    feedback: list[FeedbackRecord]


class StoredRequestList(BaseModel):
    items: list[StoredRequestSummary]
    total: int


class ReloadRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    artifact: Annotated[
        str | None,
        Field(default=None, max_length=255, description="file name of a manifest or .joblib in the model folder"),
    ] = None


class ModelInfo(BaseModel):
    version: str
    created_at: str
    data_fingerprint: str
    metrics: dict
    params: dict
    libraries: dict
    n_partners: int
    n_deals: int


class ReloadResponse(BaseModel):
    version: str
    previous_version: str


class Health(BaseModel):
    status: Literal["ok"]
