"""Write the lesson notebooks from their bilingual sources, then run them and keep the outputs.

Each lesson is one file in ``notebooks/src/`` holding its cells in order::

    md(en=\"\"\"## Shapes\"\"\", zh=\"\"\"## 形状\"\"\")     # a text cell, in both languages
    code(\"\"\"net.infer_shape(data=(32, 16))\"\"\")      # a code cell, the same in both

so the English and the Chinese notebook always share their code cells, in the same order
(``tests/test_notebooks.py`` checks that, and that the committed notebooks match their sources).
``code(..., tags=["nbval-check-output"])`` makes nbval compare that cell's saved output too.

    python notebooks/build.py                  # every lesson, both languages, executed
    python notebooks/build.py 03 05            # lessons whose file name starts with 03 or 05
    python notebooks/build.py --no-execute     # write the notebooks without running them

Executed notebooks run in their own folder (``notebooks/en`` or ``notebooks/zh``), as Jupyter
and nbval run them; files a lesson writes there (checkpoints) are ignored by git.
"""
from __future__ import annotations

import argparse
import sys
import textwrap
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent
LANGUAGES = ("en", "zh")
METADATA = {
    "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
    "language_info": {"name": "python", "pygments_lexer": "ipython3"},
}


def _clean(text: str) -> str:
    return textwrap.dedent(text).strip("\n")


def read_lesson(path: Path) -> list[dict]:
    """The cells of one lesson source: ``{'kind': 'md', 'en': ..., 'zh': ...}`` or
    ``{'kind': 'code', 'source': ..., 'tags': [...]}``."""
    cells: list[dict] = []

    def md(en: str, zh: str) -> None:
        cells.append({"kind": "md", "en": _clean(en), "zh": _clean(zh)})

    def code(source: str, tags: tuple[str, ...] | list[str] = ()) -> None:
        cells.append({"kind": "code", "source": _clean(source), "tags": list(tags)})

    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), {"md": md, "code": code})
    return cells


def make_notebook(cells: list[dict], language: str) -> nbformat.NotebookNode:
    """The notebook of one language (no outputs yet)."""
    nb = nbformat.v4.new_notebook(metadata=dict(METADATA, language=language))
    for cell in cells:
        if cell["kind"] == "md":
            nb.cells.append(nbformat.v4.new_markdown_cell(cell[language]))
        else:
            new = nbformat.v4.new_code_cell(cell["source"])
            if cell["tags"]:
                new.metadata["tags"] = cell["tags"]
            nb.cells.append(new)
    for index, cell in enumerate(nb.cells):  # stable ids keep diffs small
        cell.id = f"c{index:02d}"
    return nb


def execute(nb: nbformat.NotebookNode, folder: Path) -> float:
    """Run ``nb`` with the working directory ``folder``; returns the seconds it took."""
    start = time.perf_counter()
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(folder)}}).execute()
    seconds = time.perf_counter() - start
    for cell in nb.cells:
        cell.metadata.pop("execution", None)  # per-run timestamps
        if cell.cell_type == "code":
            cell.outputs = _coalesce_streams(cell.outputs)
    # keep the language and the widgets' state (so saved widgets can be shown), not the
    # machine's Python version
    metadata = dict(METADATA, language=nb.metadata.get("language"))
    if "widgets" in nb.metadata:
        metadata["widgets"] = nb.metadata["widgets"]
    nb.metadata = metadata
    return seconds


def _coalesce_streams(outputs: list) -> list:
    """Join consecutive stream outputs of the same kind (log lines arrive one by one)."""
    merged: list = []
    for output in outputs:
        if (output.output_type == "stream" and merged and merged[-1].output_type == "stream"
                and merged[-1].name == output.name):
            merged[-1].text += output.text
        else:
            merged.append(output)
    return merged


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("lessons", nargs="*", help="file name prefixes, e.g. 01 03")
    parser.add_argument("--no-execute", action="store_true", help="write without running")
    args = parser.parse_args(argv)
    sources = sorted((HERE / "src").glob("[0-9][0-9]_*.py"))
    if args.lessons:
        sources = [s for s in sources if s.name.startswith(tuple(args.lessons))]
    if not sources:
        print("no lesson matches", args.lessons, file=sys.stderr)
        return 1
    for source in sources:
        cells = read_lesson(source)
        for language in LANGUAGES:
            folder = HERE / language
            folder.mkdir(exist_ok=True)
            nb = make_notebook(cells, language)
            target = folder / source.with_suffix(".ipynb").name
            note = "written"
            if not args.no_execute:
                note = f"executed in {execute(nb, folder):.1f} s"
            nbformat.write(nb, target)
            print(f"{target.relative_to(HERE.parent)}: {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
