"""TR 38.901 path loss against hand-computed values, and properties of the RSRP raster."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sitekit import building, scenario

from geometry.indicators import mobile_5g
from geometry.radio import (
    breakpoint_m,
    los_probability,
    o2i_wall_loss_db,
    path_loss_db,
    reliability_z,
    resource_elements,
    rsrp_dbm,
    rsrp_raster,
)


def cell(x: float, y: float, **kw: object) -> dict[str, object]:
    return {"id": f"s{x}-{y}", "position": [x, y], "height_m": 25, "tx_power_dbm": 46,
            "frequency_ghz": 3.5, "antenna_gain_dbi": 10, **kw}


def test_uma_los_at_100_m_matches_the_formula_by_hand() -> None:
    # d3D = sqrt(100² + (25 - 1.5)²) = 102.724 m; d'BP = 4 * 24 * 0.5 * 3.5e9 / c = 560.4 m,
    # so PL1 = 28 + 22 log10(102.724) + 20 log10(3.5) = 28 + 44.257 + 10.881 = 83.138 dB.
    assert breakpoint_m(25, 1.5, 3.5) == pytest.approx(560.388, abs=1e-3)
    assert path_loss_db(100.0, 25, 1.5, 3.5, "UMa", True) == pytest.approx(83.138, abs=1e-3)


def test_uma_nlos_takes_the_larger_of_los_and_nlos() -> None:
    # d3D = 300.919 m: PL_LOS = 93.407 dB, PL_NLOS' = 13.54 + 39.08 log10(300.919) + 10.881
    # - 0.6 * 0 = 121.279 dB.
    assert path_loss_db(300.0, 25, 1.5, 3.5, "UMa", False) == pytest.approx(121.279, abs=1e-3)
    assert path_loss_db(300.0, 25, 1.5, 3.5, "UMa", True) == pytest.approx(93.407, abs=1e-3)


def test_umi_beyond_the_breakpoint_uses_pl2() -> None:
    # UMi, hBS 10 m: d'BP = 4 * 9 * 0.5 * 3.5e9 / c = 210.145 m < 400 m, so
    # PL2 = 32.4 + 40 log10(400.090) + 20 log10(3.5) - 9.5 log10(210.145² + 8.5²) = 103.233 dB.
    d3 = math.hypot(400, 8.5)
    by_hand = (32.4 + 40 * math.log10(d3) + 20 * math.log10(3.5)
               - 9.5 * math.log10(210.1453799748358**2 + 8.5**2))
    assert by_hand == pytest.approx(103.233, abs=1e-3)
    assert path_loss_db(400.0, 10, 1.5, 3.5, "UMi", True) == pytest.approx(by_hand, abs=1e-9)


def test_distances_under_10_m_are_held_at_the_model_edge() -> None:
    assert path_loss_db(2.0, 25, 1.5, 3.5, "UMa", True) == path_loss_db(10.0, 25, 1.5, 3.5,
                                                                          "UMa", True)


def test_los_probability() -> None:
    assert los_probability(10.0, "UMa") == 1.0
    assert los_probability(100.0, "UMa") == pytest.approx(0.18 + math.exp(-100 / 63) * 0.82)
    assert los_probability(100.0, "UMi") == pytest.approx(0.18 + math.exp(-100 / 36) * 0.82)


def test_unknown_scenario_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="'RMa'"):
        path_loss_db(100.0, 25, 1.5, 3.5, "RMa", True)


def test_rsrp_per_resource_element() -> None:
    assert resource_elements(100, 30) == 3276
    s = scenario(cell_sites=[cell(0, 0)])
    # 46 dBm - 10 log10(3276) + 10 dBi - 100 dB = -79.153 dBm
    assert rsrp_dbm(s.site.cell_sites[0], np.array(100.0)) == pytest.approx(-79.153, abs=1e-3)


def test_a_building_puts_the_cells_behind_it_in_nlos() -> None:
    s = scenario(buildings=[building("B", 100, 40, 110, 60)], cell_sites=[cell(50, 50)])
    r = rsrp_raster(s.site, res_m=1.0)
    xs, ys = r.xy()
    row = int(np.argmin(np.abs(ys - 50.5)))
    front = r.rsrp_dbm[row, int(np.argmin(np.abs(xs - 80.5)))]
    behind = r.rsrp_dbm[row, int(np.argmin(np.abs(xs - 130.5)))]
    beside = r.rsrp_dbm[int(np.argmin(np.abs(ys - 85.5))), int(np.argmin(np.abs(xs - 80.5)))]
    d_behind = math.hypot(130.5 - 50, 0.5)
    los = path_loss_db(d_behind, 25, 1.5, 3.5, "UMa", True)
    nlos = path_loss_db(d_behind, 25, 1.5, 3.5, "UMa", False)
    assert behind == pytest.approx(float(rsrp_dbm(s.site.cell_sites[0], nlos)))
    assert behind < float(rsrp_dbm(s.site.cell_sites[0], los))
    assert front > behind and beside > behind


def test_mobile_indicator_threshold_and_evidence() -> None:
    s = scenario(cell_sites=[cell(0, 0, tx_power_dbm=10, antenna_gain_dbi=0)],
                 buildings=[building("B", 60, 20, 80, 80)])
    res = mobile_5g(s.site, threshold=0.9, res_m=2.0)
    assert res.ratio is not None and 0 < res.ratio < 1
    assert res.status == "not_met" and res.evidence
    assert all("below -105 dBm at 90% reliability" in e.reason for e in res.evidence)
    assert "P(RSRP >= -105 dBm) >= 90%" in res.note and "100 MHz @ 30 kHz SCS" in res.note
    bare = mobile_5g(scenario().site, res_m=5.0)
    assert bare.evidence[0].reason == "no 5G site in the site model"


sites = st.lists(st.tuples(st.floats(0, 200), st.floats(0, 100), st.floats(0, 40)),
                 min_size=0, max_size=3)


@settings(max_examples=25, deadline=None)
@given(sites=sites, extra=st.tuples(st.floats(0, 200), st.floats(0, 100), st.floats(0, 40)))
def test_adding_a_site_never_shrinks_coverage(sites: list[tuple[float, float, float]],
                                              extra: tuple[float, float, float]) -> None:
    blds = [building("A", 60, 30, 90, 45), building("B", 120, 60, 150, 75)]
    cells = [cell(x, y, tx_power_dbm=p, id=f"s{i}") for i, (x, y, p) in enumerate(sites)]
    before = rsrp_raster(scenario(buildings=blds, cell_sites=cells).site, res_m=5.0)
    after = rsrp_raster(scenario(buildings=blds, cell_sites=[*cells, cell(*extra[:2],
                        tx_power_dbm=extra[2], id="extra")]).site, res_m=5.0)
    assert (after.covered | ~before.covered).all()  # every covered cell stays covered
    ratio = mobile_5g(scenario(buildings=blds).site, raster=after).ratio
    assert ratio is not None and 0.0 <= ratio <= 1.0


@settings(max_examples=15, deadline=None)
@given(x=st.floats(0, 200), y=st.floats(0, 100))
def test_covered_cells_lie_inside_a_triangular_boundary(x: float, y: float) -> None:
    tri = [[0, 0], [200, 0], [0, 100]]
    r = rsrp_raster(scenario(boundary=tri, cell_sites=[cell(x, y)]).site, res_m=4.0)
    xs, ys = r.xy()
    gx, gy = np.meshgrid(xs, ys)
    inside = gx / 200 + gy / 100 <= 1.0 + 1e-9
    assert not (r.covered & ~inside).any()
    assert r.covered.any()


# --- location reliability and indoor loss, by hand ------------------------------------------

def test_the_90_percent_margin() -> None:
    # Phi^-1(0.90) = 1.2816 (95%: 1.6449); NLOS UMa sigma 6 dB: median >= -105 + 7.69 dB.
    assert reliability_z(0.90) == pytest.approx(1.2816, abs=1e-4)
    assert reliability_z(0.95) == pytest.approx(1.6449, abs=1e-4)
    assert -105 + reliability_z(0.90) * 6 == pytest.approx(-97.31, abs=0.005)


def test_a_cell_whose_median_passes_but_not_at_90_percent() -> None:
    # UMa site 25 m up at (-199.5, 50.5); the raster cell centre (100.5, 50.5) is 300 m away
    # behind building B (x 20..30): NLOS, PL = 121.279 dB (test above). RSRP = EIRP
    # - 10 log10(3276) - PL = EIRP - 35.153 - 121.279; EIRP 53.432 dBm gives a median of
    # -103.0 dBm >= -105 dBm, but P(RSRP >= -105) = Phi(2 / 6) = 63% < 90% (needs -97.31).
    # At a 60% target: z = 0.2533, needs -105 + 1.52 = -103.48 <= -103.0: covered.
    site = {"id": "s", "position": [-199.5, 50.5], "height_m": 25, "eirp_dbm": 53.432,
            "frequency_ghz": 3.5, "antenna_gain_dbi": 17, "scenario": "UMa"}  # gain unused
    blds = [building("B", 20, 40, 30, 60)]
    r90 = rsrp_raster(scenario(buildings=blds, cell_sites=[site]).site, res_m=1.0)
    xs, ys = r90.xy()
    at = (int(np.argmin(np.abs(ys - 50.5))), int(np.argmin(np.abs(xs - 100.5))))
    assert r90.rsrp_dbm[at] == pytest.approx(-103.0, abs=1e-3)
    assert r90.sigma_db[at] == 6.0
    assert r90.reliable_dbm[at] == pytest.approx(-103.0 - 1.2816 * 6, abs=1e-3)
    assert not r90.covered[at]
    r60 = rsrp_raster(scenario(buildings=blds, cell_sites=[site],
                               coverage={"reliability_5g": 0.6}).site, res_m=1.0)
    assert r60.covered[at]


def test_o2i_low_loss_wall_at_3_5_ghz() -> None:
    # L_glass = 2 + 0.2 * 3.5 = 2.7 dB, L_concrete = 5 + 4 * 3.5 = 19 dB;
    # PL_tw = 5 - 10 log10(0.3 * 10^-0.27 + 0.7 * 10^-1.9) = 5 - 10 log10(0.16111 + 0.00881)
    #       = 5 - 10 log10(0.16992) = 5 + 7.698 = 12.698 dB.
    assert o2i_wall_loss_db(3.5, "low_loss") == pytest.approx(12.698, abs=1e-3)


def test_interiors_count_only_when_the_scenario_says_so() -> None:
    # Building B (x 90..110, y 40..60) is 400 m² of the 200 x 100 m site. By default its
    # interior is not part of the area; counted, the cell centred at (95.5, 50.5), 5.5 m
    # inside the west facade (its nearest, facing the site: LOS), loses PL_tw + 0.5 * 5.5 =
    # 12.698 + 2.75 dB more than the same 55 m path outdoors; its spread is
    # sqrt(4² + 4.4²) = 5.946 dB.
    site = {"id": "s", "position": [40.5, 50.5], "height_m": 25, "tx_power_dbm": 46,
            "frequency_ghz": 3.5, "antenna_gain_dbi": 10}
    blds = [building("B", 90, 40, 110, 60)]
    out = rsrp_raster(scenario(buildings=blds, cell_sites=[site]).site, res_m=1.0)
    assert int(out.inside.sum()) == 200 * 100 - 400
    inn = rsrp_raster(scenario(buildings=blds, cell_sites=[site],
                               coverage={"count_interiors_5g": True}).site, res_m=1.0)
    assert int(inn.inside.sum()) == 200 * 100
    xs, ys = inn.xy()
    at = (int(np.argmin(np.abs(ys - 50.5))), int(np.argmin(np.abs(xs - 95.5))))
    los = float(rsrp_dbm(scenario(cell_sites=[site]).site.cell_sites[0],
                         path_loss_db(55.0, 25, 1.5, 3.5, "UMa", True)))
    assert inn.indoor[at]
    assert inn.rsrp_dbm[at] == pytest.approx(los - 12.698 - 2.75, abs=1e-3)
    assert inn.sigma_db[at] == pytest.approx(math.hypot(4.0, 4.4))
    assert "O2I low-loss" in inn.interiors


def test_exactly_one_of_tx_power_and_eirp() -> None:
    from scenarios import ScenarioError
    both = cell(0, 0, eirp_dbm=50)
    with pytest.raises(ScenarioError, match="give exactly one of the two"):
        scenario(cell_sites=[both])
    neither = {k: v for k, v in cell(0, 0).items() if k != "tx_power_dbm"}
    with pytest.raises(ScenarioError, match="give exactly one of the two"):
        scenario(cell_sites=[neither])
