"""One switch between the reference code and the fast paths.

Every operator and the executor are written first as plain numpy a student can follow. Where a
benchmark showed that a faster version pays (at least 10% of an epoch on some benchmark in
``benchmarks/``), that version stands beside the plain one, marked ``# fast path``, and is used
only while :func:`fast_paths` says so. Tests run both and compare them.

``TEACHMOD_REFERENCE=1`` in the environment (or ``true``/``yes``/``on``) runs the reference code
everywhere; :func:`reference_mode` does the same for a block of code.
"""
from __future__ import annotations

import contextlib
import os
from typing import Iterator

__all__ = ["fast_paths", "reference_mode"]

_reference = os.environ.get("TEACHMOD_REFERENCE", "").strip().lower() in ("1", "true", "yes", "on")


def fast_paths() -> bool:
    """Whether the fast paths are on (they are unless ``TEACHMOD_REFERENCE=1``)."""
    return not _reference


@contextlib.contextmanager
def reference_mode(on: bool = True) -> Iterator[None]:
    """Run the block with the reference code (``on=True``) or with the fast paths (``False``)."""
    global _reference
    before = _reference
    _reference = on
    try:
        yield
    finally:
        _reference = before
