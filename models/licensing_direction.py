"""Which way a licensing fact points, from the Korean side: out (it licensed its asset to someone)
or in (it took rights to someone else's). A fact pointing the other way from what is sought argues
against the match, so the explainer never quotes it as a reason for it."""

from __future__ import annotations

import re

__all__ = ["contradicts"]

_OUT = (
    "out-licens",
    "licensed to",
    "license to",
    "licence to",
    "license of",
    "licensed its",
    "ex-korea rights",
    "transferred technology",
)
# "licensed <what> to <whom>" with the asset named in between; not "licensed Korean rights to" or
# "licensed from", which point in
_LICENSED_TO = re.compile(r"\blicen[cs]ed\b(?:(?!\bright|\bfrom\b)[^.;|]){0,80}?\bto\b")
_IN = ("in-licens", "korean rights", "rights in korea", "korean licen", "took exclusive korean", "co-promot")
_CONTRARY = {"license_out": _OUT, "license_in": _IN}  # sought type -> cues of the opposite direction
_SAME = {"license_out": _IN, "license_in": _OUT}


def _points(lowered: str, cues: tuple[str, ...]) -> bool:
    return any(c in lowered for c in cues) or (cues is _OUT and _LICENSED_TO.search(lowered) is not None)


def contradicts(text: str, seeking: tuple[str, ...]) -> bool:
    """A licensing fact that points the other way from every licensing type sought."""
    lowered = text.lower()
    directed = [t for t in seeking if t in _CONTRARY]
    return bool(directed) and all(_points(lowered, _CONTRARY[t]) and not _points(lowered, _SAME[t]) for t in directed)
