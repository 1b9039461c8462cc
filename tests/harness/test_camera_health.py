"""Camera online rate and image availability (出图率) from the intervals each camera was down.

N cameras, a run of T hours (no drain, so the run is exactly T hours of simulated time). A camera
down for d seconds costs d / (N x T x 3600) of the share, whatever caused it: a `camera_offline`
incident (until it clears), a `camera_image_loss` incident (image only), an `offline` fault
(its duration). Overlapping causes on one camera count once. Virtual and live runs agree: the
intervals are simulated time.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from harness.cli.session import run_live, run_virtual
from harness.evidence import RunResult
from scenarios import Scenario, from_dict
from tests.conftest import tiny_dict

N, T = 4, 2  # cameras, hours
RUN_S = T * 3600.0


def cameras(*, incidents: list[dict[str, Any]] = (), faults: list[dict[str, Any]] = (),  # type: ignore[assignment]
            clear_after: dict[str, float] | None = None) -> Scenario:
    doc = tiny_dict(duration_s=RUN_S, drain_s=0.0, speed=3600.0 * 20)
    doc["devices"] += [{"id": f"cam{i}", "kind": "cctv_camera", "position": [50, 10 * i],
                        "gateway": "gw", "unit": 10 + i} for i in range(1, N + 1)]
    doc["incidents"] = {"scripted": list(incidents),
                        "clear_after_s": clear_after or {"camera_offline": 1800.0,
                                                         "camera_image_loss": 300.0}}
    doc["faults"] = {"scripted": list(faults)}
    return from_dict(doc)


def run(scenario: Scenario, mode: str) -> RunResult:
    if mode == "virtual":
        return run_virtual(scenario)
    return asyncio.run(run_live(scenario, platform=False, any_port=True))


def figures(result: RunResult) -> tuple[float, float]:
    assert result.end_s == RUN_S and not result.interrupted
    return (result.health["health.camera_online"].value,
            result.health["health.camera_image"].value)


MODES = ["virtual", "live"]


@pytest.mark.parametrize("mode", MODES)
def test_a_half_hour_outage_of_one_camera(mode: str) -> None:
    # cam2 goes offline at 10 min and comes back 30 min (1800 s) later. Over the run the cameras
    # could have been up for N x T camera-hours; one was down for 0.5 h, so
    #   online rate = (N*T - 0.5) / (N*T) = 1 - 0.5 / (N*T)            (= 0.9375 for N=4, T=2)
    # An offline camera has no image either, so image availability loses the same half hour.
    result = run(cameras(incidents=[{"at": 600.0, "kind": "camera_offline", "target": "cam2"}]),
                 mode)
    online, image = figures(result)
    assert online == pytest.approx(1 - 0.5 / (N * T), rel=1e-12)
    assert image == pytest.approx(1 - 0.5 / (N * T), rel=1e-12)
    assert result.health["health.camera_online"].evidence == (
        "cam2: offline 1800 s in 1 interval(s), 600-2400 s",)
    assert result.health["health.camera_intact"].value == 1.0  # it came back


@pytest.mark.parametrize("mode", MODES)
def test_an_image_loss_costs_image_availability_only(mode: str) -> None:
    # cam2 offline 30 min as above; cam3 loses its image for 5 min (300 s) at the 1 h mark but
    # stays online. Image availability = 1 - (1800 + 300) / (N*T*3600).
    result = run(cameras(incidents=[
        {"at": 600.0, "kind": "camera_offline", "target": "cam2"},
        {"at": 3600.0, "kind": "camera_image_loss", "target": "cam3"}]), mode)
    online, image = figures(result)
    assert online == pytest.approx(1 - 1800 / (N * RUN_S), rel=1e-12)
    assert image == pytest.approx(1 - (1800 + 300) / (N * RUN_S), rel=1e-12)
    assert result.health["health.camera_image"].evidence == (
        "cam2: no image 1800 s in 1 interval(s), 600-2400 s",
        "cam3: no image 300 s in 1 interval(s), 3600-3900 s")


@pytest.mark.parametrize("mode", MODES)
def test_an_offline_fault_counts_and_overlaps_count_once(mode: str) -> None:
    # cam1: an `offline` fault 1000-2200 s, and a camera_offline incident 1600-3400 s: down
    # 1000-3400 s = 2400 s (not 1200 + 1800). cam4: a fault 6600 s until past the end of the
    # run (7200 s): down 600 s, and still down at the end.
    result = run(cameras(
        incidents=[{"at": 1600.0, "kind": "camera_offline", "target": "cam1"}],
        faults=[{"at": 1000.0, "kind": "offline", "target": "cam1", "duration": 1200.0},
                {"at": 6600.0, "kind": "offline", "target": "cam4", "duration": 3600.0}]),
        mode)
    online, image = figures(result)
    assert online == pytest.approx(1 - (2400 + 600) / (N * RUN_S), rel=1e-12)
    assert image == online
    assert result.health["health.camera_online"].evidence == (
        "cam1: offline 2400 s in 1 interval(s), 1000-3400 s",
        "cam4: offline 600 s in 1 interval(s), 6600-7200 s")
    assert result.health["health.camera_intact"].evidence == ("cam4: offline or no image",)


def test_no_outage_is_full_availability() -> None:
    online, image = figures(run(cameras(), "virtual"))
    assert (online, image) == (1.0, 1.0)
