"""The code a student opens stays readable: no function in teachmod above cyclomatic
complexity 20 (MXNet's own ``BaseModule.fit`` is 20)."""

from pathlib import Path

import pytest

radon_complexity = pytest.importorskip("radon.complexity", reason="radon is in the test extra")

PACKAGE = Path(__file__).resolve().parents[1] / "teachmod"
MOST_COMPLEX = 20


def test_no_function_above_complexity_20() -> None:
    too_complex = []
    for path in sorted(PACKAGE.rglob("*.py")):
        # functions, classes and methods, each once (a closure counts in its function)
        for block in radon_complexity.cc_visit(path.read_text(encoding="utf-8")):
            if block.complexity > MOST_COMPLEX:
                too_complex.append(f"{path.relative_to(PACKAGE.parent)}:{block.lineno} "
                                   f"{block.fullname} ({block.complexity})")
    assert not too_complex, "split these into named steps:\n" + "\n".join(too_complex)
