"""Fonts for matplotlib figures with Chinese text, with or without a CJK font on the system.

``chinese_fonts()`` is what the lessons put in ``plt.rcParams['font.sans-serif']``: the CJK fonts
the system has, then the subset of Noto Sans CJK SC that comes with teachmod (GB2312 level 1,
every character of the lessons, Latin; see ``teachmod/data/fonts/README.md``), then DejaVu Sans.
matplotlib takes each character from the first font in that list that has it.
"""
from __future__ import annotations

from pathlib import Path

# the Chinese fonts a system may have, most used first: Linux (fonts-noto-cjk and the like),
# macOS, Windows
SYSTEM_FONTS = ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "PingFang SC",
                "Heiti SC", "Microsoft YaHei", "SimHei")
BUNDLED_FONT = Path(__file__).resolve().parent.parent / "data" / "fonts" / \
    "TeachmodNotoSansSC-Regular.otf"
BUNDLED_FAMILY = "Teachmod Noto Sans SC"
LATIN_FONT = "DejaVu Sans"  # matplotlib's own, always there


def chinese_fonts() -> list[str]:
    """Font families for figures with Chinese labels: the system's CJK fonts first, then the one
    bundled with teachmod, then DejaVu Sans.

    The first call adds the bundled font to matplotlib's font list (nothing is installed on the
    system). Use it as ``plt.rcParams['font.sans-serif'] = mx.viz.chinese_fonts()``.
    """
    from matplotlib import font_manager

    known = {font.name for font in font_manager.fontManager.ttflist}
    if BUNDLED_FAMILY not in known:
        font_manager.fontManager.addfont(str(BUNDLED_FONT))
    return [*(name for name in SYSTEM_FONTS if name in known), BUNDLED_FAMILY, LATIN_FONT]
