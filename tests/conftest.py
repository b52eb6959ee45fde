"""Shared test settings: the hypothesis profiles of the fuzz tests (tests/test_fuzz.py), and
the ``online`` fixture of the download tests.

The default profile 'ci' keeps the fuzzers to a few seconds each and always draws the same
examples. For a long, random run:

    TEACHMOD_FUZZ=long python -m pytest tests/test_fuzz.py
"""
from __future__ import annotations

import os

import pytest

try:
    from hypothesis import HealthCheck, settings
except ImportError:  # hypothesis is a test extra; only the fuzz tests need it
    settings = None

if settings is not None:
    # CI is reproducible: the same examples on every run and machine (derandomize, no example
    # database); a failure the long random run finds is added to its test as an @example
    settings.register_profile("ci", max_examples=150, deadline=None, derandomize=True,
                              database=None, suppress_health_check=[HealthCheck.too_slow])
    settings.register_profile("long", max_examples=20_000, deadline=None,
                              suppress_health_check=[HealthCheck.too_slow])
    settings.load_profile("long" if os.environ.get("TEACHMOD_FUZZ") == "long" else "ci")


@pytest.fixture
def online(monkeypatch: pytest.MonkeyPatch) -> None:
    """Behave as on a laptop: no TEACHMOD_OFFLINE, no CI (downloads are faked in the tests)."""
    monkeypatch.delenv("TEACHMOD_OFFLINE", raising=False)
    monkeypatch.delenv("CI", raising=False)
