"""The house rules: imports go one way (cli -> service -> models -> features -> paths), no module
imports a higher layer or sits in an import cycle, and no source file is over 400 lines."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = {"features": "kbio_match.features", "models": "kbio_match.models", "service": "kbio_match.service"}
LAYER = {
    "kbio_match.paths": 0,
    "kbio_match.features": 1,
    "kbio_match.models": 2,
    "kbio_match.service": 3,
    "kbio_match.console": 4,
    "kbio_match.cli": 4,  # and kbio_match.cli_jobs
}


def _modules() -> dict[str, Path]:
    found = {f"kbio_match.{p.stem}": p for p in (ROOT / "kbio_match").glob("*.py") if p.stem != "__init__"}
    for folder, package in FOLDERS.items():
        for path in (ROOT / folder).rglob("*.py"):
            parts = path.relative_to(ROOT / folder).with_suffix("").parts
            found[".".join((package, *parts)).removesuffix(".__init__")] = path
    return found


def _layer(module: str) -> int:
    return next(v for k, v in sorted(LAYER.items(), key=lambda kv: -len(kv[0])) if module.startswith(k))


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("kbio_match."):
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names |= {a.name for a in node.names if a.name.startswith("kbio_match.")}
    return names


MODULES = _modules()
GRAPH = {m: {i for i in _imports(p) if i in MODULES} for m, p in MODULES.items()}


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_import_from_a_higher_layer(module):
    upward = [i for i in GRAPH[module] if _layer(i) > _layer(module)]
    assert not upward, f"{module} imports the higher layer(s) {upward}"


def test_no_import_cycle():
    state: dict[str, int] = {}

    def visit(node, trail):
        state[node] = 1
        for nxt in GRAPH[node]:
            if state.get(nxt) == 1:
                raise AssertionError("import cycle: " + " -> ".join([*trail, node, nxt]))
            if not state.get(nxt):
                visit(nxt, [*trail, node])
        state[node] = 2

    for module in sorted(GRAPH):
        if not state.get(module):
            visit(module, [])


def test_no_source_file_over_400_lines():
    long = {str(p.relative_to(ROOT)): n for p in MODULES.values() if (n := len(p.read_text().splitlines())) > 400}
    assert not long, long
