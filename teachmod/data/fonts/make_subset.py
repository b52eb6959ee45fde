"""Write TeachmodNotoSansSC-Regular.otf: the Simplified Chinese face of Noto Sans CJK cut down to
the GB2312 level-1 characters, every character of the lessons and of teachmod's sources, and Latin.

Run from the repository root after editing a lesson's Chinese text:

    python teachmod/data/fonts/make_subset.py [path/to/NotoSansCJK-Regular.ttc]

The default source is Debian's fonts-noto-cjk; README.md beside this file records the one used.
"""
from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
FACE = "Noto Sans CJK SC"
FAMILY = "Teachmod Noto Sans SC"  # a new name: a subset is a Modified Version under the OFL
OUTPUT = HERE / "TeachmodNotoSansSC-Regular.otf"

# Latin and Latin-1, general punctuation, arrows, maths operators, CJK punctuation, full width
RANGES = [(0x20, 0x7E), (0xA0, 0xFF), (0x2000, 0x206F), (0x2190, 0x21FF), (0x2200, 0x22FF),
          (0x3000, 0x303F), (0xFF01, 0xFF5E)]


def gb2312_level1() -> set[str]:
    """The 3755 characters of GB2312 rows 16-55 (level 1, ordered by pinyin)."""
    chars = set()
    for row in range(0xB0, 0xD8):
        for cell in range(0xA1, 0xFF):
            try:
                chars.add(bytes([row, cell]).decode("gb2312"))
            except UnicodeDecodeError:  # row 55 ends at cell 0xF9
                pass
    return chars


def project_characters() -> set[str]:
    """Every non-ASCII character of the lesson sources and of teachmod's Python files."""
    files = [*ROOT.glob("notebooks/src/*.py"), *ROOT.glob("teachmod/**/*.py")]
    return {ch for path in files for ch in path.read_text(encoding="utf-8") if ord(ch) > 0x7E}


def main(source: Path = SOURCE) -> None:
    collection = TTCollection(source)
    font = next(f for f in collection.fonts if f["name"].getDebugName(1) == FACE)
    chars = gb2312_level1() | project_characters()
    chars |= {chr(c) for low, high in RANGES for c in range(low, high + 1)}
    options = subset.Options()
    options.name_IDs = ["*"]
    options.hinting = False  # matplotlib hints glyphs itself; the hints double the file
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in chars])
    subsetter.subset(font)
    names = font["name"]
    for record in names.names:  # the family, full and PostScript names become the new one
        if record.nameID in (1, 16):
            names.setName(FAMILY, record.nameID, record.platformID, record.platEncID,
                          record.langID)
        elif record.nameID in (3, 4):
            names.setName(f"{FAMILY} Regular", record.nameID, record.platformID,
                          record.platEncID, record.langID)
        elif record.nameID == 6:
            names.setName(FAMILY.replace(" ", "") + "-Regular", 6, record.platformID,
                          record.platEncID, record.langID)
    font["CFF "].cff.fontNames = [FAMILY.replace(" ", "") + "-Regular"]
    font.recalcTimestamp = False  # the same bytes from the same source, run after run
    font.save(OUTPUT)
    covered = set(map(chr, font.getBestCmap()))
    print(f"{OUTPUT.name}: {OUTPUT.stat().st_size} bytes, {len(covered)} characters, "
          f"{len(chars - covered)} asked for but not in {FACE}")
    print(f"source {source.name} sha256 {hashlib.sha256(source.read_bytes()).hexdigest()}")


if __name__ == "__main__":
    main(*(Path(arg) for arg in sys.argv[1:2]))
