"""Secure by default: endpoints, anonymous sessions, passwords over encryption only, throttling.

Every test but the one on what the throttle remembers talks to a real server over loopback with
asyncua clients; certificates and the PKI folders are in `test_opcua_pki.py`.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from _opcua_support import client, scenario, secure_client
from asyncua import Client, ua

from harness.faces.base import FaceConfigError
from harness.faces.opcua.logins import MAX_PEERS, LoginThrottle
from harness.faces.opcua.security import warn_off_loopback
from harness.faces.opcua.server import OpcUaServer
from sim import World

pytestmark = pytest.mark.asyncio(loop_scope="module")
ENCRYPT = "Basic256Sha256_SignAndEncrypt"
ACKNOWLEDGE = ua.NodeId(ua.ObjectIds.AcknowledgeableConditionType_Acknowledge)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def defaults(tmp_path_factory: pytest.TempPathFactory
                   ) -> AsyncIterator[tuple[OpcUaServer, Clock]]:
    """The scenario's default security list and anonymous role, served without --insecure."""
    sc = scenario(security=("None", "Basic256Sha256_Sign", ENCRYPT))
    sc = sc.model_copy(update={"opcua": sc.opcua.model_copy(update={"anonymous_role": "viewer"})})
    clock = Clock()
    server = OpcUaServer(World(sc), out_dir=tmp_path_factory.mktemp("secure"), login_clock=clock)
    await server.start()
    yield server, clock
    await server.stop()


def nid(server: OpcUaServer, name: str) -> ua.NodeId:
    return ua.NodeId(name, server.index.ns)


async def write_status(c: Client, server: OpcUaServer, node: str) -> ua.StatusCode:
    params = ua.WriteParameters()
    params.NodesToWrite = [ua.WriteValue(
        NodeId=nid(server, node), AttributeId=ua.AttributeIds.Value,
        Value=ua.DataValue(ua.Variant(True, ua.VariantType.Boolean)))]
    return (await c.uaclient.write(params))[0]


async def test_no_none_endpoint_without_insecure(defaults: tuple[OpcUaServer, Clock]) -> None:
    server, _ = defaults
    endpoints = await client(server.endpoint.url).connect_and_get_server_endpoints()
    assert {e.SecurityMode for e in endpoints} == {ua.MessageSecurityMode.Sign,
                                                   ua.MessageSecurityMode.SignAndEncrypt}
    assert server.endpoint.security == ("Basic256Sha256_Sign", ENCRYPT)


async def test_a_session_over_a_none_channel_is_refused(defaults: tuple[OpcUaServer, Clock]
                                                        ) -> None:
    """asyncua keeps a None channel open for discovery: no session may come over it, so a
    plaintext operator password never reaches the login and nothing is written."""
    server, _ = defaults
    c = client(server.endpoint.url, "otto")
    await c.connect_socket()
    try:
        await c.send_hello()
        await c.open_secure_channel()
        with pytest.raises(ua.uaerrors.BadSecurityPolicyRejected):
            await c.create_session()
    finally:
        c.disconnect_socket()
    assert server.world.read("S1-fire", "reset") is False


async def test_a_session_cannot_be_taken_over_from_a_none_channel(
        defaults: tuple[OpcUaServer, Clock], tmp_path: Path) -> None:
    """asyncua lets ActivateSession take over a session from another connection (its auth
    tokens are sequence numbers): not from a channel the server does not offer."""
    server, _ = defaults
    owner = await secure_client(server.endpoint.url, "otto", tmp_path, trust_in=server.out_dir)
    async with owner:
        token = owner.uaclient.session.authentication_token
        thief = client(server.endpoint.url)
        await thief.connect_socket()
        try:
            await thief.send_hello()
            await thief.open_secure_channel()
            thief.uaclient.session.restore_authentication_token(token)
            params = ua.ActivateSessionParameters()
            params.UserIdentityToken = ua.AnonymousIdentityToken()
            with pytest.raises(ua.uaerrors.BadSecurityPolicyRejected):
                await thief.uaclient.activate_session(params)
        finally:
            thief.disconnect_socket()
        # The owner's session is untouched.
        assert await owner.get_node(nid(server, "N1-fire.fire")).read_value() is False


