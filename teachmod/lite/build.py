"""Build the static JupyterLite site: every lesson, teachmod, Pyodide and Graphviz (viz-js).

Everything the site needs is taken from package registries at build time and checked against
the sha256 values pinned in ``pins.json``; the Pyodide packages are checked against the
official ``pyodide-lock.json`` of the pinned release. Nothing is fetched when the site runs.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.request
import zipfile
from pathlib import Path
from typing import Any

from ..ndarray.utils import write_atomic

PINS_FILE = Path(__file__).with_name("pins.json")
REPO = Path(__file__).resolve().parents[2]
#: Where the site keeps Pyodide, relative to its root; every app page (lab/, notebooks/, tree/)
#: is one folder deep, so the kernel finds it at ../pyodide/ from each of them.
PYODIDE_DIR = "pyodide"
VIZ_FILE = "viz-global.js"
#: the kernel extension's own wheels (piplite, ipykernel, pyodide_kernel), from its pinned wheel
KERNEL_WHEELS = "extensions/@jupyterlite/pyodide-kernel-extension/static/pypi"
#: what the kernel imports as it starts, loaded by Pyodide in one go before the kernel's own
#: start-up (which then skips them) instead of one micropip install after another
KERNEL_PRELOAD = ["micropip", "piplite", "ssl", "sqlite3", "ipython", "comm", "ipykernel",
                  "pyodide_kernel"]
LESSON_LANGUAGES = ("en", "zh")


class IntegrityError(ValueError):
    """A downloaded file whose sha256 is not the pinned one."""


def load_pins(path: Path = PINS_FILE) -> dict[str, Any]:
    """The pinned versions and sha256 values the build accepts."""
    return json.loads(path.read_text(encoding="utf-8"))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check(name: str, data: bytes, expected: str) -> bytes:
    """``data`` unchanged if its sha256 is ``expected``; else IntegrityError naming ``name``."""
    actual = sha256(data)
    if actual != expected:
        raise IntegrityError(f"{name}: sha256 {actual} is not the pinned {expected}")
    return data


def canonical(name: str) -> str:
    """A package name as pyodide-lock.json keys it (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def closure(packages: dict[str, Any], names: list[str]) -> list[str]:
    """``names`` and everything they depend on in the lock's ``packages``, sorted."""
    seen: set[str] = set()
    todo = [canonical(n) for n in names]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        if name not in packages:
            raise KeyError(f"the Pyodide lock has no package {name!r}")
        seen.add(name)
        todo.extend(canonical(d) for d in packages[name]["depends"])
    return sorted(seen)


def wheel_entry(file_name: str, data: bytes, imports: list[str],
                depends: list[str]) -> dict[str, Any]:
    """A pyodide-lock.json entry for a pure-Python wheel shipped beside Pyodide's own."""
    name, version = file_name.split("-")[:2]
    return {"name": canonical(name), "version": version, "file_name": file_name,
            "install_dir": "site", "sha256": sha256(data), "package_type": "package",
            "imports": imports, "depends": [canonical(d) for d in depends],
            "unvendored_tests": False}


def site_lock(official: dict[str, Any], keep: list[str],
              extra: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The site's lock: the official entries of ``keep`` (with their dependencies) and the
    ``extra`` entries (by lock name), which replace official ones of the same name."""
    packages = {**official["packages"], **extra}
    names = closure(packages, keep + list(extra))
    return {**official, "packages": {n: packages[n] for n in names}}


# -- downloads through the registries' own clients -------------------------------------------

def _run(command: list[str], cwd: Path | None = None) -> str:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def pip_download(spec: str, dest: Path) -> Path:
    """The pure-Python wheel of ``spec`` (``name==version``), downloaded by pip into ``dest``
    once: the one file that runs under Pyodide as well as here."""
    name, version = spec.split("==")
    pattern = f"{canonical(name).replace('-', '_')}-{version}-*-none-any.whl"
    found = sorted(dest.glob(pattern))
    if not found:
        _run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
              "--only-binary=:all:", "--platform=any", "--implementation=py", "--abi=none",
              "--python-version=3.12", "--disable-pip-version-check", "--dest", str(dest), spec])
        found = sorted(dest.glob(pattern))
    if not found:
        raise FileNotFoundError(f"pip download {spec} left no {pattern} in {dest}")
    return found[0]


def npm_pack(spec: str, dest: Path) -> Path:
    """The tarball of ``spec`` (``name@version``), fetched by ``npm pack`` into ``dest`` once."""
    name, version = spec.rsplit("@", 1)
    tarball = dest / f"{name.lstrip('@').replace('/', '-')}-{version}.tgz"
    if not tarball.exists():
        if shutil.which("npm") is None:
            raise FileNotFoundError(f"npm is needed to fetch {spec} (apt-get install npm)")
        _run(["npm", "pack", "--silent", spec], cwd=dest)
    return tarball


def _tar_member(tarball: Path, member: str) -> bytes:
    with tarfile.open(tarball) as tar:
        extracted = tar.extractfile(member)
        if extracted is None:
            raise FileNotFoundError(f"{tarball.name} has no file {member}")
        return extracted.read()


class PyodideSource:
    """Pyodide's files by name: from an official release folder or URL, or else from the
    npm package (core files and lock) and the pinned PyPI wheel that carries the packages."""

    def __init__(self, pins: dict[str, Any], cache: Path, release: str | None = None) -> None:
        self.release = release
        if release is None:
            self.core = npm_pack(pins["pyodide"]["npm"], cache)
            check(self.core.name, self.core.read_bytes(), pins["pyodide"]["tarball_sha256"])
            wheels = pip_download(pins["pyodide_wheels"]["pypi"], cache)
            check(wheels.name, wheels.read_bytes(), pins["pyodide_wheels"]["sha256"])
            self.wheels = zipfile.ZipFile(wheels)
            self.folder = pins["pyodide_wheels"]["folder"]

    def read(self, name: str) -> bytes:
        if self.release is not None:
            if re.match(r"https?://", self.release):
                with urllib.request.urlopen(f"{self.release.rstrip('/')}/{name}") as r:
                    return r.read()
            return (Path(self.release) / name).read_bytes()
        if name in ("pyodide-lock.json", "pyodide.js", "pyodide.asm.js", "pyodide.asm.wasm",
                    "python_stdlib.zip"):
            return _tar_member(self.core, f"package/{name}")
        try:
            return self.wheels.read(self.folder + name)
        except KeyError:
            raise FileNotFoundError(f"{self.wheels.filename} carries no {name}") from None


# -- the build -------------------------------------------------------------------------------

def build_teachmod_wheel(dest: Path) -> Path:
    """teachmod's wheel, built from the checkout this module belongs to."""
    if not (REPO / "pyproject.toml").is_file():
        raise FileNotFoundError(f"no teachmod checkout at {REPO}: the site is built from the "
                                "repository (pip install -e \".[lite]\")")
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
          "--disable-pip-version-check", "--wheel-dir", str(dest), str(REPO)])
    return sorted(dest.glob("teachmod-*.whl"))[-1]


