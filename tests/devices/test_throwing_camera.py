"""High-altitude throwing camera: the event carries building, floor (>= 3) and window column."""

from __future__ import annotations

from conftest import make_device, write

from devices import unpack_text


def test_detection_reports_where_it_came_from() -> None:
    env, cam = make_device("throwing_camera", building="N1", watch_floors=12, columns=5)
    seen = set()
    for _i in range(40):
        cam.inject("object_thrown", None)
        words = [int(cam.read(f"event_building_w{k}")) for k in range(4)]
        floor, column = cam.read("event_floor"), cam.read("event_column")
        assert unpack_text(words) == "N1"
        assert 3 <= floor <= 12 and 1 <= column <= 5
        seen.add((floor, column))
    assert cam.read("throw_detected_seq") == 40 and len(seen) > 5
    write(env, cam, "reset", True)
    assert cam.read("throw_detected") is False
