"""Log lines a remote peer can cause are rate-limited per peer: the shared `PeerLog`, and the
OPC UA face's warnings (oversized chunks over real sockets, refused certificates)."""

from __future__ import annotations

import asyncio
import itertools
import logging
import re
import struct
from pathlib import Path

import pytest
from _opcua_support import make_certificate
from asyncua import ua
from asyncua.common.utils import ServiceError

from harness.faces.opcua.limits import BoundedServer
from harness.faces.opcua.pki import CertificateCheck, Pki
from harness.faces.opcua.server import free_port
from harness.faces.peerlog import PeerLog

MORE = re.compile(r"\((\d+) more since the last line\)$")


def test_peer_log_lets_one_line_through_per_interval_and_counts_the_rest(
        caplog: pytest.LogCaptureFixture) -> None:
    now = [0.0]
    plog = PeerLog(logging.getLogger("test.peerlog"), interval_s=10.0, clock=lambda: now[0])
    caplog.set_level(logging.WARNING, logger="test.peerlog")
    sent = []
    for t in [0.0, 1.0, 9.9, 10.0, 10.5, 25.0]:
        now[0] = t
        sent.append(plog.warning("10.0.0.1", "bad frame"))
    sent.append(plog.warning("10.0.0.2", "bad frame"))  # another peer has its own budget
    assert sent == [True, False, False, True, False, True, True]
    assert [r.getMessage() for r in caplog.records] == [
        "10.0.0.1: bad frame", "10.0.0.1: bad frame (2 more since the last line)",
        "10.0.0.1: bad frame (1 more since the last line)", "10.0.0.2: bad frame"]


def test_peer_log_forgets_quiet_peers_past_its_bound() -> None:
    now = [0.0]
    plog = PeerLog(logging.getLogger("test.peerlog"), clock=lambda: now[0], max_peers=100)
    for i in range(10_000):  # a scan from many addresses, one line each
        now[0] = i * 1.0
        assert plog.warning(f"10.0.{i // 256}.{i % 256}", "hello")
    assert len(plog._last) <= 100


async def oversize(port: int, source: str) -> bytes:
    """Connect from `source`, announce a 2 GB chunk and read until the server closes."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0))
    writer.write(b"MSGF" + struct.pack("<II", 2**31, 0))
    try:
        return await asyncio.wait_for(reader.read(), 5)
    except ConnectionError:
        return b""
    finally:
        writer.close()


async def test_a_thousand_oversized_chunks_from_one_host_give_a_handful_of_lines(
        caplog: pytest.LogCaptureFixture) -> None:
    ticks = itertools.count()
    # a clock that moves 0.1 s per line asked for: the flood spans 100 s, lines at most 1/10 s
    plog = PeerLog(logging.getLogger("harness.faces.opcua.limits"),
                   clock=lambda: next(ticks) / 10)
    server = BoundedServer(peer_log=plog)
    await server.init()
    port = free_port("127.0.0.1")
    server.set_endpoint(f"opc.tcp://127.0.0.1:{port}/")
    await server.start()
    caplog.set_level(logging.WARNING, logger="harness.faces.opcua.limits")
    try:
        for i in range(1000):
            assert await oversize(port, "127.0.0.1") == b""  # closed, nothing answered
            if i == 500:
                assert await oversize(port, "127.0.0.2") == b""  # another host, mid-flood
    finally:
        await server.stop()
    lines = [r.getMessage() for r in caplog.records if r.name == "harness.faces.opcua.limits"]
    flood = [line for line in lines if line.startswith("127.0.0.1: ")]
    assert 5 <= len(flood) <= 12
    assert all("2147483648-byte chunk" in line for line in flood)
    counted = len(flood) + sum(int(m.group(1)) for line in flood if (m := MORE.search(line)))
    assert 900 <= counted <= 1000  # every one counted; those after the last line, next time
    assert [line for line in lines if line.startswith("127.0.0.2: ")] == [
        "127.0.0.2: OPC UA connection announced a 2147483648-byte chunk (limit 65535): closed"]


def test_refused_certificates_are_logged_once_per_host_per_interval(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    now = [0.0]
    pki = Pki(tmp_path / "pki")
    pki.create()
    check = CertificateCheck(pki,
                             peer_log=PeerLog(logging.getLogger("harness.faces.opcua.pki"),
                                              clock=lambda: now[0]))
    cert, _ = make_certificate(tmp_path, "stranger")
    der = cert.read_bytes()
    description = ua.ApplicationDescription(ApplicationUri="urn:commtwin:test-client")
    caplog.set_level(logging.WARNING, logger="harness.faces.opcua.pki")
    for i in range(200):
        now[0] = i * 0.1
        with pytest.raises(ServiceError):
            check(der, description, "10.0.0.1")
    with pytest.raises(ServiceError):
        check(der, description, "10.0.0.2")
    lines = [r.getMessage() for r in caplog.records if r.name == "harness.faces.opcua.pki"]
    assert [line.split(":")[0] for line in lines] == ["10.0.0.1", "10.0.0.1", "10.0.0.2"]
    assert "not trusted" in lines[0] and MORE.search(lines[1])
