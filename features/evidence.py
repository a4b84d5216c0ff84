"""Partnership flags as the evidence file supports them, at a date.

``partners.csv`` flags exactly the types that ``capabilities.csv`` evidences (``validate-data``
checks it). Evaluation asks what was known before a query's year: a flag counts only if one of
its evidence rows is dated before that year, or undated (a standing capability read from a page
or the organisation's own record). Evidence restating a deal is dated by the deal, so a deal
never confirms its own partner's flag.
"""

from __future__ import annotations

import pandas as pd
from kbio_match.features.taxonomy import PARTNERSHIP

__all__ = ["flags_as_of", "without_evidence_of"]


def flags_as_of(partners: pd.DataFrame, capabilities: pd.DataFrame | None, as_of_year: int | None) -> pd.DataFrame:
    """``partners`` with ``partnership_types`` rebuilt from the evidence known before ``as_of_year``
    (unchanged without an evidence file or a year)."""
    if capabilities is None or as_of_year is None:
        return partners
    year = capabilities["year"]
    known = capabilities[year.isna() | (year < as_of_year)]
    types = known.groupby("partner_id")["partnership"].agg(set)
    order = {t: i for i, t in enumerate(PARTNERSHIP.ids)}
    flags = [sorted(types.get(pid, set()), key=order.__getitem__) for pid in partners["id"]]
    return partners.assign(partnership_types=flags)


def without_evidence_of(capabilities: pd.DataFrame | None, removed_deals: pd.DataFrame) -> pd.DataFrame | None:
    """The evidence rows that do not cite one of ``removed_deals`` (held out of a fold)."""
    if capabilities is None or not len(removed_deals):
        return capabilities
    return capabilities[~capabilities["source"].isin(set(removed_deals["source"]))]
