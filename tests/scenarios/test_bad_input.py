"""Bad numbers and bad input never pass validation: each is one bounded line naming the field.

Every class of input that once hung, ate memory or ended in a traceback, plus a
property: any one number of the demo set to nan, inf, -inf or 1e308 is refused by name.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scenarios import ScenarioError, from_dict, load
from scenarios.errors import MAX_VALUE_CHARS, format_path
from scenarios.files import MAX_DEPTH, MAX_FILE_BYTES
from tests.conftest import demo_dict
from tests.scenarios.test_loader import Path_, leaves, put

Mutate = Callable[[dict[str, Any]], None]
SQUARE = [[0, 0], [10, 0], [10, 10], [0, 10]]


def refused(doc: dict[str, Any]) -> ScenarioError:
    with pytest.raises(ScenarioError) as err:
        from_dict(doc, file="demo.toml")
    return err.value


def assert_one_line_naming(err: ScenarioError, path: str, rule: str) -> None:
    line = next(line for line in str(err).splitlines() if f": {path} = " in line)
    assert rule in line, line
    assert line.startswith("demo.toml: ") and "Traceback" not in str(err)


def building(d: dict[str, Any]) -> dict[str, Any]:
    return d["site"]["compounds"][0]["buildings"][0]  # type: ignore[no-any-return]


@pytest.mark.parametrize("mutate,path,rule", [
    (lambda d: d["incidents"]["rates_per_hour"].update(fire_alarm=math.inf),
     "incidents.rates_per_hour.fire_alarm", "finite number"),
    (lambda d: d["incidents"]["rates_per_hour"].update(fire_alarm=1e9),
     "incidents.rates_per_hour.fire_alarm", "less than or equal to 3600"),
    (lambda d: d["incidents"]["rates_per_hour"].update(fire_alarm=math.nan),
     "incidents.rates_per_hour.fire_alarm", "finite number"),
    (lambda d: d["run"].update(duration_s=math.inf), "run.duration_s", "finite number"),
    (lambda d: d["run"].update(duration_s=1e308), "run.duration_s",
     "less than or equal to 31622400"),
    (lambda d: d["run"].update(drain_s=1e12), "run.drain_s", "less than or equal to"),
    (lambda d: d["incidents"]["clear_after_s"].update(meter_fault=-1.0),
     "incidents.clear_after_s.meter_fault", "greater than 0"),
    (lambda d: building(d).update(households=10**8),
     "site.compounds[0].buildings[0].households", "less than or equal to 10000"),
    (lambda d: building(d).update(floors=10**6),
     "site.compounds[0].buildings[0].floors", "less than or equal to 200"),
    (lambda d: d["devices"][0]["position"].__setitem__(0, math.nan), "devices[0].position[0]",
     "finite number"),
    (lambda d: d["devices"][0]["position"].__setitem__(1, 1e7), "devices[0].position[1]",
     "less than or equal to 50000"),
    (lambda d: d["site"].update(boundary=[[0, 0], [9_000_000, 0], [9_000_000, 9_000_000],
                                          [0, 9_000_000]]),
     "site.boundary[1][0]", "less than or equal to 50000"),
    (lambda d: d["site"].update(boundary=[[-40_000, 0], [40_000, 0], [40_000, 100],
                                          [-40_000, 100]]),
     "site.boundary", "bounding box must be <= 10000 m a side"),
    (lambda d: building(d).update(footprint=[[0, 0], [10, 10], [10, 0], [0, 10]]),
     "site.compounds[0].buildings[0].footprint", "not a valid polygon: Self-intersection"),
    (lambda d: building(d).update(footprint=[[0, 0], [5, 0], [10, 0]]),
     "site.compounds[0].buildings[0].footprint", "not a valid polygon"),
    (lambda d: d["site"]["compounds"][0].update(boundary=[[0, 0], [0, 0], [0, 0], [0, 0]]),
     "site.compounds[0].boundary", "not a valid polygon: Too few points"),
    (lambda d: d["site"]["public_areas"][0].update(polygon=[[0, 0], [1, 1], [1, 0], [0, 1]]),
     "site.public_areas[0].polygon", "not a valid polygon"),
    (lambda d: d["devices"][0].update(id="N1-fire.fire"), "devices[0].id",
     "string should match pattern"),
    (lambda d: d["devices"][0].update(id="a/b"), "devices[0].id", "string should match pattern"),
    (lambda d: d["gateways"][0].update(id="gw:1"), "gateways[0].id",
     "string should match pattern"),
    (lambda d: d["devices"][0].update(id=d["gateways"][0]["id"]), "devices[0].id",
     "unique across devices and gateways"),
    (lambda d: building(d).update(id=d["site"]["compounds"][0]["id"]),
     "site.compounds[0].buildings[0].id", "also across compounds"),
    (lambda d: d["site"]["fiber_drops"][0].update(drop_km=1e308),
     "site.fiber_drops[0].drop_km", "<= 60 km"),
    (lambda d: d["site"]["splitters"][0].update(feeder_km=1e6),
     "site.splitters[0].feeder_km", "<= 60 km"),
    (lambda d: d["faults"]["scripted"][0].update(duration=math.inf),
     "faults.scripted[0].duration", "finite number"),
])
def test_each_bad_number_class_is_refused_naming_the_field(mutate: Mutate, path: str,
                                                           rule: str) -> None:
    doc = demo_dict()
    mutate(doc)
    err = refused(doc)
    assert path in err.paths, err.paths
    assert_one_line_naming(err, path, rule)


def test_every_problem_line_is_bounded() -> None:
    doc = demo_dict()
    doc["site"]["name"] = ["x" * 10_000]
    doc["devices"][0]["id"] = "n" * 100_000 + "\n" + "Traceback"
    err = refused(doc)
    for line in str(err).splitlines():
        assert len(line) <= 20 + 2 * MAX_VALUE_CHARS + 300, len(line)
    assert "\nTraceback" not in str(err)


def test_many_problems_are_counted_not_all_listed() -> None:
    doc = demo_dict()
    for d in doc["devices"]:
        d["unit"] = 0
    err = refused(doc)
    assert len(err.problems) == len(doc["devices"])
    assert str(err).count("\n") == 20 and str(err).endswith(
        f"... and {len(doc['devices']) - 20} more problems")
    assert err.one_line().endswith(f"(and {len(doc['devices']) - 1} more: devices[1].unit, "
                                   "devices[2].unit, devices[3].unit, devices[4].unit, "
                                   "devices[5].unit, ...)")
    assert "\n" not in err.one_line()


def test_no_error_ever_prints_a_password() -> None:
    doc = demo_dict()
    users = doc["opcua"]["users"]
    secrets = [u["password"] for u in users]
    users.append(dict(users[0]))  # a duplicate user name, with its password (a loader rule)
    err = refused(doc)
    assert err.paths == ("opcua.users[2].name",) and "user names must be unique" in str(err)
    users[2] = {"name": "x", "password": 12345, "role": "admin"}  # schema rules on a user
    users.append({"name": "y", "password": "sesame-open", "role": "root"})
    users.append({"name": "z", "password": "open-sesame", "colour": "blue"})
    err2 = refused(doc)
    assert {"opcua.users[2].password", "opcua.users[3].role",
            "opcua.users[4].colour"} <= set(err2.paths)
    for text in (str(err), str(err2)):
        for secret in [*secrets, "12345", "sesame-open", "open-sesame"]:
            assert secret not in text
    assert "password = ***" in str(err2)


# -- file level --------------------------------------------------------------------------------

def write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "bad.toml"
    path.write_bytes(data)
    return path


def refused_file(path: Path) -> str:
    with pytest.raises(ScenarioError) as err:
        load(path)
    text = str(err.value)
    assert "\n" not in text and text.startswith("bad.toml: ")
    return text


def test_invalid_utf8_is_one_line(tmp_path: Path) -> None:
    text = refused_file(write(tmp_path, b'version = 1\nname = "\xff\xfe"\n'))
    assert text == ("bad.toml: <file> = 'byte 20': not valid UTF-8 (invalid start byte)")


@pytest.mark.parametrize("nested", [
    "a = " + "[" * 2000 + "]" * 2000,          # the parser itself would recurse too deep
    "a = " + "{b = " * 2000 + "1" + "}" * 2000,
    "a = " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5),
    ".".join(["k"] * (MAX_DEPTH + 5)) + " = 1",  # dotted keys nest without recursing
])
def test_deep_nesting_is_one_line(tmp_path: Path, nested: str) -> None:
    text = refused_file(write(tmp_path, nested.encode()))
    assert f"nested deeper than {MAX_DEPTH} levels" in text


def test_oversize_file_is_refused_before_parsing(tmp_path: Path) -> None:
    path = write(tmp_path, b"")
    with path.open("wb") as f:  # sparse: a 64 MiB test file costs no disk
        f.truncate(MAX_FILE_BYTES + 1)
    assert "must be <= 64 MiB" in refused_file(path)


def test_toml_syntax_error_is_one_line(tmp_path: Path) -> None:
    text = refused_file(write(tmp_path, b"[site\nname = 1\n"))
    assert text.startswith("bad.toml: <toml> = None: not valid TOML: ")


def test_profile_path_does_not_echo_the_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret.toml"
    secret.write_text('api_key = "hunter2-secret"\n[db]\nhost = "10.0.0.7"\n', encoding="utf-8")
    for overrides in ({}, {"mobile_5g": 0.9}):
        doc = demo_dict()
        doc["acceptance"] = {"profile": str(secret), "overrides": overrides}
        err = refused(doc)
        text = str(err)
        assert err.paths == ("acceptance.profile",)
        assert "unusable: not a tier profile" in text
        assert "hunter2" not in text and "10.0.0.7" not in text
    doc = demo_dict()
    doc["acceptance"] = {"profile": str(tmp_path / "none.toml")}
    assert "unusable: cannot be read (No such file or directory)" in str(refused(doc))


def test_a_file_that_is_fine_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "demo-copy.toml"
    path.write_text(tomli_w.dumps(demo_dict()), encoding="utf-8")
    assert load(path) == load("demo")


# -- any one number corrupted ------------------------------------------------------------------

DEMO = demo_dict()


def _get(doc: Any, path: Path_) -> Any:
    for part in path:
        doc = doc[part]
    return doc


NUMBERS = sorted((p for p in leaves(DEMO)
                  if type(_get(DEMO, p)) in (int, float)), key=format_path)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(path=st.sampled_from(NUMBERS),
       bad=st.sampled_from([math.nan, math.inf, -math.inf, 1e308]))
def test_any_corrupted_number_is_named(path: Path_, bad: float) -> None:
    doc = copy.deepcopy(DEMO)
    put(doc, path, bad)
    err = refused(doc)
    where = format_path(path)
    assert any(p == where or p.startswith(where + "[") for p in err.paths), (where, err.paths)
