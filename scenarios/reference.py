"""The scenario reference (`docs/scenario.md`), written from the schema's own models.

Every table of the file, every key, type, unit, default, range and meaning, comes from the
pydantic models and their field descriptions, so the reference cannot drift from what the loader
accepts; `tests/scenarios/test_reference.py` fails when the committed file is stale.
`render()` returns the text; `python -m scenarios.reference [FILE]` rewrites the file.
`json_schema()` is the same schema as JSON Schema, for editors (`commtwin schema`).
"""

from __future__ import annotations

import re
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from scenarios.model import INCIDENT_DEVICE_KIND, DeviceKind, IncidentKind, Scenario

#: Where the reference lives in the repository, and the command that rewrites it.
DOC_PATH = Path("docs/scenario.md")
REGENERATE = "PYTHONPATH=. python -m scenarios.reference"

#: Unit of a field by the suffix of its name (the schema's naming rule: units in names).
_UNIT_SUFFIXES = (("_per_hour", "1/h"), ("_per_h", "1/h"), ("_ms", "ms"), ("_km", "km"),
                  ("_dbm", "dBm"), ("_dbi", "dBi"), ("_db", "dB"), ("_ghz", "GHz"),
                  ("_mhz", "MHz"), ("_khz", "kHz"), ("_deg", "°"), ("_px", "px"),
                  ("_s", "s"), ("_m", "m"))
_UNIT_NAMES = {"lat": "°", "lon": "°", "at": "s", "duration": "s"}
_CONSTRAINTS = (("ge", "≥ {}"), ("gt", "> {}"), ("le", "≤ {}"), ("lt", "< {}"))
#: Literal types with a name of their own, listed once in "Kinds" instead of in every table.
_NAMED = {get_args(DeviceKind): ("device kind", "device-kinds"),
          get_args(IncidentKind): ("incident kind", "incident-kinds")}

_INTRO = """\
# Scenario file reference

<!-- Generated from the scenario models by `{cmd}`; do not edit by hand. -->

A scenario is one TOML file, schema version 1. This page lists every table and key the loader
accepts, with its type, unit, default, allowed range and meaning; it is written from the models
that validate the file, so it says exactly what the loader checks. To write one step by step,
see [your-community.md](your-community.md); the bundled
[demo](../scenarios/data/demo.toml) is a complete example.

Conventions:

- **Coordinates** are metres in a local east/north frame whose `[0, 0]` is `site.origin`
  (WGS 84 latitude/longitude); a point is `[east, north]`, a polygon an array of points (not
  closed: the first point is not repeated). `commtwin import-geojson` converts lat/lon for you.
- **Times** ending in `_s` are simulated seconds, except in `[platform]` and `[opcua]`, which
  describe things outside the twin and use wall-clock seconds (each key says which).
- **Unknown keys are errors**, and so is any value outside its range: the error names the file,
  the key's path, the value and the rule, e.g.
  `site.toml: run.speed = 0.5: input should be greater than or equal to 1`.
  Defaults live in the schema only. NaN and infinity are refused everywhere.
- **Ids** that become OPC UA NodeIds and Modbus/report keys (compounds, buildings, gateways,
  devices) are letters, digits, `_` and `-`, at most 64, starting with a letter or digit.
- **Cross-references** are checked after the fields: a device's building, gateway and unit id,
  an incident's target (a device of the kind the incident needs), a feature's building and
  floor, a splitter's feed, a drop's splitter, a fault's target; every polygon must be valid with
  an area, and the site's bounding box at most 10 km a side.
- **Editors** complete and check scenario files with the JSON Schema that `commtwin schema`
  writes (see [your-community.md](your-community.md#editor-support)).

An empty *default* cell means the key is required.
"""


