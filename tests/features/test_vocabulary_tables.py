"""Every table keyed by a vocabulary covers every id of it, and nothing else."""

from __future__ import annotations

import pytest
from kbio_match.features.vocabulary_tables import KEYED_TABLES


@pytest.mark.parametrize("name", sorted(KEYED_TABLES))
def test_table_covers_its_vocabulary(name):
    table, keys, values = KEYED_TABLES[name]
    assert set(table) == set(keys.ids), (
        f"{name}: missing {set(keys.ids) - set(table)}, extra {set(table) - set(keys.ids)}"
    )
    if values is not None:
        for key, items in table.items():
            assert set(items) <= set(values.ids), (name, key, items)
    if name == "STAGE_NEED":
        from kbio_match.features.vocabularies import STAGE

        for key, row in table.items():
            assert list(row) == list(STAGE.ids) and all(0 <= v <= 1 for v in row.values()), key
