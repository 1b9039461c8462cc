"""Reading untrusted TOML: bounded size, strict UTF-8, bounded nesting, one `ScenarioError`.

Scenario files, acceptance profiles and catalogues all come through here, so no file makes a
loader hang, exhaust memory or end in a traceback, and every refusal names the file.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from scenarios.errors import Problem, ScenarioError, format_path

#: Largest TOML file, bytes. A generated 100,000-household community is about 40 MiB;
#: nothing a person writes comes near it.
MAX_FILE_BYTES = 64 * 2**20
#: Deepest nesting of tables and arrays; the schema's deepest leaf (a coordinate of a point of
#: a building's footprint in a compound of the site) is 7 levels down.
MAX_DEPTH = 24


def read_text(path: Path, unreadable_hint: str = "") -> str:
    """The file's text; a ScenarioError if it cannot be read, is too big or is not UTF-8."""
    try:
        with path.open("rb") as f:
            raw = f.read(MAX_FILE_BYTES + 1)  # never more: the file may be huge or endless
    except OSError as exc:
        raise ScenarioError(str(path), [Problem("<file>", str(path),
                                                f"cannot be read ({exc.strerror})"
                                                + unreadable_hint)]) from None
    if len(raw) > MAX_FILE_BYTES:
        raise ScenarioError(path.name, [Problem("<file>", f"> {MAX_FILE_BYTES} bytes",
                                                f"must be <= {MAX_FILE_BYTES // 2**20} MiB")])
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(path.name, [Problem("<file>", f"byte {exc.start}",
                                                f"not valid UTF-8 ({exc.reason})")]) from None


def parse(text: str, file: str) -> dict[str, Any]:
    """TOML text -> a dict no deeper than `MAX_DEPTH`, or a ScenarioError naming `file`."""
    if len(text) > MAX_FILE_BYTES:
        raise ScenarioError(file, [Problem("<file>", f"{len(text)} characters",
                                           f"must be <= {MAX_FILE_BYTES // 2**20} MiB")])
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(file, [Problem("<toml>", None, f"not valid TOML: {exc}")]) from None
    except RecursionError:
        # tomllib parses nested arrays and inline tables recursively
        raise ScenarioError(file, [Problem("<toml>", None,
                                           f"nested deeper than {MAX_DEPTH} levels")]) from None
    deep = _too_deep(data)
    if deep is not None:
        raise ScenarioError(file, [Problem(format_path(deep), None,
                                           f"nested deeper than {MAX_DEPTH} levels")])
    return data


def _too_deep(data: dict[str, Any]) -> tuple[int | str, ...] | None:
    """The path to the first node nested deeper than `MAX_DEPTH`, or None (no recursion)."""
    stack: list[tuple[Any, tuple[int | str, ...]]] = [(data, ())]
    while stack:
        node, path = stack.pop()
        if len(path) > MAX_DEPTH:
            return path
        if isinstance(node, dict):
            stack.extend((v, (*path, k)) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((v, (*path, i)) for i, v in enumerate(node))
    return None
