"""Controlled vocabularies of the public contract: ids, labels, synonyms, modality hierarchy.

This module is the single source the service, the data validation, the encoders and the
notebooks use. Ids are the contract's (``shared/contract.md`` section 1).
"""

from __future__ import annotations

import difflib
import re
from functools import cache

import numpy as np
from kbio_match.features.vocabularies import (
    CATEGORY,
    MODALITY,
    MODALITY_PARENT,
    PARTNERSHIP,
    STAGE,
    THERAPEUTIC_AREA,
    VOCABULARIES,
    Vocabulary,
)

__all__ = [
    "CATEGORY",
    "MODALITY",
    "MODALITY_PARENT",
    "PARTNERSHIP",
    "STAGE",
    "THERAPEUTIC_AREA",
    "VOCABULARIES",
    "Vocabulary",
    "UnknownTermError",
    "normalise",
    "modality_similarity_matrix",
    "stage_rank",
    "vocabulary",
]


class UnknownTermError(ValueError):
    """A value that no id or synonym of a vocabulary matches."""

    def __init__(self, vocabulary: str, value: object, closest: str | None, allowed: tuple[str, ...]):
        self.vocabulary = vocabulary
        self.value = value
        self.closest = closest
        self.allowed = allowed
        hint = f"; did you mean '{closest}'?" if closest else ""
        super().__init__(f"unknown {vocabulary} '{value}'{hint}")


def vocabulary(name: str) -> Vocabulary:
    """Return the vocabulary called ``name`` (``modality``, ``stage``, ...)."""
    return VOCABULARIES[name]


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower().replace("_", " "))


@cache
def _lookup(name: str) -> dict[str, str]:
    vocab = VOCABULARIES[name]
    table: dict[str, str] = {}
    for term_id, label in vocab.labels.items():
        for key in (term_id, label):
            table[_fold(key)] = term_id
            table[_fold(key).replace("-", " ")] = term_id
            table[_fold(key).replace(" ", "")] = term_id
    for syn, term_id in vocab.synonyms.items():
        table[_fold(syn)] = term_id
        table[_fold(syn).replace("-", " ")] = term_id
        table[_fold(syn).replace(" ", "").replace("-", "")] = term_id
    return table


def normalise(name: str, value: object) -> str:
    """Map a free value to an id of vocabulary ``name``.

    Case, spaces, hyphens and known synonyms are folded (``Phase II`` -> ``phase2``,
    ``mAb`` -> ``antibody``, ``CDMO`` -> ``manufacturing``).

    Raises
    ------
    UnknownTermError
        With the closest id, when nothing matches.
    """
    vocab = VOCABULARIES[name]
    table = _lookup(name)
    if not isinstance(value, str) or not value.strip():
        raise UnknownTermError(name, value, None, vocab.ids)
    folded = _fold(value)
    for key in (folded, folded.replace("-", " "), folded.replace(" ", "").replace("-", "")):
        if key in table:
            return table[key]
    raise UnknownTermError(name, value, closest(name, value), vocab.ids)


def closest(name: str, value: str) -> str | None:
    """The id of vocabulary ``name`` nearest to ``value`` in spelling, or None."""
    table = _lookup(name)
    folded = _fold(value)
    match = difflib.get_close_matches(folded, list(table), n=1, cutoff=0.5)
    if match:
        return table[match[0]]
    ids = VOCABULARIES[name].ids
    scored = max(ids, key=lambda i: difflib.SequenceMatcher(None, folded, i).ratio())
    return scored


def stage_rank(stage: str) -> int:
    """Position of ``stage`` in the stage order (discovery = 0 ... approved = 6)."""
    return STAGE.index(stage)


def _ancestors(node: str) -> list[str]:
    chain = [node]
    while chain[-1] in MODALITY_PARENT:
        chain.append(MODALITY_PARENT[chain[-1]])
    return chain


@cache
def modality_similarity_matrix(decay: float = 0.5) -> np.ndarray:
    """Square matrix of modality similarities in [0, 1], in ``MODALITY.ids`` order.

    Identical modalities score 1; otherwise ``decay ** d`` where ``d`` is the number of edges
    between the two nodes through their lowest common ancestor (parent/child: ``decay``,
    siblings: ``decay**2``). Modalities without a common ancestor score 0.
    """
    ids = MODALITY.ids
    out = np.zeros((len(ids), len(ids)), dtype=np.float64)
    for i, a in enumerate(ids):
        chain_a = _ancestors(a)
        for j, b in enumerate(ids):
            chain_b = _ancestors(b)
            common = next((n for n in chain_a if n in chain_b), None)
            if common is None:
                continue
            distance = chain_a.index(common) + chain_b.index(common)
            out[i, j] = decay**distance
    out.setflags(write=False)
    return out


def taxonomy_document() -> dict:
    """The vocabularies as served by ``GET /v1/taxonomy``."""
    doc: dict = {}
    for name, vocab in VOCABULARIES.items():
        synonyms: dict[str, list[str]] = {i: [] for i in vocab.ids}
        for syn, term_id in vocab.synonyms.items():
            synonyms[term_id].append(syn)
        doc[name] = [
            {"id": i, "label": vocab.labels[i], "synonyms": sorted(synonyms[i])}
            | ({"order": n} if vocab.ordered else {})
            | ({"parent": MODALITY_PARENT.get(i)} if name == "modality" else {})
            for n, i in enumerate(vocab.ids)
        ]
    doc["modality_groups"] = sorted({p for p in MODALITY_PARENT.values() if p not in MODALITY.labels})
    return doc