def slug(heading: str) -> str:
    """GitHub's anchor for a Markdown heading: lower case, punctuation dropped, spaces to '-'."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _strip(annotation: Any) -> tuple[Any, list[Any]]:
    """The bare type and the constraint metadata of an `Annotated[...]`."""
    meta: list[Any] = []
    while get_origin(annotation) is Annotated:
        annotation, *extra = get_args(annotation)
        meta.extend(extra)
    return annotation, meta


def _num(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}" if isinstance(value, int) else f"{value:g}"


def _constraints(meta: list[Any]) -> list[str]:
    """Range, length and pattern rules from pydantic/annotated-types metadata."""
    items: list[Any] = []
    for m in meta:
        items.extend([m, *m.metadata] if isinstance(m, FieldInfo) else [m])
    out: list[str] = []
    for attr, fmt in _CONSTRAINTS:
        out.extend(fmt.format(_num(getattr(m, attr))) for m in items
                   if getattr(m, attr, None) is not None)
    lo = next((m.min_length for m in items if getattr(m, "min_length", None) is not None), None)
    hi = next((m.max_length for m in items if getattr(m, "max_length", None) is not None), None)
    if lo is not None or hi is not None:
        out.append(f"length {_num(lo or 0)}…{_num(hi)}" if hi is not None
                   else f"length ≥ {_num(lo)}")
    out.extend(f"pattern `{m.pattern}`" for m in items
               if isinstance(getattr(m, "pattern", None), str))
    return out


class _Ref:
    """The section a nested model is documented in (a TOML table path)."""

    def __init__(self) -> None:
        self.sections: list[tuple[str, type[BaseModel], bool]] = []


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _section_title(path: str, array: bool) -> str:
    return f"[[{path}]]" if array else f"[{path}]"


def _type_text(annotation: Any, path: str) -> str:
    """A TOML-minded description of a type, with nested constraints inline."""
    tp, meta = _strip(annotation)
    rules = _constraints(meta)
    origin = get_origin(tp)
    args = get_args(tp)
    if origin in (Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        return " or ".join(_type_text(a, path) for a in inner)
    if origin is Literal:
        if args in _NAMED:
            name, anchor = _NAMED[args]
            text = f"[{name}](#{anchor})"
        else:
            text = "one of " + ", ".join(f"`{_toml(a)}`" for a in args)
    elif origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        item = args[0]
        if _is_model(_strip(item)[0]):
            return f"array of tables [`{_section_title(path, True)}`](#{slug(path)})"
        text = f"array of {_type_text(item, path)}"
    elif origin is tuple:
        if len(args) == 2 and all(_strip(a)[1] for a in args):
            each = _constraints(_strip(args[0])[1])
            return "[east, north]" + (f" (each {', '.join(each)})" if each else "")
        text = "[" + ", ".join(_type_text(a, path) for a in args) + "]"
    elif origin is dict and _is_model(_strip(args[1])[0]):
        keyed = f"{path}.<key>"
        return (f"table of {_type_text(args[0], path)} = table "
                f"[`{_section_title(keyed, False)}`](#{slug(keyed)})")
    elif origin is dict:
        text = f"table of {_type_text(args[0], path)} = {_type_text(args[1], path)}"
    elif _is_model(tp):
        return f"table [`{_section_title(path, False)}`](#{slug(path)})"
    else:
        text = {bool: "boolean", int: "integer", float: "number", str: "string"}.get(
            tp, getattr(tp, "__name__", str(tp)))
    return text + (f" ({', '.join(rules)})" if rules else "")


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + " }" \
            if value else "{}"
    return str(value)


def _default(field: FieldInfo) -> str:
    if field.default_factory is not None:
        value: Any = field.default_factory()  # type: ignore[call-arg]
    elif field.default is PydanticUndefined:
        return ""
    else:
        value = field.default
    if value is None:
        return "omitted"
    if isinstance(value, BaseModel):
        return "its defaults"
    return f"`{_toml(value)}`"


def _unit(name: str, annotation: Any) -> str:
    if name in _UNIT_NAMES:
        return _UNIT_NAMES[name]
    for suffix, unit in _UNIT_SUFFIXES:
        if name.endswith(suffix):
            return unit
    text = str(annotation)
    return "m" if "metres from site.origin" in text else ""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _nested(annotation: Any) -> Iterator[tuple[type[BaseModel], bool]]:
    """Models a field holds: (model, as an array of tables?)."""
    tp, _ = _strip(annotation)
    origin, args = get_origin(tp), get_args(tp)
    if _is_model(tp):
        yield tp, False
    elif origin is dict and _is_model(_strip(args[1])[0]):
        yield _strip(args[1])[0], False
    elif origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        inner = _strip(args[0])[0]
        if _is_model(inner):
            yield inner, True
    elif origin in (Union, types.UnionType):
        for a in args:
            if _is_model(a):
                yield a, False


def _sections(model: type[BaseModel], path: str, array: bool,
              out: list[tuple[str, type[BaseModel], bool]]) -> None:
    out.append((path, model, array))
    for name, field in model.model_fields.items():
        tp = _strip(field.annotation)[0]
        keyed = get_origin(tp) is dict  # a table of tables: one per key, e.g. per incident kind
        for sub, sub_array in _nested(field.annotation):
            where = f"{path}.{name}" if path else name
            _sections(sub, f"{where}.<key>" if keyed else where, sub_array, out)


def _table(model: type[BaseModel], path: str) -> list[str]:
    rows = ["| key | type | unit | default | range | meaning |", "|---|---|---|---|---|---|"]
    for name, field in model.model_fields.items():
        sub = f"{path}.{name}" if path else name
        rules = ", ".join(_constraints([field]))
        rows.append("| " + " | ".join(_cell(c) for c in (
            f"`{name}`", _type_text(field.annotation, sub), _unit(name, field.annotation),
            _default(field), rules, field.description or "")) + " |")
    return rows


def _doc(model: type[BaseModel]) -> str:
    text = (model.__doc__ or "").strip()
    return " ".join(text.split("\n\n")[0].split()) if text else ""


def _kinds() -> list[str]:
    lines = ["## Kinds", "", "### Device kinds", "",
             "Each kind's points, alarms and commands are listed in [devices.md](devices.md).", ""]
    lines += [f"- `{k}`" for k in get_args(DeviceKind)]
    lines += ["", "### Incident kinds", "",
              "An incident happens on a device of one kind; `incidents.scripted[].target` must "
              "name such a device, and a kind in `incidents.rates_per_hour` needs at least one.",
              "", "| incident kind | on a device of kind |", "|---|---|"]
    lines += [f"| `{k}` | `{INCIDENT_DEVICE_KIND[k]}` |" for k in get_args(IncidentKind)]
    return lines


def render() -> str:
    """The whole of `docs/scenario.md`."""
    sections: list[tuple[str, type[BaseModel], bool]] = []
    _sections(Scenario, "", False, sections)
    lines = [_INTRO.format(cmd=REGENERATE), "## Contents", ""]
    for path, _, array in sections[1:]:
        depth = path.count(".")
        title = _section_title(path, array)
        lines.append(f"{'  ' * depth}- [`{title}`](#{slug(path)})")
    lines += ["- [Kinds](#kinds)", "", "## Top level", "", _doc(Scenario), "",
              *_table(Scenario, ""), ""]
    for path, model, array in sections[1:]:
        # The heading is the dotted path (a stable anchor); the TOML header follows it.
        lines += [f"## {path}", "", f"`{_section_title(path, array)}`"
                  + (" — repeat the header once per entry" if array else ""), ""]
        doc = _doc(model)
        if doc:
            lines += [doc, ""]
        lines += [*_table(model, path), ""]
    lines += _kinds()
    return "\n".join(lines).rstrip() + "\n"


def json_schema() -> dict[str, Any]:
    """The scenario's JSON Schema (draft 2020-12): editors complete and check TOML files with it.

    It checks what the fields alone say (types, ranges, unknown keys); cross-references, such as
    a device's gateway, are the loader's and show only when the file is loaded.
    """
    schema = Scenario.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "commtwin scenario, schema version 1",
            "description": "A commtwin scenario file (TOML). Reference: docs/scenario.md.",
            **{k: v for k, v in schema.items() if k not in ("title", "description")}}


def main(argv: list[str] | None = None) -> None:
    """Write the reference to FILE (default `docs/scenario.md`)."""
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0]) if args else DOC_PATH
    target.write_text(render(), encoding="utf-8")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
