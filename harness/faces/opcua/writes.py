"""OPC UA writes into the world: asyncua's attribute service with the twin's per-item answers.

Every write of the twin's namespace goes to `world.write` (validated by the point map) with the
session's `Actor` (peer address and user) and is answered per item: BadUserAccessDenied
(viewer), BadNotWritable (read-only point or any attribute but Value), BadTypeMismatch (wrong
variant type), BadOutOfRange (value refused by the point), the device's fault status (offline,
exception, ...: `faults.DeviceFaults`), and BadInternalError for a bug, which never stops the
server. A value is quantised by the Modbus codec before it reaches the device, so a device holds
the same value whichever face wrote it. A slow device answers `delay_ms` late. The node then shows
what the device did with the write (a momentary `reset` reads back false), via the observer.
"""

from __future__ import annotations

import asyncio
import logging

from asyncua import ua
from asyncua.crypto.permission_rules import User, UserRole
from asyncua.server.address_space import AttributeService

from devices import CodecError
from harness.faces.opcua.faults import DeviceFaults
from harness.faces.opcua.security import Roles
from harness.faces.opcua.sessions import current_actor
from harness.faces.opcua.space import SpaceIndex
from harness.faces.opcua.values import quantise, status
from sim import World

log = logging.getLogger(__name__)
_VALUE = ua.AttributeIds.Value
_ADMIN = User(role=UserRole.Admin)


class TwinAttributeService(AttributeService):
    """asyncua's attribute service with the twin's writes (see the module docstring); reads and
    everything outside the twin's namespace are asyncua's."""

    def __init__(self, base: AttributeService, world: World, index: SpaceIndex, roles: Roles,
                 faults: DeviceFaults) -> None:
        super().__init__(base._aspace)
        self.world = world
        self.index = index
        self.roles = roles
        self.faults = faults

    async def write(self, params: ua.WriteParameters,
                    user: User = _ADMIN) -> list[ua.StatusCode]:
        touched = {pn.device_id for wv in params.NodesToWrite
                   if (pn := self.index.points.get(wv.NodeId)) is not None}
        if touched:
            self.world.sync()  # faults due by now decide, as on Modbus
        delay = self.faults.delay_s(touched) if touched else 0.0
        if delay:
            await asyncio.sleep(delay)
        out: list[ua.StatusCode] = []
        for wv in params.NodesToWrite:
            try:
                out.append(await self._write_one(wv, user))
            except Exception:  # a bug must cost one answer, never the server
                log.exception("write %s", wv.NodeId)
                out.append(status(ua.StatusCodes.BadInternalError))
        return out

    async def _write_one(self, wv: ua.WriteValue, user: User) -> ua.StatusCode:
        role = self.roles.role(user)
        if wv.NodeId.NamespaceIndex != self.index.ns:
            if role not in ("operator", "admin"):
                return status(ua.StatusCodes.BadUserAccessDenied)
            return (await super().write(ua.WriteParameters(NodesToWrite=[wv]), user))[0]
        pn = self.index.points.get(wv.NodeId)
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
        self.world.sync()
        fault = self.faults.status(pn.device_id)
        if fault is not None:
            return status(fault)
        try:
            value = quantise(pn.point, variant.Value)
            self.world.write(pn.device_id, pn.point.name, value, by=current_actor())
        except (CodecError, ValueError, OverflowError):
            return status(ua.StatusCodes.BadOutOfRange)
        return ua.StatusCode()
