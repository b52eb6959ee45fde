"""Issue #20's acceptance check: `pip install .` alone is enough for the lessons.

A fresh venv gets `pip install .` (and nbclient and ipykernel, to run notebooks). Then, in a
mount namespace where every folder that fontconfig lists a Chinese font in is an empty tmpfs,
with PATH set to the venv's bin folder only (no system `dot`), a new MPLCONFIGDIR (matplotlib
reads the fonts again) and a clean environment, it checks that no CJK font and no `dot` is
visible, that `plot_network(...).pipe(format='svg')` is SVG, that the figures' Chinese font is the
bundled one, and runs lessons 01, 03 and 05 in English and Chinese: no cell may fail and no
output may hold a 'Glyph ... missing' (or 'findfont') warning.

    python .ci/pip_only.py                  # from the repository root; Linux, root or userns
    python .ci/pip_only.py --lessons 05     # only lessons whose file name starts with 05
    python .ci/pip_only.py --venv V         # V: a venv where `pip install .` (or the wheel) ran

The two languages run side by side, one kernel each.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WARNINGS = ("Glyph", "findfont", "missing from font")


def cjk_font_folders() -> list[str]:
    listed = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True)
    return sorted({str(Path(line.split(":")[0]).parent) for line in listed.stdout.splitlines()
                   if line.strip()})


def outer(lessons: list[str], venv: Path | None) -> int:
    work = Path(tempfile.mkdtemp(prefix="teachmod-pip-only-"))
    try:
        start = time.perf_counter()
        project = []
        if venv is None:
            venv = work / "venv"
            subprocess.run([sys.executable, "-m", "venv", venv], check=True)
            project = [str(ROOT)]
        venv = venv.absolute()
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q",
               "--disable-pip-version-check"]
        subprocess.run([*pip, *project, "nbclient", "ipykernel"], check=True)
        print(f"{'pip install . and ' if project else ''}nbclient, ipykernel: "
              f"{time.perf_counter() - start:.1f} s")
        (work / "home").mkdir()

        hidden = cjk_font_folders()
        mounts = "".join(f"mount -t tmpfs none '{folder}' && " for folder in hidden)
        env = {"PATH": str(venv / "bin"), "HOME": str(work / "home"), "LANG": "C.UTF-8",
               "MPLCONFIGDIR": str(work / "mpl"), "TEACHMOD_OFFLINE": "1",
               "PYTHONUNBUFFERED": "1"}  # the two languages' lines as they come
        inner = [str(venv / "bin" / "python"), __file__, "--inner", str(work), *lessons]
        unshare = ["unshare", "-m"] if os.geteuid() == 0 else ["unshare", "-rm"]
        command = [*unshare, "sh", "-c", mounts + 'exec env -i "$@"', "sh",
                   *(f"{key}={value}" for key, value in env.items()), *inner]
        print("hiding", ", ".join(hidden) or "no CJK font folders (none installed)")
        done = subprocess.run(command, stderr=subprocess.PIPE, text=True, cwd=work)
        sys.stderr.write(done.stderr)
        noisy = [line for line in done.stderr.splitlines() if any(w in line for w in WARNINGS)]
        if noisy:
            print(f"FAILED: font warnings on stderr: {noisy[:3]}", file=sys.stderr)
            return 1
        print(f"total {time.perf_counter() - start:.1f} s")
        return done.returncode
    finally:
        shutil.rmtree(work, ignore_errors=True)


def inner(work: Path, lessons: list[str]) -> int:
    """Check what is visible in the namespace, then run both languages side by side."""
    from matplotlib import font_manager

    import teachmod as mx
    from teachmod.visualization import fonts

    assert shutil.which("dot") is None, "the system's dot is still on PATH"
    assert Path(mx.__file__).parent != ROOT / "teachmod", "teachmod imported from the source tree"
    cjk = [f.name for f in font_manager.fontManager.ttflist if "CJK" in f.name]
    assert not cjk, f"system CJK fonts still visible: {cjk}"
    assert fonts.chinese_fonts() == [fonts.BUNDLED_FAMILY, fonts.LATIN_FONT]
    used = font_manager.findfont(font_manager.FontProperties(family=fonts.chinese_fonts()))
    assert Path(used).name == fonts.BUNDLED_FONT.name, used
    print(f"bundled font {fonts.BUNDLED_FONT.name}: {fonts.BUNDLED_FONT.stat().st_size} bytes")
    net = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(mx.sym.Variable("data"), num_hidden=4,
                                                     name="fc"), name="softmax")
    svg = mx.viz.plot_network(net, shape={"data": (2, 3)}).pipe(format="svg", quiet=True)
    assert svg.lstrip().startswith(b"<?xml") and b"<svg" in svg, svg[:80]
    print("plot_network(...).pipe(format='svg'): SVG of", len(svg), "bytes, by",
          "graphviz-pure" if b"graphviz-pure" in svg else "another backend")

    runs = [subprocess.Popen([sys.executable, __file__, "--inner", str(work), "--language",
                              language, *lessons]) for language in ("en", "zh")]
    return 1 if any([run.wait() for run in runs]) else 0  # waits for both


def run_lessons(work: Path, language: str, lessons: list[str]) -> int:
    """Run the lessons of one language; 1 if a cell failed or a font warning was printed."""
    import nbformat
    from nbclient import NotebookClient

    failures = 0
    folder = work / "run" / language
    folder.mkdir(parents=True)
    for path in sorted((ROOT / "notebooks" / language).glob("*.ipynb")):
        if not path.name.startswith(tuple(lessons)):
            continue
        notebook = nbformat.read(path, as_version=4)
        start = time.perf_counter()
        try:
            NotebookClient(notebook, timeout=600, kernel_name="python3",
                           resources={"metadata": {"path": str(folder)}}).execute()
        except Exception as err:  # a failing cell: report it, go on with the others
            print(f"FAILED {language}/{path.name}: {type(err).__name__}: {err}"[:2000])
            failures += 1
            continue
        noisy = [text for cell in notebook.cells for output in cell.get("outputs", [])
                 for text in [output.get("text", "") + "".join(output.get("traceback", []))]
                 if any(w in text for w in WARNINGS)]
        if noisy:
            print(f"FAILED {language}/{path.name}: font warnings: {noisy[0][:300]}")
            failures += 1
        print(f"{language}/{path.name}: {time.perf_counter() - start:.1f} s, "
              f"{'font warnings' if noisy else 'no error, no glyph warning'}")
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--inner", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--language", help=argparse.SUPPRESS)
    parser.add_argument("--lessons", nargs="*", default=["01", "03", "05"])
    parser.add_argument("--venv", type=Path, help="a venv with teachmod installed (not editable)")
    parser.add_argument("more", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.language is not None:
        return run_lessons(args.inner, args.language, args.more)
    if args.inner is not None:
        return inner(args.inner, args.more)
    return outer(args.lessons, args.venv)


if __name__ == "__main__":
    sys.exit(main())
