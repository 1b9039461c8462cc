"""What an OPC UA client sees of the scenario's faults: bad statuses and late answers per device.

The world's `FaultState` lists the active faults per device and per gateway; a device is
affected by its own faults and by those of the gateway it hangs off (the OPC UA server stands
for the whole site, so a gateway that is down takes its devices' points with it). Per kind:

- offline: Modbus gives no answer; the device's points read `BadNoCommunication` (no value).
- drop_connection: the Modbus gateway closes the TCP connection. OPC UA has one connection for
  the whole site, and closing it would cut every device, so the device's points read
  `BadCommunicationError` (a broken link to that device) while the fault lasts.
- exception: Modbus answers exception `code`; OPC UA the closest status: `BadDeviceFailure`
  (04, the default, and any code not listed), `BadResourceUnavailable` (06 busy),
  `BadCommunicationError` (0A path unavailable), `BadNoCommunication` (0B no response).
- slow: Reads, Writes and Acknowledge/Confirm touching the device answer `delay_ms` late (asyncua
  serves one connection's requests in order, so that connection's other requests wait too).
- stuck, drift, bad_sensor: the device's readings themselves (`Device.read`); both faces serve
  the same values.

A status covers reads, subscriptions (the nodes carry it while the fault lasts, so monitored
items are notified of the status change and again of the value when it ends), writes and method
calls. Of several communication faults at once the first of offline, drop_connection,
exception wins, as on Modbus.
"""

from __future__ import annotations

from collections.abc import Iterable

from asyncua import ua

from sim import World
from sim.faults import ActiveFault

#: Fault kinds that cut the device off (a status instead of a value), in order of precedence.
COMM_KINDS = ("offline", "drop_connection", "exception")
_KIND_STATUS = {"offline": ua.StatusCodes.BadNoCommunication,
                "drop_connection": ua.StatusCodes.BadCommunicationError}
#: Modbus exception code of an `exception` fault -> the closest OPC UA status.
EXCEPTION_STATUS = {6: ua.StatusCodes.BadResourceUnavailable,
                    10: ua.StatusCodes.BadCommunicationError,
                    11: ua.StatusCodes.BadNoCommunication}
DEFAULT_EXCEPTION_STATUS = ua.StatusCodes.BadDeviceFailure


class DeviceFaults:
    """The active faults of each device as the OPC UA face applies them."""

    def __init__(self, world: World) -> None:
        self.state = world.faults
        self._gateway = {d.id: d.spec.gateway for d in world.devices.values()}
        self._on_gateway: dict[str, list[str]] = {}
        for device_id, gateway in self._gateway.items():
            self._on_gateway.setdefault(gateway, []).append(device_id)

    def active(self, device_id: str) -> list[ActiveFault]:
        own = self.state.active(device_id)
        via = self.state.active(self._gateway[device_id])
        return [*own, *via] if via else own

    def status(self, device_id: str) -> int | None:
        """The status every access to the device answers now, or None (it answers normally)."""
        active = self.active(device_id)
        if not active:
            return None  # the common case, on every access
        for kind in COMM_KINDS:
            fault = next((f for f in active if f.kind == kind), None)
            if fault is None:
                continue
            if kind == "exception":
                return EXCEPTION_STATUS.get(fault.code, DEFAULT_EXCEPTION_STATUS)
            return _KIND_STATUS[kind]
        return None

    def delay_s(self, device_ids: Iterable[str]) -> float:
        """How late an answer touching these devices comes (the slowest `slow` fault)."""
        return max((f.delay_ms for d in device_ids for f in self.active(d) if f.kind == "slow"),
                   default=0.0) / 1000.0

    def devices_of(self, target: str) -> list[str]:
        """The devices a fault on `target` (a device or a gateway id) affects."""
        if target in self._gateway:
            return [target]
        return list(self._on_gateway.get(target, ()))
