"""The package metadata users and PyPI see (issue 17, "Packaging and dependencies").

Decisions pinned here: `license` is an SPDX string; there is no `project.urls` until a
public address exists (see the comment in pyproject.toml); the classifiers are valid.
"""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

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
    import trove_classifiers as trove
    classifiers = PROJECT["classifiers"]
    assert len(classifiers) == len(set(classifiers))
    assert [c for c in classifiers if c not in trove.classifiers] == []
    assert [c for c in classifiers if c in trove.deprecated_classifiers] == []


def _imported_modules() -> set[str]:
    """The top-level modules that factsum's own code imports."""
    found: set[str] = set()
    for path in (Path(__file__).resolve().parents[2] / "service" / "factsum").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.add(node.module.split(".")[0])
    return found


def _names(requirements: list[str]) -> set[str]:
    return {re.split(r"[\s<>=!~\[;]", r, maxsplit=1)[0].lower() for r in requirements}


def test_runtime_dependencies_match_the_imports() -> None:
    """Issue 17: the GFM renderer is for the tests only, httpx2 is imported so it is
    declared, and one language detector (py3langid, which has ARM wheels) is kept."""
    imported = _imported_modules()
    runtime = _names(PROJECT["dependencies"])
    dev = _names(PROJECT["optional-dependencies"]["dev"])
    assert not {"markdown_it", "mdit_py_plugins"} & imported
    assert not {"markdown-it-py", "mdit-py-plugins"} & runtime
    assert {"markdown-it-py", "mdit-py-plugins"} <= dev
    assert "httpx2" in imported and "httpx2" in runtime
    assert "pycld2" not in imported and "pycld2" not in runtime
    assert "py3langid" in imported and "py3langid" in runtime
