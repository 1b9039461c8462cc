"""Device-health measurements of a run: camera availability and meters the platform read.

- `health.camera_online` / `health.camera_image` (online rate, 出图率): the share of
  (cameras x run time) during which cameras were online / had a usable image, measured from the
  intervals each camera was down. A camera's `online` and `image_ok` points change whenever an
  `offline` fault, a `camera_offline` or a `camera_image_loss` incident starts or clears
  (`devices.cctv_camera`), and the world's trace records each change at its simulated time, so a
  live run and a virtual run of the same schedule give the same figure;
- `health.camera_intact`: cameras online with an image at the end of the run;
- `health.meters_read`: meters the platform read at least once (live runs only).
"""

from __future__ import annotations

from collections.abc import Iterable

from harness.evidence.judge import Measurement
from sim import World

#: Points whose whole-run history device health needs, kept even when the trace spills.
HEALTH_POINTS = frozenset({"online", "image_ok"})
METERS = ("electricity_meter", "water_meter", "gas_meter")
#: Cameras named in a measurement's evidence, longest outage first (the rest are counted).
EVIDENCE_LINES = 50

Interval = tuple[float, float]  # simulated seconds, [start, end)


def outages(world: World, device_ids: Iterable[str], point: str) -> dict[str, list[Interval]]:
    """Per device, the intervals of [0, now] during which bool `point` was false.

    The trace holds a device's stored points only when they change, so the value before the
    first record is its opposite, and a device with no record kept its current value throughout.
    """
    end = world.env.now
    changes: dict[str, list[tuple[float, bool]]] = {i: [] for i in device_ids}
    for r in world.trace.point_changes(frozenset({point})):
        if r.subject in changes:
            changes[r.subject].append((r.t_s, bool(r.value)))
    out: dict[str, list[Interval]] = {}
    for dev_id, steps in changes.items():
        up = (not steps[0][1]) if steps else bool(world.read(dev_id, point))
        down_since: float | None = None if up else 0.0
        intervals: list[Interval] = []
        for t, value in steps:
            if not value and down_since is None:
                down_since = t
            elif value and down_since is not None:
                if t > down_since:  # a fault and a recovery in one instant took no time
                    intervals.append((down_since, t))
                down_since = None
        if down_since is not None and end > down_since:
            intervals.append((down_since, end))
        out[dev_id] = intervals
    return out


def availability(world: World, device_ids: Iterable[str], point: str,
                 what: str) -> Measurement | None:
    """Time-weighted share of (devices x run time) with `point` true, with the outages as
    evidence; None before any simulated time has passed."""
    end = world.env.now
    down = outages(world, device_ids, point)
    if not down or end <= 0:
        return None
    down_s = {d: sum(b - a for a, b in iv) for d, iv in down.items()}
    share = 1.0 - sum(down_s.values()) / (end * len(down))
    hit = sorted((d for d in down if down[d]), key=lambda d: (-down_s[d], d))
    evidence = tuple(
        f"{d}: {what} {down_s[d]:.0f} s in {len(down[d])} interval(s), "
        + ", ".join(f"{a:.0f}-{b:.0f} s" for a, b in down[d][:5])
        + (" …" if len(down[d]) > 5 else "")
        for d in hit[:EVIDENCE_LINES])
    return Measurement(share, "ratio",
                       f"time-weighted '{point}' over {len(down)} cameras x {end:.0f} s "
                       "(simulated)", evidence, len(hit))


def from_health(world: World, meters_read: set[str] | None) -> dict[str, Measurement]:
    out: dict[str, Measurement] = {}
    cams = [d for d in world.devices.values() if d.KIND == "cctv_camera"]
    if cams:
        ids = [d.id for d in cams]
        for key, point, what in (("camera_online", "online", "offline"),
                                 ("camera_image", "image_ok", "no image")):
            m = availability(world, ids, point, what)
            if m is not None:
                out[f"health.{key}"] = m
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
