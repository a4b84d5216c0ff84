"""The business-development web page, served from files shipped with the package."""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse
from kbio_match.service.errors import ApiError

router = APIRouter(include_in_schema=False)
_STATIC = resources.files("kbio_match.service.web") / "static"
_TYPES = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml", ".html": "text/html"}


@router.get("/", response_class=HTMLResponse)
def index():
    return FileResponse(str(_STATIC / "index.html"), media_type="text/html")


@router.get("/events", response_class=HTMLResponse)
def events_page():
    return FileResponse(str(_STATIC / "events.html"), media_type="text/html")


@router.get("/static/{name}")
def static(name: str):
    path = _STATIC / name
    suffix = "." + name.rsplit(".", 1)[-1] if "." in name else ""
    if "/" in name or name.startswith(".") or suffix not in _TYPES or not path.is_file():
        raise ApiError(404, "not_found", f"no static file '{name}'")
    return FileResponse(str(path), media_type=_TYPES[suffix])
