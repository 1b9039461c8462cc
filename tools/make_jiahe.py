"""Build `scenarios/data/jiahe.toml`: a plausible model of Jiahe community (贾河社区, Chengwu
county, Heze, Shandong), the community of the acceptance notice in shared/seeds.

The notice gives no drawings, so the layout is the synthetic generator's (closed compounds of
6/11/18-floor slab buildings along main roads) at a community-sized 1,480 households; on top of
it this script fits what the notice says Jiahe has: gigabit fiber, 5G, cable TV/IPTV, cameras at
key locations and on tall facades, smart lights, e-bike charging with fault alarms, household
meters, elderly emergency call buttons, smart gates, perimeter detection, high-altitude
throwing cameras, fire hazard sensors, lift e-bike detectors, smart garbage stations and a fire
alarm system covering every public area. Run it again after changing it:

    python tools/make_jiahe.py
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

import devices
from geometry.radio import rsrp_raster
from scenarios import from_dict
from scenarios.generate import generate, to_toml

OUT = Path(__file__).resolve().parents[1] / "scenarios" / "data" / "jiahe.toml"
HOUSEHOLDS, SEED = 1480, 6

RATES_PER_HOUR = {
    "fire_alarm": 0.5, "emergency_call": 2.0, "meter_fault": 1.0, "camera_offline": 0.5,
    "camera_image_loss": 0.5, "lamp_fault": 0.5, "charger_over_temperature": 0.5,
    "garbage_violation": 1.0, "gate_forced": 0.5, "intrusion": 0.5, "object_thrown": 0.25,
    "ebike_in_elevator": 1.0, "fire_lane_occupied": 0.5,
}
CLEAR_AFTER_S = {"meter_fault": 900.0, "camera_offline": 600.0, "camera_image_loss": 300.0,
                 "ebike_in_elevator": 600.0, "fire_lane_occupied": 1800.0}


def fit_missing_detectors(site: dict[str, Any]) -> None:
    """The generator leaves a few detectors unfitted; Jiahe's notice says coverage is complete."""
    have = {d["id"] for d in site["fire_detectors"]}
    for area in site["public_areas"]:
        (x0, _), (x1, y1) = area["polygon"][0], area["polygon"][2]
        for n, x in enumerate(np.arange(x0 + 5, x1, 10.0)):
            ident = f"{area['building']}-F{area['floor']}-D{n}"
            if ident not in have:
                site["fire_detectors"].append({"id": ident, "building": area["building"],
                                               "floor": area["floor"],
                                               "position": [float(x), y1 - 1.0]})


def add_5g_site(data: dict[str, Any]) -> None:
    """One more small cell where the generated plan leaves the most area below -105 dBm."""
    scenario = from_dict(data)
    raster = rsrp_raster(scenario.site, 5.0, -105.0, 1.5)
    gap = raster.inside & ~raster.covered
    rows, cols = np.nonzero(gap)
    x = raster.x0 + float(np.median(cols)) * raster.res_m
    y = raster.y0 + float(np.median(rows)) * raster.res_m
    template = dict(data["site"]["cell_sites"][0])
    template.update(id="JH-5G-infill", position=[round(x, 1), round(y, 1)])
    data["site"]["cell_sites"].append(template)


