"""Where a platform should connect: the scenario's configured addresses, or a running twin's.

`serve` and `rehearse` write `endpoints.json` (see `harness.contract.endpoints`) once their faces
listen; with `--any-port` or a changed `--host` those addresses differ from the scenario file.
`targets()` reads such a file back, checks that it was written for the same scenario (same
gateways, same word orders, same unit ids), and lays its hosts and ports over the scenario, so
every export (point list, ThingsBoard, Node-RED) addresses the twin that is actually running.
Without a file it answers the scenario's own settings.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scenarios import Gateway, Scenario

#: The path asyncua serves the twin's endpoint under (`harness.faces.opcua.server`).
OPCUA_PATH = "/commtwin/"
#: The twin registers one namespace after the standard ones; its index is 2 on every start
#: (docs/opcua.md) unless an endpoints file says otherwise.
DEFAULT_NAMESPACE_INDEX = 2


class EndpointsError(ValueError):
    """An endpoints file that cannot be read or does not belong to the scenario."""


@dataclass(frozen=True)
class Targets:
    """A scenario whose gateways carry the addresses to use, plus the OPC UA server's."""

    scenario: Scenario
    opcua_url: str
    namespace_index: int
    #: What the addresses come from, for a person: `scenario demo` or the endpoints file.
    source: str
    #: Protocols whose addresses the endpoints file gave (empty: all from the scenario).
    live: frozenset[str] = frozenset()


def configured(scenario: Scenario) -> Targets:
    """The addresses the scenario file asks for (port 0 stays 0: any free port at start)."""
    op = scenario.opcua
    return Targets(scenario, f"opc.tcp://{op.host}:{op.port}{OPCUA_PATH}",
                   DEFAULT_NAMESPACE_INDEX, f"scenario {scenario.name}")


def targets(scenario: Scenario, endpoints: Path | None) -> Targets:
    """`configured(scenario)`, or the addresses of `endpoints` once checked against it.

    Raises `EndpointsError` with a one-line message naming the file for a missing or malformed
    file, a gateway the scenario does not have (or lacks), a different word order or unit map.
    """
    if endpoints is None:
        return configured(scenario)
    entries = _read(endpoints)
    where = str(endpoints)
    modbus = [e for e in entries if e.get("protocol") == "modbus-tcp"]
    opcua = [e for e in entries if e.get("protocol") == "opc-ua"]
    if not modbus and not opcua:
        raise EndpointsError(f"{where}: no Modbus gateway and no OPC UA server in it")
    base = configured(scenario)
    live: set[str] = set()
    gateways = scenario.gateways
    if modbus:
        gateways = _lay_gateways(scenario, modbus, where)
        live.add("modbus")
    url, ns = base.opcua_url, base.namespace_index
    if opcua:
        if len(opcua) > 1:
            raise EndpointsError(f"{where}: {len(opcua)} OPC UA servers, the twin serves one")
        url = _field(opcua[0], "url", str, where, "OPC UA server")
        ns = _field(opcua[0], "namespace_index", int, where, "OPC UA server")
        uri = opcua[0].get("namespace_uri")
        if uri is not None and uri != f"urn:commtwin:{scenario.name}":
            raise EndpointsError(f"{where}: OPC UA namespace {uri!r} is not scenario "
                                 f"{scenario.name}'s (urn:commtwin:{scenario.name})")
        live.add("opcua")
    return Targets(scenario.model_copy(update={"gateways": gateways}), url, ns, where,
                   frozenset(live))


def _read(path: Path) -> list[dict[str, Any]]:
    try:
        doc = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise EndpointsError(f"{path}: no such file (serve and rehearse write endpoints.json "
                             f"in their --out folder)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise EndpointsError(f"{path}: cannot read: {exc}") from None
    except json.JSONDecodeError as exc:
        raise EndpointsError(f"{path}: not JSON: {exc.msg} at line {exc.lineno}") from None
    if not isinstance(doc, list) or not all(isinstance(e, dict) for e in doc):
        raise EndpointsError(f"{path}: expected a list of endpoint objects, as serve writes")
    return doc


def _field(entry: dict[str, Any], key: str, kind: type, where: str, what: str) -> Any:
    value = entry.get(key)
    # bool is an int to Python; a port of `true` is still wrong.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise EndpointsError(f"{where}: {what} field {key!r} = {value!r}: expected "
                             f"{kind.__name__}")
    return value


def _lay_gateways(scenario: Scenario, entries: list[dict[str, Any]],
                  where: str) -> tuple[Gateway, ...]:
    by_id = {g.id: g for g in scenario.gateways}
    seen: dict[str, dict[str, Any]] = {}
    for entry in entries:
        gid = _field(entry, "gateway", str, where, "gateway")
        if gid not in by_id:
            raise EndpointsError(f"{where}: gateway {gid!r} is not in scenario {scenario.name} "
                                 f"(it has {', '.join(sorted(by_id))})")
        if gid in seen:
            raise EndpointsError(f"{where}: gateway {gid!r} listed twice")
        seen[gid] = entry
    missing = sorted(set(by_id) - set(seen))
    if missing:
        raise EndpointsError(f"{where}: gateway {', '.join(missing)} of scenario "
                             f"{scenario.name} missing: written by another scenario?")
    out = []
    for gw in scenario.gateways:
        entry = seen[gw.id]
        what = f"gateway {gw.id}"
        host = _field(entry, "host", str, where, what)
        port = _field(entry, "port", int, where, what)
        if not 1 <= port <= 65535:
            raise EndpointsError(f"{where}: {what} port {port}: expected 1..65535")
        order = _field(entry, "word_order", str, where, what)
        if order != gw.word_order:
            raise EndpointsError(f"{where}: {what} word order {order!r}, scenario "
                                 f"{scenario.name} says {gw.word_order!r}")
        units = _field(entry, "units", dict, where, what)
        expected = {str(d.unit): d.id for d in scenario.devices if d.gateway == gw.id}
        wrong = sorted((k for k in set(units) | set(expected) if units.get(k) != expected.get(k)),
                       key=lambda k: (len(k), k))
        if wrong:
            unit = wrong[0]
            raise EndpointsError(f"{where}: {what} unit {unit} is {units.get(unit)!r} in the "
                                 f"file, {expected.get(unit)!r} in scenario {scenario.name}")
        out.append(gw.model_copy(update={"host": host, "port": port}))
    return tuple(out)
