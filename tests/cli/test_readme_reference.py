"""The README's Configuration table and Command line synopsis are complete (issue 17).

Every variable ``factsum.settings.Environment`` reads, and every option the argument
parser accepts, is named in the README; nothing is named there that factsum does not
read; the defaults the table states are the code's.
"""

from __future__ import annotations

import argparse
import importlib
import re
from pathlib import Path

import factsum.cli as cli
import pytest
from factsum.settings import AZURE_DEFAULT_API_VERSION, Settings, environment_variables

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def section(title: str) -> str:
    match = re.search(rf"(?ms)^## {re.escape(title)}\n(.*?)(?=^## )", README)
    assert match, f"README has no section {title!r}"
    return match[1]


def table_rows() -> dict[str, str]:
    """Each variable the Configuration table names -> its row."""
    rows = {}
    for line in section("Configuration").splitlines():
        if line.startswith("| `"):
            first = line.split("|")[1]
            rows.update(dict.fromkeys(re.findall(r"`([A-Z_]+)`", first), line))
    return rows


def parser_options() -> set[str]:
    """Every option string of factsum and its subcommands, but -h/--help."""
    found: set[str] = set()
    parsers = [cli._parser()]
    while parsers:
        parser = parsers.pop()
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                parsers.extend(action.choices.values())
            found.update(action.option_strings)
    return found - {"-h", "--help"}


def test_every_variable_is_in_the_configuration_table() -> None:
    read = {name for name, _meaning in environment_variables()}
    assert "XDG_CACHE_HOME" in read and "AZURE_OPENAI_AD_TOKEN" in read
    assert set(table_rows()) == read


def test_every_option_is_in_the_readme() -> None:
    named = set(re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)",
                           section("Command line") + section("Configuration")))
    assert parser_options() - named == set()
    assert named - parser_options() - {"-", "--help"} == set()


@pytest.mark.parametrize(("variable", "default"), [
    ("FACTSUM_CONCURRENCY", f"default {Settings().max_concurrency}"),
    ("FACTSUM_TIMEOUT", f"default {Settings().request_timeout_s:g}"),
    ("FACTSUM_MAX_TOKENS", f"default {Settings().max_tokens}"),
    ("OPENAI_API_VERSION", f"default {AZURE_DEFAULT_API_VERSION}"),
    ("FACTSUM_STRUCTURED_MODE", f"`{Settings().structured_mode.value}` (default"),
])
def test_the_defaults_stated_are_the_codes(variable: str, default: str) -> None:
    assert default in table_rows()[variable]


def test_the_python_api_names_resolve() -> None:
    """Every dotted name the Python API section gives can be imported as written."""
    names = re.findall(r"`(factsum(?:\.\w+)+)`", section("Python API"))
    assert "factsum.llm.LLMClient" in names
    for dotted in names:
        module, _, attr = dotted.rpartition(".")
        try:
            found = getattr(importlib.import_module(module), attr)
        except (ImportError, AttributeError):
            found = importlib.import_module(dotted)
        assert found is not None, dotted


def test_the_sample_output_is_the_committed_seeds_example() -> None:
    # The README quotes examples/seeds/summary.md; "…" marks what it leaves out.
    example = (Path(__file__).resolve().parents[2] / "examples" / "seeds"
               / "summary.md").read_text(encoding="utf-8").splitlines()
    sample = re.search(r"(?ms)^## Sample output\n.*?^```markdown\n(.*?)^```", README)
    assert sample, "the Sample output section has no markdown block"
    quoted = [line for line in sample[1].splitlines() if line and "…" not in line]
    assert quoted
    assert [line for line in quoted if line not in example] == []
    for line in sample[1].splitlines():
        if "…" in line and line.strip(" |…"):
            shown = line.split("…")[0]
            assert any(row.startswith(shown) for row in example), line
