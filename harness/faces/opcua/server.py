"""The twin's OPC UA server: asyncua 2.1 over the same points the Modbus gateways serve.

No second copy of state that can drift: a node's Value is only ever set from the device.
- Stored points (alarm bits, acks, sequence numbers) are pushed by a device observer the moment
  they change, inside the SimPy step that changed them; subscribers are notified from one queue
  task so notifications keep the order of the changes.
- Computed points (meter kWh, power, voltage, battery %) change with simulated time and have no
  events, so they are refreshed every `OpcUa.refresh_s` wall seconds by one task, and also right
  before a Read service call that asks for them (asyncua's PreRead callback). So a Read is never
  stale; a subscription on a computed point is at most one refresh period behind (plus the
  client's publishing interval).
- Writes go through `world.write` (validated by the point map) and are answered per item:
  BadUserAccessDenied (viewer), BadNotWritable (read-only point or any attribute but Value),
  BadTypeMismatch (wrong variant type), BadOutOfRange (value refused by the point), and
  BadInternalError for a bug, which never stops the server. The node then shows what the device
  did with the write (a momentary `reset` reads back false), via the observer.
- Observed: a Read of an alarm state variable marks its incident observed (PostRead callback);
  a subscription notification or event carrying an active alarm marks it observed when the
  publish response leaves (`harness.faces.opcua.alarms.Deliveries`).

ns0 cache: asyncua rebuilds the standard address space (~1.3 s) unless `init(shelf)` finds its
shelf, and it looks for the bare file name, which dbm.dumb (the only dbm here: no gdbm/ndbm)
never writes. `_Ns0Cache` lets asyncua write the shelf once under a temporary name, moves the
`.dat`/`.dir` files into place and then writes the bare-name file as a completion marker, so later
starts find it and load ns0 lazily.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import importlib.metadata
import logging
import os
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asyncua import Server, ua
from asyncua.common.callback import CallbackType, ServerItemCallback
from asyncua.crypto.permission_rules import User, UserRole
from asyncua.server.address_space import AttributeService, AttributeValue

from devices import CodecError, Device, Value
from harness.contract import OpcUaEndpoint
from harness.faces.opcua import space as opcua_space
from harness.faces.opcua.alarms import Conditions, Deliveries, Work
from harness.faces.opcua.security import (
    APPLICATION_URI,
    Roles,
    TwinRuleset,
    TwinUserManager,
    ensure_certificate,
    identity_tokens,
    policy_types,
)
from harness.faces.opcua.space import PointNode, SpaceIndex, status, to_variant
from scenarios.opcua import OpcUa
from sim import World

log = logging.getLogger(__name__)
_VALUE = ua.AttributeIds.Value
_ADMIN = User(role=UserRole.Admin)


def computed_points(device: Device) -> tuple[str, ...]:
    """Points whose value is computed from simulated time when read (no observer event).

    Reads `Device._computed`: the devices package has no public accessor for it yet."""
    return tuple(getattr(device, "_computed", {}))


def free_port(host: str) -> int:
    """asyncua needs a concrete port in its endpoint URL: let the OS pick one first."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


class _Ns0Cache:
    def __init__(self, folder: Path) -> None:
        version = importlib.metadata.version("asyncua").replace(".", "_")
        self.folder = folder
        self.marker = folder / f"ns0_asyncua_{version}"
        self._building: Path | None = None

    @property
    def ready(self) -> bool:
        return all(Path(f"{self.marker}{s}").is_file() for s in ("", ".dat", ".dir"))

    def shelf(self) -> Path:
        if self.ready:
            return self.marker
        self.folder.mkdir(parents=True, exist_ok=True)
        # A private name: two servers starting at once must not write the same dbm files.
        self._building = self.folder / f"{self.marker.name}_build{os.getpid()}_{id(self)}"
        return self._building

    def finish(self) -> None:
        if self._building is None:
            return
        for suffix in (".dat", ".dir"):
            Path(f"{self._building}{suffix}").replace(f"{self.marker}{suffix}")
        with contextlib.suppress(FileNotFoundError):
            Path(f"{self._building}.bak").unlink()
        self.marker.write_text("asyncua ns0 shelf (dbm.dumb): this file marks it complete\n")
        self._building = None


