"""Write docs/conformance.md from a run of MXNet 1.9.1's own unit tests against teachmod.

The run is ``../shared/mxnet-conformance/run.sh PYTHON`` (see that folder's README); it leaves
its results in ``$MXUT_OUT`` (default ``/tmp/mxnet-conformance``). This script only reads them:

    python docs/conformance_report.py [--results /tmp/mxnet-conformance] \\
        [--conformance ../shared/mxnet-conformance]

The page gives the figure per test file, how many of MXNet's registered operators teachmod has,
and every in-scope test that still fails with the first cause the run's classifier found.
"""
from __future__ import annotations

import argparse
import csv
import datetime
import json
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# operator families outside the Symbol/Module API: gradients (registered by MXNet as operators
# of their own), the NumPy-compatible interface, contrib, sparse storage
OTHER_FAMILIES = ("_backward_", "_np_", "_npi_", "_npx_", "_contrib_", "_sparse_", "_image_")
# the two layers of the API, as the project's issues count them
LAYERS = {
    "Symbol, NDArray and operators": ("symbol", "ndarray", "operator", "infer_shape", "infer_type",
                                      "executor", "attr", "random", "test_utils", "viz"),
    "Module, kvstore, optimizers, data": ("module", "kvstore", "model_parallel", "optimizer",
                                          "init", "io", "metric"),
}


def read_scope(conformance: Path) -> list[str]:
    return [line.strip() for line in (conformance / "in-scope.txt").read_text().splitlines()
            if line.strip()]


def read_failures(results: Path) -> dict[str, tuple[str, str]]:
    """``{test: (first cause, message)}`` from the classifier's failures.tsv."""
    with open(results / "failures.tsv", newline="", encoding="utf-8") as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        return {row["test"]: (row["key"], row["message"]) for row in rows}


def operator_coverage(conformance: Path) -> tuple[int, int, int, int, list[str]]:
    from teachmod.ops import registry

    ours = set(registry.all_names())
    theirs = [n.strip() for n in (conformance / "mxnet-1.9.1-operators.txt").read_text()
              .splitlines() if n.strip()]
    core = [n for n in theirs if not n.startswith(OTHER_FAMILIES)]
    missing = sorted(n for n in core if n not in ours)
    return (len(theirs), sum(n in ours for n in theirs), len(core), len(core) - len(missing),
            missing)


def one_line(text: str, limit: int = 150) -> str:
    text = " ".join(text.split()).replace("|", "\\|")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def report(results: Path, conformance: Path) -> str:
    scope = read_scope(conformance)
    outcome = {t: r.get("outcome") for f in json.loads((results / "run" / "results.json")
                                                       .read_text()).values()
               for t, r in f.get("results", {}).items()}
    failures = read_failures(results)
    by_file: dict[str, list[int]] = {}
    for test in scope:
        counts = by_file.setdefault(test.split("::")[0], [0, 0])
        counts[0] += outcome.get(test) == "passed"
        counts[1] += 1
    passed = sum(c[0] for c in by_file.values())
    total, have, core, have_core, missing = operator_coverage(conformance)
    failing = [t for t in scope if outcome.get(t) != "passed"]
    causes = Counter(failures.get(t, ("not run",))[0] for t in failing)

    lines = [
        "# Conformance with MXNet 1.9.1's own unit tests",
        "",
        "MXNet's Python unit tests (tag 1.9.1, unedited) run against teachmod with `import mxnet`",
        "answered by teachmod; the figure counts the in-scope tests that pass on real MXNet 1.9.1",
        "(scope and method: `../shared/mxnet-conformance/README.md`). This page is written by",
        "`docs/conformance_report.py` from the run of "
        f"{datetime.date.today().isoformat()}; do not edit it by hand.",
        "",
        f"**teachmod passes {passed} of the {len(scope)} in-scope tests "
        f"({100 * passed / len(scope):.1f}%).**",
        "",
        "| test file | passed | in scope | |",
        "|---|---:|---:|---:|",
    ]
    for name, (ok, count) in sorted(by_file.items()):
        lines.append(f"| `{name}` | {ok} | {count} | {100 * ok / count:.0f}% |")
    lines += ["", "| layer | passed | in scope | |", "|---|---:|---:|---:|"]
    for layer, names in LAYERS.items():
        files = [f"test_{n}.py" if n != "test_utils" else "test_test_utils.py" for n in names]
        ok, count = (sum(by_file.get(f, [0, 0])[i] for f in files) for i in (0, 1))
        lines.append(f"| {layer} | {ok} | {count} | {100 * ok / max(count, 1):.1f}% |")
    lines += [
        "",
        "## Operators",
        "",
        f"MXNet 1.9.1 registers {total} operator names; teachmod has {have} of them. Leaving out",
        "the gradient operators MXNet registers separately (`_backward_*`), the NumPy-compatible",
        "interface (`_np*`), contrib, sparse and image operators, MXNet has "
        f"{core} names and teachmod {have_core}.",
        "",
        f"Not in teachmod ({len(missing)}): " + ", ".join(f"`{n}`" for n in missing) + ".",
        "",
        "## In-scope tests that still fail",
        "",
        "First causes: " + ", ".join(f"{key} ({n})" for key, n in causes.most_common()) + ".",
        "",
        "| test | first cause | message |",
        "|---|---|---|",
    ]
    for test in failing:
        key, message = failures.get(test, ("not run", outcome.get(test) or "not collected"))
        lines.append(f"| `{test}` | {one_line(key, 60)} | {one_line(message)} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, default=Path("/tmp/mxnet-conformance"))
    parser.add_argument("--conformance", type=Path,
                        default=ROOT.parent / "shared" / "mxnet-conformance")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "conformance.md")
    args = parser.parse_args()
    args.output.write_text(report(args.results, args.conformance), encoding="utf-8")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
