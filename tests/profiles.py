"""Typed profiles from plain dicts, the way the API builds them (shared by the test modules)."""

from __future__ import annotations

from kbio_match.features.profile import Profile
from kbio_match.service.schemas import MatchRequest


def as_profile(body: dict) -> Profile:
    """A ``Profile`` from a match body; ``company`` may be left out."""
    body = {"company": {"name": "Test Co"}, **body}
    return MatchRequest.model_validate(body).to_profile()