def assemble_pyodide(target: Path, pins: dict[str, Any], cache: Path, kernel_wheels: Path,
                     release: str | None = None) -> dict[str, Any]:
    """Fill ``target`` with Pyodide, the packages the lessons need, the extra pure-Python
    wheels, the kernel's wheels (from ``kernel_wheels``), teachmod and viz-js; every file is
    checked. Returns the manifest of what it holds."""
    target.mkdir(parents=True, exist_ok=True)
    source = PyodideSource(pins, cache, release)
    official = json.loads(check("pyodide-lock.json", source.read("pyodide-lock.json"),
                                pins["pyodide"]["lock_sha256"]))
    for name, digest in pins["pyodide"]["core"].items():
        write_atomic(target / name, check(name, source.read(name), digest))

    extra: dict[str, dict[str, Any]] = {}
    for spec, pin in pins["wheels"].items():
        wheel = pip_download(spec, cache)
        data = check(wheel.name, wheel.read_bytes(), pin["sha256"])
        write_atomic(target / wheel.name, data)
        entry = wheel_entry(wheel.name, data, pin["imports"], pin["depends"])
        extra[entry["name"]] = entry
    for name, pin in pins["kernel_wheels"].items():
        [wheel] = kernel_wheels.glob(f"{name.replace('-', '_')}-*-none-any.whl")
        data = wheel.read_bytes()
        write_atomic(target / wheel.name, data)
        extra[name] = wheel_entry(wheel.name, data, pin["imports"], pin["depends"])
    with tempfile.TemporaryDirectory() as tmp:
        wheel = build_teachmod_wheel(Path(tmp))
        data = wheel.read_bytes()
    write_atomic(target / wheel.name, data)
    extra["teachmod"] = wheel_entry(wheel.name, data, ["teachmod"], pins["teachmod_depends"])

    lock = site_lock(official, pins["pyodide"]["packages"], extra)
    for name, entry in lock["packages"].items():
        if name not in extra:
            file_name = entry["file_name"]
            write_atomic(target / file_name, check(file_name, source.read(file_name),
                                                   entry["sha256"]))
    write_atomic(target / "pyodide-lock.json", json.dumps(lock).encode("utf-8"))

    viz = npm_pack(pins["viz"]["npm"], cache)
    check(viz.name, viz.read_bytes(), pins["viz"]["tarball_sha256"])
    write_atomic(target / VIZ_FILE, _tar_member(viz, pins["viz"]["file"]))
    return {"pyodide": pins["pyodide"]["version"],
            "packages": {n: {"version": e["version"], "sha256": e["sha256"]}
                         for n, e in lock["packages"].items()}}


