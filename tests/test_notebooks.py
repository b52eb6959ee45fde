"""The lesson notebooks: English and Chinese twins, in step with their sources, saved executed.

nbval runs the notebooks themselves (``notebooks`` is in pytest's ``testpaths`` with
``--nbval-lax``); these tests check what nbval does not: that each pair has the same code cells,
that the committed notebooks are the ones ``notebooks/build.py`` makes from ``notebooks/src``, and
that their saved outputs are complete.
"""
from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
EN = sorted(p.name for p in (NOTEBOOKS / "en").glob("*.ipynb"))
ZH = sorted(p.name for p in (NOTEBOOKS / "zh").glob("*.ipynb"))
CJK = re.compile(r"[\u4e00-\u9fff]")


def _read(language: str, name: str):
    return nbformat.read(NOTEBOOKS / language / name, as_version=4)


def _code(nb) -> list[tuple[str, list[str]]]:
    return [(c.source, list(c.metadata.get("tags", []))) for c in nb.cells
            if c.cell_type == "code"]


def _build_module():
    spec = importlib.util.spec_from_file_location("notebook_build", NOTEBOOKS / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_there_are_six_lessons_in_both_languages():
    assert len(EN) >= 6
    assert EN == ZH


@pytest.mark.parametrize("name", EN)
def test_pair_has_the_same_code_cells_in_the_same_order(name):
    en, zh = _code(_read("en", name)), _code(_read("zh", name))
    assert len(en) == len(zh), f"{name}: {len(en)} code cells in English, {len(zh)} in Chinese"
    for index, (a, b) in enumerate(zip(en, zh)):
        assert a == b, f"{name}: code cell {index} differs between en and zh"


@pytest.mark.parametrize("name", EN)
def test_pair_interleaves_text_and_code_alike(name):
    kinds = [[c.cell_type for c in _read(lang, name).cells] for lang in ("en", "zh")]
    assert kinds[0] == kinds[1]


@pytest.mark.parametrize("name", EN)
def test_notebooks_match_their_source(name):
    build = _build_module()
    source = NOTEBOOKS / "src" / name.replace(".ipynb", ".py")
    assert source.exists(), f"{name} has no source in notebooks/src"
    cells = build.read_lesson(source)
    for language in build.LANGUAGES:
        expected = build.make_notebook(cells, language)
        saved = _read(language, name)
        assert [(c.cell_type, c.source) for c in saved.cells] == \
               [(c.cell_type, c.source) for c in expected.cells], \
               f"{language}/{name} is out of date: run python notebooks/build.py {name[:2]}"


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("name", EN)
def test_saved_outputs_are_complete_and_clean(language, name):
    nb = _read(language, name)
    counts = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        assert cell.execution_count is not None, f"{language}/{name}: a cell was not executed"
        counts.append(cell.execution_count)
        for output in cell.outputs:
            assert output.output_type != "error", f"{language}/{name}: saved error output"
            text = output.get("text", "")
            assert "/work/" not in text and "/home/" not in text, "a local path is saved"
    assert counts == list(range(1, len(counts) + 1)), f"{language}/{name}: run out of order"


@pytest.mark.parametrize("name", ZH)
def test_chinese_text_is_chinese(name):
    for cell in _read("zh", name).cells:
        if cell.cell_type == "markdown":
            assert CJK.search(cell.source), f"zh/{name}: untranslated: {cell.source[:60]!r}"


def test_readme_links_every_lesson_and_its_binder_launch():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    local = set(re.findall(r"\]\((notebooks/(?:en|zh)/[^)]+\.ipynb)\)", readme))
    binder = {path.replace("%2F", "/") for path in re.findall(r"labpath=([^)\s]+)", readme)}
    expected = {f"notebooks/{lang}/{name}" for lang in ("en", "zh") for name in EN}
    assert local == expected
    assert binder == expected
    for path in local | binder:
        assert (ROOT / path).exists(), path
