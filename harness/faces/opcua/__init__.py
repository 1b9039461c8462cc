"""The OPC UA face: one asyncua server over the same points, alarms as conditions.

`space` builds the address space; `values` says how a point's value looks on OPC UA (quantised as
on Modbus); `server` serves values and reads; `writes` takes writes into the world; `conditions`
is each alarm condition's state machine over the device's points; `alarms` emits its events and
answers Acknowledge, Confirm and ConditionRefresh; `deliveries` marks what left for a client;
`faults` maps device and gateway faults to statuses and delays; `sessions` names the client
behind a request; `security` decides the endpoints offered and the roles' rules; `channels`
gates sessions by channel, certificate and password; `logins` checks passwords and throttles
wrong ones; `pki` keeps the certificate folders.
"""

from __future__ import annotations

from harness.contract import Endpoint
from harness.faces.base import FaceOptions, FaceStartError
from harness.faces.opcua.server import OpcUaServer
from sim import World


class OpcUaFace:
    """The scenario's OPC UA server as a face."""

    def __init__(self, world: World, options: FaceOptions) -> None:
        self.server = OpcUaServer(world, out_dir=options.work_dir, host=options.host,
                                  port=0 if options.any_port else None,
                                  insecure=options.insecure, auto_trust=options.auto_trust)

    async def start(self) -> list[Endpoint]:
        try:
            return [await self.server.start()]
        except OSError as exc:
            raise FaceStartError(f"OPC UA server: cannot listen on {self.server.host}:"
                                 f"{self.server.port} ({exc.strerror or exc})") from None

    def announce(self, endpoints: list[Endpoint]) -> None:
        pass  # nothing of the run's other endpoints to publish

    async def stop(self) -> None:
        await self.server.stop()


__all__ = ["OpcUaFace", "OpcUaServer"]
