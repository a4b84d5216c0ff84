"""Domain errors mapped to the contract's JSON error object, in one place."""

from __future__ import annotations

import difflib
import logging
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from kbio_match.service.group_commit import StorageBusy
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An error the client caused (or a refused operation), with its HTTP status."""

    def __init__(self, status: int, code: str, message: str, details: list | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details or []


def validation_error(details: list[dict]) -> ApiError:
    """A 422 from details that each name the field, the value, the allowed ids and the closest one."""
    return ApiError(422, "validation_error", f"{details[0]['field']}: {details[0]['message']}", details)


def unknown_ids(field: str, values: list[str], allowed, what: str) -> list[dict]:
    """One 422 detail per value not in ``allowed``: ``field[i]``, the value, the allowed ids, the closest."""
    ordered = sorted(allowed)
    details = []
    for i, value in enumerate(values):
        if value not in allowed:
            closest = difflib.get_close_matches(value, ordered, n=1, cutoff=0.0)
            details.append(
                {
                    "field": f"{field}[{i}]",
                    "value": value,
                    "message": f"unknown {what} '{value}'",
                    "allowed": ordered,
                    "closest": closest[0] if closest else None,
                }
            )
    return details


class NotFound(ApiError):
    def __init__(self, what: str, ident: str):
        super().__init__(404, "not_found", f"unknown {what} '{ident}'", [{"field": what, "value": ident}])


def error_body(code: str, message: str, details: list | None = None) -> dict:
    return {"error": {"code": code, "message": message, "details": details or []}}


def _field(loc: tuple) -> str:
    parts = [p for p in loc if p not in ("body", "query", "path", "header")]
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "body"


def _safe(value):
    """Echo a bad value back only if it is small and JSON-safe."""
    if isinstance(value, str):
        value = value.encode("utf-8", "replace").decode("utf-8")
        return value if len(value) <= 200 else value[:200] + "..."
    if isinstance(value, (int, float, bool)) or value is None:
        return value
    return None


def validation_details(errors: list[dict]) -> list[dict]:
    details = []
    for err in errors:
        ctx = err.get("ctx") or {}
        item = {
            "field": _field(tuple(err.get("loc", ()))),
            "message": err.get("msg", "invalid value"),
            "type": err.get("type", "value_error"),
        }
        if "input" in err and err.get("type") != "missing":
            item["value"] = _safe(err["input"])
        if "allowed" in ctx:
            item["allowed"] = list(ctx["allowed"])
        if ctx.get("closest"):
            item["closest"] = ctx["closest"]
        details.append(item)
    return details


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError):
        return JSONResponse(error_body(exc.code, exc.message, exc.details), status_code=exc.status)

    @app.exception_handler(StorageBusy)
    async def _busy(request: Request, exc: StorageBusy):
        return JSONResponse(
            error_body("storage_busy", f"{exc}; try again", []), status_code=503, headers={"Retry-After": "1"}
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        errors = list(exc.errors())
        if any(e.get("type") == "json_invalid" for e in errors):
            return JSONResponse(
                error_body(
                    "malformed_json",
                    "the request body is not valid JSON",
                    [{"field": "body", "message": errors[0].get("msg", "")}],
                ),
                status_code=400,
            )
        details = validation_details(errors)
        first = details[0] if details else {"field": "body", "message": "invalid"}
        message = f"{first['field']}: {first['message']}"
        return JSONResponse(error_body("validation_error", message, details), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        status = exc.status_code
        code = (
            HTTPStatus(status).phrase.lower().replace(" ", "_") if status in HTTPStatus._value2member_map_ else "error"
        )
        message = exc.detail if isinstance(exc.detail, str) else HTTPStatus(status).phrase
        if status == 404 and message == "Not Found":
            message = f"no route {request.method} {request.url.path}"
        return JSONResponse(error_body(code, message), status_code=status, headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse(error_body("internal_error", "internal error; this is a bug"), status_code=500)
