"""Shared fixtures: where the spec lives, and waits that take no time."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def spec_dir() -> Path | None:
    """``../shared/spec`` beside the checkout (or ``PICSART_SPEC_DIR``), when it exists."""
    configured = os.environ.get("PICSART_SPEC_DIR")
    candidate = Path(configured) if configured else REPO_ROOT.parent / "shared" / "spec"
    return candidate if candidate.is_dir() else None


@pytest.fixture
def spec_path() -> Path:
    """The spec folder; tests that need it skip, saying why, when it is absent."""
    found = spec_dir()
    if found is None:
        pytest.skip("needs ../shared/spec (the team's spec folder), which this checkout lacks")
    return found
