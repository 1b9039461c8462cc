"""The report reads on a machine with no CJK font: the summary lists every indicator not met,
and a real browser, given only Latin fonts, draws every Chinese character from a real glyph."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import matplotlib
import pytest

from harness import report
from harness.evidence.health import from_health
from harness.report import fonts
from scenarios import load
from sim import World

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    scenario = load("demo")
    world = World(scenario, modelled_platform=True)
    world.run_virtual()
    lifecycles = world.lifecycles()
    run = {"mode": "virtual", "seed": world.seed, "simulated_s": world.env.now,
           "latency_clock": "sim", "started_utc": "2026-01-01T00:00:00Z",
           "ended_utc": "2026-01-01T00:00:01Z", "host": "testhost",
           "commtwin_version": "0.1.0", "scenario_sha256": "ab" * 32}
    doc, coverage = report.build(scenario, "demo", lifecycles, run, from_health(world, None))
    out = tmp_path_factory.mktemp("report")
    report.write(doc, coverage, scenario, lifecycles, out)
    return out


def test_the_summary_lists_every_indicator_not_met(demo_report: Path) -> None:
    doc = json.loads((demo_report / "report.json").read_text("utf-8"))
    not_met = [i for i in doc["indicators"] if i["status"] == "not_met"]
    assert not_met  # the demo is built to fail some
    html = (demo_report / "report.html").read_text("utf-8")
    summary = html[html.index("<section id='summary'>"):html.index("</section>")]
    md = (demo_report / "report.md").read_text("utf-8")
    md_summary = md[md.index("## 摘要 summary"):md.index("## 运行信息")]
    rows = re.findall(r"<tr><td>(\d+)</td>", summary)
    assert sorted(set(map(int, rows))) == [i["number"] for i in not_met]
    for ind in not_met:
        failing = [c for c in ind["criteria"] if c["ok"] is False]
        for part in (summary, md_summary):
            assert ind["name_zh"] in part and ind["name_en"] in part
            for c in failing:  # the figure and the first place behind it
                assert c["value_text"] in part
                if c["evidence"]:
                    assert c["evidence"][0].split(":")[0] in part
    for s in ("met", "not_met", "needs_evidence", "modelled", "indicative"):
        assert f"{report_status(s)} {doc['counts'][s]}" in summary
    for fact in ("2026-01-01T00:00:00Z", "testhost", "ab" * 32, "virtual", "speed"):
        assert fact in summary and fact in md_summary
    assert "id='worst-latency'" in summary


def report_status(status: str) -> str:
    from harness.report.header import STATUS_EN

    return STATUS_EN[status]


def test_no_empty_section_and_human_captions(demo_report: Path) -> None:
    html = (demo_report / "report.html").read_text("utf-8")
    # every heading has something under it before the next heading
    assert not re.search(r"</h2>\s*<h2", html)
    captions = re.findall(r"<figcaption>(.*?)</figcaption>", html, re.S)
    assert captions and all(re.search("[\u4e00-\u9fff]", c) and re.search("[a-z]{4}", c)
                            for c in captions)
    assert not any(re.fullmatch(r"[a-z_0-9]+", c.strip()) for c in captions)


def test_plots_hold_only_kinds_with_enough_incidents(demo_report: Path) -> None:
    from harness.report.summary import MIN_PLOTTED, kind_latencies

    doc = json.loads((demo_report / "report.json").read_text("utf-8"))
    rows = kind_latencies(doc["incidents"], "sim")
    html = (demo_report / "report.html").read_text("utf-8")
    table = html[html.index("<table id='latency'>"):]
    table = table[:table.index("</table>")]
    assert all(f"<td>{r.kind}</td>" in table for r in rows)  # every kind is in the table
    assert {r.kind for r in rows if r.acknowledged >= MIN_PLOTTED} < {r.kind for r in rows}


def test_the_embedded_font_holds_only_the_page_characters() -> None:
    if fonts.cjk_font() is None:
        pytest.skip("no CJK font installed (pip install pylopdf-fonts-zh-cn)")
    css = fonts.subset_css("验收 acceptance")
    assert css.startswith("@font-face") and fonts.FAMILY in css
    assert len(css) < 20_000  # two glyphs, not a 16 MB font
    assert fonts.subset_css("latin only") == ""


# Counts, on a canvas in the page, the Chinese characters drawn as the "no glyph" box: each is
# drawn in the body's font stack and compared with a code point no font has (U+10FFFD).
_PROBE = """<script>
document.fonts.ready.then(() => {
  const stack = getComputedStyle(document.body).fontFamily;
  const c = document.createElement('canvas'); c.width = 48; c.height = 48;
  const g = c.getContext('2d', {willReadFrequently: true});
  const draw = ch => { g.clearRect(0, 0, 48, 48); g.font = '36px ' + stack;
                       g.fillText(ch, 4, 38); return g.getImageData(0, 0, 48, 48).data.join(); };
  const box = draw('\\u{10FFFD}'), blank = draw(' ');
  const wide = [...new Set(document.body.innerText)].filter(ch => ch.codePointAt(0) >= 0x4E00
                                                           && ch.codePointAt(0) <= 0x9FFF);
  const tofu = wide.filter(ch => { const d = draw(ch); return d === box || d === blank; });
  const out = document.createElement('pre'); out.id = 'probe';
  out.textContent = JSON.stringify({wide: wide.length, tofu: tofu.join(''),
    loaded: document.fonts.check('36px "FAMILY"', '验')});
  document.body.appendChild(out);
});
</script>"""


def _latin_only_fontconfig(tmp: Path) -> Path:
    """A fontconfig that knows only matplotlib's DejaVu fonts: a machine with no CJK font."""
    ttf = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    conf = tmp / "fonts.conf"
    conf.write_text(f"<?xml version='1.0'?><!DOCTYPE fontconfig SYSTEM 'fonts.dtd'>"
                    f"<fontconfig><dir>{ttf}</dir><cachedir>{tmp / 'fc-cache'}</cachedir>"
                    "</fontconfig>", "utf-8")
    return conf


