"""factsum.llm is a layer: it imports nothing of the application but factsum.errors."""

from __future__ import annotations

import ast
from pathlib import Path

import factsum.llm

LLM_DIR = Path(factsum.llm.__file__).parent


def _factsum_imports(path: Path) -> set[str]:
    """Every factsum module ``path`` imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
        elif isinstance(node, ast.ImportFrom):  # relative: resolved against factsum.llm
            raise AssertionError(f"{path.name}: use absolute imports")
    return {name for name in found if name == "factsum" or name.startswith("factsum.")}


def test_llm_imports_only_itself_and_the_errors() -> None:
    modules = sorted(LLM_DIR.glob("*.py"))
    assert len(modules) > 5
    for path in modules:
        foreign = {name for name in _factsum_imports(path)
                   if name != "factsum.errors" and not name.startswith("factsum.llm")}
        assert not foreign, f"{path.name} imports {sorted(foreign)}"
