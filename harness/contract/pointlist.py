"""The register map an integrator hands to whoever configures the platform.

One row per point of every device: gateway and its address, unit id, table, protocol address
(0-based, as sent on the wire) and the traditional 1-based reference (00001/10001/30001/40001),
data type, word order, unit, scale, access and meaning. Rendered as CSV or Markdown.
"""

from __future__ import annotations

import csv
import io
from dataclasses import astuple, dataclass, fields

import devices
from devices import Table
from scenarios import Scenario

_REF_BASE = {Table.COIL: 1, Table.DISCRETE_INPUT: 10001, Table.INPUT_REGISTER: 30001,
             Table.HOLDING_REGISTER: 40001}


@dataclass(frozen=True)
class Row:
    gateway: str
    host: str
    port: int
    unit_id: int
    device: str
    kind: str
    point: str
    table: str
    address: int
    reference: int
    registers: int
    data_type: str
    word_order: str
    unit: str
    scale: float
    access: str
    meaning: str


def rows(scenario: Scenario) -> list[Row]:
    gateways = {g.id: g for g in scenario.gateways}
    out = []
    for d in sorted(scenario.devices, key=lambda d: (d.gateway, d.unit)):
        gw = gateways[d.gateway]
        for p in devices.KINDS[d.kind].POINTS:
            out.append(Row(gw.id, gw.host, gw.port, d.unit, d.id, d.kind, p.name, p.table.value,
                           p.address, _REF_BASE[p.table] + p.address, p.count, p.dtype.value,
                           gw.word_order if p.count > 1 else "", p.unit, p.scale,
                           p.access.value, p.description))
    return out


def header() -> list[str]:
    return [f.name for f in fields(Row)]


def to_csv(table: list[Row]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header())
    writer.writerows(astuple(r) for r in table)
    return buf.getvalue()


def to_markdown(table: list[Row]) -> str:
    cols = header()
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for r in table:
        cells = [str(c).replace("|", "\\|") for c in astuple(r)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


# -- docs/devices.md: every kind's point map, incidents and behaviour -------------------------

DOC_PATH = "docs/devices.md"

_DOC_HEAD = """# Device kinds

Generated from the code by `python -m harness.contract.pointlist` (a test fails when this
file is out of date). Each kind's point map is the frozen table at the top of its module in
`devices/`.

Conventions, for whoever configures the platform:
- Addresses are 0-based protocol addresses; `ref` is the traditional 1-based reference
  (00001 coils, 10001 discrete inputs, 30001 input registers, 40001 holding registers).
- Engineering value = raw integer x scale; FLOAT32 is IEEE 754 and ignores scale. 32-bit values
  take two registers in the gateway's word order (`big`: high word first; `little`: low first).
- Every alarm has four points: `<alarm>` (DI, 1 while active), `<alarm>_ack` (coil: write 1 to
  acknowledge; reads 1 while acknowledged), `<alarm>_seq` (IR, activations so far) and
  `<alarm>_changed_at` (IR UINT32, simulated second of the last change).
- Text (`<name>_w0..`) is UTF-8, two bytes per register, high byte first, NUL-padded: a
  GB/T 28181 id of 20 digits takes 10 registers (`devices.points.pack_text`/`unpack_text`).
- Command coils (`reset`, `onsite`) are momentary: they act on a write of 1 and read back 0.
"""


def kinds_markdown() -> str:
    """The whole of docs/devices.md."""
    import inspect

    out = [_DOC_HEAD]
    for kind, cls in sorted(devices.KINDS.items()):
        module = inspect.getmodule(cls)
        doc = inspect.cleandoc(module.__doc__ or "") if module else ""
        out.append(f"\n## `{kind}` ({cls.__name__}, `{cls.__module__}`)\n\n{doc}\n")
        if cls.INCIDENTS:
            out.append("\n| incident kind | alarm | resolved by | what happens |")
            out.append("|---|---|---|---|")
            for name, spec in sorted(cls.INCIDENTS.items()):
                how = (f"platform writes `{spec.resolve_point}`" if spec.resolve_point
                       else "clears by itself after `clear_after_s`")
                out.append(f"| `{name}` | `{spec.alarm}` | {how} | {spec.description} |")
        out.append("\n| point | table | address | ref | type | unit | scale | access | meaning |")
        out.append("|---|---|---|---|---|---|---|---|---|")
        for p in sorted(cls.POINTS, key=lambda p: ([*_REF_BASE].index(p.table), p.address)):
            meaning = p.description.replace("|", "\\|")
            out.append(f"| `{p.name}` | {p.table.value} | {p.address} | "
                       f"{_REF_BASE[p.table] + p.address} | {p.dtype.value} | {p.unit} | "
                       f"{p.scale:g} | {p.access.value} | {meaning} |")
        out.append("")
    return "\n".join(out)


def write_docs(path: str = DOC_PATH) -> str:
    from pathlib import Path

    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(kinds_markdown(), encoding="utf-8")
    return path


if __name__ == "__main__":
    import sys

    print(write_docs(sys.argv[1] if len(sys.argv) > 1 else DOC_PATH))
