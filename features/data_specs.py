"""One spec per data file: the row schema (pydantic) and how its multi-valued cells split.

The loader (``features.catalog``) and the validator (``features.validation``) both read these,
so a column means the same to both.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Annotated, ClassVar

import pandas as pd
from kbio_match.features.taxonomy import VOCABULARIES
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, model_validator

__all__ = ["Problem", "CapabilityRow", "SCHEMAS", "REQUIRED_FILES", "split_list", "list_columns"]

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")
URL = re.compile(r"^https?://[^\s]+$")
LISTINGS = {"kospi", "kosdaq", "konex", "private", "public_body", "nonprofit", "international_org"}
STATUSES = {"active", "returned", "completed"}
THIS_YEAR = dt.date.today().year
# Korea's mainland, Jeju and the eastern islands sit well inside this box.
LAT_RANGE, LON_RANGE = (33.0, 38.7), (124.5, 131.0)


def split_list(value: object, sep: str = ";") -> list[str]:
    """Split a CSV cell into its non-empty, stripped items (empty cell -> [])."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return []
    return [item.strip() for item in str(value).split(sep) if item.strip()]


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


def _rule(predicate, message):
    """A validator that keeps a value when ``predicate`` holds, else fails with ``message``."""

    def check(value):
        if not predicate(value):
            raise ValueError(message.format(v=value))
        return value

    return check


def _ids(vocab: str, *, required: bool = False):
    allowed = set(VOCABULARIES[vocab].ids)

    def check(items: list[str]) -> list[str]:
        bad = [i for i in items if i not in allowed]
        if bad:
            raise ValueError(f"unknown {vocab} id(s) {bad}; allowed: {sorted(allowed)}")
        if len(set(items)) != len(items):
            raise ValueError(f"repeated {vocab} id")
        if required and not items:
            raise ValueError(f"at least one {vocab} id is required")
        return items

    return check


def _one(vocab: str):
    allowed = set(VOCABULARIES[vocab].ids)

    def check(value: str) -> str:
        if value not in allowed:
            raise ValueError(f"unknown {vocab} '{value}'; allowed: {sorted(allowed)}")
        return value

    return check


def _urls(items: list[str]) -> list[str]:
    if not items:
        raise ValueError("at least one http(s) source URL is required")
    bad = [u for u in items if not URL.match(u)]
    if bad:
        raise ValueError(f"not an http(s) URL: {bad}")
    return items


def _optional_year(value: str) -> str:
    if value and not (value.isdigit() and 1800 <= int(value) <= THIS_YEAR):
        raise ValueError(f"year '{value}' is not between 1800 and {THIS_YEAR}")
    return value


def _partial_date(value: str) -> str:
    """Empty, ``YYYY-MM`` or ``YYYY-MM-DD``, not in the future."""
    if not value:
        return value
    if re.fullmatch(r"\d{4}-\d{2}", value):
        dt.date.fromisoformat(value + "-01")
    elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        dt.date.fromisoformat(value)
    else:
        raise ValueError(f"date '{value}' is not YYYY-MM or YYYY-MM-DD")
    if value[:7] > dt.date.today().isoformat()[:7]:
        raise ValueError(f"date '{value}' is in the future")
    return value


def _date(value: str) -> str:
    if value:
        dt.date.fromisoformat(value)
    return value


ListCell = BeforeValidator(lambda v: split_list(v) if isinstance(v, str) else v)
BarCell = BeforeValidator(lambda v: split_list(v, "|") if isinstance(v, str) else v)
Text = Annotated[str, AfterValidator(_rule(lambda v: "\n" not in v, "line break in a cell"))]


