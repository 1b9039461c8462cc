"""The documentation stands on its own: every relative link and image resolves inside the
repository (anchors included), and nothing cites notes or issue numbers a reader does not have."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scenarios.reference import slug

ROOT = Path(__file__).resolve().parents[1]
DOCS = sorted([ROOT / "README.md", ROOT / "CHANGELOG.md", *ROOT.glob("docs/*.md"),
               *ROOT.glob("bench/*.md"), *ROOT.glob("examples/**/*.md")])
PACKAGES = ("scenarios", "geometry", "devices", "sim", "harness", "docs", "examples", "bench",
            "tools")
#: Links written as [text](target) or ![alt](target); the target ends at a space or ')'.
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.S | re.M)
CODE = re.compile(r"`[^`\n]*`")
#: Citations that point outside the repository: private notes, seed files, issue numbers.
CITATION = re.compile(r"\.\./shared|reference-models\.md|indicators\.md|seeds/"
                      r"|\bissue\s+#?\d+|\(issue\s*#?\d+\)", re.I)


def _links(text: str) -> list[str]:
    return LINK.findall(CODE.sub("", FENCE.sub("", text)))


def _anchors(path: Path) -> set[str]:
    seen: dict[str, int] = {}
    anchors: set[str] = set()
    for line in FENCE.sub("", path.read_text(encoding="utf-8")).splitlines():
        m = re.match(r"#{1,6}\s+(.*)", line)
        if not m:
            continue
        base = slug(m.group(1))
        n = seen.get(base, 0)
        anchors.add(base if n == 0 else f"{base}-{n}")  # GitHub numbers repeated headings
        seen[base] = n + 1
    return anchors


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves(doc: Path) -> None:
    broken = []
    for target in _links(doc.read_text(encoding="utf-8")):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto:
            continue
        file, _, anchor = target.partition("#")
        dest = (doc.parent / file).resolve() if file else doc
        if not dest.exists() or ROOT not in (dest, *dest.parents):
            broken.append(f"{target}: no such file in the repository")
        elif anchor and dest.suffix == ".md" and anchor not in _anchors(dest):
            broken.append(f"{target}: no heading with anchor #{anchor} in {dest.name}")
    assert broken == [], f"{doc.relative_to(ROOT)}: {broken}"


def test_the_link_checker_sees_links_and_anchors(tmp_path: Path) -> None:
    text = "See [a](a.md#x-y) and ![i](img/p.png), not `[c](nowhere.md)`.\n```\n[d](e.md)\n```\n"
    assert _links(text) == ["a.md#x-y", "img/p.png"]
    doc = tmp_path / "a.md"
    doc.write_text("# X y\n## X y\n### 4 Video — `video_x`\n", encoding="utf-8")
    assert _anchors(doc) == {"x-y", "x-y-1", "4-video--video_x"}


def test_no_file_cites_notes_or_issue_numbers() -> None:
    files = [p for d in PACKAGES for p in (ROOT / d).rglob("*")
             if p.suffix in (".py", ".md", ".toml", ".json", ".geojson")]
    files += [ROOT / "README.md", *ROOT.glob("tests/**/*.py")]
    found = [f"{p.relative_to(ROOT)}:{n}: {line.strip()}"
             for p in files if p.name != "test_docs.py"
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if CITATION.search(line)]
    assert found == []