class TwinAttributeService(AttributeService):
    """asyncua's attribute service with the twin's writes: every write of our namespace goes
    to the world and is answered per item; everything else is asyncua's."""

    def __init__(self, base: AttributeService, twin: OpcUaServer) -> None:
        super().__init__(base._aspace)
        self.twin = twin

    async def write(self, params: ua.WriteParameters,
                    user: User = _ADMIN) -> list[ua.StatusCode]:
        out: list[ua.StatusCode] = []
        for wv in params.NodesToWrite:
            try:
                out.append(await self._write_one(wv, user))
            except Exception:  # a bug must cost one answer, never the server
                log.exception("write %s", wv.NodeId)
                out.append(status(ua.StatusCodes.BadInternalError))
        return out

    async def _write_one(self, wv: ua.WriteValue, user: User) -> ua.StatusCode:
        twin = self.twin
        role = twin.roles.role(user)
        if wv.NodeId.NamespaceIndex != twin.index.ns:
            if role not in ("operator", "admin"):
                return status(ua.StatusCodes.BadUserAccessDenied)
            return (await super().write(ua.WriteParameters(NodesToWrite=[wv]), user))[0]
        pn = twin.index.points.get(wv.NodeId)
        if pn is None or wv.AttributeId != _VALUE:
            known = wv.NodeId in self._aspace
            return status(ua.StatusCodes.BadNotWritable if known
                                 else ua.StatusCodes.BadNodeIdUnknown)
        if role not in ("operator", "admin"):
            return status(ua.StatusCodes.BadUserAccessDenied)
        if not pn.point.writable:
            return status(ua.StatusCodes.BadNotWritable)
        if wv.IndexRange:
            return status(ua.StatusCodes.BadWriteNotSupported)
        variant = wv.Value.Value if wv.Value is not None else None
        if variant is None or variant.VariantType != pn.vtype or variant.is_array:
            return status(ua.StatusCodes.BadTypeMismatch)
        try:
            twin.world.sync()
            twin.world.write(pn.device_id, pn.point.name, variant.Value)
        except (CodecError, ValueError, OverflowError):
            return status(ua.StatusCodes.BadOutOfRange)
        return ua.StatusCode()


@dataclass
class _Computed:
    device: Device
    pn: PointNode
    attval: AttributeValue


@dataclass
class ServerStats:
    init_s: float = 0.0
    build_s: float = 0.0
    start_s: float = 0.0
    nodes: int = 0
    ns0_cached: bool = False
    refreshes: int = 0
    notifications: int = 0
    timings: dict[str, float] = field(default_factory=dict)


