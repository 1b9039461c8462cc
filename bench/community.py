"""The benchmark community: `scenarios.generate` output plus every other device kind.

`scenarios.generate` (owned by the geometry work) lays out the site with fire panels, call
buttons and electricity meters. `with_catalogue` is the one, separate step that adds what
the device benchmarks need: a water and a gas meter per household (so 10,000 households give about
30,000 devices), and per compound/building the other kinds, on extra gateways, with
`jiahe`-like incident rates. It re-validates through `scenarios.from_dict`.
"""

from __future__ import annotations

from typing import Any

from scenarios import Scenario, from_dict
from scenarios.generate import generate

UNITS_PER_GATEWAY = 247

#: Incidents per hour over the whole community (the Jiahe notice gives none; these are a
#: plausible busy day: a few calls and faults an hour, fires rare).
RATES_PER_HOUR = {
    "fire_alarm": 0.05, "fire_panel_fault": 0.2, "emergency_call": 0.5, "call_low_battery": 0.2,
    "meter_fault": 2.0, "water_meter_fault": 1.0, "gas_meter_fault": 1.0,
    "charger_over_current": 0.1, "charger_over_temperature": 0.1, "charger_smoke": 0.02,
    "lamp_fault": 0.3, "fire_lane_occupied": 0.5, "hydrant_pressure_low": 0.05,
    "fire_door_open": 0.5, "electrical_fault": 0.05, "intrusion": 0.1, "perimeter_tamper": 0.02,
    "object_thrown": 0.05, "camera_offline": 0.3, "camera_image_loss": 0.3, "gate_forced": 0.2,
    "ebike_in_elevator": 0.5, "garbage_violation": 1.0, "garbage_full": 0.2,
}
CLEAR_AFTER_S = {k: 900.0 for k in RATES_PER_HOUR}


def with_catalogue(base: Scenario, duration_s: float = 86400.0) -> Scenario:
    data: dict[str, Any] = base.model_dump(mode="python", exclude_defaults=True)
    extra: list[dict[str, Any]] = []
    for d in base.devices:
        if d.kind == "electricity_meter":
            for kind in ("water_meter", "gas_meter"):
                extra.append({"id": d.id.replace("meter", kind.split("_")[0]), "kind": kind,
                              "building": d.building, "floor": d.floor,
                              "position": d.position})
    for c in base.site.compounds:
        x, y = c.boundary[0]
        at = [x + 5, y + 5]
        for kind, n in (("ebike_charger", 2), ("smart_light", 6), ("fire_hazard_sensor", 1),
                        ("perimeter_zone", 2), ("cctv_camera", 2), ("access_gate", 2),
                        ("garbage_station", 1)):
            for i in range(n):
                extra.append({"id": f"{c.id}-{kind}{i}", "kind": kind, "position": at})
        for b in c.buildings:
            pos = list(b.footprint[0])
            extra.append({"id": f"{b.id}-lift", "kind": "elevator_ebike_detector",
                          "building": b.id, "position": pos})
            if b.floors >= 12:
                extra.append({"id": f"{b.id}-throw", "kind": "throwing_camera",
                              "building": b.id, "position": pos, "watch_floors": b.floors})
    n_gw = -(-len(extra) // UNITS_PER_GATEWAY)
    gateways = [{"id": f"gx{g + 1:03d}", "port": 0} for g in range(n_gw)]
    for i, d in enumerate(extra):
        d["gateway"] = gateways[i // UNITS_PER_GATEWAY]["id"]
        d["unit"] = i % UNITS_PER_GATEWAY + 1
    data["gateways"] = [*data["gateways"], *gateways]
    data["devices"] = [*data.get("devices", []), *extra]
    data["incidents"] = {"rates_per_hour": RATES_PER_HOUR, "clear_after_s": CLEAR_AFTER_S}
    data["run"] = {**data["run"], "duration_s": duration_s, "drain_s": 0.0}
    return from_dict(data, file="<bench community>")


def community(households: int = 10_000, seed: int = 0) -> Scenario:
    return with_catalogue(generate(households, seed))
