"""Service settings, read late from ``KBIO_*`` environment variables (never at import)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from kbio_match import paths

MAX_BODY_BYTES = 1024 * 1024


def _keys(raw: str | None) -> dict[str, str]:
    """Parse ``tenant:key,tenant:key`` into {key: tenant}."""
    out: dict[str, str] = {}
    for pair in (raw or "").split(","):
        pair = pair.strip()
        if not pair:
            continue
        tenant, sep, key = pair.partition(":")
        if not sep or not tenant.strip() or not key.strip():
            raise ValueError("API keys must be comma-separated tenant:key pairs")
        out[key.strip()] = tenant.strip()
    return out


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KBIO_", extra="ignore")

    database_url: str = Field(default_factory=paths.database_url)
    model_dir: Path = Field(default_factory=paths.model_dir)
    data_dir: Path = Field(default_factory=paths.data_dir)
    api_keys: str | None = None
    admin_api_keys: str | None = None
    max_body_bytes: int = MAX_BODY_BYTES
    # a request waits this long for its write to commit, then gets 503 instead of hanging
    write_timeout_s: float = 30.0

    def key_table(self) -> dict[str, tuple[str, bool]]:
        """{key: (tenant, is_admin)} for every configured key."""
        table = {key: (tenant, False) for key, tenant in _keys(self.api_keys).items()}
        table.update({key: (tenant, True) for key, tenant in _keys(self.admin_api_keys).items()})
        return table


@lru_cache
def get_settings() -> Settings:
    return Settings()
