"""The endpoints a run serves, one record per listening socket, whatever the face.

Every face's `start()` returns a list of these; a run's results and `endpoints.json` hold the
list, and the CLI prints it without knowing which protocol each entry speaks. A face with more
to say than an address (Modbus word order and units, OPC UA namespace and security) subclasses
`Endpoint` and adds fields; `as_dict()` is what `endpoints.json` records.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.contract.files import atomic_write_text


@dataclass(frozen=True)
class Endpoint:
    """Where a face listens. `face` is the registry name (`modbus`, `opcua`, ...)."""

    face: str
    name: str
    url: str

    def as_dict(self) -> dict[str, object]:
        return {"face": self.face, "name": self.name, "url": self.url}

    def describe(self) -> str:
        """One line for a person: what else a client must know to connect."""
        return ""


@dataclass(frozen=True)
class ModbusEndpoint(Endpoint):
    """One Modbus TCP gateway; its devices answer under their unit ids."""

    host: str
    port: int
    word_order: str
    units: dict[int, str]  # unit id -> device id

    @property
    def gateway(self) -> str:
        return self.name

    def as_dict(self) -> dict[str, object]:
        return {"gateway": self.name, "protocol": "modbus-tcp", "host": self.host,
                "port": self.port, "word_order": self.word_order,
                "units": {str(u): d for u, d in sorted(self.units.items())}}

    def describe(self) -> str:
        units = (f"units {min(self.units)}..{max(self.units)} ({len(self.units)} devices)"
                 if self.units else "no units")
        return f"{self.word_order}-endian words, {units}"


@dataclass(frozen=True)
class OpcUaEndpoint(Endpoint):
    """The OPC UA server: where, which namespace, which security and who may log in."""

    namespace_uri: str
    namespace_index: int
    security: tuple[str, ...]
    users: dict[str, str]  # name -> role
    anonymous_role: str
    certificate: str | None

    def as_dict(self) -> dict[str, object]:
        return {"protocol": "opc-ua", "url": self.url, "namespace_uri": self.namespace_uri,
                "namespace_index": self.namespace_index, "security": list(self.security),
                "users": self.users, "anonymous_role": self.anonymous_role,
                "certificate": self.certificate}

    def describe(self) -> str:
        return (f"namespace {self.namespace_uri} (ns={self.namespace_index}), "
                f"security {', '.join(self.security)}")


@dataclass(frozen=True)
class HttpEndpoint(Endpoint):
    """The control and acknowledgement API: inject incidents, read lifecycles, acknowledge or
    resolve by webhook. Every call but `GET /health` needs `Authorization: Bearer <token>`."""

    token: str

    def as_dict(self) -> dict[str, object]:
        return {"protocol": "http", "url": self.url, "token": self.token}

    def describe(self) -> str:
        return f"Authorization: Bearer {self.token}"


def write_endpoints(endpoints: list[Endpoint], out_dir: Path) -> Path:
    """`endpoints.json`: every endpoint of the run, written as soon as the faces listen."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "endpoints.json"
    atomic_write_text(path, json.dumps([e.as_dict() for e in endpoints], indent=2) + "\n")
    return path


def read_endpoints(path: Path) -> list[Endpoint]:
    """The endpoints a running twin wrote (`endpoints.json`), as the objects it wrote them from.

    Raises `ValueError` with one line naming the file for anything it cannot use."""
    try:
        entries = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: cannot read the endpoints ({exc})") from None
    if not isinstance(entries, list):
        raise ValueError(f"{path}: not an endpoints list")
    try:
        return [_endpoint(e) for e in entries]
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{path}: an entry is not an endpoint ({exc!r})") from None


def _endpoint(e: dict[str, Any]) -> Endpoint:
    protocol = e["protocol"]
    if protocol == "modbus-tcp":
        return ModbusEndpoint("modbus", str(e["gateway"]),
                              f"modbus-tcp://{e['host']}:{int(e['port'])}", str(e["host"]),
                              int(e["port"]), str(e["word_order"]),
                              {int(u): str(d) for u, d in e["units"].items()})
    if protocol == "opc-ua":
        return OpcUaEndpoint("opcua", "opcua", str(e["url"]), str(e["namespace_uri"]),
                             int(e["namespace_index"]), tuple(e["security"]), dict(e["users"]),
                             str(e["anonymous_role"]), e.get("certificate"))
    if protocol == "http":
        return HttpEndpoint("http", "control", str(e["url"]), str(e["token"]))
    raise ValueError(f"unknown protocol {protocol!r}")
