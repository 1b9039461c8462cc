"""The CJK font a report carries with it, so Chinese reads on a machine with no CJK font.

The HTML report embeds a subset of Noto Sans SC holding only the characters the page uses (an
`@font-face` with a WOFF data: URL, typically tens of kB). The font comes from a Python package
(`pylopdf-fonts-zh-cn`, Noto Sans SC under the SIL OFL) so every install renders the same, and
falls back to a system font (Debian's `fonts-noto-cjk`, found through matplotlib's font list).
Without either, the page keeps a font stack and says that Chinese needs a CJK font to read.
"""

from __future__ import annotations

import base64
import io
from functools import lru_cache
from pathlib import Path

#: The family name the embedded subset is declared under, first in the page's font stack.
FAMILY = "commtwin-cjk"
STACK = (f'"{FAMILY}", "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", '
         '"Microsoft YaHei", "PingFang SC", system-ui, sans-serif')
_SYSTEM = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans SC", "Source Han Sans SC",
           "WenQuanYi Zen Hei", "WenQuanYi Micro Hei")


@lru_cache(maxsize=1)
def cjk_font() -> Path | None:
    """A font file with the Chinese glyphs the report uses, or None if this machine has none."""
    try:
        import pylopdf_fonts_zh_cn  # type: ignore[import-not-found, unused-ignore]

        path = Path(pylopdf_fonts_zh_cn.sans_path())
        if path.is_file():
            return path
    except ImportError:
        pass
    from matplotlib import font_manager

    for entry in font_manager.fontManager.ttflist:
        if entry.name in _SYSTEM and entry.style == "normal" and entry.weight in (400, "normal"):
            return Path(entry.fname)
    return None


def _is_wide(ch: str) -> bool:
    # CJK ideographs and punctuation, full-width forms: what a Latin-only fallback lacks
    return ord(ch) >= 0x2E80


def subset_css(text: str) -> str:
    """An `@font-face` rule embedding only the glyphs of `text`'s wide characters ("" if no CJK
    font is installed or `text` has none)."""
    font = cjk_font()
    chars = sorted({ch for ch in text if _is_wide(ch)})
    if font is None or not chars:
        return ""
    data = _subset(font, "".join(chars))
    return (f"@font-face {{ font-family: '{FAMILY}'; font-display: block; "
            f"src: url(data:font/woff;base64,{data}) format('woff'); }}")


@lru_cache(maxsize=8)
def _subset(font: Path, chars: str) -> str:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.flavor = "woff"
    options.layout_features = ["*"]
    options.name_IDs = ["*"]  # keep the copyright and licence (the OFL asks for it)
    options.notdef_outline = True
    # a collection (.ttc) opens at its first face; the Han glyphs are in every face
    with TTFont(str(font), fontNumber=0, lazy=True) as tt:
        sub = subset.Subsetter(options)
        sub.populate(text=chars)
        sub.subset(tt)
        buf = io.BytesIO()
        subset.save_font(tt, buf, options)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def note(embedded: bool) -> str:
    """What the reader needs, said on the page when no font could be embedded."""
    if embedded:
        return ""
    return ("Chinese text needs a CJK font on this machine (e.g. Noto Sans CJK SC); the report "
            "was written where none was installed (pip install 'commtwin[cjk]', or "
            "apt install fonts-noto-cjk, and re-render with `commtwin report`).")
