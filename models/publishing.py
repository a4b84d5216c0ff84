"""Publishing a model version: compare with the served model, ask a service to reload."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pandas as pd

__all__ = ["compare_metrics", "served_model", "request_reload"]


def compare_metrics(new: dict, current: dict | None, *, protocol: str = "time_split") -> pd.DataFrame:
    """Overall metrics of the model in two manifests' ``metrics``, side by side with the change."""
    metrics = ["hit@1", "hit@5", "hit@10", "mrr", "ndcg@10"]
    new_row = new[protocol]["model"]
    rows = []
    for m in metrics:
        # a model built on start carries no evaluation: nothing to compare against
        old = ((current or {}).get(protocol) or {}).get("model", {}).get(m)
        rows.append(
            {
                "metric": m,
                "new": new_row[m],
                "served": old,
                "change": None if old is None else round(new_row[m] - old, 4),
            }
        )
    return pd.DataFrame(rows)


def _call(
    method: str, url: str, body: dict | None = None, key: str | None = None, timeout: float = 60
) -> tuple[int, dict]:
    headers = {"Content-Type": "application/json"}
    if key:
        headers["X-API-Key"] = key
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def served_model(base_url: str, *, key: str | None = None) -> dict:
    """``GET /v1/model`` of a running service."""
    status, body = _call("GET", base_url.rstrip("/") + "/v1/model", key=key)
    if status != 200:
        raise RuntimeError(f"GET /v1/model answered {status}: {body.get('error', {}).get('message')}")
    return body


def request_reload(base_url: str, *, admin_key: str | None = None, artifact: str | None = None) -> dict:
    """``POST /v1/model/reload``; the service verifies the artifact's hash before swapping it in.

    Raises
    ------
    RuntimeError
        With the service's reason when it refuses.
    """
    status, body = _call(
        "POST", base_url.rstrip("/") + "/v1/model/reload", {"artifact": artifact} if artifact else {}, key=admin_key
    )
    if status != 200:
        raise RuntimeError(f"reload refused ({status}): {body.get('error', {}).get('message')}")
    return body
