"""Dependencies handing routes what the lifespan built."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from kbio_match.service.errors import unknown_ids, validation_error
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
    details = unknown_ids(field, values, allowed, "cluster")
    if details:
        raise validation_error(details)
