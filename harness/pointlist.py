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
