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
