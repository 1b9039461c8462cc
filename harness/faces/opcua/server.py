"""The twin's OPC UA server: asyncua 2.1 over the same points the Modbus gateways serve.

No second copy of state that can drift: a node's Value is only ever set from the device, and
quantised exactly as the Modbus encoding quantises it (`values`), so both faces read the same.
- Stored points (alarm bits, acks, sequence numbers) are pushed by a device observer the moment
  they change, inside the SimPy step that changed them; subscribers are notified from one queue
  task so notifications keep the order of the changes.
- Computed points (meter kWh, power, voltage, battery %) change with simulated time and have no
  events, so they are computed right before every Read that asks for them, and for
  subscriptions just after each device refresh period boundary (`refresh`: only the points
  somebody monitors; with none the task sleeps until a monitored item is created). So a Read
  is exact; a subscription on a computed point gets each period's sample as the period starts
  (plus the client's publishing interval). Refreshes and notifications run in slices that
  yield the loop every ~0.5 ms (`refresh.Slicer`): the twin's own work must not delay the
  platform requests it times.
- Every Read brings the world to the present first (as every Modbus request does), then waits
  out any `slow` fault of the devices it touches; writes and alarms: `writes`, `alarms`.
- Faults (`faults`): a device that cannot be reached has its nodes carry the fault's status
  instead of a value from the SimPy step the fault starts in until the one it ends in, so Reads
  and subscriptions see it; its values come back when it ends.
- Observed: a Read that returned an alarm state variable's value marks its incident observed; a
  subscription notification or event carrying an active alarm marks it observed when the publish
  response leaves (`deliveries`). Both name the client (`sessions`).

Security (`security`, `channels`, `logins`, `pki`): the endpoints offered, the client
certificates trusted, who logs in with which role; a run asks for insecure modes by name.

Namespace 0 comes from a cache in OPC UA binary in the user's cache directory (`ns0cache`), not
from asyncua's shelf: a shelf is pickles, and loading a pickle someone else could write runs
their code. Building namespace 0 without the cache costs 1.3-2.9 s (`ServerStats.init_s`).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import socket
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from asyncua import ua
from asyncua.common.callback import CallbackType
from asyncua.server.address_space import AttributeValue
from asyncua.server.internal_session import InternalSession

from devices import CodecError, Device, Value
from harness.contract import OpcUaEndpoint
from harness.faces.base import FaceConfigError, collector_paused
from harness.faces.opcua import ns0cache, security, sessions
from harness.faces.opcua import space as opcua_space
from harness.faces.opcua.alarms import Conditions, Work
from harness.faces.opcua.channels import Gate, TwinServer
from harness.faces.opcua.deliveries import Deliveries
from harness.faces.opcua.faults import COMM_KINDS, DeviceFaults
from harness.faces.opcua.logins import LoginThrottle, Passwords, TwinUserManager
from harness.faces.opcua.pki import APPLICATION_URI, CertificateCheck, Pki
from harness.faces.opcua.refresh import Computed, Refresher, Slicer
from harness.faces.opcua.security import Roles, TwinRuleset, identity_tokens, policy_types
from harness.faces.opcua.space import PointNode, SpaceIndex
from harness.faces.opcua.values import bad, good, is_good, point_variant, status_of
from harness.faces.opcua.writes import TwinAttributeService
from scenarios.opcua import OpcUa, SecretError, passwords_need_encryption
from sim import World

log = logging.getLogger(__name__)
_VALUE = ua.AttributeIds.Value


def computed_points(device: Device) -> tuple[str, ...]:
    """Points whose value is computed from simulated time when read (no observer event).

    Reads `Device._computed`: the devices package has no public accessor for it yet."""
    return tuple(getattr(device, "_computed", {}))


def free_port(host: str) -> int:
    """asyncua needs a concrete port in its endpoint URL: let the OS pick one first."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


@dataclass
class ServerStats:
    init_s: float = 0.0
    build_s: float = 0.0
    start_s: float = 0.0
    nodes: int = 0
    notifications: int = 0
    delayed: int = 0  # Reads a slow fault held back
    timings: dict[str, float] = field(default_factory=dict)


