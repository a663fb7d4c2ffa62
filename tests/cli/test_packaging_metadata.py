"""The package metadata users and PyPI see (issue 17, "Packaging and dependencies").

Decisions pinned here: `license` is an SPDX string; there is no `project.urls` until a
public address exists (see the comment in pyproject.toml); the classifiers are valid.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

PROJECT = tomllib.loads(
    (Path(__file__).resolve().parents[2] / "pyproject.toml").read_text(encoding="utf-8")
)["project"]


def test_license_is_an_spdx_string() -> None:
    assert PROJECT["license"] == "MIT"
    assert not any(c.startswith("License ::") for c in PROJECT["classifiers"])


def test_no_made_up_project_urls() -> None:
    # No public repository, tracker or docs site exists yet: an invented URL would send
    # users nowhere. Add real ones (and change this test) when they exist.
    assert "urls" not in PROJECT


def test_classifiers_are_valid_trove_classifiers() -> None:
    trove = pytest.importorskip("trove_classifiers")
    classifiers = PROJECT["classifiers"]
    assert len(classifiers) == len(set(classifiers))
    assert [c for c in classifiers if c not in trove.classifiers] == []
    assert [c for c in classifiers if c in trove.deprecated_classifiers] == []
