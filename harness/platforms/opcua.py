"""The reference platform's OPC UA mode: a real asyncua client doing what an alarm client does.

It subscribes to AlarmConditionType events at the Server object with the scenario's publishing
interval (`OpcUa.publishing_interval_ms`). For every activation (an event that is active and
unacknowledged) it waits the processing delay, calls Acknowledge on the condition with the
event's EventId, and then resolves the incident the way the Modbus platform does: writes the
kind's resolve point (`reset`, `onsite`) after the reset or travel delay. All delays are wall
seconds; it knows the twin only through the wire.

It logs in as the first operator (or admin) user of the scenario (its password read from the
user's source), anonymously if there is none, and uses SignAndEncrypt with its own certificate
whenever the server offers it (passwords go only over encrypted channels). The certificate is
made in the run's work folder and put in the twin's trust list there (`pki/trusted/`), as an
integrator trusts a platform's certificate: a rehearsal needs no `--auto-trust`.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from pathlib import Path
from typing import Any

from asyncua import Client, ua
from asyncua.crypto import uacrypto
from asyncua.crypto.cert_gen import setup_self_signed_certificate
from cryptography.x509.oid import ExtendedKeyUsageOID

import devices
from harness.contract import Endpoint, OpcUaEndpoint
from harness.platforms.stats import PlatformStats
from scenarios import Platform, Scenario

log = logging.getLogger(__name__)
ACKNOWLEDGE = ua.NodeId(ua.Int32(ua.ObjectIds.AcknowledgeableConditionType_Acknowledge))
CLIENT_URI = "urn:commtwin:reference-platform"
ENCRYPT = "Basic256Sha256_SignAndEncrypt"


class OpcUaReferencePlatform:
    def __init__(self, scenario: Scenario, endpoints: list[Endpoint],
                 work_dir: Path | None = None, settings: Platform | None = None) -> None:
        self.scenario = scenario
        endpoint = next((e for e in endpoints if isinstance(e, OpcUaEndpoint)), None)
        if endpoint is None:
            raise ValueError("the OPC UA reference platform needs an OPC UA endpoint")
        self.endpoint = endpoint
        self.settings = settings or scenario.platform
        self.cert_dir = work_dir
        self.stats = PlatformStats()
        self._resolve = {d.id: {s.alarm: s.resolve_point
                                for s in devices.KINDS[d.kind].INCIDENTS.values()
                                if s.resolve_point}
                         for d in scenario.devices}
        self._handling: set[ua.NodeId] = set()
        self._responders: set[asyncio.Task[None]] = set()
        self._client: Client | None = None

    async def _connect(self) -> Client:
        client = Client(self.endpoint.url, timeout=5)
        user = next(((i, u) for i, u in enumerate(self.scenario.opcua.users)
                     if u.role in ("operator", "admin")), None)
        if user is not None:
            client.set_user(user[1].name)
            client.set_password(user[1].secret(user[0]))
        if ENCRYPT in self.endpoint.security:
            folder = self.cert_dir or Path("out") / "opcua"
            folder.mkdir(parents=True, exist_ok=True)
            key, cert = folder / "platform_key.pem", folder / "platform_cert.der"
            await setup_self_signed_certificate(key, cert, CLIENT_URI, "localhost",
                                                [ExtendedKeyUsageOID.CLIENT_AUTH],
                                                {"commonName": "commtwin platform"})
            _trust(cert, folder / "pki" / "trusted")
            client.application_uri = CLIENT_URI
            await client.set_security_string(f"Basic256Sha256,SignAndEncrypt,{cert},{key}")
        await client.connect()
        return client

    async def run(self, stop: asyncio.Event, ready: asyncio.Event | None = None) -> None:
        """Subscribe, set `ready`, and react until `stop` is set."""
        try:
            client = self._client = await self._connect()
        finally:
            if ready is not None and self._client is None:
                ready.set()  # the caller must not wait forever for a failed connect
        try:
            sub = await client.create_subscription(
                self.scenario.opcua.publishing_interval_ms, self)
            await sub.subscribe_events(client.nodes.server, ua.ObjectIds.AlarmConditionType)
            self.stats.polls += 1
            if ready is not None:
                ready.set()
            await stop.wait()
        finally:
            if ready is not None:
                ready.set()
            for task in self._responders:  # stop reacting before the session goes
                task.cancel()
            await asyncio.gather(*self._responders, return_exceptions=True)
            await client.disconnect()

    # -- asyncua subscription handler -----------------------------------------------------------
    def event_notification(self, event: Any) -> None:
        active = getattr(event, "ActiveState/Id", None)
        acked = getattr(event, "AckedState/Id", None)
        condition = getattr(event, "NodeId", None)
        if not active or acked or condition is None or condition in self._handling:
            return
        if not self.settings.acknowledge:
            return
        self._handling.add(condition)
        task = asyncio.create_task(self._respond(event, condition))
        self._responders.add(task)
        task.add_done_callback(self._responders.discard)

    def status_change_notification(self, status: Any) -> None:
        self.stats.error(f"subscription status {status}")

    async def _respond(self, event: Any, condition: ua.NodeId) -> None:
        try:
            await asyncio.sleep(self.settings.ack_delay_s)
            assert self._client is not None
            self.stats.requests += 1
            try:
                await self._client.get_node(condition).call_method(
                    ACKNOWLEDGE, ua.Variant(event.EventId, ua.VariantType.ByteString),
                    ua.LocalizedText("acknowledged by the reference platform"))
                self.stats.acks_sent += 1
            except Exception as exc:  # a refused call is a finding, not a crash
                self.stats.error(f"acknowledge {condition.to_string()}: {exc}")
            device_id = str(event.SourceName)
            resolve = self._resolve.get(device_id, {}).get(str(event.ConditionName))
            if resolve is None:
                return
            delay = (self.settings.travel_time_s if resolve == "onsite"
                     else self.settings.reset_delay_s)
            await asyncio.sleep(delay)
            node = self._client.get_node(
                ua.NodeId(ua.String(f"{device_id}.{resolve}"),
                          ua.Int16(self.endpoint.namespace_index)))
            self.stats.requests += 1
            try:
                await node.write_value(ua.DataValue(ua.Variant(True, ua.VariantType.Boolean)))
                self.stats.resolutions_sent += 1
            except Exception as exc:
                self.stats.error(f"write {device_id}.{resolve}: {exc}")
        finally:
            self._handling.discard(condition)


def _trust(cert: Path, trusted: Path) -> None:
    """Put the platform's certificate in the twin's trust list, named by its thumbprint."""
    der = uacrypto.der_from_x509(uacrypto.x509_from_der(cert.read_bytes()))
    trusted.mkdir(parents=True, exist_ok=True)
    (trusted / f"{hashlib.sha1(der).hexdigest().upper()}.der").write_bytes(der)