def _nonempty(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


class PartnerRow(BaseModel):
    model_config = ConfigDict(extra="forbid")
    LISTS: ClassVar[dict[str, str]] = {
        "aliases": ";",
        "modalities": ";",
        "therapeutic_areas": ";",
        "stages": ";",
        "partnership_types": ";",
        "sources": ";",
        "highlights": "|",
    }
    id: Annotated[str, AfterValidator(_rule(SLUG.match, "id '{v}' is not a lowercase slug"))]
    name: Annotated[Text, AfterValidator(_nonempty)]
    aliases: Annotated[list[str], ListCell]
    category: Annotated[str, AfterValidator(_one("category"))]
    city: Text
    cluster: str
    modalities: Annotated[list[str], ListCell, AfterValidator(_ids("modality"))]
    therapeutic_areas: Annotated[list[str], ListCell, AfterValidator(_ids("therapeutic_area"))]
    stages: Annotated[list[str], ListCell, AfterValidator(_ids("stage"))]
    # empty: no partnership confirmed yet (every flag needs a row of capabilities.csv)
    partnership_types: Annotated[list[str], ListCell, AfterValidator(_ids("partnership"))]
    description: Annotated[Text, AfterValidator(_nonempty)]
    highlights: Annotated[list[Text], BarCell]
    sources: Annotated[list[str], ListCell, AfterValidator(_urls)]
    founded: Annotated[str, AfterValidator(_optional_year)]
    listing: Annotated[
        str, AfterValidator(_rule(lambda v: v in LISTINGS | {""}, "listing '{v}' not in " + str(sorted(LISTINGS))))
    ]
    website: Annotated[
        str, AfterValidator(_rule(lambda v: not v or URL.match(v), "website '{v}' is not an http(s) URL"))
    ]
    last_checked: Annotated[str, AfterValidator(_date)]


class ClusterRow(BaseModel):
    model_config = ConfigDict(extra="forbid")
    LISTS: ClassVar[dict[str, str]] = {
        "specialties": ";",
        "anchor_organisations": ";",
        "designations": ";",
        "sources": ";",
    }
    id: Annotated[str, AfterValidator(_rule(SNAKE.match, "id '{v}' is not snake_case"))]
    name: Annotated[str, AfterValidator(_nonempty)]
    province: Annotated[str, AfterValidator(_nonempty)]
    city: Annotated[str, AfterValidator(_nonempty)]
    latitude: Annotated[
        float, AfterValidator(_rule(lambda v: LAT_RANGE[0] <= v <= LAT_RANGE[1], "latitude {v} is outside Korea"))
    ]
    longitude: Annotated[
        float, AfterValidator(_rule(lambda v: LON_RANGE[0] <= v <= LON_RANGE[1], "longitude {v} is outside Korea"))
    ]
    specialties: Annotated[list[str], ListCell]
    anchor_organisations: Annotated[list[str], ListCell]
    designations: Annotated[list[str], ListCell]
    sources: Annotated[list[str], ListCell, AfterValidator(_urls)]
    coordinates_note: str = ""


class LandscapeRow(BaseModel):
    model_config = ConfigDict(extra="forbid")
    LISTS: ClassVar[dict[str, str]] = {}
    survey: Annotated[str, AfterValidator(_nonempty)]
    year: Annotated[int, AfterValidator(_rule(lambda v: 2000 <= v <= THIS_YEAR, "year {v} implausible"))]
    total: int
    source_label: Annotated[str, AfterValidator(_nonempty)]
    therapeutic_area: str
    count: str
    share: Annotated[float, AfterValidator(_rule(lambda v: 0 <= v <= 1, "share {v} not in [0, 1]"))]
    source: Annotated[str, AfterValidator(lambda v: _urls([v])[0])]


class DealRow(BaseModel):
    model_config = ConfigDict(extra="forbid")
    LISTS: ClassVar[dict[str, str]] = {"therapeutic_areas": ";"}
    year: Annotated[
        int, AfterValidator(_rule(lambda v: 1990 <= v <= THIS_YEAR, "year {v} not between 1990 and this year"))
    ]
    foreign_company: Annotated[Text, AfterValidator(_nonempty)]
    foreign_country: Annotated[
        str,
        AfterValidator(
            _rule(
                lambda v: re.fullmatch(r"[A-Z]{2}", v) and v != "KR",
                "foreign_country '{v}' is not an ISO alpha-2 code other than KR",
            )
        ),
    ]
    partner_id: str
    partnership: Annotated[str, AfterValidator(_one("partnership"))]
    asset: Text
    modality: Annotated[str, AfterValidator(lambda v: _one("modality")(v) if v else v)]
    therapeutic_areas: Annotated[list[str], ListCell, AfterValidator(_ids("therapeutic_area"))]
    stage_at_deal: Annotated[str, AfterValidator(lambda v: _one("stage")(v) if v else v)]
    value_usd_m: Annotated[
        str, AfterValidator(_rule(lambda v: not v or float(v) >= 0, "value_usd_m '{v}' is negative"))
    ]
    status: Annotated[
        str, AfterValidator(_rule(lambda v: v in STATUSES | {""}, "status '{v}' not in " + str(sorted(STATUSES))))
    ]
    summary: Text
    source: Annotated[str, AfterValidator(lambda v: _urls([v])[0])]
    last_checked: Annotated[str, AfterValidator(_date)]
    announced: Annotated[str, AfterValidator(_partial_date)] = ""

    @model_validator(mode="after")
    def _announced_in_year(self):
        if self.announced and int(self.announced[:4]) != self.year:
            raise ValueError(f"announced {self.announced} is not in year {self.year}")
        return self


class PipelineRow(BaseModel):
    """One pipeline asset of a catalog partner, with the stage its source reported on a date."""

    model_config = ConfigDict(extra="forbid")
    LISTS: ClassVar[dict[str, str]] = {"therapeutic_areas": ";"}
    partner_id: Annotated[str, AfterValidator(_rule(SLUG.match, "partner_id '{v}' is not a lowercase slug"))]
    asset: Annotated[Text, AfterValidator(_nonempty)]
    modality: Annotated[str, AfterValidator(_one("modality"))]
    target: Text = ""
    indication: Annotated[Text, AfterValidator(_nonempty)]
    therapeutic_areas: Annotated[list[str], ListCell, AfterValidator(_ids("therapeutic_area", required=True))]
    stage: Annotated[str, AfterValidator(_one("stage"))]
    stage_as_of: Annotated[str, AfterValidator(_partial_date)]
    rights: Text = ""
    licensee: Text = ""
    source: Annotated[str, AfterValidator(lambda v: _urls([v])[0])]
    last_checked: Annotated[str, AfterValidator(_date)]


class CapabilityRow(BaseModel):
    """One piece of public evidence that a partner is a fit for one partnership type."""

    model_config = ConfigDict(extra="forbid")
    LISTS: ClassVar[dict[str, str]] = {}
    partner_id: Annotated[str, AfterValidator(_rule(SLUG.match, "partner_id '{v}' is not a lowercase slug"))]
    partnership: Annotated[str, AfterValidator(_one("partnership"))]
    evidence: Annotated[Text, AfterValidator(_nonempty)]
    source: Annotated[str, AfterValidator(lambda v: _urls([v])[0])]
    year: Annotated[str, AfterValidator(_optional_year)] = ""


SCHEMAS = {
    "partners.csv": PartnerRow,
    "clusters.csv": ClusterRow,
    "therapeutic_landscape.csv": LandscapeRow,
    "deals.csv": DealRow,
    "pipeline.csv": PipelineRow,
    "capabilities.csv": CapabilityRow,
}

REQUIRED_FILES = ("partners.csv", "clusters.csv", "therapeutic_landscape.csv")


def list_columns(file: str) -> dict[str, str]:
    """Multi-valued columns of a data file and their separators."""
    return dict(SCHEMAS[file].LISTS)