async def test_a_password_over_a_signed_only_channel_is_refused(
        defaults: tuple[OpcUaServer, Clock], tmp_path: Path) -> None:
    server, _ = defaults
    c = await secure_client(server.endpoint.url, "otto", tmp_path, trust_in=server.out_dir,
                            mode="Sign")
    with pytest.raises(ua.uaerrors.BadIdentityTokenRejected):
        await c.connect()
    await c.disconnect()


async def test_an_anonymous_session_may_read_but_not_write_or_acknowledge(
        defaults: tuple[OpcUaServer, Clock], tmp_path: Path) -> None:
    server, _ = defaults
    c = await secure_client(server.endpoint.url, None, tmp_path, trust_in=server.out_dir)
    async with c:
        assert await c.get_node(nid(server, "N1-fire.fire")).read_value() is False
        status = await write_status(c, server, "S1-fire.reset")
        assert status.value == ua.StatusCodes.BadUserAccessDenied
        with pytest.raises(ua.uaerrors.BadUserAccessDenied):
            await c.get_node(nid(server, "N1-fire.fire")).call_method(
                ACKNOWLEDGE, ua.Variant(b"x", ua.VariantType.ByteString),
                ua.LocalizedText("anonymous"))
    assert server.world.read("S1-fire", "reset") is False


async def test_an_operator_over_sign_and_encrypt_writes(defaults: tuple[OpcUaServer, Clock],
                                                        tmp_path: Path) -> None:
    server, _ = defaults
    c = await secure_client(server.endpoint.url, "otto", tmp_path, trust_in=server.out_dir)
    async with c:
        light = "north-light0.brightness_set"
        params = ua.WriteParameters()
        params.NodesToWrite = [ua.WriteValue(
            NodeId=nid(server, light), AttributeId=ua.AttributeIds.Value,
            Value=ua.DataValue(ua.Variant(30, ua.VariantType.UInt16)))]
        assert (await c.uaclient.write(params))[0].is_good()
    assert server.world.read("north-light0", "brightness_set") == 30


