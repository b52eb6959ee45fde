"""Sphinx configuration of teachmod's documentation site.

Build (as .ci/run does; warnings are errors)::

    python -m pip install -e ".[docs]"
    python -m sphinx -W --keep-going -b html docs docs/_build/html

The lessons are the executed notebooks of ``notebooks/en`` and ``notebooks/zh``, copied into
``docs/en`` and ``docs/zh`` at the start of the build and shown with their saved outputs (myst-nb,
execution off). One page per operator file is generated into ``docs/api/ops``.
"""
from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT))

import jupyter_server_mathjax  # noqa: E402

import teachmod  # noqa: E402
from teachmod.ops import registry  # noqa: E402
from teachmod.ops.registry import REQUIRED  # noqa: E402

project = "teachmod"
author = "teachmod authors"
copyright = "teachmod authors; UCI data sets CC BY 4.0"
release = version = teachmod.__version__

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
    "sphinx.ext.mathjax",
]
exclude_patterns = ["_build", "**/.ipynb_checkpoints", "Thumbs.db", ".DS_Store"]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}

# the notebooks are executed by nbval in the tests and committed with their outputs
nb_execution_mode = "off"
nb_output_stderr = "remove"   # Graphviz's layout remarks; the lessons log to stdout
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3

autodoc_member_order = "bysource"
autodoc_preserve_defaults = True  # show `logger=logging`, not the module's repr with a path
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "show-inheritance": False}
napoleon_numpy_docstring = True
napoleon_google_docstring = False
napoleon_use_rtype = False
napoleon_custom_sections = [("Class attributes", "params_style")]

# MathJax from the site itself, never from a CDN (see _copy_mathjax)
MATHJAX = Path(jupyter_server_mathjax.__file__).parent / "static"
mathjax_path = "mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full"
# myst-nb marks lesson pages tex2jax_ignore and their formulas class "math" (MathJax 3 style);
# MathJax 2 is told the same: typeset what has class "math", nothing else
mathjax2_config = {"tex2jax": {"inlineMath": [["\\(", "\\)"]],
                               "displayMath": [["\\[", "\\]"]],
                               "processClass": "math|output_area",
                               "ignoreClass": "tex2jax_ignore|mathjax_ignore|document",
                               "processRefs": False, "processEnvironments": False}}

html_theme = "furo"
html_title = f"teachmod {release}"
html_static_path = ["_static"]
html_css_files = ["custom.css"]
html_theme_options = {"navigation_with_keys": True}

# where "view on GitHub" links of the operator pages point, if the site knows it:
# e.g. TEACHMOD_SOURCE_URL=https://github.com/OWNER/teachmod/blob/main
SOURCE_URL = os.environ.get("TEACHMOD_SOURCE_URL", "").rstrip("/")


# ---- lessons: the committed notebooks, copied next to their index pages --------------------
def copy_notebooks() -> None:
    for language in ("en", "zh"):
        target = DOCS / language
        for old in target.glob("*.ipynb"):
            old.unlink()
        for notebook in sorted((ROOT / "notebooks" / language).glob("*.ipynb")):
            shutil.copyfile(notebook, target / notebook.name)


# ---- operators: one page per file of teachmod/ops ----------------------------------------
def _default(param) -> str:
    if param.default is REQUIRED:
        return "required"
    return f"``{param.default!r}``"


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|") or " "


def _inputs(cls: type) -> str:
    """The inputs of an operator with its default parameters (FullyConnected: data, weight,
    bias), falling back to the class attribute when the operator needs a required parameter."""
    if cls.variadic is not None:
        return f"any number (``{cls.variadic}``)"
    probe = object.__new__(cls)
    probe.node_name, probe.attrs = "", {}
    for key, param in cls.params.items():
        if param.default is not REQUIRED:
            setattr(probe, key, param.default)
    try:
        names = probe.list_arguments()
    except Exception:  # a required parameter decides the inputs
        names = list(cls.arguments)
    return ", ".join(names)