class OpcUaServer:
    """`insecure`: offer what the scenario asks for that is refused by default (the None
    endpoint, anonymous sessions that write); `auto_trust`: trust any client certificate;
    `login_clock`: the login throttle's clock (tests inject one)."""

    def __init__(self, world: World, settings: OpcUa | None = None, out_dir: Path = Path("out"),
                 host: str | None = None, port: int | None = None, *, insecure: bool = False,
                 auto_trust: bool = False,
                 login_clock: Callable[[], float] = time.monotonic) -> None:
        self.world = world
        self.settings = settings or world.scenario.opcua
        self.out_dir = out_dir
        self.host = host or self.settings.host
        self.port = self.settings.port if port is None else port
        self.insecure, self.auto_trust = insecure, auto_trust
        self.pki = Pki(out_dir / "opcua" / "pki")
        self.throttle = LoginThrottle(clock=login_clock)
        self.roles = Roles(self.settings)
        self.stats = ServerStats()
        self.server: TwinServer | None = None
        self.index: SpaceIndex
        self.conditions: Conditions
        self.device_faults = DeviceFaults(world)
        #: Devices that cannot be reached now -> the status their nodes carry.
        self._dark: dict[str, int] = {}
        self._values: dict[ua.NodeId, AttributeValue] = {}
        self._computed: dict[ua.NodeId, Computed] = {}
        self._refresher: Refresher | None = None
        self._drain_slicer = Slicer()
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
        offered = security.check(settings, self.insecure)
        try:
            passwords = Passwords(settings)
        except SecretError as exc:
            raise FaceConfigError(str(exc)) from None
        security.warn_off_loopback(self.host)
        server = self.server = TwinServer(
            user_manager=TwinUserManager(settings, passwords))
        server.gate = Gate(policy_types(offered), passwords_need_encryption(settings),
                           CertificateCheck(self.pki, self.auto_trust), self.throttle)
        ns0cache.install(server.iserver)
        # No `bind_condition_methods`: the twin binds its own ConditionRefresh (alarms.py).
        await server.init()
        t1 = time.perf_counter()
        port = self.port or free_port(self.host)
        url = f"opc.tcp://{self.host}:{port}/commtwin/"
        server.set_endpoint(url)
        server.set_server_name(f"commtwin {scenario.name}")
        await server.set_application_uri(APPLICATION_URI)
        cert_path: Path | None = None
        if any(mode != "None" for mode in offered):
            cert_path, key_path = self.pki.server_certificate()
            await server.load_certificate(cert_path)
            await server.load_private_key(key_path)
        server.set_security_policy(policy_types(offered),
                                   permission_ruleset=TwinRuleset(self.roles))
        server.set_identity_tokens(identity_tokens(settings))
        ns_uri = f"urn:commtwin:{scenario.name}"
        ns = await server.register_namespace(ns_uri)
        devices = [self.world.devices[d.id] for d in scenario.devices]
        aspace = server.iserver.aspace
        with collector_paused():
            made = opcua_space.materialize(aspace, opcua_space.plan(scenario, devices, ns))
            count = len(made)
            self.index = opcua_space.index(scenario, devices, ns, count)
            self._values = {nid: made[nid].attributes[_VALUE] for nid in self.index.points}
            by_point = self.index.by_point
            self._computed = {
                pn.nodeid: Computed(d, pn, self._values[pn.nodeid])
                for d in devices for name in computed_points(d)
                if (pn := by_point[(d.id, name)])}
        self._refresher = Refresher(self.world, self._computed, self._update,
                                    self.settings.refresh_s)
        # The address space lives as long as the server: out of the collector's sight, or each
        # full collection walks its millions of objects while holding the loop (~0.3 s at
        # 450k nodes). Process-wide, as gc is; `stop()` gives them back.
        gc.freeze()
        t2 = time.perf_counter()
        server.iserver.attribute_service = TwinAttributeService(
            server.iserver.attribute_service, self.world, self.index, self.roles,
            self.device_faults)
        sessions.install(server.iserver, self._read, server.gate)
        self.deliveries = Deliveries(self.world, server.iserver.subscription_service.subscriptions)
        self.conditions = Conditions(server, self.world, self.index, self.deliveries,
                                     self.device_faults, self._submit)
        await self.conditions.setup()
        for device in devices:
            device.observe(self._point_changed)
        self.world.faults.listeners.append(self._fault_changed)
        server.subscribe_server_callback(CallbackType.ItemSubscriptionCreated, self._item_created)
        await server.start()
        self._running = True
        for device in devices:  # faults already active before the server started
            self._reachability(device.id)
        self._tasks = [asyncio.create_task(self._drain()),
                       asyncio.create_task(self._refresher.run())]
        self.stats.init_s, self.stats.build_s = t1 - t0, t2 - t1
        self.stats.start_s, self.stats.nodes = time.perf_counter() - t0, count
        self._endpoint = OpcUaEndpoint(
            "opcua", "opcua", url, ns_uri, ns, offered,
            {u.name: u.role for u in settings.users}, settings.anonymous_role,
            str(cert_path) if cert_path else None)
        return self._endpoint

    async def stop(self) -> None:
        self._running = False
        with contextlib.suppress(ValueError):
            self.world.faults.listeners.remove(self._fault_changed)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        if self.server is not None:
            await self.server.stop()
            self.server = None
        gc.unfreeze()

    # -- values -----------------------------------------------------------------------------------
    def _submit(self, work: Work) -> None:
        if self._running:
            self._queue.put_nowait(work)

    async def _drain(self) -> None:
        slicer = self._drain_slicer
        while True:
            if self._queue.empty():
                slicer.end()
            work = await self._queue.get()
            if not slicer.active:
                slicer.begin()
            try:
                await work()
            except Exception:  # one failed notification must not stop the others
                log.exception("OPC UA notification")
            await slicer.tick()  # a burst of changes must not hold the loop

    @property
    def refreshes(self) -> int:
        """Refreshes of the monitored computed points so far."""
        return self._refresher.refreshes if self._refresher else 0

    @property
    def worst_slice_s(self) -> float:
        """The longest stretch one refresh or notification slice held the loop so far."""
        refresher = self._refresher.slicer.worst_s if self._refresher else 0.0
        return max(refresher, self._drain_slicer.worst_s)

    @property
    def worst_slice_cpu_s(self) -> float:
        """The same in this thread's CPU time: the slice's own work, without the time the OS
        ran something else on the core (a preempted slice is long in wall time only)."""
        refresher = self._refresher.slicer.worst_cpu_s if self._refresher else 0.0
        return max(refresher, self._drain_slicer.worst_cpu_s)

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
        dark = self._dark.get(pn.device_id)
        if dark is not None:
            if status_of(attval.value) == dark:
                return  # still unreachable: nothing new for a subscriber
            dv = bad(dark)
            alarm = None  # a status carries no alarm to observe
        else:
            try:
                dv = good(point_variant(pn.point, value))
            except CodecError:  # the value does not fit its registers: Modbus answers 04
                dv = bad(ua.StatusCodes.BadDeviceFailure)
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

    # -- faults -----------------------------------------------------------------------------------
    def _fault_changed(self, target: str, kind: str, started: bool, now: float) -> None:
        """FaultState listener, inside the SimPy step a fault starts or ends in."""
        if self._running and kind in COMM_KINDS:
            for device_id in self.device_faults.devices_of(target):
                self._reachability(device_id)

    def _reachability(self, device_id: str) -> None:
        """Make the device's nodes carry its fault status, or its values again."""
        code = self.device_faults.status(device_id)
        if code == self._dark.get(device_id):
            return
        device = self.world.devices[device_id]
        if code is None:
            del self._dark[device_id]
        else:
            self._dark[device_id] = code
        for point in device.POINTS:
            pn = self.index.by_point[(device_id, point.name)]
            self._set(pn, self._values[pn.nodeid], device.read(point.name) if code is None else 0)
        if code is None:
            self.conditions.reachable(device_id)

    # -- reads ------------------------------------------------------------------------------------
    def refresh_computed(self, nodeids: Iterable[ua.NodeId] | None = None) -> None:
        """Bring computed points up to the present (all of them, or the given node ids) in one
        go, holding the loop: for tools and benchmarks; the server itself refreshes in slices."""
        self.world.sync()
        for c in self._computed_of(nodeids):
            self._update(c)

    def _computed_of(self, nodeids: Iterable[ua.NodeId] | None) -> Iterable[Computed]:
        return (self._computed.values() if nodeids is None
                else [c for n in nodeids if (c := self._computed.get(n)) is not None])

    def _update(self, c: Computed) -> None:
        """One computed point to its current sample (a change notifies subscribers)."""
        if c.pn.device_id in self._dark:
            return
        try:
            variant = point_variant(c.pn.point, c.device.read(c.pn.point.name))
        except CodecError:
            self._set(c.pn, c.attval, 0)  # quantising again answers BadDeviceFailure
            return
        current = c.attval.value
        if (current is None or current.Value is None or not is_good(current)
                or current.Value.Value != variant.Value):
            self._set(c.pn, c.attval, variant.Value)

    async def _item_created(self, event: object, _: object) -> None:
        if self._refresher is not None:
            self._refresher.item_created()

    async def _read(self, session: InternalSession, params: ua.ReadParameters,
                    read: Callable[[ua.ReadParameters], Awaitable[list[ua.DataValue]]]
                    ) -> list[ua.DataValue]:
        """A client's Read (TwinSession's hook): present values, slow faults, observation."""
        if not session.external:
            return await read(params)
        ours = [(i, pn) for i, rv in enumerate(params.NodesToRead)
                if rv.AttributeId == _VALUE and (pn := self.index.points.get(rv.NodeId))]
        if ours:
            self.world.sync()  # faults due by now decide, as on Modbus
        delay = self.device_faults.delay_s({pn.device_id for _, pn in ours})
        if delay:
            self.stats.delayed += 1
            await asyncio.sleep(delay)
        if ours and self._refresher is not None:  # in slices: a Read may name 1,000s of points
            await self._refresher.refresh(self._computed_of(pn.nodeid for _, pn in ours))
        results = await read(params)
        seen: dict[str, set[str]] = {}
        for i, pn in ours:
            if is_good(results[i]):  # a status carries no value to have seen
                seen.setdefault(pn.device_id, set()).add(pn.point.name)
        wall = time.monotonic_ns()
        actor = sessions.actor_of(session)
        for device_id, names in seen.items():
            self.world.note_read(device_id, names, wall, by=actor)
        return results
