"""What `pip install .` alone brings: a Chinese font for the figures (the subset in
teachmod/data/fonts) and, where it has wheels, graphviz-pure for the drawings. The whole check,
in a fresh venv with system Graphviz and fonts hidden, is .ci/pip_only.py."""
from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest

from teachmod.visualization import fonts

ROOT = Path(__file__).parent.parent
pytest.importorskip("matplotlib")


def cjk_characters(text: str) -> set[str]:
    return set(re.findall(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]", text))


def bundled_characters() -> set[str]:
    from fontTools.ttLib import TTFont  # matplotlib's own dependency

    return set(map(chr, TTFont(fonts.BUNDLED_FONT).getBestCmap()))


def test_the_bundled_font_has_every_chinese_character_of_the_lessons():
    wanted = set()
    for source in sorted(ROOT.glob("notebooks/src/*.py")):
        wanted |= cjk_characters(source.read_text(encoding="utf-8"))
    assert len(wanted) > 500  # the lessons' Chinese text was read
    missing = wanted - bundled_characters()
    assert not missing, (f"run teachmod/data/fonts/make_subset.py: the font lacks "
                         f"{''.join(sorted(missing))}")


def test_the_bundled_font_has_gb2312_level_1():
    level1 = {bytes([row, cell]).decode("gb2312") for row in range(0xB0, 0xD8)
              for cell in range(0xA1, 0xFF) if (row, cell) < (0xD7, 0xFA)}
    assert len(level1) == 3755
    assert level1 <= bundled_characters()


def test_chinese_fonts_puts_system_fonts_first_and_registers_the_bundled_one():
    from matplotlib import font_manager

    families = fonts.chinese_fonts()
    assert families[-2:] == [fonts.BUNDLED_FAMILY, fonts.LATIN_FONT]
    installed = {font.name for font in font_manager.fontManager.ttflist}
    assert families[:-2] == [name for name in fonts.SYSTEM_FONTS if name in installed]
    found = font_manager.findfont(fonts.BUNDLED_FAMILY, fallback_to_default=False)
    assert Path(found) == fonts.BUNDLED_FONT
    assert fonts.chinese_fonts() == families  # a second call adds nothing


def test_a_chinese_figure_without_system_fonts_uses_the_bundled_font(monkeypatch, tmp_path):
    """With no CJK font on the system (a desktop with pip alone, a browser) a figure with
    Chinese labels draws in the bundled font, with no glyph warning."""
    import matplotlib
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    manager = font_manager.fontManager
    monkeypatch.setattr(manager, "ttflist", [font for font in manager.ttflist  # system CJK out
                                             if not font.name.startswith(fonts.SYSTEM_FONTS)])
    manager._findfont_cached.cache_clear()  # it remembers the fonts found before
    monkeypatch.setitem(matplotlib.rcParams, "font.sans-serif", fonts.chinese_fonts())
    monkeypatch.setitem(matplotlib.rcParams, "axes.unicode_minus", False)
    assert matplotlib.rcParams["font.sans-serif"] == [fonts.BUNDLED_FAMILY, fonts.LATIN_FONT]
    fig, ax = plt.subplots()
    ax.set_title("训练损失 loss −1")
    ax.plot([0, -1])
    ax.set_xlabel("轮次 epoch")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(tmp_path / "figure.png")
    plt.close(fig)
    manager._findfont_cached.cache_clear()
    assert [str(w.message) for w in caught if "Glyph" in str(w.message)] == []
    used = font_manager.findfont(font_manager.FontProperties(family=fonts.chinese_fonts()))
    assert Path(used) == fonts.BUNDLED_FONT


@pytest.mark.parametrize("platform, machine, wheel", [
    ("linux", "x86_64", True), ("linux", "aarch64", True), ("darwin", "arm64", True),
    ("darwin", "x86_64", True), ("win32", "AMD64", True), ("win32", "ARM64", True),
    ("emscripten", "wasm32", False), ("linux", "i686", False), ("linux", "ppc64le", False),
    ("win32", "x86", False)])
def test_graphviz_pure_is_required_only_where_it_has_wheels(platform, machine, wheel):
    """graphviz-pure has no sdist: requiring it elsewhere would make `pip install .` fail."""
    tomllib = pytest.importorskip("tomllib")
    requirements = pytest.importorskip("packaging.requirements")
    with open(ROOT / "pyproject.toml", "rb") as file:
        dependencies = tomllib.load(file)["project"]["dependencies"]
    pure = next(requirements.Requirement(d) for d in dependencies
                if d.startswith("graphviz-pure"))
    assert pure.marker.evaluate({"sys_platform": platform, "platform_machine": machine}) is wheel
