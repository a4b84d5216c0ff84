"""Free-text fit: a request's words (company description, asset indications) against each
partner's own words (its description and its pipeline assets' indications and targets).

TF-IDF over canonical terms (``text_terms``), cosine similarity, saturated into [0, 1]. A request
without text, or whose words the catalog never uses, gets no text signal at all: the group's
weight is then dropped, not filled with zeros.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from kbio_match.features.partner_assets import reported_before
from kbio_match.features.text_terms import terms
from sklearn.base import BaseEstimator
from sklearn.feature_extraction.text import TfidfVectorizer

__all__ = ["TextMatch", "indication_lexicon", "searcher_words"]


def indication_lexicon(pipeline: pd.DataFrame, min_partners: int = 2) -> frozenset[str]:
    """Terms that the asset indications and targets of at least ``min_partners`` different partners
    use: disease and target words, never one company's asset code or brand."""
    seen: dict[str, set[str]] = {}
    for r in pipeline.itertuples(index=False) if len(pipeline) else ():
        for t in set(terms(f"{r.indication} {r.target or ''}")):
            seen.setdefault(t, set()).add(r.partner_id)
    return frozenset(t for t, owners in seen.items() if len(owners) >= min_partners)


def searcher_words(text: str | None, lexicon: frozenset[str]) -> str | None:
    """The words of a deal's asset text that a searcher could type without knowing the asset:
    only ``indication_lexicon`` terms, so codes and brand names drop out."""
    kept = [t for t in terms(text) if t in lexicon]
    return " ".join(dict.fromkeys(kept)) or None


class TextMatch(BaseEstimator):
    """Scores partners by how their own words meet the request's.

    Parameters
    ----------
    saturation : float
        Cosine similarity at which the fit reaches 1 (request texts are short, so even a close
        match rarely passes 0.4).
    pipeline_weight : float
        How many times a pipeline asset's words count against the description's (an asset is
        what a searcher looks for).
    use_description : bool
        Whether the partner's description counts (it is written today and may name a deal that
        an evaluation query asks about; without it only dated pipeline words count).
    """

    def __init__(self, saturation: float = 0.35, pipeline_weight: float = 2.0, use_description: bool = True):
        self.saturation = saturation
        self.pipeline_weight = pipeline_weight
        self.use_description = use_description

    def fit(self, partners: pd.DataFrame, pipeline: pd.DataFrame, *, as_of_year: int | None = None):
        """Index each partner's description plus its assets' indication and target words; with
        ``as_of_year`` only assets reported before that year count (as ``PartnerAssets``)."""
        ids = partners["id"].tolist()
        assets = pipeline[pipeline["partner_id"].isin(set(ids))] if len(pipeline) else pipeline
        assets = reported_before(assets, as_of_year)
        words: dict[str, list[str]] = {}
        for r in assets.itertuples(index=False) if len(assets) else ():
            words.setdefault(r.partner_id, []).append(f"{r.indication} {r.target or ''}")
        reps = max(1, round(self.pipeline_weight))
        docs = [
            " ".join([str(desc or "") if self.use_description else ""] + [" ".join(words.get(pid, []))] * reps)
            for pid, desc in zip(ids, partners["description"], strict=True)
        ]
        self.vectorizer_ = TfidfVectorizer(analyzer=terms, sublinear_tf=True, dtype=np.float32)
        try:
            self.matrix_ = self.vectorizer_.fit_transform(docs).tocsr()  # (n_partners, n_terms), rows L2-normal
        except ValueError:  # no partner has a word yet (an early evaluation year): no text signal
            self.vectorizer_, self.matrix_ = None, None
        self.n_partners_ = len(ids)
        return self

    def query(self, texts: list[str | None]) -> tuple[np.ndarray, np.ndarray]:
        """(fit of every partner per text in [0, 1], shape (len(texts), n_partners); whether each
        text had a term the catalog uses)."""
        out = np.zeros((len(texts), self.n_partners_), dtype=np.float32)
        if self.vectorizer_ is None:
            return out, np.zeros(len(texts), dtype=bool)
        q = self.vectorizer_.transform([t or "" for t in texts])
        has = np.diff(q.indptr) > 0
        if has.any():
            sims = (q[has] @ self.matrix_.T).toarray()
            out[has] = np.minimum(sims / self.saturation, 1.0)
        return out, has

    def shared_terms(self, text: str | None, partner: int, limit: int = 3) -> list[str]:
        """The request's terms that the partner's words also use, rarest (most telling) first."""
        if self.vectorizer_ is None:
            return []
        vocab = self.vectorizer_.vocabulary_
        mine = {vocab[t] for t in terms(text) if t in vocab}
        row = self.matrix_[partner]
        shared = mine & set(row.indices.tolist())
        idf, names = self.vectorizer_.idf_, self.vectorizer_.get_feature_names_out()
        return [t for _, t in sorted((-idf[i], str(names[i])) for i in shared)][:limit]