def add_devices(data: dict[str, Any]) -> None:
    site = data["site"]
    new: list[dict[str, Any]] = []
    for c in site["compounds"]:
        (cx0, cy0), (cx1, cy1) = c["boundary"][0], c["boundary"][2]
        cid = c["id"]
        new += [
            {"id": f"{cid}-charger1", "kind": "ebike_charger", "ports": 8,
             "position": [cx0 + 4, cy0 + 4]},
            {"id": f"{cid}-charger2", "kind": "ebike_charger", "ports": 8,
             "position": [cx1 - 4, cy0 + 4]},
            {"id": f"{cid}-garbage", "kind": "garbage_station", "position": [cx0 + 8, cy1 - 4]},
            {"id": f"{cid}-gate-main", "kind": "access_gate", "position": [(cx0 + cx1) / 2, cy0]},
            {"id": f"{cid}-gate-back", "kind": "access_gate", "position": [(cx0 + cx1) / 2, cy1]},
            {"id": f"{cid}-fence-west", "kind": "perimeter_zone", "sensing": "electronic_fence",
             "position": [cx0, (cy0 + cy1) / 2]},
            {"id": f"{cid}-fence-east", "kind": "perimeter_zone", "sensing": "radar",
             "position": [cx1, (cy0 + cy1) / 2]},
            {"id": f"{cid}-hazard-lane", "kind": "fire_hazard_sensor",
             "position": [cx0 + 20, cy0 + 8]},
            {"id": f"{cid}-hazard-hydrant", "kind": "fire_hazard_sensor",
             "position": [cx1 - 20, cy1 - 8]},
        ]
        for b in c["buildings"]:
            (bx, by) = b["footprint"][0]
            if b["floors"] >= 11:  # buildings with lifts
                new.append({"id": f"{b['id']}-lift", "kind": "elevator_ebike_detector",
                            "building": b["id"], "position": [bx + 30, by + 7]})
            if b["floors"] >= 12:
                new.append({"id": f"{b['id']}-throw", "kind": "throwing_camera",
                            "building": b["id"], "watch_floors": b["floors"], "columns": 8,
                            "position": [bx + 30, by - 12]})
    for cam in site["cameras"]:
        if cam.get("purpose") == "key_location":
            new.append({"id": f"cctv-{cam['id']}", "kind": "cctv_camera",
                        "gb_id": cam["gb_id"], "name": cam.get("name", ""),
                        "position": cam["position"]})
    for light in site["lights"]:
        if light.get("smart"):
            new.append({"id": f"light-{light['id']}", "kind": "smart_light",
                        "position": light["position"]})
    n_gw = len(data["gateways"])
    for i, dev in enumerate(new):
        gw = f"gw-safety{i // 200 + 1}"
        if not any(g["id"] == gw for g in data["gateways"]):
            data["gateways"].append({"id": gw, "port": 15100 + n_gw + i // 200})
        dev.update(gateway=gw, unit=i % 200 + 1)
    data["devices"] += new
    for i, gw in enumerate(data["gateways"][:n_gw]):
        gw["port"] = 15100 + i


def scripted_incidents(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Every alarm kind the acceptance exercises happens at least once, at a known time."""
    by_kind: dict[str, str] = {}
    for dev in data["devices"]:
        by_kind.setdefault(dev["kind"], dev["id"])
    out, at = [], 600.0
    for kind in sorted(RATES_PER_HOUR):
        carrier = devices.incident_spec(kind)[0].KIND
        out.append({"at": at, "kind": kind, "target": by_kind[carrier]})
        at += 600.0
    return out


def main() -> None:
    base = generate(HOUSEHOLDS, seed=SEED, name="jiahe")
    data = base.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    data["site"].update(name="jiahe", division_code="371723")
    fit_missing_detectors(data["site"])
    add_5g_site(data)
    add_devices(data)
    data["incidents"] = {"rates_per_hour": RATES_PER_HOUR, "clear_after_s": CLEAR_AFTER_S,
                         "scripted": scripted_incidents(data)}
    data["run"] = {"duration_s": 4 * 3600.0, "drain_s": 900.0, "seed": 20241105,
                   "speed": 120.0}
    data["platform"] = {"poll_interval_s": 1.0, "ack_delay_s": 1.5, "reset_delay_s": 3.0,
                        "travel_time_s": 4.0}
    data["acceptance"] = {"profile": "growth"}
    scenario = from_dict(data, file=OUT.name)
    header = (__doc__ or "").strip().splitlines()[0] + "\nGenerated by tools/make_jiahe.py."
    OUT.write_text(to_toml(scenario, header), encoding="utf-8")
    print(f"{OUT}: {len(scenario.devices)} devices on {len(scenario.gateways)} gateways")


if __name__ == "__main__":
    main()
