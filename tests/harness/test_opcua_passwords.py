"""Where passwords come from (environment, file, inline with a warning), and that a missing one
stops `serve` with one line naming its source, never showing a password."""

from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path

import pytest
from _opcua_support import secure_client
from asyncua import ua
from click.testing import CliRunner

import scenarios
from harness.cli import main
from harness.faces.base import FaceConfigError
from harness.faces.opcua.server import OpcUaServer
from scenarios import ScenarioError
from sim import World

DEMO = resources.files("scenarios").joinpath("data", "demo.toml").read_text("utf-8")
INLINE = '{ name = "operator", password = "operator-demo", role = "operator" }'


def demo_with(tmp_path: Path, operator: str, name: str = "site.toml") -> Path:
    assert INLINE in DEMO
    text = DEMO.replace(INLINE, "{ name = \"operator\", " + operator + ", role = \"operator\" }")
    text = text.replace('password = "viewer-demo"', 'password_env = "COMMTWIN_TEST_VIEWER"')
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_password_file_is_relative_to_the_scenario(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "operator.txt").write_text("from-a-file\nignored\n")
    sc = scenarios.load(demo_with(tmp_path, 'password_file = "secrets/operator.txt"'))
    monkeypatch.setenv("COMMTWIN_TEST_VIEWER", "from-the-env")
    monkeypatch.chdir("/")
    assert [u.secret(i) for i, u in enumerate(sc.opcua.users)] == ["from-the-env",
                                                                    "from-a-file"]


def test_exactly_one_password_source(tmp_path: Path) -> None:
    path = demo_with(tmp_path, 'password = "sesame-123", password_env = "X"')
    with pytest.raises(ScenarioError) as err:
        scenarios.load(path)
    assert str(err.value) == (
        "site.toml: opcua.users[1] = None: value error, give exactly one of password_env, "
        "password_file or password (got password, password_env)")
    assert "sesame-123" not in str(err.value)


def test_an_inline_password_is_warned_about_once_per_file(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="scenarios.opcua")
    path = demo_with(tmp_path, 'password = "sesame-123"', name="inline-once.toml")
    for _ in range(3):
        scenarios.load(path)
    assert [r.getMessage() for r in caplog.records if r.name == "scenarios.opcua"] == [
        "inline password in inline-once.toml (test accounts only: use password_env or "
        "password_file)"]


def test_serve_stops_with_one_line_naming_an_unset_variable(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    monkeypatch.delenv("COMMTWIN_TEST_VIEWER", raising=False)
    path = demo_with(tmp_path, 'password = "sesame-123"')
    result = CliRunner().invoke(main, ["serve", str(path), "--protocol", "opcua", "--any-port",
                                       "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    last = result.output.strip().splitlines()[-1]
    assert last == ("Error: opcua.users[0].password_env = COMMTWIN_TEST_VIEWER: environment "
                    "variable COMMTWIN_TEST_VIEWER is not set (user 'viewer')")
    assert "sesame-123" not in result.output and "Traceback" not in result.output


@pytest.mark.asyncio
async def test_a_password_from_the_environment_logs_in(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMMTWIN_TEST_VIEWER", "viewer-from-env")
    monkeypatch.setenv("COMMTWIN_TEST_OPERATOR", "operator-from-env")
    sc = scenarios.load(demo_with(tmp_path, 'password_env = "COMMTWIN_TEST_OPERATOR"'))
    sc = sc.model_copy(update={"opcua": sc.opcua.model_copy(update={"port": 0})})
    server = OpcUaServer(World(sc), out_dir=tmp_path)
    await server.start()
    # Read once at start: changing the environment afterwards changes nothing.
    monkeypatch.setenv("COMMTWIN_TEST_OPERATOR", "changed")
    try:
        c = await secure_client(server.endpoint.url, "operator", tmp_path, trust_in=tmp_path,
                                password="operator-from-env")
        async with c:
            pass
        c = await secure_client(server.endpoint.url, "operator", tmp_path, trust_in=tmp_path,
                                password="changed")
        with pytest.raises(ua.uaerrors.BadUserAccessDenied):
            await c.connect()
        await c.disconnect()
    finally:
        await server.stop()


@pytest.mark.asyncio
async def test_an_unreadable_password_file_refuses_the_start(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch
                                                             ) -> None:
    monkeypatch.setenv("COMMTWIN_TEST_VIEWER", "v")
    sc = scenarios.load(demo_with(tmp_path, 'password_file = "missing.txt"'))
    server = OpcUaServer(World(sc), out_dir=tmp_path, port=0)
    with pytest.raises(FaceConfigError) as err:
        await server.start()
    await server.stop()
    assert str(err.value) == (f"opcua.users[1].password_file = {tmp_path / 'missing.txt'}: "
                              "cannot read: No such file or directory")
