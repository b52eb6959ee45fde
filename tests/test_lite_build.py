"""The JupyterLite build's checks, pins and lock, without a browser or a download."""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from teachmod.lite import build

REPO = Path(__file__).resolve().parents[1]
HEX64 = re.compile(r"[0-9a-f]{64}")


def _lock(**packages: list[str]) -> dict:
    return {"info": {"version": "0.27.7"},
            "packages": {name: {"name": name, "version": "1", "file_name": f"{name}.whl",
                                "sha256": "0" * 64, "depends": deps}
                         for name, deps in packages.items()}}


def test_check_passes_the_pinned_bytes_and_names_the_file_that_differs() -> None:
    data = b"pyodide"
    assert build.check("a.whl", data, hashlib.sha256(data).hexdigest()) is data
    with pytest.raises(build.IntegrityError, match=r"a\.whl: sha256 [0-9a-f]{64} is not"):
        build.check("a.whl", data + b"!", hashlib.sha256(data).hexdigest())


def test_closure_follows_depends_with_either_spelling_of_a_name() -> None:
    packages = _lock(matplotlib=["python_dateutil", "numpy"], numpy=[],
                     **{"python-dateutil": ["six"], "six": [], "pandas": ["numpy"]})["packages"]
    assert build.closure(packages, ["matplotlib"]) == ["matplotlib", "numpy", "python-dateutil",
                                                       "six"]
    with pytest.raises(KeyError, match="no package 'scipy'"):
        build.closure(packages, ["scipy"])


def test_site_lock_keeps_only_what_is_shipped_and_lets_extra_wheels_replace_official_ones() -> None:
    official = _lock(numpy=[], pandas=["numpy"], **{"typing-extensions": []})
    extra = {"typing-extensions": build.wheel_entry("typing_extensions-4.16.0-py3-none-any.whl",
                                                    b"x", ["typing_extensions"], []),
             "teachmod": build.wheel_entry("teachmod-0.1.0-py3-none-any.whl", b"t", ["teachmod"],
                                           ["numpy", "typing_extensions"])}
    lock = build.site_lock(official, [], extra)
    assert sorted(lock["packages"]) == ["numpy", "teachmod", "typing-extensions"]
    assert lock["packages"]["typing-extensions"]["version"] == "4.16.0"
    assert lock["info"] == official["info"]


def test_wheel_entry_is_a_pyodide_lock_entry_that_imports_its_modules() -> None:
    entry = build.wheel_entry("graphviz-0.21-py3-none-any.whl", b"g", ["graphviz"], ["Six"])
    assert entry == {"name": "graphviz", "version": "0.21",
                     "file_name": "graphviz-0.21-py3-none-any.whl", "install_dir": "site",
                     "sha256": hashlib.sha256(b"g").hexdigest(), "package_type": "package",
                     "imports": ["graphviz"], "depends": ["six"], "unvendored_tests": False}


def test_every_pin_names_an_exact_version_and_a_sha256() -> None:
    pins = build.load_pins()
    pyodide = pins["pyodide"]
    assert pyodide["npm"] == f"pyodide@{pyodide['version']}"
    digests = [pyodide["tarball_sha256"], pyodide["lock_sha256"], *pyodide["core"].values(),
               pins["pyodide_wheels"]["sha256"], pins["viz"]["tarball_sha256"],
               *pins["extensions"].values(), *(w["sha256"] for w in pins["wheels"].values())]
    assert all(HEX64.fullmatch(d) for d in digests)
    assert all(re.fullmatch(r"[\w.-]+==[\w.]+", spec)
               for spec in [pins["pyodide_wheels"]["pypi"], *pins["extensions"], *pins["wheels"]])
    assert re.fullmatch(r"@?[\w/.-]+@\d+\.\d+\.\d+", pins["viz"]["npm"])
    # what teachmod needs at import is either in Pyodide's packages or a pinned wheel
    wheels = {build.canonical(spec.split("==")[0]) for spec in pins["wheels"]}
    assert {"graphviz", "ipywidgets", "anywidget"} <= wheels
    assert {"numpy", "matplotlib", "pillow"} <= set(pyodide["packages"])


def test_a_release_folder_is_read_and_a_changed_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "pyodide.js").write_bytes(b"changed")
    source = build.PyodideSource(build.load_pins(), tmp_path, release=str(tmp_path))
    data = source.read("pyodide.js")
    with pytest.raises(build.IntegrityError, match="pyodide.js"):
        build.check("pyodide.js", data, build.load_pins()["pyodide"]["core"]["pyodide.js"])


def test_lessons_are_copied_naming_the_pyodide_kernel(tmp_path: Path) -> None:
    copied = build.copy_lessons(REPO / "notebooks", tmp_path)
    assert len(copied) == 2 * len(list((REPO / "notebooks" / "en").glob("[0-9][0-9]_*.ipynb")))
    first = json.loads((tmp_path / copied[0]).read_text(encoding="utf-8"))
    original = json.loads((REPO / "notebooks" / copied[0]).read_text(encoding="utf-8"))
    assert first["metadata"]["kernelspec"]["name"] == "python"
    assert first["cells"] == original["cells"]


def test_the_kernel_takes_pyodide_from_the_site_and_never_from_pypi() -> None:
    settings = build.lite_config()["jupyter-config-data"]["litePluginSettings"]
    kernel = settings["@jupyterlite/pyodide-kernel-extension:kernel"]
    assert kernel["pyodideUrl"] == f"../{build.PYODIDE_DIR}/pyodide.js"
    assert kernel["disablePyPIFallback"] is True