async def test_wrong_passwords_lock_the_peer_out_for_a_minute(
        defaults: tuple[OpcUaServer, Clock], tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    server, clock = defaults
    url, work = server.endpoint.url, server.out_dir

    async def login(password: str | None = None) -> None:
        c = await secure_client(url, "otto", tmp_path, trust_in=work, password=password)
        try:
            await c.connect()
        finally:
            await c.disconnect()

    caplog.set_level(logging.WARNING, logger="harness.faces.opcua.logins")
    for _ in range(5):
        with pytest.raises(ua.uaerrors.BadUserAccessDenied):
            await login("wrong")
    clock.now += 59  # within the lockout: even the right password is refused
    with pytest.raises(ua.uaerrors.BadUserAccessDenied):
        await login()
    clock.now += 1.5
    await login()
    # every attempt counted, one line per host per 10 s, and the lockout said once
    assert [r.getMessage() for r in caplog.records if r.name.startswith("harness")] == [
        "127.0.0.1: OPC UA login with a wrong password for user 'otto'",
        "OPC UA: 5 wrong passwords from 127.0.0.1 within 60 s: its logins are refused for 60 s",
        "127.0.0.1: OPC UA login refused: the host is locked out (4 more since the last line)"]
    # Failures spread over more than the window do not add up.
    for _ in range(4):
        with pytest.raises(ua.uaerrors.BadUserAccessDenied):
            await login("wrong")
    clock.now += 61
    with pytest.raises(ua.uaerrors.BadUserAccessDenied):
        await login("wrong")
    await login()


async def test_the_throttle_forgets_lockouts_that_are_over() -> None:
    clock = Clock()
    throttle = LoginThrottle(limit=1, lockout_s=60.0, clock=clock)
    hosts = [f"10.{i // 65536}.{i // 256 % 256}.{i % 256}" for i in range(3 * MAX_PEERS)]
    for host in hosts:  # a scan from many addresses, each locked out once and never back
        clock.now += 1.0
        throttle.failed(host)
    assert len(throttle._locked) <= MAX_PEERS and len(throttle._failures) <= MAX_PEERS
    assert throttle.locked(hosts[-1]) and not throttle.locked(hosts[0])


async def test_passwords_are_not_kept_or_published(defaults: tuple[OpcUaServer, Clock]) -> None:
    server, _ = defaults
    published = repr(server.endpoint.as_dict()) + repr(vars(server.server.iserver.user_manager))
    assert server.endpoint.users == {"vera": "viewer", "otto": "operator", "ada": "admin"}
    for secret in ("view-pw", "oper-pw", "admin-pw"):
        assert secret not in published
    assert "oper-pw" not in repr(server.settings)


async def test_nothing_is_cached_as_a_pickle(defaults: tuple[OpcUaServer, Clock]) -> None:
    server, _ = defaults
    folder = server.out_dir / "opcua"
    assert sorted(p.name for p in folder.iterdir()) == ["pki"]
    assert sorted(p.name for p in (folder / "pki").iterdir()) == ["own", "rejected", "trusted"]
    assert sorted(p.name for p in (folder / "pki" / "own").iterdir()) == [
        "server_cert.der", "server_key.pem"]
    assert (folder / "pki" / "own" / "server_key.pem").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(("opcua", "insecure", "message"), [
    ({"anonymous_role": "operator"}, False,
     "opcua.anonymous_role = 'operator' lets anonymous sessions write; use 'viewer' or 'none', "
     "or serve with --insecure"),
    ({"security": ("None",)}, False,
     "opcua.security = ['None']: no encrypted endpoint; add 'Basic256Sha256_SignAndEncrypt' "
     "or serve with --insecure"),
    ({"security": ("Basic256Sha256_Sign",)}, False,
     "opcua.security = ['Basic256Sha256_Sign']: no encrypted endpoint; add "
     "'Basic256Sha256_SignAndEncrypt' or serve with --insecure"),
])
async def test_insecure_settings_are_refused_at_start(opcua: dict[str, object], insecure: bool,
                                                      message: str, tmp_path: Path) -> None:
    sc = scenario(security=(ENCRYPT,))
    sc = sc.model_copy(update={"opcua": sc.opcua.model_copy(update=opcua)})
    server = OpcUaServer(World(sc), out_dir=tmp_path, insecure=insecure)
    with pytest.raises(FaceConfigError) as err:
        await server.start()
    await server.stop()
    assert str(err.value) == message


async def test_insecure_offers_none_and_anonymous_operators(tmp_path: Path) -> None:
    sc = scenario(security=("None", ENCRYPT), anonymous_role="operator")
    server = OpcUaServer(World(sc), out_dir=tmp_path, insecure=True)
    await server.start()
    try:
        assert server.endpoint.security == ("None", ENCRYPT)
        async with client(server.endpoint.url) as c:  # anonymous over None
            assert (await write_status(c, server, "S1-fire.reset")).is_good()
        # The scenario lists SignAndEncrypt: passwords still go over encryption only.
        with pytest.raises(ua.uaerrors.BadIdentityTokenRejected):
            async with client(server.endpoint.url, "otto"):
                pass
    finally:
        await server.stop()


async def test_binding_off_loopback_warns(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="harness.faces.opcua.security")
    for host in ("127.0.0.1", "127.3.4.5", "::1", "localhost", "0.0.0.0", "192.168.1.20",
                 "twin.example"):
        warn_off_loopback(host)
    assert [r.args for r in caplog.records if r.name.startswith("harness")] == [
        ("0.0.0.0",), ("192.168.1.20",), ("twin.example",)]
