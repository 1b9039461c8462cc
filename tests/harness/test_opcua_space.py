"""Every NodeId of the twin's namespace is unique for any ids the scenario schema admits.

A device id `N1-fire.fire` once equalled the NodeId of point `fire` of device `N1-fire` and
crashed the OPC UA server; ids are now restricted (`scenarios.base.SAFE_ID`), so a device's
NodeId (no dot) can never equal a point's (`device.point`) or a folder's (`folder:...`).
"""

from __future__ import annotations

import copy
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from harness.faces.opcua.space import plan
from scenarios import from_dict, load
from scenarios.base import SAFE_ID
from sim import World
from tests.conftest import demo_dict

DEMO = demo_dict()


def nodeids(scenario_name_or_doc: str | dict[str, object]) -> list[str]:
    s = (load(scenario_name_or_doc) if isinstance(scenario_name_or_doc, str)
         else from_dict(scenario_name_or_doc))
    return [str(spec.nodeid.Identifier) for spec in plan(s, World(s).devices.values(), ns=2)]


def test_bundled_scenarios_have_unique_nodeids() -> None:
    for name in ("demo", "jiahe"):
        ids = nodeids(name)
        assert len(ids) == len(set(ids)), name


#: Short admitted ids (a subset of SAFE_ID): prefixes of each other are likely, like `a`, `a-b`.
SHORT_IDS = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_-]{0,6}", fullmatch=True)


@settings(max_examples=10, deadline=None)
@given(st.lists(SHORT_IDS,
                min_size=len(DEMO["devices"]), max_size=len(DEMO["devices"]), unique=True)
       .filter(lambda ids: not set(ids) & {g["id"] for g in DEMO["gateways"]}))
def test_any_admitted_device_ids_give_unique_nodeids(new_ids: list[str]) -> None:
    assert all(re.fullmatch(SAFE_ID, i) for i in new_ids)
    doc = copy.deepcopy(DEMO)
    renamed = dict(zip((d["id"] for d in doc["devices"]), new_ids, strict=True))
    for d in doc["devices"]:
        d["id"] = renamed[d["id"]]
    for section in (doc["incidents"]["scripted"], doc["faults"]["scripted"]):
        for item in section:
            item["target"] = renamed.get(item["target"], item["target"])
    ids = nodeids(doc)
    assert len(ids) == len(set(ids))
