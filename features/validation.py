"""Schemas of the data files, checked row by row; each problem names file, line and reason.

Run by the tests and by ``kbio-match validate-data``.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from kbio_match.features.catalog import split_list
from kbio_match.features.taxonomy import VOCABULARIES
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, ValidationError

__all__ = ["Problem", "validate_data_dir", "organisation_key"]

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")
URL = re.compile(r"^https?://[^\s]+$")
LISTINGS = {"kospi", "kosdaq", "konex", "private", "public_body", "nonprofit", "international_org"}
STATUSES = {"active", "returned", "completed"}
THIS_YEAR = dt.date.today().year
# Korea's mainland, Jeju and the eastern islands sit well inside this box.
LAT_RANGE, LON_RANGE = (33.0, 38.7), (124.5, 131.0)


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


def _date(value: str) -> str:
    if value:
        dt.date.fromisoformat(value)
    return value


ListCell = BeforeValidator(lambda v: split_list(v) if isinstance(v, str) else v)
Text = Annotated[str, AfterValidator(_rule(lambda v: "\n" not in v, "line break in a cell"))]


def _nonempty(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


class PartnerRow(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: Annotated[str, AfterValidator(_rule(SLUG.match, "id '{v}' is not a lowercase slug"))]
    name: Annotated[Text, AfterValidator(_nonempty)]
    aliases: Annotated[list[str], ListCell]
    category: Annotated[str, AfterValidator(_one("category"))]
    city: Text
    cluster: str
    modalities: Annotated[list[str], ListCell, AfterValidator(_ids("modality"))]
    therapeutic_areas: Annotated[list[str], ListCell, AfterValidator(_ids("therapeutic_area"))]
    stages: Annotated[list[str], ListCell, AfterValidator(_ids("stage"))]
    partnership_types: Annotated[list[str], ListCell, AfterValidator(_ids("partnership", required=True))]
    description: Annotated[Text, AfterValidator(_nonempty)]
    highlights: Text
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


SCHEMAS = {
    "partners.csv": PartnerRow,
    "clusters.csv": ClusterRow,
    "therapeutic_landscape.csv": LandscapeRow,
    "deals.csv": DealRow,
}

_SUFFIXES = re.compile(r"\b(co|ltd|inc|corp|corporation|company|holdings|limited|plc)\b\.?")


def organisation_key(name: str) -> str:
    """A folded form of an organisation name for duplicate detection."""
    text = unicodedata.normalize("NFKC", name).casefold()
    text = _SUFFIXES.sub(" ", text)
    return re.sub(r"[\W_]+", "", text)


def _rows(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = [(reader.line_num, dict(row)) for row in reader]
        return list(reader.fieldnames or []), rows


def _check_file(path: Path, schema: type[BaseModel], problems: list[Problem]) -> list[tuple[int, BaseModel]]:
    expected = [f for f, info in schema.model_fields.items() if info.is_required()]
    header, rows = _rows(path)
    missing = [c for c in expected if c not in header]
    if missing:
        problems.append(Problem(path.name, 1, f"missing column(s) {missing}"))
        return []
    good = []
    for line, row in rows:
        if None in row:
            problems.append(Problem(path.name, line, "more cells than columns"))
            continue
        try:
            good.append((line, schema.model_validate(row)))
        except ValidationError as exc:
            for err in exc.errors():
                field = ".".join(str(p) for p in err["loc"])
                problems.append(Problem(path.name, line, f"{field}: {err['msg'].removeprefix('Value error, ')}"))
    return good


def validate_data_dir(directory: Path | str) -> list[Problem]:
    """Check every data file against its schema and the cross-file rules.

    Returns the problems found (empty when the data is valid).
    """
    directory = Path(directory)
    problems: list[Problem] = []
    parsed: dict[str, list[tuple[int, BaseModel]]] = {}
    for name, schema in SCHEMAS.items():
        path = directory / name
        if not path.exists():
            problems.append(Problem(name, 0, "file is missing"))
            parsed[name] = []
            continue
        parsed[name] = _check_file(path, schema, problems)

    cluster_ids: dict[str, int] = {}
    for line, row in parsed["clusters.csv"]:
        if row.id in cluster_ids:
            problems.append(
                Problem("clusters.csv", line, f"duplicate id '{row.id}' (first on line {cluster_ids[row.id]})")
            )
        cluster_ids.setdefault(row.id, line)

    partner_ids: dict[str, int] = {}
    names: dict[str, tuple[int, str]] = {}
    for line, row in parsed["partners.csv"]:
        if row.id in partner_ids:
            problems.append(
                Problem("partners.csv", line, f"duplicate id '{row.id}' (first on line {partner_ids[row.id]})")
            )
        partner_ids.setdefault(row.id, line)
        if row.cluster and row.cluster not in cluster_ids:
            problems.append(Problem("partners.csv", line, f"cluster '{row.cluster}' is not an id of clusters.csv"))
        for label in {row.name, *row.aliases}:
            key = organisation_key(label)
            if not key:
                continue
            if key in names and names[key][0] != line:
                first_line, first_label = names[key]
                problems.append(
                    Problem(
                        "partners.csv",
                        line,
                        f"organisation '{label}' already listed on line {first_line} as '{first_label}'",
                    )
                )
            names.setdefault(key, (line, label))

    seen_deals: dict[tuple, int] = {}
    for line, row in parsed["deals.csv"]:
        if row.partner_id not in partner_ids:
            problems.append(Problem("deals.csv", line, f"partner_id '{row.partner_id}' is not in partners.csv"))
        key = (
            row.year,
            organisation_key(row.foreign_company),
            row.partner_id,
            row.partnership,
            organisation_key(row.asset or ""),
        )
        if key in seen_deals:
            problems.append(Problem("deals.csv", line, f"same deal as line {seen_deals[key]}"))
        seen_deals.setdefault(key, line)
    return problems
