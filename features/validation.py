"""Cross-file rules over the data files; each problem names file, line and reason.

Row schemas live in ``features.data_specs``. Run by ``load_catalog``, the tests and
``kbio-match validate-data``.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from pathlib import Path

from kbio_match.features.data_specs import REQUIRED_FILES, SCHEMAS, Problem
from pydantic import BaseModel, ValidationError

__all__ = ["Problem", "validate_data_dir", "organisation_key"]

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
            if name in REQUIRED_FILES:
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

    seen_deals: dict[tuple, list[tuple[str, int]]] = {}
    for line, row in parsed["deals.csv"]:
        if row.partner_id not in partner_ids:
            problems.append(Problem("deals.csv", line, f"partner_id '{row.partner_id}' is not in partners.csv"))
        # one agreement reported twice would leak into evaluation: the same pair, type and year,
        # unless both rows name different assets (two licences signed in one year)
        key = (row.year, organisation_key(row.foreign_company), row.partner_id, row.partnership)
        asset = organisation_key(row.asset or "")
        for other, other_line in seen_deals.get(key, []):
            if not asset or not other or asset == other:
                problems.append(Problem("deals.csv", line, f"same pair, type and year as line {other_line}"))
                break
        seen_deals.setdefault(key, []).append((asset, line))

    _check_evidence(parsed, partner_ids, problems, has_file=(directory / "capabilities.csv").exists())

    seen_assets: dict[tuple, int] = {}
    for line, row in parsed.get("pipeline.csv", []):
        if row.partner_id not in partner_ids:
            problems.append(Problem("pipeline.csv", line, f"partner_id '{row.partner_id}' is not in partners.csv"))
        key = (row.partner_id, organisation_key(row.asset))
        if key in seen_assets:
            problems.append(Problem("pipeline.csv", line, f"asset already listed on line {seen_assets[key]}"))
        seen_assets.setdefault(key, line)
    return problems


def _check_evidence(parsed, partner_ids: dict[str, int], problems: list[Problem], *, has_file: bool) -> None:
    """Every partnership flag has a row of evidence, and every row of evidence is for a known
    partner and one of its flags (so the flags and the evidence file never drift apart)."""
    if not has_file:
        return
    flags = {row.id: set(row.partnership_types) for _, row in parsed["partners.csv"]}
    evidenced: set[tuple[str, str]] = set()
    for line, row in parsed["capabilities.csv"]:
        if row.partner_id not in partner_ids:
            problems.append(Problem("capabilities.csv", line, f"partner_id '{row.partner_id}' is not in partners.csv"))
            continue
        if row.partnership not in flags[row.partner_id]:
            problems.append(
                Problem(
                    "capabilities.csv",
                    line,
                    f"evidence for '{row.partnership}', which partners.csv line {partner_ids[row.partner_id]} "
                    f"does not flag for '{row.partner_id}'",
                )
            )
        evidenced.add((row.partner_id, row.partnership))
    for line, row in parsed["partners.csv"]:
        missing = [t for t in row.partnership_types if (row.id, t) not in evidenced]
        if missing:
            problems.append(
                Problem("partners.csv", line, f"partnership flag(s) {missing} without a row in capabilities.csv")
            )