def operator_pages() -> None:
    out = DOCS / "api" / "ops"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    by_module: dict[str, list[tuple[str, type]]] = {}
    for name in registry.all_names():
        cls = registry.get(name)
        if name == cls.name:  # aliases are listed with their operator
            by_module.setdefault(cls.__module__, []).append((name, cls))

    index = ["Operators", "=========", "",
             "Every operator is one file in ``teachmod/ops/``: its parameters, shape inference,",
             "forward and backward in numpy, built on the ``Operator`` interface of",
             ":doc:`registry <../registry>`. Each page shows the file's documentation, a table of",
             "its operators and the whole source file.", "",
             ".. toctree::", "   :maxdepth: 1", ""]
    for module in sorted(by_module, key=lambda m: m.rsplit(".", 1)[1]):
        stem = module.rsplit(".", 1)[1]
        ops = sorted(by_module[module], key=lambda item: item[0].lower())
        names = ", ".join(name for name, _ in ops)
        title = names if len(ops) <= 3 else f"{stem} ({len(ops)} operators)"
        path = f"teachmod/ops/{stem}.py"
        lines = [title, "=" * len(title), "",
                 f"Source file: ``{path}``"
                 + (f" (`view on GitHub <{SOURCE_URL}/{path}>`__)" if SOURCE_URL else "")
                 + " — shown in full :ref:`below <source-{stem}>`.".format(stem=stem), "",
                 f".. automodule:: {module}", "   :no-members:", "",
                 ".. list-table::", "   :header-rows: 1", "   :widths: 18 22 60", "",
                 "   * - operator", "     - inputs", "     - parameters"]
        for name, cls in ops:
            aliases = "".join(f" (alias ``{a}``)" for a in cls.aliases)
            inputs = _inputs(cls)
            params = "; ".join(f"``{key}`` = {_default(p)}: {_cell(p.doc)}"
                               for key, p in cls.params.items())
            lines += [f"   * - ``mx.sym.{name}``{aliases}", f"     - {_cell(inputs)}",
                      f"     - {params or 'none'}"]
        lines += ["", f".. _source-{stem}:", "", "Source", "------", "",
                  f".. literalinclude:: ../../../{path}", "   :language: python",
                  "   :linenos:", ""]
        (out / f"{stem}.rst").write_text("\n".join(lines), encoding="utf-8")
        index.append(f"   {stem}")
    (out / "index.rst").write_text("\n".join(index) + "\n", encoding="utf-8")


# ---- docstrings: plain-text |x| (absolute values) is not a reST substitution ------------------
_BARS = re.compile(r"(?<![\\|])\|([^|`\s][^|`]*?)\|(?![|_])")


def _escape_bars(app, what, name, obj, options, lines) -> None:
    for index, line in enumerate(lines):
        if "|" not in line or line.lstrip().startswith(("+", "|")):  # leave tables alone
            continue
        parts = line.split("``")
        for i in range(0, len(parts), 2):  # even parts are outside ``literals``
            parts[i] = _BARS.sub(r"\\|\1\\|", parts[i])
        lines[index] = "``".join(parts)


def _copy_mathjax(app, exception) -> None:
    """Ship MathJax with the site (from the jupyter-server-mathjax package, MathJax 2.7), so
    that formulas render offline: from a USB stick, a classroom without internet."""
    if exception is None and app.builder.format == "html":
        shutil.copytree(MATHJAX, Path(app.outdir) / "_static" / "mathjax", dirs_exist_ok=True)


#: a site built by `python -m teachmod.lite build --output DIR`, published at lite/ when set
LITE_SITE = os.environ.get("TEACHMOD_LITE_SITE")


def _copy_lite_site(app, exception) -> None:
    """Publish the JupyterLite site of the lessons (the lessons in the browser, no server)."""
    if exception is None and app.builder.format == "html" and LITE_SITE:
        site = Path(LITE_SITE)
        if not (site / "teachmod-lite.json").is_file():
            raise FileNotFoundError(f"TEACHMOD_LITE_SITE={LITE_SITE} is not a built site")
        shutil.copytree(site, Path(app.outdir) / "lite", dirs_exist_ok=True)


def setup(app) -> None:
    app.connect("autodoc-process-docstring", _escape_bars)
    app.connect("build-finished", _copy_mathjax)
    app.connect("build-finished", _copy_lite_site)


copy_notebooks()
operator_pages()
