"""The model being served and its partner index, swapped atomically on reload."""

from __future__ import annotations

import gc
import threading
from dataclasses import dataclass

from kbio_match.features.index import PartnerIndex
from kbio_match.models.persistence import LoadedModel


@dataclass(frozen=True)
class Served:
    loaded: LoadedModel

    @property
    def index(self) -> PartnerIndex:
        return self.loaded.model.index


class ModelState:
    """Holds what is served; readers take ``current`` once per request, reload swaps it whole."""

    def __init__(self, loaded: LoadedModel):
        self._served = Served(loaded)
        self._lock = threading.Lock()

    @property
    def current(self) -> Served:
        return self._served

    def swap(self, loaded: LoadedModel) -> Served:
        served = Served(loaded)
        with self._lock:
            previous, self._served = self._served, served
        gc.freeze()  # the new model is long-lived too (see the app's lifespan)
        return previous
