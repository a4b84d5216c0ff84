"""The FastAPI application factory and its lifespan."""

from __future__ import annotations

import gc
import logging
from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI
from kbio_match.models.training import ensure_model
from kbio_match.service.auth import current_tenant
from kbio_match.service.errors import install_error_handlers
from kbio_match.service.limits import BodyLimitMiddleware
from kbio_match.service.routers import catalog, events, history, match, model
from kbio_match.service.schemas import Health
from kbio_match.service.settings import Settings, get_settings
from kbio_match.service.state import ModelState
from kbio_match.service.storage import Store
from kbio_match.service.web import routes as web

import kbio_match

log = logging.getLogger(__name__)


@asynccontextmanager
async def lifespan(app: FastAPI):
    settings: Settings = app.state.settings
    app.state.key_table = settings.key_table()
    app.state.store = Store(settings.database_url, write_timeout=settings.write_timeout_s)
    loaded = ensure_model(settings.model_dir, data_dir=settings.data_dir)
    app.state.model_state = ModelState(loaded)
    log.info("serving model %s (%d partners)", loaded.version, len(loaded.model.index))
    # the model and catalog are long-lived: keep the collector from re-scanning them on every full
    # collection (tens of milliseconds that land on whichever request triggers it)
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        app.state.store.close()


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; settings default to the ``KBIO_*`` environment, read now (not at import)."""
    settings = settings or get_settings()
    app = FastAPI(
        title="kbio-match",
        version=kbio_match.__version__,
        lifespan=lifespan,
        description="Ranks Korean biopharma partners for a foreign company's pipeline, with reasons.",
    )
    app.state.settings = settings
    install_error_handlers(app)
    v1 = APIRouter(prefix="/v1", dependencies=[Depends(current_tenant)])
    for module in (match, events, catalog, model, history):
        v1.include_router(module.router)
    app.include_router(v1)

    @app.get("/healthz", response_model=Health, tags=["health"])
    def healthz():
        return {"status": "ok"}

    app.include_router(web.router)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    return app
