"""The curated data: schemas, counts the catalog promises, cross-file rules, error reporting."""

from __future__ import annotations

import shutil

import pytest
from kbio_match.features.validation import organisation_key, validate_data_dir

from kbio_match import paths

SEED_ORGANISATIONS = [  # Korean organisations named in shared/seeds (see data/README.md for KOBIS)
    "Samsung Biologics",
    "Samsung Bioepis",
    "Celltrion",
    "Medipost",
    "CHA Biotech",
    "Alteogen",
    "LigaChem Biosciences",
    "Orum Therapeutics",
    "ABL Bio",
    "Hanmi Pharmaceutical",
    "Daewoong Pharmaceutical",
    "Yuhan",
    "Dong-A ST",
    "GC Biopharma",
    "Lotte Biologics",
    "International Vaccine Institute",
    "Prestige Biologics",
    "SK bioscience",
    "GenEdit",
    "Vaxcell-Bio",
    "CarBio Therapeutics",
    "CEfO Bio",
    "Korea Venture Investment Corp",
    "Korea Drug Development Fund",
]


def test_shipped_data_is_valid():
    problems = validate_data_dir(paths.data_dir())
    assert problems == [], "\n".join(map(str, problems[:20]))


def test_catalog_counts(catalog):
    counts = catalog.partners["category"].value_counts()
    assert len(catalog.partners) >= 300
    assert counts.get("pharma", 0) >= 40
    assert counts.get("biotech", 0) >= 150
    assert counts.get("cdmo", 0) >= 12
    assert counts.get("cro", 0) >= 12
    assert counts.get("hospital", 0) >= 10
    institutes = sum(counts.get(c, 0) for c in ("research_institute", "cluster_operator", "investor"))
    assert institutes >= 10
    assert len(catalog.clusters) >= 9


def test_deals_cover_every_partnership_type(catalog):
    from kbio_match.features.taxonomy import PARTNERSHIP

    assert len(catalog.deals) >= 150
    assert set(catalog.deals["partnership"]) == set(PARTNERSHIP.ids)


def test_every_seed_organisation_is_in_the_catalog(catalog):
    keys = set()
    for name, aliases in zip(catalog.partners["name"], catalog.partners["aliases"], strict=True):
        keys |= {organisation_key(name), *(organisation_key(a) for a in aliases)}
    missing = [n for n in SEED_ORGANISATIONS if organisation_key(n) not in keys]
    assert not missing


def test_landscape_has_the_three_surveys(catalog):
    surveys = set(catalog.landscape["survey"])
    assert {"kddf_national_pipelines", "kddf_supported_portfolio", "kpbma_pipelines"} <= surveys


@pytest.mark.parametrize(
    ("file", "column", "value", "reason"),
    [
        ("partners.csv", "modalities", "antibody;telepathy", "unknown modality"),
        ("partners.csv", "sources", "ftp://example.org", "http(s)"),
        ("partners.csv", "cluster", "atlantis", "not an id of clusters.csv"),
        ("deals.csv", "partner_id", "no-such-partner", "not in partners.csv"),
        ("deals.csv", "year", "1850", "year"),
        ("clusters.csv", "latitude", "51.5", "outside Korea"),
    ],
)
def test_bad_rows_are_reported_with_file_line_and_reason(tmp_path, file, column, value, reason):
    import csv

    data = tmp_path / "data"
    shutil.copytree(paths.data_dir(), data)
    path = data / file
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    rows[2][column] = value
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    problems = validate_data_dir(data)
    hits = [p for p in problems if p.file == file and p.line == 4 and reason in p.reason]
    assert hits, problems


def test_duplicate_organisation_by_alias_is_reported(tmp_path):
    import csv

    data = tmp_path / "data"
    shutil.copytree(paths.data_dir(), data)
    path = data / "partners.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    clone = dict(rows[0], id="a-brand-new-id", name="Some New Name", aliases=rows[0]["name"])
    rows.append(clone)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    problems = validate_data_dir(data)
    assert any("already listed" in p.reason and p.line == len(rows) + 1 for p in problems)


def test_validate_data_command_exits_non_zero_on_bad_data(tmp_path):
    from typer.testing import CliRunner

    from kbio_match.cli import app

    data = tmp_path / "data"
    shutil.copytree(paths.data_dir(), data)
    (data / "deals.csv").write_text(
        (data / "deals.csv").read_text(encoding="utf-8").replace(",license_in,", ",licence,", 1), encoding="utf-8"
    )
    result = CliRunner().invoke(app, ["validate-data", str(data)])
    assert result.exit_code == 1
    assert "deals.csv:" in result.output and "unknown partnership 'licence'" in result.output
    ok = CliRunner().invoke(app, ["validate-data"])
    assert ok.exit_code == 0, ok.output
