"""Security of the OPC UA face: encryption-only endpoints, certificates made once, logins."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from _opcua_support import client, scenario, secure_client
from asyncua import ua

from harness.faces.opcua.security import ensure_certificate
from harness.faces.opcua.server import OpcUaServer
from sim import World

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def encrypted_only(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[OpcUaServer]:
    server = OpcUaServer(World(scenario(security=("Basic256Sha256_SignAndEncrypt",))),
                         out_dir=tmp_path_factory.mktemp("secure"))
    await server.start()
    yield server
    await server.stop()


async def test_a_none_security_session_is_refused(encrypted_only: OpcUaServer) -> None:
    endpoints = await client(encrypted_only.endpoint.url).connect_and_get_server_endpoints()
    assert {e.SecurityMode for e in endpoints} == {ua.MessageSecurityMode.SignAndEncrypt}
    plain = client(encrypted_only.endpoint.url, "otto")
    with pytest.raises(ua.UaError):
        await plain.connect()
    await plain.disconnect()


async def test_sign_and_encrypt_with_a_password_works(encrypted_only: OpcUaServer,
                                                      tmp_path: Path) -> None:
    c = await secure_client(encrypted_only.endpoint.url, "ada", tmp_path)
    async with c:
        value = await c.get_node(ua.NodeId("N1-fire.fire", encrypted_only.index.ns)).read_value()
    assert value is False


async def test_a_wrong_password_is_refused(encrypted_only: OpcUaServer, tmp_path: Path) -> None:
    c = await secure_client(encrypted_only.endpoint.url, "otto", tmp_path)
    c.set_password("not-the-password")
    with pytest.raises(ua.uaerrors.BadUserAccessDenied):
        await c.connect()
    await c.disconnect()


async def test_the_certificate_is_made_once_and_reused(tmp_path: Path) -> None:
    cert, key = ensure_certificate(tmp_path)
    first = (cert.read_bytes(), key.read_bytes())
    again = ensure_certificate(tmp_path)
    assert again == (cert, key)
    assert (cert.read_bytes(), key.read_bytes()) == first
