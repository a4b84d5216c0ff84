"""Loading the curated catalog (``data/*.csv``) into typed pandas frames."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from kbio_match.features.data_specs import PipelineRow, Problem, list_columns, split_list
from kbio_match.features.validation import validate_data_dir

from kbio_match.paths import data_dir as default_data_dir

__all__ = ["Catalog", "CatalogError", "load_catalog", "data_fingerprint", "DATA_FILES", "DEAL_COLUMNS", "split_list"]

DATA_FILES = (
    "partners.csv",
    "clusters.csv",
    "therapeutic_landscape.csv",
    "deals.csv",
    "pipeline.csv",
    "capabilities.csv",
)
CAPABILITY_COLUMNS = ("partner_id", "partnership", "evidence", "source", "year")
DEAL_COLUMNS = (
    "year",
    "foreign_company",
    "foreign_country",
    "partner_id",
    "partnership",
    "asset",
    "modality",
    "therapeutic_areas",
    "stage_at_deal",
    "value_usd_m",
    "status",
    "summary",
    "source",
)


class CatalogError(ValueError):
    """A catalog folder that does not validate; the message is one line: file, line and reason."""

    def __init__(self, directory: Path, problems: list[Problem]):
        self.directory = directory
        self.problems = problems
        more = f" (and {len(problems) - 1} more; run kbio-match validate-data)" if len(problems) > 1 else ""
        super().__init__(f"catalog {directory} is invalid: {problems[0]}{more}")


def _read(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    for column, sep in list_columns(path.name).items():
        if column in frame:
            frame[column] = frame[column].map(lambda v, s=sep: split_list(v, s))
    return frame


def _none_if_empty(frame: pd.DataFrame, columns: list[str]) -> None:
    for column in columns:
        if column in frame:
            # pandas 3 turns None into NaN in string columns; keep real None for "unknown"
            frame[column] = pd.Series(
                [v if isinstance(v, str) and v else None for v in frame[column]], index=frame.index, dtype=object
            )


# the pipeline columns the loader keeps, from the file's spec
PIPELINE_COLUMNS = tuple(f for f in PipelineRow.model_fields if f != "last_checked")


@dataclass(frozen=True)
class Catalog:
    """The curated tables. List-valued cells are Python lists; ``pipeline`` may be empty."""

    partners: pd.DataFrame
    clusters: pd.DataFrame
    landscape: pd.DataFrame
    deals: pd.DataFrame
    fingerprint: str
    pipeline: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(PIPELINE_COLUMNS)))
    # evidence behind the partnership flags; None for a catalog without the file (flags as curated)
    capabilities: pd.DataFrame | None = None


def data_fingerprint(directory: Path | None = None) -> str:
    """sha256 over the data files (name and bytes), the training-data fingerprint."""
    directory = Path(directory or default_data_dir())
    digest = hashlib.sha256()
    for name in DATA_FILES:
        path = directory / name
        digest.update(name.encode())
        digest.update(path.read_bytes() if path.exists() else b"<missing>")
    return digest.hexdigest()


def load_catalog(directory: Path | str | None = None, *, validate: bool = True) -> Catalog:
    """Read ``partners.csv``, ``clusters.csv``, ``therapeutic_landscape.csv``, and the optional
    ``deals.csv``, ``pipeline.csv`` and ``capabilities.csv``.

    Parameters
    ----------
    directory
        Folder holding the CSV files; defaults to ``KBIO_DATA_DIR`` or the shipped catalog.
    validate
        Check every file first (``features.validation``); bad data is never loaded.

    Raises
    ------
    CatalogError
        The folder does not validate; the message names the first file, line and reason.
    """
    directory = Path(directory or default_data_dir())
    if validate:
        problems = validate_data_dir(directory)
        if problems:
            raise CatalogError(directory, problems)
    partners = _read(directory / "partners.csv")
    _none_if_empty(partners, ["cluster", "city", "founded", "listing", "website"])
    clusters = _read(directory / "clusters.csv")
    for column in ("latitude", "longitude"):
        clusters[column] = clusters[column].astype(float)
    landscape = pd.read_csv(directory / "therapeutic_landscape.csv", keep_default_na=False, encoding="utf-8")
    landscape["share"] = pd.to_numeric(landscape["share"], errors="coerce")
    landscape["count"] = pd.to_numeric(landscape["count"], errors="coerce")
    deals_path = directory / "deals.csv"
    if deals_path.exists():
        deals = _read(deals_path)
        deals["year"] = deals["year"].astype(int)
        deals["value_usd_m"] = pd.to_numeric(deals["value_usd_m"], errors="coerce")
        _none_if_empty(deals, ["modality", "stage_at_deal", "status", "asset"])
    else:
        deals = pd.DataFrame(columns=list(DEAL_COLUMNS))
    pipeline_path = directory / "pipeline.csv"
    if pipeline_path.exists():
        pipeline = _read(pipeline_path)
        _none_if_empty(pipeline, ["target", "rights", "licensee", "stage_as_of"])
    else:
        pipeline = pd.DataFrame(columns=list(PIPELINE_COLUMNS))
    capabilities_path = directory / "capabilities.csv"
    capabilities = None
    if capabilities_path.exists():
        capabilities = _read(capabilities_path)
        capabilities["year"] = pd.to_numeric(capabilities["year"], errors="coerce").astype("Int64")
    return Catalog(
        partners=partners,
        clusters=clusters,
        landscape=landscape,
        deals=deals,
        fingerprint=data_fingerprint(directory),
        pipeline=pipeline,
        capabilities=capabilities,
    )