class OpcUaServer:
    def __init__(self, world: World, settings: OpcUa | None = None, out_dir: Path = Path("out"),
                 host: str | None = None, port: int | None = None,
                 cache_dir: Path | None = None) -> None:
        self.world = world
        self.settings = settings or world.scenario.opcua
        self.out_dir = out_dir
        self.host = host or self.settings.host
        self.port = self.settings.port if port is None else port
        self.cache = _Ns0Cache(cache_dir or out_dir / "opcua")
        self.roles = Roles(self.settings)
        self.stats = ServerStats()
        self.server: Server | None = None
        self.index: SpaceIndex
        self.conditions: Conditions
        self._values: dict[ua.NodeId, AttributeValue] = {}
        self._computed: dict[ua.NodeId, _Computed] = {}
        self._queue: asyncio.Queue[Work] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        self._running = False
        self._endpoint: OpcUaEndpoint | None = None

    @property
    def endpoint(self) -> OpcUaEndpoint:
        if self._endpoint is None:
            raise RuntimeError("the OPC UA server has not started")
        return self._endpoint

    async def start(self) -> OpcUaEndpoint:
        t0 = time.perf_counter()
        settings, scenario = self.settings, self.world.scenario
        server = self.server = Server(user_manager=TwinUserManager(settings))  # type: ignore[arg-type]
        server.iserver.bind_condition_methods = True  # ConditionRefresh; must precede init()
        self.stats.ns0_cached = self.cache.ready
        await server.init(self.cache.shelf())
        self.cache.finish()
        t1 = time.perf_counter()
        port = self.port or free_port(self.host)
        url = f"opc.tcp://{self.host}:{port}/commtwin/"
        server.set_endpoint(url)
        server.set_server_name(f"commtwin {scenario.name}")
        await server.set_application_uri(APPLICATION_URI)
        cert_path: Path | None = None
        if any(mode != "None" for mode in settings.security):
            cert_path, key_path = ensure_certificate(self.out_dir / "opcua")
            await server.load_certificate(cert_path)
            await server.load_private_key(key_path)
        server.set_security_policy(policy_types(settings),
                                   permission_ruleset=TwinRuleset(self.roles))
        server.set_identity_tokens(identity_tokens(settings))
        ns_uri = f"urn:commtwin:{scenario.name}"
        ns = await server.register_namespace(ns_uri)
        devices = [self.world.devices[d.id] for d in scenario.devices]
        aspace = server.iserver.aspace
        count = opcua_space.materialize(aspace, opcua_space.plan(scenario, devices, ns))
        self.index = opcua_space.index(scenario, devices, ns, count)
        self._values = {nid: aspace[nid].attributes[_VALUE] for nid in self.index.points}
        self._computed = {
            self.index.by_point[(d.id, name)].nodeid: _Computed(
                d, self.index.by_point[(d.id, name)],
                self._values[self.index.by_point[(d.id, name)].nodeid])
            for d in devices for name in computed_points(d)}
        t2 = time.perf_counter()
        server.iserver.attribute_service = TwinAttributeService(
            server.iserver.attribute_service, self)
        self.deliveries = Deliveries(self.world)
        self.conditions = Conditions(server, self.world, self.index, self.deliveries, self._submit)
        await self.conditions.setup()
        for device in devices:
            device.observe(self._point_changed)
        server.subscribe_server_callback(CallbackType.PreRead, self._pre_read)
        server.subscribe_server_callback(CallbackType.PostRead, self._post_read)
        await server.start()
        self._running = True
        self._tasks = [asyncio.create_task(self._drain()), asyncio.create_task(self._refresh())]
        self.stats.init_s, self.stats.build_s = t1 - t0, t2 - t1
        self.stats.start_s, self.stats.nodes = time.perf_counter() - t0, count
        self._endpoint = OpcUaEndpoint(
            "opcua", "opcua", url, ns_uri, ns, tuple(settings.security),
            {u.name: u.role for u in settings.users}, settings.anonymous_role,
            str(cert_path) if cert_path else None)
        return self._endpoint

    async def stop(self) -> None:
        self._running = False
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        if self.server is not None:
            await self.server.stop()
            self.server = None

    # -- values -----------------------------------------------------------------------------------
    def _submit(self, work: Work) -> None:
        if self._running:
            self._queue.put_nowait(work)

    async def _drain(self) -> None:
        while True:
            work = await self._queue.get()
            try:
                await work()
            except Exception:  # one failed notification must not stop the others
                log.exception("OPC UA notification")

    def _point_changed(self, device: Device, name: str, value: Value, now: float) -> None:
        """Device observer, called inside the SimPy step that changed a stored point."""
        if not self._running:
            return
        pn = self.index.by_point.get((device.id, name))
        if pn is None:
            return
        self._set(pn, self._values[pn.nodeid], value,
                  alarm=name if name in device.ALARMS and value else None)
        self.conditions.point_changed(device, name, value)

    def _set(self, pn: PointNode, attval: AttributeValue, value: Value,
             alarm: str | None = None) -> None:
        stamp = datetime.datetime.now(datetime.UTC)
        dv = ua.DataValue(to_variant(pn.vtype, value),
                          SourceTimestamp=stamp, ServerTimestamp=stamp)  # type: ignore[arg-type]
        attval.value = dv
        if attval.datachange_callbacks:
            self._submit(lambda: self._notify(pn, attval, dv, alarm))

    async def _notify(self, pn: PointNode, attval: AttributeValue, dv: ua.DataValue,
                      alarm: str | None) -> None:
        for handle, callback in list(attval.datachange_callbacks.items()):
            await callback(handle, dv)
            self.stats.notifications += 1
            monitored = getattr(callback, "__self__", None)
            if alarm is not None and monitored is not None:
                self.deliveries.carried(monitored.isub, pn.device_id, alarm)

    def refresh_computed(self, nodeids: Any = None) -> None:
        """Bring computed points up to the present (all of them, or the given node ids)."""
        self.world.sync()
        items = (self._computed.values() if nodeids is None
                 else [c for n in nodeids if (c := self._computed.get(n)) is not None])
        for c in items:
            variant = to_variant(c.pn.vtype, c.device.read(c.pn.point.name))
            current = c.attval.value
            if current is None or current.Value is None or current.Value.Value != variant.Value:
                self._set(c.pn, c.attval, variant.Value)

    async def _refresh(self) -> None:
        while True:
            await asyncio.sleep(self.settings.refresh_s)
            try:
                self.refresh_computed()
                self.stats.refreshes += 1
            except Exception:
                log.exception("OPC UA refresh")

    async def _pre_read(self, event: ServerItemCallback, _: object) -> None:
        wanted = [rv.NodeId for rv in event.request_params.NodesToRead
                  if rv.AttributeId == _VALUE and rv.NodeId in self._computed]
        if wanted:
            self.refresh_computed(wanted)

    async def _post_read(self, event: ServerItemCallback, _: object) -> None:
        if not event.is_external:
            return
        seen: dict[str, set[str]] = {}
        for rv in event.request_params.NodesToRead:
            pn = self.index.points.get(rv.NodeId)
            if pn is not None and rv.AttributeId == _VALUE:
                seen.setdefault(pn.device_id, set()).add(pn.point.name)
        wall = time.monotonic_ns()
        for device_id, names in seen.items():
            self.world.note_read(device_id, names, wall)


def make_server(world: World, out_dir: Path, *, host: str | None = None,
                any_port: bool = False) -> OpcUaServer:
    return OpcUaServer(world, out_dir=out_dir, host=host, port=0 if any_port else None)


