"""Maximum likelihood of a conditional logit (a softmax over a choice set), with an L2 penalty
and optional sign constraints, by L-BFGS-B."""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize
from scipy.special import logsumexp

__all__ = ["fit_conditional_logit", "log_softmax"]


def fit_conditional_logit(
    features: list[np.ndarray],
    chosen: list[np.ndarray],
    C: float,
    signs: np.ndarray | None = None,
    start: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Coefficients maximising the softmax likelihood of the chosen partners, penalised by
    ||w||^2 / (2 C n) on standardised features; ``features[i]`` is (queries, partners, features).
    ``signs`` (+1, -1 or 0 per feature) constrains a coefficient to be non-negative,
    non-positive or free; ``start`` is a first guess of the standardised coefficients (a previous
    fit). Returns the coefficients per raw feature, the features' standard deviations and the
    standardised coefficients."""
    flat = np.concatenate([f.reshape(-1, f.shape[-1]) for f in features])
    mean, sd = flat.mean(axis=0), flat.std(axis=0)
    sd[sd < 1e-6] = 1.0  # a constant feature (no partner has it) gets no weight
    z = [((f - mean) / sd).astype(np.float64) for f in features]
    n = sum(len(c) for c in chosen)

    def loss(w):
        value, grad = 0.0, np.zeros_like(w)
        for f, c in zip(z, chosen, strict=True):
            s = f @ w
            lse = logsumexp(s, axis=1)
            p = np.exp(s - lse[:, None])
            at = np.arange(len(c))
            value -= (s[at, c] - lse).sum()
            grad -= (f[at, c] - np.einsum("qp,qpf->qf", p, f)).sum(axis=0)
        return value / n + w @ w / (2 * C * n), grad / n + w / (C * n)

    signs = np.zeros(flat.shape[1]) if signs is None else signs
    lower, upper = np.where(signs > 0, 0.0, -np.inf), np.where(signs < 0, 0.0, np.inf)
    bounds = [(None if np.isinf(lo) else lo, None if np.isinf(hi) else hi) for lo, hi in zip(lower, upper, strict=True)]
    x0 = np.zeros(flat.shape[1]) if start is None else np.clip(start, lower, upper)
    result = minimize(loss, x0, jac=True, method="L-BFGS-B", bounds=bounds, options={"maxiter": 500})
    return result.x / sd, sd, result.x  # per raw feature: a softmax needs no intercept, so the mean drops out


def log_softmax(logits: np.ndarray) -> np.ndarray:
    return logits - logsumexp(logits, axis=1, keepdims=True)
