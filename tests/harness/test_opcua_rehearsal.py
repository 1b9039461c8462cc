"""A live rehearsal over OPC UA: the reference platform subscribes to alarm events and
acknowledges every injected fire alarm by method call."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from _opcua_support import scenario

from harness.cli.session import run_live
from harness.evidence import write_results
from scenarios import Platform, Run, ScriptedIncident

FIRES = (("N1-fire", 20.0), ("S1-fire", 60.0), ("N2-fire", 100.0))


def test_the_opcua_platform_acknowledges_every_fire_alarm(tmp_path: Path) -> None:
    # Secure defaults: the platform logs in as operator over SignAndEncrypt with a certificate
    # the run trusts explicitly (no --auto-trust, no --insecure).
    fires = tuple(ScriptedIncident(at=t, kind="fire_alarm", target=d) for d, t in FIRES)
    sc = scenario(security=("Basic256Sha256_SignAndEncrypt",), scripted=fires).model_copy(update={
        "run": Run(duration_s=120, drain_s=60, speed=60, seed=7),
        "platform": Platform(ack_delay_s=0.2, reset_delay_s=0.2)})
    result = asyncio.run(run_live(sc, platform=True, any_port=True, protocol="opcua",
                                  out_dir=tmp_path))
    assert sorted((lc.device, lc.kind) for lc in result.lifecycles) == sorted(
        (d, "fire_alarm") for d, _ in FIRES)
    for lc in result.lifecycles:
        assert lc.missed == (), lc
    assert result.platform is not None and result.platform["errors"] == 0
    assert result.platform["acks_sent"] == 3 and result.platform["resolutions_sent"] == 3
    saved = json.loads(write_results(result, tmp_path).read_text())
    # one face served, so one endpoint, also under "opcua" where OPC UA clients look for it
    assert saved["protocol"] == "opcua" and saved["endpoints"] == [saved["opcua"]]
    assert saved["opcua"]["url"].startswith("opc.tcp://127.0.0.1:")
    assert saved["opcua"]["security"] == ["Basic256Sha256_SignAndEncrypt"]
    assert len(list((tmp_path / "opcua" / "pki" / "trusted").glob("*.der"))) == 1
    assert not list((tmp_path / "opcua" / "pki" / "rejected").glob("*"))
