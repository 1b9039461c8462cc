"""Device-health measurements of a run: camera availability and meters the platform read.

- `health.camera_online` / `health.camera_image`: time-weighted over the run, from the trace;
- `health.camera_intact`: cameras online with an image at the end of the run;
- `health.meters_read`: meters the platform read at least once (live runs only).
"""

from __future__ import annotations

from collections.abc import Iterable

from harness.evidence.judge import Measurement
from sim import World

METERS = ("electricity_meter", "water_meter", "gas_meter")


def _time_share(world: World, device_ids: Iterable[str], point: str) -> float | None:
    """Time-weighted share of (device x run time) during which a bool point was true."""
    end = world.env.now
    ids = list(device_ids)
    if not ids or end <= 0:
        return None
    changes: dict[str, list[tuple[float, bool]]] = {i: [] for i in ids}
    for r in world.trace.records:
        if r.kind == "point" and r.name == point and r.subject in changes:
            changes[r.subject].append((r.t_s, bool(r.value)))
    total = 0.0
    for dev_id in ids:
        steps = changes[dev_id]
        # the value before the first change is its opposite; with no change, it is today's
        value = (not steps[0][1]) if steps else bool(world.read(dev_id, point))
        t_prev = 0.0
        for t, v in steps:
            total += (t - t_prev) * value
            t_prev, value = t, v
        total += (end - t_prev) * value
    return total / (end * len(ids))


def from_health(world: World, meters_read: set[str] | None) -> dict[str, Measurement]:
    out: dict[str, Measurement] = {}
    cams = [d for d in world.devices.values() if d.KIND == "cctv_camera"]
    if cams:
        ids = [d.id for d in cams]
        for key, point in (("camera_online", "online"), ("camera_image", "image_ok")):
            share = _time_share(world, ids, point)
            if share is not None:
                out[f"health.{key}"] = Measurement(share, "ratio", f"time-weighted '{point}'")
        broken = [d.id for d in cams if not (d.read("online") and d.read("image_ok"))]
        out["health.camera_intact"] = Measurement(
            1 - len(broken) / len(cams), "ratio", "online with an image at the end of the run",
            tuple(f"{b}: offline or no image" for b in broken))
    meters = [d.id for d in world.devices.values() if d.KIND in METERS]
    if meters and meters_read is not None:
        unread = sorted(set(meters) - meters_read)
        out["health.meters_read"] = Measurement(
            1 - len(unread) / len(meters), "ratio", "meters the platform read at least once",
            tuple(f"{m}: never read" for m in unread))
    return out
