"""A synthetic community of N households, for scale tests and planning experiments.

`generate(households, seed)` lays out closed compounds on a grid separated by main roads; each
compound holds up to four rows of three slab buildings (6, 11 or 18 floors, four households a
floor, 60 m x 14 m), a fire lane in front of every row and footpaths around. It adds what the
coverage indicators read (key locations, PON plant, 5G sites, cameras, detectors, lights, TV,
a sports ground every few compounds) and the devices the twin serves (a fire panel and two call
buttons per building, one electricity meter per household) behind gateways of <= 247 units.
A few random flaws (missing cameras, GPON buildings, a bad camera record) keep the indicators
honest. Incidents come at the jiahe community's rates scaled by households, with one of each kind
scripted so a short rehearsal always shows every kind (`incidents=False` leaves them out).
The same households and seed give the same scenario (numpy `SeedSequence(seed)`).
`to_toml` writes a scenario back as loadable TOML.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import tomli_w

from scenarios.base import LatLon
from scenarios.geojson import LocalFrame
from scenarios.loader import from_dict
from scenarios.model import Scenario

SLOT_X, SLOT_Y = 80.0, 50.0      # building slot pitch inside a compound, m
COLS, ROWS = 3, 4                # building slots per compound
COMPOUND_W, COMPOUND_H = COLS * SLOT_X + 20.0, ROWS * SLOT_Y + 20.0
ROAD_W = 40.0                    # main-road corridor between compounds, m
FLOOR_TYPES = np.array([6, 11, 18])
FLOOR_P = np.array([0.3, 0.3, 0.4])
PER_FLOOR = 4                    # households per floor (two stair cores x two flats)
UNITS_PER_GATEWAY = 247          # Modbus unit ids 1..247
PORTS_10G, PORTS_GPON = 256, 64  # PON ports per OLT chassis; more OLTs when they run out
#: The largest community `generate` makes: ~2,000 buildings, ~106,000 devices, ~4 km a side.
MAX_HOUSEHOLDS = 100_000
#: Incidents per household per simulated hour: the bundled jiahe scenario's rates (1,480
#: households) for the kinds the generated devices carry. Fire alarms, emergency calls and
#: meter faults all grow with the homes (and meters) a community has.
JIAHE_HOUSEHOLDS = 1480
RATES_PER_HOUSEHOLD_H = {"fire_alarm": 0.5 / JIAHE_HOUSEHOLDS,
                         "emergency_call": 2.0 / JIAHE_HOUSEHOLDS,
                         "meter_fault": 1.0 / JIAHE_HOUSEHOLDS}
#: One scripted incident of each kind (simulated second, kind, device id suffix of the first
#: building), like jiahe's, so that even a tiny community's rehearsal shows every kind.
SCRIPTED = ((600.0, "fire_alarm", "fire"), (1200.0, "emergency_call", "call0"),
            (1800.0, "meter_fault", "meter0"))
ORIGIN = LatLon(lat=34.9530, lon=115.8890)
DIVISION = "371723"              # Chengwu county, Heze (GB/T 2260)


def _camera(out: list[dict[str, Any]], frame: LocalFrame, rng: np.random.Generator,
            cid: str, purpose: str, pos: tuple[float, float], heading: float, *,
            height: float = 6.0, hfov: float = 40.0, vfov: float = 23.0, tilt: float = -5.0,
            ) -> None:
    serial = len(out) + 1
    kind = "134" if rng.random() < 0.01 else "132"  # now and then an alarm input id
    lat, lon = frame.to_latlon(pos[0], pos[1])
    out.append({
        "id": cid, "gb_id": f"{DIVISION}00" + "01" + kind + "7" + f"{serial:06d}",
        "name": cid, "division_code": DIVISION,
        "latlon": {"lat": round(float(lat), 7), "lon": round(float(lon), 7)},
        "purpose": purpose, "position": [round(pos[0], 2), round(pos[1], 2)],
        "height_m": height, "heading_deg": heading % 360.0, "hfov_deg": hfov,
        "vfov_deg": vfov, "tilt_deg": tilt, "width_px": 3840, "height_px": 2160})


def _lane_cameras(out: list[dict[str, Any]], frame: LocalFrame, rng: np.random.Generator,
                  prefix: str, x0: float, x1: float, y: float) -> None:
    """Cameras along a horizontal lane, back to back every ~160 m, covering it end to end."""
    n = max(1, int(np.ceil((x1 - x0) / 160.0)))
    poles = np.linspace(x0, x1, n + 1)
    for k, x in enumerate(poles):
        if k > 0:
            _camera(out, frame, rng, f"{prefix}-{k}w", "key_location", (x, y), 270)
        if k < n:
            _camera(out, frame, rng, f"{prefix}-{k}e", "key_location", (x, y), 90)


def generate(households: int, seed: int = 0, name: str | None = None,
             incidents: bool = True) -> Scenario:
    """A valid scenario of exactly `households` households (1..MAX_HOUSEHOLDS), with incidents
    at jiahe's rates per household unless `incidents` is false."""
    if not 1 <= households <= MAX_HOUSEHOLDS:
        raise ValueError(f"households = {households}: must be between 1 and {MAX_HOUSEHOLDS:,}")
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    frame = LocalFrame(ORIGIN)
    floors: list[int] = []
    hh: list[int] = []
    left = households
    while left > 0:
        f = int(rng.choice(FLOOR_TYPES, p=FLOOR_P))
        n = min(left, f * PER_FLOOR)
        floors.append(f)
        hh.append(n)
        left -= n
    per_compound = COLS * ROWS - 1  # one slot per compound is kept for a yard or a ground
    n_comp = -(-len(floors) // per_compound)
    grid_w = int(np.ceil(np.sqrt(n_comp)))
    grid_h = -(-n_comp // grid_w)
    pitch_x, pitch_y = COMPOUND_W + ROAD_W, COMPOUND_H + ROAD_W
    width, height = grid_w * pitch_x + ROAD_W, grid_h * pitch_y + ROAD_W
    site: dict[str, Any] = {
        "name": name or f"generated-{households}-{seed}", "division_code": DIVISION,
        "origin": ORIGIN.model_dump(), "boundary": [[0, 0], [width, 0], [width, height],
                                                    [0, height]],
    }
    Rows = list[dict[str, Any]]
    compounds: Rows = []
    keys: Rows = []
    paths: Rows = []
    cams: Rows = []
    lights: Rows = []
    grounds: Rows = []
    books: Rows = []
    olts: Rows = []
    splitters: Rows = []
    drops: Rows = []
    cells: Rows = []
    areas: Rows = []
    dets: Rows = []
    tv: Rows = []
    devices: Rows = []
    # Main roads: horizontal and vertical centrelines of the corridors between compounds.
    for j in range(grid_h + 1):
        y = j * pitch_y + ROAD_W / 2
        paths.append({"id": f"road-h{j}", "kind": "road", "points": [[0, y], [width, y]]})
        keys.append({"id": f"main-h{j}", "kind": "main_road", "points": [[0, y], [width, y]]})
        _lane_cameras(cams, frame, rng, f"cam-main-h{j}", 0.0, width, y)
    for i in range(grid_w + 1):
        x = i * pitch_x + ROAD_W / 2
        paths.append({"id": f"road-v{i}", "kind": "road", "points": [[x, 0], [x, height]]})
    b = 0
    port = gport = 0
    for c in range(n_comp):
        cx = (c % grid_w) * pitch_x + ROAD_W
        cy = (c // grid_w) * pitch_y + ROAD_W
        cid = f"C{c + 1:02d}"
        gate = (cx + COMPOUND_W / 2, cy)
        keys.append({"id": f"{cid}-gate", "kind": "compound_entrance", "points": [list(gate)]})
        _camera(cams, frame, rng, f"cam-{cid}-gate", "key_location", (gate[0] + 8, cy + 12),
                200, hfov=60)
        park = (cx + COMPOUND_W - 20, cy)
        keys.append({"id": f"{cid}-park", "kind": "parking_entrance", "points": [list(park)]})
        _camera(cams, frame, rng, f"cam-{cid}-park", "key_location", (park[0] - 8, cy + 12),
                160, hfov=60)
        books.append({"id": f"{cid}-books", "position": [gate[0] + 5, cy + 3]})
        cells.append({"id": f"{cid}-5G", "position": [gate[0], cy - ROAD_W / 2],
                      "height_m": 10, "tx_power_dbm": 37, "frequency_ghz": 3.5,
                      "antenna_gain_dbi": 8, "scenario": "UMi"})
        # Gate path, side paths and a back path tie the fire lanes to the main road.
        x_left, x_right = cx + 5, cx + COMPOUND_W - 5
        y_top = cy + ROWS * SLOT_Y + 10
        paths.append({"id": f"{cid}-gate", "points": [[gate[0], cy - ROAD_W / 2],
                                                       [gate[0], cy + 8]]})
        paths.append({"id": f"{cid}-ring", "points": [[x_left, cy - ROAD_W / 2],
                      [x_left, y_top], [x_right, y_top], [x_right, cy - ROAD_W / 2]]})
        buildings: Rows = []
        slots = [(r, k) for r in range(ROWS) for k in range(COLS)]
        yard = (0, COLS - 1)
        if c % 4 == 0:  # a sports ground in this compound's yard slot
            gx, gy = cx + 10 + yard[1] * SLOT_X, cy + 18
            grounds.append({"id": f"{cid}-ground", "entrances": [[gx + 30, gy - 10]],
                            "footprint": [[gx, gy], [gx + 60, gy], [gx + 60, gy + 28],
                                          [gx, gy + 28]]})
        for r in range(ROWS):
            y_lane = cy + 8 + r * SLOT_Y
            paths.append({"id": f"{cid}-lane{r}", "kind": "road",
                          "points": [[x_left, y_lane], [x_right, y_lane]]})
            keys.append({"id": f"{cid}-lane{r}", "kind": "fire_lane",
                         "points": [[x_left, y_lane], [x_right, y_lane]]})
            _lane_cameras(cams, frame, rng, f"cam-{cid}-lane{r}", x_left, x_right, y_lane)
            for k in range(0, int(COMPOUND_W), 25):
                lights.append({"id": f"{cid}-L{r}-{k}", "position": [cx + k, y_lane - 1],
                               "smart": bool(rng.random() < 0.85)})
        for slot in slots:
            if slot == yard or b >= len(floors):
                continue
            r, k = slot
            x0, y0 = cx + 10 + k * SLOT_X, cy + 18 + r * SLOT_Y
            bid = f"{cid}-B{len(buildings) + 1:02d}"
            nf, nh = floors[b], hh[b]
            b += 1
            buildings.append({"id": bid, "floors": nf, "households": nh, "footprint": [
                [x0, y0], [x0 + 60, y0], [x0 + 60, y0 + 14], [x0, y0 + 14]]})
            tv.append({"building": bid, "cable_tv": bool(rng.random() < 0.9), "iptv": True})
            # PON: a 1:64 splitter per building on a 10G port; one in ten stays on GPON.
            gpon = rng.random() < 0.1
            feed = (f"OLT{gport // PORTS_GPON + 1}/G{gport % PORTS_GPON}" if gpon
                    else f"OLT{port // PORTS_10G + 1}/P{port % PORTS_10G}")
            gport, port = (gport + 1, port) if gpon else (gport, port + 1)
            splitters.append({"id": f"SP-{bid}", "ratio": 128 if nh > 64 else 64, "feed": feed,
                              "position": [x0, y0 - 2],
                              "feeder_km": round(float(np.hypot(x0, y0)) / 1000 + 0.2, 3),
                              "connectors": 4, "splices": 4})
            drops.append({"id": f"D-{bid}", "building": bid, "splitter": f"SP-{bid}",
                          "households": nh, "drop_km": 0.05})
            _building_devices(devices, rng, bid, nf, nh, x0, y0)
            for f in range(1, nf + 1):
                areas.append({"id": f"{bid}-F{f}", "building": bid, "floor": f,
                              "polygon": [[x0 + 2, y0 + 6], [x0 + 58, y0 + 6], [x0 + 58, y0 + 8],
                                          [x0 + 2, y0 + 8]]})
                for n_det, x in enumerate(range(7, 58, 10)):
                    if rng.random() < 0.003:
                        continue  # a detector that was never fitted
                    dets.append({"id": f"{bid}-F{f}-D{n_det}", "building": bid, "floor": f,
                                 "position": [x0 + x, y0 + 7]})
            if nf >= 12:
                _facade_cameras(cams, frame, rng, bid, x0, y0)
        compounds.append({"id": cid, "boundary": [[cx, cy], [cx + COMPOUND_W, cy],
                          [cx + COMPOUND_W, cy + COMPOUND_H], [cx, cy + COMPOUND_H]],
                          "buildings": buildings})
    # One chassis per 256 10G (or 64 GPON) ports in use, all in the central office corner.
    for k in range(max(-(-port // PORTS_10G), -(-gport // PORTS_GPON), 1)):
        olts.append({"id": f"OLT{k + 1}", "position": [ROAD_W / 2, ROAD_W / 2],
                     "ports": [{"id": f"P{p}", "pon_class": "XGS-PON-N1"}
                               for p in range(PORTS_10G)]
                     + [{"id": f"G{p}", "pon_class": "GPON-B+"} for p in range(PORTS_GPON)]})
    site.update(compounds=compounds, key_locations=keys, paths=paths, olts=olts,
                splitters=splitters, fiber_drops=drops, cell_sites=cells, cameras=cams,
                public_areas=areas, fire_detectors=dets, lights=lights, sports_grounds=grounds,
                book_corners=books, tv_services=tv)
    gateways = [{"id": f"gw{g + 1:03d}", "port": 0}
                for g in range(-(-len(devices) // UNITS_PER_GATEWAY))]
    for i, d in enumerate(devices):
        d["gateway"] = gateways[i // UNITS_PER_GATEWAY]["id"]
        d["unit"] = i % UNITS_PER_GATEWAY + 1
    data = {"version": 1, "site": site, "gateways": gateways, "devices": devices,
            "run": {"duration_s": 3600.0, "seed": seed}}
    if incidents:
        data["incidents"] = _incidents(households, compounds[0]["buildings"][0]["id"])
    return from_dict(data, file=f"<generated {households} households, seed {seed}>")


def _incidents(households: int, first_building: str) -> dict[str, Any]:
    rates = {k: float(f"{r * households:.3g}") for k, r in RATES_PER_HOUSEHOLD_H.items()}
    scripted = [{"at": at, "kind": kind, "target": f"{first_building}-{suffix}"}
                for at, kind, suffix in SCRIPTED]
    return {"rates_per_hour": rates, "scripted": scripted}


def _facade_cameras(cams: list[dict[str, Any]], frame: LocalFrame, rng: np.random.Generator,
                    bid: str, x0: float, y0: float) -> None:
    """Two cameras on each long facade and one on each end, looking up; a few go missing."""
    spots = [((x0 + 15, y0 - 15), 0.0), ((x0 + 45, y0 - 15), 0.0),
             ((x0 + 15, y0 + 29), 180.0), ((x0 + 45, y0 + 29), 180.0),
             ((x0 - 10, y0 + 7), 90.0), ((x0 + 70, y0 + 7), 270.0)]
    for k, (pos, head) in enumerate(spots):
        if rng.random() < 0.03:
            continue
        end = k >= 4
        _camera(cams, frame, rng, f"cam-{bid}-f{k}", "facade", pos, head, height=2.0,
                hfov=100.0, vfov=80.0 if end else 75.0, tilt=45.0 if end else 40.0)


def _building_devices(out: list[dict[str, Any]], rng: np.random.Generator, bid: str,
                      floors: int, households: int, x0: float, y0: float) -> None:
    out.append({"id": f"{bid}-fire", "kind": "fire_panel", "building": bid, "floor": 1,
                "position": [x0 + 2, y0 + 7]})
    for k, f in enumerate((1, max(1, floors // 2))):
        out.append({"id": f"{bid}-call{k}", "kind": "call_button", "building": bid,
                    "floor": f, "position": [x0 + 10 + 20 * k, y0 + 7]})
    for h in range(households):
        out.append({"id": f"{bid}-meter{h}", "kind": "electricity_meter", "building": bid,
                    "floor": min(floors, 1 + h // PER_FLOOR),
                    "position": [round(x0 + 1 + float(rng.uniform(0, 58)), 1), y0 + 1]})


def to_toml(scenario: Scenario, header: str = "") -> str:
    """TOML text that `scenarios.loads` reads back into an equal scenario."""
    data = scenario.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    data["version"] = scenario.version
    lines = "".join(f"# {line}\n" for line in header.splitlines())
    return lines + tomli_w.dumps(data)
