"""CCTV camera: GB/T 28181 metadata as registers, online and image availability follow faults."""

from __future__ import annotations

from conftest import make_device

from devices import unpack_text


def read_text(cam, prefix: str, words: int) -> str:  # type: ignore[no-untyped-def]
    return unpack_text([int(cam.read(f"{prefix}_w{i}")) for i in range(words)])


def test_metadata_round_trips_through_registers() -> None:
    _, cam = make_device("cctv_camera", gb_id="37172300011320000007", name="北门 gate")
    assert read_text(cam, "gb_id", 10) == "37172300011320000007"
    assert read_text(cam, "name", 16) == "北门 gate"
    assert cam.read("division_code") == 371723


def test_online_and_image_follow_the_incidents() -> None:
    env, cam = make_device("cctv_camera")
    assert (cam.read("online"), cam.read("image_ok")) == (True, True)
    cam.inject("camera_image_loss", clear_after_s=300)
    assert (cam.read("online"), cam.read("image_ok")) == (True, False)
    env.run(until=301)
    cam.inject("camera_offline", clear_after_s=600)
    assert (cam.read("online"), cam.read("image_ok")) == (False, False)
    env.run(until=902)
    assert (cam.read("online"), cam.read("image_ok")) == (True, True)


def test_availability_changes_are_point_changes_stamped_in_simulated_time() -> None:
    # Each cause of an outage (incident or device-level fault) shows as a change of the stored
    # `online` / `image_ok` points, which is what the world's trace records.
    env, cam = make_device("cctv_camera")
    seen: list[tuple[float, str, object]] = []
    cam.observe(lambda _d, name, value, now: seen.append((now, name, value))
                if name in ("online", "image_ok") else None)
    env.run(until=100)
    cam.inject("camera_image_loss", clear_after_s=300)
    env.run(until=200)
    cam.online = False  # what sim.faults does for an `offline` fault
    assert (cam.read("online"), cam.read("image_ok")) == (False, False)
    env.run(until=250)
    cam.online = True
    env.run(until=1000)
    assert seen == [(100, "image_ok", False), (200, "online", False),
                    (250, "online", True), (400, "image_ok", True)]
    assert (cam.online, cam.read("online"), cam.read("image_ok")) == (True, True, True)
