"""``python -m teachmod.lite build --output DIR``: the lessons as a static JupyterLite site."""
from __future__ import annotations

import argparse
from pathlib import Path

from .build import build, site_size


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m teachmod.lite")
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("build", help="build the site (serve it with python -m http.server)")
    make.add_argument("--output", type=Path, required=True, help="the site's folder (replaced)")
    make.add_argument("--cache", type=Path, help="keep the downloads here between builds")
    make.add_argument("--pyodide", help="an official Pyodide release folder or URL (default: "
                      "the pinned npm and PyPI packages)")
    args = parser.parse_args(argv)
    manifest = build(args.output, cache=args.cache, pyodide=args.pyodide)
    print(f"{args.output}: {len(manifest['lessons'])} lessons, Pyodide {manifest['pyodide']}, "
          f"{len(manifest['packages'])} packages, {site_size(args.output) / 1e6:.1f} MB")
    print(f"serve it: python -m http.server --directory {args.output}")


if __name__ == "__main__":
    main()
