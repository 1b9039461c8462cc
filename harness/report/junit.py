"""The report as JUnit XML, for CI: one test case per indicator."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from harness.report.header import STATUS_EN, run_facts


def render_junit(doc: dict[str, Any]) -> str:
    """One test case per indicator: not met is a failure; needs evidence, modelled and
    indicative are skipped (none of them is a pass). The run's identity is in the properties."""
    counts = doc["counts"]
    skipped = sum(counts.get(s, 0) for s in ("needs_evidence", "modelled", "indicative"))
    suite = ET.Element("testsuite", name=f"commtwin.acceptance.{doc['scenario']}",
                       tests=str(len(doc["indicators"])),
                       failures=str(counts["not_met"]), errors="0",
                       skipped=str(skipped), time="0",
                       timestamp=str(doc["run"].get("started_utc") or ""),
                       hostname=str(doc["run"].get("host") or ""))
    properties = ET.SubElement(suite, "properties")
    for label, value in run_facts(doc):
        ET.SubElement(properties, "property", name=label, value=value)
    for ind in doc["indicators"]:
        case = ET.SubElement(suite, "testcase", classname=f"acceptance.{doc['tier']}",
                             name=f"{ind['number']:02d} {ind['name_en']} {ind['name_zh']}",
                             time="0")
        detail = "\n".join(f"{c['label']}: {c['value_text']} ({c['op']} {c['threshold_text']})"
                           for c in ind["criteria"])
        if ind["status"] == "not_met":
            failure = ET.SubElement(case, "failure", type="NotMet",
                                    message=f"未达标 not met: {ind['standard_en']}")
            failure.text = detail + "\n" + "\n".join(
                e for c in ind["criteria"] if c["ok"] is False for e in c["evidence"][:20])
        elif ind["status"] != "met":
            ET.SubElement(case, "skipped", message=f"{ind['status_zh']} "
                          f"{STATUS_EN[ind['status']]}: " + "; ".join(ind["notes"]))
        if detail:
            ET.SubElement(case, "system-out").text = detail
    # CI gates on latency and regressions: one case each, failing with the kind, limit and figure
    for gate in doc.get("gates", []):
        if gate["family"] not in ("latency", "regression"):
            continue
        case = ET.SubElement(suite, "testcase", classname=f"gates.{gate['family']}",
                             name=gate["name"], time="0")
        if not gate["ok"]:
            ET.SubElement(case, "failure", type=gate["family"].title(),
                          message=gate["message"]).text = gate["message"]
        ET.SubElement(case, "system-out").text = gate["message"]
    cases = suite.findall("testcase")
    suite.set("tests", str(len(cases)))
    suite.set("failures", str(sum(1 for c in cases if c.find("failure") is not None)))
    ET.indent(suite)
    return ET.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"
