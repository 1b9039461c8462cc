"""The Modbus TCP face: one gateway per scenario gateway, devices under their unit ids.

`map` turns a device kind's point map into Modbus tables, `gateway` serves them through
pymodbus, `connection` frames each client's stream and bounds connections, `framing` holds the
spec's framing and request checks, `faults` applies the scenario's faults and field quirks per
request.
"""

from __future__ import annotations

from harness.contract import Endpoint
from harness.faces.base import FaceOptions, FaceStartError, collector_paused
from harness.faces.modbus.connection import MAX_CONNECTIONS
from harness.faces.modbus.gateway import ModbusGateway
from sim import World


class ModbusFace:
    """Every gateway of the scenario, started and stopped together."""

    def __init__(self, world: World, options: FaceOptions,
                 max_connections: int = MAX_CONNECTIONS) -> None:
        port = 0 if options.any_port else None
        self.gateways = [ModbusGateway(world, g, host=options.host, port=port,
                                       max_connections=max_connections)
                         for g in world.scenario.gateways]

    async def start(self) -> list[Endpoint]:
        endpoints: list[Endpoint] = []
        with collector_paused():  # register maps: many objects, all long-lived
            for gw in self.gateways:
                try:
                    endpoints.append(await gw.start())
                except Exception as exc:  # pymodbus says only "Could not start listen"
                    raise FaceStartError(f"Modbus gateway {gw.spec.id}: cannot listen on "
                                         f"{gw.host}:{gw.port} ({_reason(exc)})") from None
        return endpoints

    def announce(self, endpoints: list[Endpoint]) -> None:
        pass  # nothing of the run's other endpoints to publish

    async def stop(self) -> None:
        for gw in self.gateways:
            await gw.stop()


def _reason(exc: BaseException) -> str:
    """The first cause that says something (pymodbus wraps the OSError of a busy port)."""
    while exc.__cause__ is not None or exc.__context__ is not None:
        if isinstance(exc, OSError) and exc.strerror:
            break
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


__all__ = ["MAX_CONNECTIONS", "ModbusFace", "ModbusGateway"]
