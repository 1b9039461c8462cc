"""The layers of DESIGN.md, checked on the import statements of every module."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ALLOWED = {"scenarios": set(), "geometry": {"scenarios"}, "devices": {"scenarios"},
           "sim": {"scenarios", "geometry", "devices"},
           "harness": {"scenarios", "geometry", "devices", "sim"}}
IO = {"pymodbus", "asyncua", "aiohttp", "socket"}
FORBIDDEN = {"scenarios": IO | {"simpy", "asyncio"}, "geometry": IO | {"simpy", "asyncio"},
             "devices": IO, "sim": IO}


def imports(path: Path) -> list[str]:
    out = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            out += [a.name.split(".")[0] for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.append(node.module.split(".")[0])
    return out


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_imports_point_down_the_layers(package: str) -> None:
    wrong = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for name in imports(path):
            if name in ALLOWED and name != package and name not in ALLOWED[package]:
                wrong.append(f"{path.relative_to(ROOT)} imports {name}")
            if name in FORBIDDEN.get(package, set()):
                wrong.append(f"{path.relative_to(ROOT)} imports {name} (I/O belongs in harness)")
    assert wrong == []


def test_nothing_imports_harness_but_tests() -> None:
    for package in ("scenarios", "geometry", "devices", "sim"):
        for path in (ROOT / package).rglob("*.py"):
            assert "harness" not in imports(path), path


# Inside harness, by role: sub-package -> the harness sub-packages it must not import.
HARNESS_FORBIDDEN = {
    "faces": {"platforms", "evidence", "report", "cli"},
    # platforms reach faces only over sockets, through what the faces published (contract)
    "platforms": {"faces", "evidence", "report", "cli"},
    "evidence": {"faces", "platforms", "report", "cli"},
    "report": {"faces", "platforms", "cli"},
    "contract": {"faces", "platforms", "evidence", "report", "cli"},
}
ROLES = ("faces", "platforms", "evidence", "report", "cli", "contract")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported_modules(path: Path, known: set[str]) -> set[str]:
    """Our modules a file names in its imports (`from a.b import c` is `a.b.c` when that is a
    module, else `a.b`); the parent packages Python loads on the way are not counted."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name in known}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            subs = {f"{node.module}.{a.name}" for a in node.names} & known
            if subs:
                out |= subs
            elif node.module in known:
                out.add(node.module)
    return out


def _all_modules() -> dict[str, Path]:
    return {_module_name(p): p for pkg in ALLOWED for p in (ROOT / pkg).rglob("*.py")}


def test_harness_is_split_by_role() -> None:
    folders = {p.name for p in (ROOT / "harness").iterdir()
               if p.is_dir() and (p / "__init__.py").exists()}
    assert folders == set(ROLES)
    loose = [p.name for p in (ROOT / "harness").glob("*.py") if p.name != "__init__.py"]
    assert loose == []


def test_harness_roles_import_only_what_their_layer_allows() -> None:
    modules = _all_modules()
    wrong = []
    for name, path in modules.items():
        parts = name.split(".")
        if parts[0] != "harness" or len(parts) < 2:
            continue
        for target in _imported_modules(path, set(modules)):
            tparts = target.split(".")
            if tparts[0] == "harness" and len(tparts) > 1 and tparts[1] in HARNESS_FORBIDDEN.get(
                    parts[1], set()):
                wrong.append(f"{name} imports {target}")
            if parts[1] == "platforms" and tparts[0] == "harness" and tparts[1:2] == ["faces"]:
                wrong.append(f"{name} imports a face ({target}): platforms use sockets only")
    assert wrong == []


def test_no_import_cycles_anywhere() -> None:
    import networkx as nx

    modules = _all_modules()
    graph = nx.DiGraph()
    for name, path in modules.items():
        graph.add_node(name)
        graph.add_edges_from((name, t) for t in _imported_modules(path, set(modules)) if t != name)
    assert list(nx.simple_cycles(graph)) == []


def test_modules_stay_small() -> None:
    big = {name: n for name, path in _all_modules().items()
           if (n := path.read_text("utf-8").count("\n")) > 400}
    assert big == {}