def _probe(page: Path, tmp: Path, env: dict[str, str]) -> dict[str, object]:
    dom = subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp / 'profile'}", "--virtual-time-budget=15000", "--dump-dom",
         page.as_uri()], capture_output=True, text=True, timeout=180, env=env)
    found = re.search(r'<pre id="probe">(.*?)</pre>', dom.stdout, re.S)
    assert found, dom.stderr[-2000:]
    return json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium installed (.ci/run installs one)")
def test_chinese_renders_from_the_embedded_font_without_system_cjk_fonts(
        demo_report: Path, tmp_path: Path) -> None:
    import os

    if fonts.cjk_font() is None:
        pytest.skip("no CJK font to embed (pip install pylopdf-fonts-zh-cn)")
    env = {**os.environ, "FONTCONFIG_FILE": str(_latin_only_fontconfig(tmp_path))}
    html = (demo_report / "report.html").read_text("utf-8")
    probe = _PROBE.replace("FAMILY", fonts.FAMILY)
    with_font = tmp_path / "with.html"
    with_font.write_text(html.replace("</body>", probe + "</body>"), "utf-8")
    # the control: the same page without its embedded font shows boxes on this "machine"
    bare = tmp_path / "bare.html"
    bare.write_text(re.sub(r"@font-face \{.*?\}", "", html, count=1, flags=re.S)
                    .replace("</body>", probe + "</body>"), "utf-8")
    control = _probe(bare, tmp_path, env)
    assert control["tofu"], "this test needs a browser that finds no CJK font: check the control"
    seen = _probe(with_font, tmp_path, env)
    assert seen["loaded"] is True
    assert int(seen["wide"]) > 50  # type: ignore[call-overload]
    assert seen["tofu"] == ""
    # and the page itself renders under the same fonts: a screenshot of the report
    shot = tmp_path / "report.png"
    subprocess.run([str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu",
                    f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1300,1000",
                    f"--screenshot={shot}", (demo_report / "report.html").as_uri()],
                   capture_output=True, timeout=120, env=env, check=True)
    assert shot.stat().st_size > 30_000
