"""Export the JSON Schemas of the pydantic models to ``schemas/*.json``.

The files are the contract for consumers of the JSON output (``summary.json``) and a
readable copy of what the model server is asked to produce (``extraction.json``).
They are generated, never edited: a test keeps them in sync.

Usage::

    python -m factsum.schema_export            # write to the repository's schemas/ folder
    python -m factsum.schema_export OUT_DIR    # write elsewhere
    python -m factsum.schema_export --check    # exit 1 if the files are missing or stale
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from factsum.models import ExtractionResult, SharedFact, Summary

__all__ = ["SCHEMAS", "SCHEMA_DIR", "export_schemas", "main", "render_schemas", "stale_schemas"]

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas"
"""The repository's schemas/ folder (default output of ``python -m factsum.schema_export``
in a checkout). Installed, the same files are the package data ``factsum.schemas``."""

Mode = Literal["validation", "serialization"]

SCHEMAS: dict[str, tuple[type[BaseModel], Mode]] = {
    # What consumers of --format json receive, hence serialization mode.
    "summary.json": (Summary, "serialization"),
    # What the model must send back, i.e. what pydantic validates (each request narrows
    # it to its passage: the sentence numbers as an enum, one item per sentence).
    "extraction.json": (ExtractionResult, "validation"),
    "shared_fact.json": (SharedFact, "validation"),
}
"""File name → (model, schema mode) for every exported schema."""


def _dump(schema: dict[str, Any]) -> str:
    # Sorted keys, fixed indent and a final newline: regenerating gives the same bytes,
    # and diffs of a model change stay readable.
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def render_schemas() -> dict[str, str]:
    """Return file name → file content for every exported schema."""
    return {
        name: _dump(model.model_json_schema(mode=mode)) for name, (model, mode) in SCHEMAS.items()
    }


def export_schemas(out_dir: Path | str = SCHEMA_DIR) -> list[Path]:
    """Write every schema file into ``out_dir`` (created if needed); return their paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in render_schemas().items():
        path = out / name
        path.write_text(text, encoding="utf-8", newline="\n")
        written.append(path)
    return written


def stale_schemas(out_dir: Path | str = SCHEMA_DIR) -> list[str]:
    """Return the names of schema files in ``out_dir`` that are missing or out of date."""
    out = Path(out_dir)
    stale = []
    for name, text in render_schemas().items():
        path = out / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            stale.append(name)
    return stale


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m factsum.schema_export",
        description="Export the JSON Schemas of the pydantic models.",
    )
    parser.add_argument("out_dir", nargs="?", type=Path, default=SCHEMA_DIR)
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if files differ"
    )
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_schemas(args.out_dir)
        for name in stale:
            print(
                f"{args.out_dir / name}: out of date (run python -m factsum.schema_export)",
                file=sys.stderr,
            )
        return 1 if stale else 0
    for path in export_schemas(args.out_dir):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
