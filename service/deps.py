"""Dependencies handing routes what the lifespan built."""

from __future__ import annotations

import difflib
from typing import Annotated

from fastapi import Depends, Request
from kbio_match.service.errors import validation_error
from kbio_match.service.state import ModelState, Served
from kbio_match.service.storage import Store


async def get_served(request: Request) -> Served:
    state: ModelState = request.app.state.model_state
    return state.current


async def get_model_state(request: Request) -> ModelState:
    return request.app.state.model_state


async def get_store(request: Request) -> Store:
    return request.app.state.store


ServedDep = Annotated[Served, Depends(get_served)]
ModelStateDep = Annotated[ModelState, Depends(get_model_state)]
StoreDep = Annotated[Store, Depends(get_store)]


def check_ids(field: str, values: list[str], allowed: frozenset[str] | set[str]) -> None:
    """422 naming the field, the bad value, the allowed ids and the closest one."""
    details = []
    for i, value in enumerate(values):
        if value not in allowed:
            closest = difflib.get_close_matches(value, sorted(allowed), n=1, cutoff=0.0)
            details.append(
                {
                    "field": f"{field}[{i}]",
                    "value": value,
                    "message": f"unknown cluster '{value}'",
                    "allowed": sorted(allowed),
                    "closest": closest[0] if closest else None,
                }
            )
    if details:
        raise validation_error(details)