def lite_config() -> dict[str, Any]:
    """jupyter-lite.json for the build: the kernel runs on the site's own Pyodide and never
    asks PyPI for a package."""
    return {"jupyter-lite-schema-version": 0, "jupyter-config-data": {
        "appName": "teachmod lessons",
        "exposeAppInBrowser": True,
        "litePluginSettings": {"@jupyterlite/pyodide-kernel-extension:kernel": {
            "pyodideUrl": f"../{PYODIDE_DIR}/pyodide.js",
            "disablePyPIFallback": True,
            "loadPyodideOptions": {"packages": KERNEL_PRELOAD},
        }},
    }}


#: the kernel the site's notebooks name, so that JupyterLite opens them without asking
KERNELSPEC = {"name": "python", "display_name": "Python (Pyodide)", "language": "python"}


def copy_lessons(notebooks: Path, contents: Path) -> list[str]:
    """The lessons (``en/NN_*.ipynb``, ``zh/NN_*.ipynb``) copied into ``contents``, each
    naming the Pyodide kernel."""
    copied = []
    for language in LESSON_LANGUAGES:
        lessons = sorted((notebooks / language).glob("[0-9][0-9]_*.ipynb"))
        if not lessons:
            raise FileNotFoundError(f"no lessons in {notebooks / language}")
        (contents / language).mkdir(parents=True)
        for lesson in lessons:
            notebook = json.loads(lesson.read_text(encoding="utf-8"))
            notebook["metadata"]["kernelspec"] = KERNELSPEC
            write_atomic(contents / language / lesson.name,
                         (json.dumps(notebook, ensure_ascii=False, indent=1) + "\n").encode())
            copied.append(f"{language}/{lesson.name}")
    return copied


def build(output: Path, cache: Path | None = None, pyodide: str | None = None) -> dict[str, Any]:
    """Build the site into ``output`` (replaced); ``cache`` keeps the downloads between builds
    and ``pyodide`` is an official release folder or URL to take Pyodide from."""
    for module in ("jupyterlite_core", "jupyterlite_pyodide_kernel"):
        if importlib.util.find_spec(module) is None:
            raise ModuleNotFoundError(f"building the site needs {module}: "
                                      "python -m pip install -e \".[lite]\"")
    pins = load_pins()
    output = output.resolve()
    cache = (cache or Path(tempfile.gettempdir()) / "teachmod-lite-cache").resolve()
    cache.mkdir(parents=True, exist_ok=True)
    if output.exists():
        shutil.rmtree(output)
    with tempfile.TemporaryDirectory() as tmp:
        lite_dir = Path(tmp)
        lessons = copy_lessons(REPO / "notebooks", lite_dir / "files")
        write_atomic(lite_dir / "jupyter-lite.json", json.dumps(lite_config()).encode("utf-8"))
        extensions = []
        for spec, digest in pins["extensions"].items():
            wheel = pip_download(spec, cache)
            check(wheel.name, wheel.read_bytes(), digest)
            extensions.append(str(wheel))
        # only the pinned extensions: none of whatever else the build environment has
        _run([sys.executable, "-m", "jupyterlite_core", "build", "--contents", "files",
              "--output-dir", str(output), "--ignore-sys-prefix", "--no-sourcemaps",
              "--no-unused-shared-packages",
              *[f"--LiteBuildConfig.federated_extensions={wheel}" for wheel in extensions]],
             cwd=lite_dir)
    check_contents_index(output, lessons)
    manifest = assemble_pyodide(output / PYODIDE_DIR, pins, cache, output / KERNEL_WHEELS,
                                pyodide)
    manifest["lessons"] = lessons
    write_atomic(output / "teachmod-lite.json", json.dumps(manifest, indent=1).encode("utf-8"))
    return manifest


def check_contents_index(site: Path, lessons: list[str]) -> None:
    """Every lesson is in the site's contents index (``api/contents/<folder>/all.json``), without
    which JupyterLite answers 404 for it; jupyterlite-core writes the index only when
    ``jupyter_server`` is installed, and otherwise just logs a warning."""
    listed = set()
    for folder in {lesson.split("/")[0] for lesson in lessons}:
        index = site / "api" / "contents" / folder / "all.json"
        if index.exists():
            listed |= {item["path"] for item in json.loads(index.read_text("utf-8"))["content"]}
    missing = sorted(set(lessons) - listed)
    if missing:
        raise RuntimeError(f"teachmod.lite build: the site's contents index lacks {missing} "
                           "(is jupyter_server installed? pip install -e \".[lite]\")")


def site_size(site: Path) -> int:
    """The bytes of every file under ``site``."""
    return sum(p.stat().st_size for p in site.rglob("*") if p.is_file())


