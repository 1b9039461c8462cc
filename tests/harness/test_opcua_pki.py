"""Client certificates: unknown ones rejected and kept, `commtwin trust` trusts them, validity
and application URI checked, `--auto-trust` for benches; the server's own certificate."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from _opcua_support import certificate_client, make_certificate, scenario
from asyncua import ua
from click.testing import CliRunner

from harness.cli import main
from harness.faces.opcua.pki import Pki, ensure_certificate, load_der, thumbprint
from harness.faces.opcua.server import OpcUaServer
from sim import World

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def _serve(folder: Path, auto_trust: bool) -> OpcUaServer:
    server = OpcUaServer(World(scenario(security=("Basic256Sha256_SignAndEncrypt",))),
                         out_dir=folder, auto_trust=auto_trust)
    await server.start()
    return server


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def strict(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[OpcUaServer]:
    server = await _serve(tmp_path_factory.mktemp("strict"), auto_trust=False)
    yield server
    await server.stop()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bench(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[OpcUaServer]:
    server = await _serve(tmp_path_factory.mktemp("bench"), auto_trust=True)
    yield server
    await server.stop()


async def test_an_unknown_certificate_is_rejected_then_trusted(strict: OpcUaServer,
                                                               tmp_path: Path) -> None:
    cert, key = make_certificate(tmp_path, "unknown")
    der = load_der(cert)
    assert der is not None
    c = await certificate_client(strict.endpoint.url, cert, key, "otto")
    with pytest.raises(ua.uaerrors.BadCertificateUntrusted):
        await c.connect()
    await c.disconnect()
    pki = strict.pki
    assert [p.name for p in pki.rejected.iterdir()] == [f"{thumbprint(der)}.der"]
    assert (pki.rejected / f"{thumbprint(der)}.der").read_bytes() == der

    listed = CliRunner().invoke(main, ["trust", str(strict.out_dir)])
    assert listed.exit_code == 0, listed.output
    assert thumbprint(der) in listed.output and "1 rejected" in listed.output
    wrong = CliRunner().invoke(main, ["trust", str(strict.out_dir), "00AB"])
    assert wrong.exit_code == 2 and "00AB: no such certificate" in wrong.output
    done = CliRunner().invoke(main, ["trust", str(strict.out_dir), thumbprint(der).lower()])
    assert done.exit_code == 0, done.output
    assert not list(pki.rejected.iterdir())
    assert (pki.trusted / f"{thumbprint(der)}.der").read_bytes() == der

    c = await certificate_client(strict.endpoint.url, cert, key, "otto")
    async with c:  # trusted from now on, without a restart
        assert await c.get_node(ua.NodeId("N1-fire.fire", strict.index.ns)).read_value() is False


async def test_trust_all(strict: OpcUaServer, tmp_path: Path) -> None:
    for name in ("first", "second"):
        cert, key = make_certificate(tmp_path, name)
        c = await certificate_client(strict.endpoint.url, cert, key)
        with pytest.raises(ua.uaerrors.BadCertificateUntrusted):
            await c.connect()
        await c.disconnect()
    assert len(list(strict.pki.rejected.iterdir())) == 2
    result = CliRunner().invoke(main, ["trust", str(strict.out_dir / "opcua"), "--all"])
    assert result.exit_code == 0 and "2 certificates trusted" in result.output
    assert not list(strict.pki.rejected.iterdir())


@pytest.mark.parametrize(("days", "uri", "status"), [
    ((-30, -1), None, ua.uaerrors.BadCertificateTimeInvalid),  # expired
    ((1, 30), None, ua.uaerrors.BadCertificateTimeInvalid),  # not yet valid
    ((-1, 30), "urn:someone:else", ua.uaerrors.BadCertificateUriInvalid),
])
async def test_invalid_certificates_are_refused_even_on_a_bench(
        bench: OpcUaServer, tmp_path: Path, days: tuple[int, int], uri: str | None,
        status: type[Exception]) -> None:
    kwargs = {"uri": uri} if uri else {}
    cert, key = make_certificate(tmp_path, "bad", valid_from_days=days[0],
                                 valid_to_days=days[1], **kwargs)
    c = await certificate_client(bench.endpoint.url, cert, key, "otto")
    with pytest.raises(status):
        await c.connect()
    await c.disconnect()
    assert not list(bench.pki.trusted.iterdir()) or all(
        p.read_bytes() != load_der(cert) for p in bench.pki.trusted.iterdir())


async def test_auto_trust_trusts_any_valid_certificate(bench: OpcUaServer, tmp_path: Path
                                                       ) -> None:
    cert, key = make_certificate(tmp_path, "any")
    c = await certificate_client(bench.endpoint.url, cert, key, "otto")
    async with c:
        assert await c.get_node(ua.NodeId("N1-fire.fire", bench.index.ns)).read_value() is False
    assert load_der(cert) in bench.pki.trusted_ders()
    assert not list(bench.pki.rejected.iterdir())


async def test_the_certificate_is_made_once_and_reused(tmp_path: Path) -> None:
    cert, key = ensure_certificate(tmp_path)
    first = (cert.read_bytes(), key.read_bytes())
    again = ensure_certificate(tmp_path)
    assert again == (cert, key)
    assert (cert.read_bytes(), key.read_bytes()) == first


async def test_a_certificate_from_before_the_pki_layout_is_kept(tmp_path: Path) -> None:
    old_cert, old_key = ensure_certificate(tmp_path / "opcua")
    pinned = old_cert.read_bytes()
    cert, key = Pki(tmp_path / "opcua" / "pki").server_certificate()
    assert key.name == "server_key.pem"
    assert cert == tmp_path / "opcua" / "pki" / "own" / "server_cert.der"
    assert cert.read_bytes() == pinned and not old_cert.exists() and not old_key.exists()
