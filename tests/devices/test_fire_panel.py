"""Fire panel areas and the injectable detector fault (the alarm shape: test_alarms)."""

from __future__ import annotations

from conftest import make_device, write


def test_areas_and_detectors_are_published() -> None:
    _, panel = make_device("fire_panel", areas=3)
    assert panel.read("areas") == 3
    counts = [panel.read(f"a{k}_detectors") for k in range(8)]
    assert all(4 <= c <= 12 for c in counts[:3]) and counts[3:] == [0] * 5


def test_fault_incident_marks_one_area_and_latches_until_reset() -> None:
    env, panel = make_device("fire_panel", areas=2)
    panel.inject("fire_panel_fault", clear_after_s=10)
    env.run(until=3600)
    assert panel.read("fault") is True and panel.read("fire") is False
    assert sum(panel.read(f"a{k}_in_fault") for k in range(2)) == 1
    write(env, panel, "reset", True)
    assert panel.read("fault") is False
    assert sum(panel.read(f"a{k}_in_fault") for k in range(2)) == 0
