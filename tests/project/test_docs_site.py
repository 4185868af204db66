"""The documentation site builds with ``mkdocs build --strict``: no broken link or anchor, and no
page of ``docs/`` left out of the navigation."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
SITE_CONFIG = REPO_ROOT / "mkdocs.yml"


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(reason + "; CI must build the documentation site")
    pytest.skip(reason)


def mkdocs_build(root: Path, site: Path) -> subprocess.CompletedProcess[str]:
    """``mkdocs build --strict`` of the site at ``root`` (not ``-q``: under it, mkdocs 1.6 does
    not count warnings, and a strict build passes whatever they say)."""
    if importlib.util.find_spec("mkdocs") is None or importlib.util.find_spec("material") is None:
        _unavailable("mkdocs or mkdocs-material is not installed (pip install -e '.[docs]')")
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        check=False,
    )


def nav_pages(nav: Any) -> set[str]:
    if isinstance(nav, str):
        return {nav}
    if isinstance(nav, list):
        return set().union(*(nav_pages(item) for item in nav)) if nav else set()
    if isinstance(nav, dict):
        return set().union(*(nav_pages(value) for value in nav.values())) if nav else set()
    return set()


def test_every_page_of_docs_is_in_the_nav_and_every_nav_entry_is_a_page() -> None:
    config = yaml.safe_load(SITE_CONFIG.read_text(encoding="utf-8"))
    docs = REPO_ROOT / config.get("docs_dir", "docs")
    pages = {path.relative_to(docs).as_posix() for path in docs.rglob("*.md")}
    assert pages == nav_pages(config["nav"])
    assert "reference/actions.md" in pages


def test_the_site_builds_strictly_without_a_warning(tmp_path: Path) -> None:
    built = mkdocs_build(REPO_ROOT, tmp_path / "site")
    log = built.stdout + built.stderr
    assert built.returncode == 0, log
    assert "WARNING" not in log, log
    assert (tmp_path / "site" / "reference" / "actions" / "index.html").is_file()
    contributing = (tmp_path / "site" / "contributing" / "index.html").read_text(encoding="utf-8")
    assert "Invariants" in contributing, "ARCHITECTURE.md is no longer included"
    home = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "fonts.googleapis.com" not in home, "web fonts are on: the site needs the network"
    assert not re.search(r'src="https?://', home), "a script or image from the network"


BREAKAGES = (
    (
        "stray.md",
        "# Stray\n",
        'The following pages exist in the docs directory, but are not included in the "nav"',
    ),
    ("index.md", "\n[gone](missing.md)\n", "missing.md"),
    ("index.md", "\n[gone](reference/actions.md#noSuchAction)\n", "#noSuchAction"),
)
"""A page outside the nav, a broken link and a broken anchor: the page each is added to, what is
added, and what the build's warning about it says."""


def test_a_strict_build_fails_on_a_page_outside_the_nav_a_broken_link_or_anchor(
    tmp_path: Path,
) -> None:
    shutil.copy(SITE_CONFIG, tmp_path / "mkdocs.yml")
    shutil.copy(REPO_ROOT / "ARCHITECTURE.md", tmp_path / "ARCHITECTURE.md")
    shutil.copytree(REPO_ROOT / "docs", tmp_path / "docs")
    for page, text, _ in BREAKAGES:
        with (tmp_path / "docs" / page).open("a", encoding="utf-8") as file:
            file.write(text)
    built = mkdocs_build(tmp_path, tmp_path / "site")
    log = built.stdout + built.stderr
    assert built.returncode != 0
    assert f"Aborted with {len(BREAKAGES)} warnings in strict mode" in log, log
    for _, _, warning in BREAKAGES:
        assert warning in log
