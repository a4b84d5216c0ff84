"""API keys: off unless configured; every /v1 route then needs ``X-API-Key``."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader
from kbio_match.service.errors import ApiError

LOCAL_TENANT = "local"
_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="Needed when KBIO_API_KEYS is set")


@dataclass(frozen=True)
class Tenant:
    name: str
    is_admin: bool


def _lookup(table: dict[str, tuple[str, bool]], key: str) -> tuple[str, bool] | None:
    # compare against every key, without stopping early, so timing does not tell how close a guess was
    found = None
    given = key.encode()
    for candidate, owner in table.items():
        if hmac.compare_digest(candidate.encode(), given):
            found = owner
    return found


async def current_tenant(request: Request, key: Annotated[str | None, Depends(_header)]) -> Tenant:
    table = request.app.state.key_table
    if not table:
        return Tenant(LOCAL_TENANT, is_admin=True)
    if not key:
        raise ApiError(401, "missing_api_key", "this service needs an X-API-Key header")
    owner = _lookup(table, key)
    if owner is None:
        raise ApiError(403, "invalid_api_key", "the X-API-Key is not a known key")
    return Tenant(*owner)


async def admin_tenant(tenant: Annotated[Tenant, Depends(current_tenant)]) -> Tenant:
    if not tenant.is_admin:
        raise ApiError(403, "admin_only", "this operation needs an admin API key")
    return tenant


TenantDep = Annotated[Tenant, Depends(current_tenant)]
AdminDep = Annotated[Tenant, Depends(admin_tenant)]
