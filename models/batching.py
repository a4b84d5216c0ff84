"""How a query batch is cut for scoring: chunks of rows that never split a profile."""

from __future__ import annotations

import numpy as np
from kbio_match.features.pipeline import QueryBatch

__all__ = ["query_chunks", "profile_rows", "rows_of"]


def query_chunks(batch: QueryBatch, chunk_rows: int):
    """Row ranges that never split a profile, of about ``chunk_rows`` rows."""
    if len(batch.row_profile) == 0:
        return
    starts = np.flatnonzero(np.r_[True, batch.row_profile[1:] != batch.row_profile[:-1]])
    bounds = [*starts, len(batch.row_profile)]
    begin = 0
    for i in range(1, len(bounds)):
        if bounds[i] - begin >= chunk_rows or i == len(bounds) - 1:
            yield slice(begin, bounds[i])
            begin = bounds[i]


def profile_rows(batch: QueryBatch, rows: slice):
    """(profile index, row positions within the chunk) for each profile of a chunk."""
    profile_of_row = batch.row_profile[rows]
    starts = np.flatnonzero(np.r_[True, profile_of_row[1:] != profile_of_row[:-1]])
    ends = [*starts[1:], len(profile_of_row)]
    for begin, end in zip(starts, ends, strict=True):
        yield int(profile_of_row[begin]), np.arange(begin, end)


def rows_of(pairs, rows):
    """The pair-group rows of a chunk (None when no row has any)."""
    return None if pairs is None else pairs[rows]
