"""schemas/*.json stay in sync with the pydantic models, and the JSON output obeys them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]  # no stubs in the venv
import pytest

from factsum.models import (
    ArticleRef,
    Claim,
    Dispute,
    Point,
    Position,
    RunInfo,
    Span,
    Summary,
    SummaryStats,
    Usage,
)
from factsum.schema_export import SCHEMA_DIR, SCHEMAS, export_schemas, main, stale_schemas

REPO = Path(__file__).resolve().parent.parent


def _load(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))
    return schema


def _summary() -> Summary:
    """HAND-WRITTEN TEST FIXTURE (not model or pipeline output)."""
    return Summary(
        headline="Iran strikes US bases in Iraq",
        language="en",
        articles=[
            ArticleRef(
                id="a1",
                outlets=["Le Journal"],
                title="Titre",
                url="https://x.org/1",
                language="fr",
                source="001.txt",
                independence_group="g1",
                chars=90,
            ),
            ArticleRef(
                id="a2",
                outlets=[],
                language="en",
                source="002.txt",
                independence_group="g2",
                chars=80,
            ),
        ],
        claims=[
            Claim(
                id="a1:c1",
                article_id="a1",
                statement="12 missiles were fired.",
                quote="Pas moins de 12 missiles",
                span=Span(start=0, end=24),
                match_score=100,
                asserted_by="the article",
                quantities=[],
            ),
            Claim(
                id="a2:c1",
                article_id="a2",
                statement="15 missiles were fired.",
                quote="about 15 missiles",
                span=Span(start=5, end=22),
                match_score=97.5,
                asserted_by="Pentagon",
                quantities=[],
            ),
        ],
        points=[
            Point(
                id="p1",
                statement="Iran fired missiles.",
                claim_ids=["a1:c1", "a2:c1"],
                independent_sources=2,
                single_source=False,
            )
        ],
        disputes=[
            Dispute(
                id="d1",
                topic="Number of missiles",
                origin="quantities",
                positions=[
                    Position(statement="12", claim_ids=["a1:c1"], asserted_by=[]),
                    Position(statement="15", claim_ids=["a2:c1"], asserted_by=["Pentagon"]),
                ],
            )
        ],
        dropped=[],
        stats=SummaryStats(
            articles=2,
            independent_sources=2,
            claims_extracted=2,
            claims_verified=2,
            quotes_dropped=0,
            points=1,
            disputes=1,
        ),
        run=RunInfo(
            model="m",
            prompt_versions={"extract": "v1"},
            created="2020-01-09",
            factsum_version="0.1.0",
        ),
        usage=Usage(requests=3, prompt_tokens=100),
    )


def test_committed_schemas_match_models(tmp_path: Path) -> None:
    export_schemas(tmp_path)
    for name in SCHEMAS:
        committed = (SCHEMA_DIR / name).read_bytes()
        assert (tmp_path / name).read_bytes() == committed, (
            f"schemas/{name} is stale: run python -m factsum.schema_export"
        )
    assert stale_schemas() == []


def test_export_is_stable(tmp_path: Path) -> None:
    first = [p.read_bytes() for p in export_schemas(tmp_path / "a")]
    second = [p.read_bytes() for p in export_schemas(tmp_path / "b")]
    assert first == second
    for data in first:
        assert data.endswith(b"}\n") and not data.endswith(b"\n\n")
        text = data.decode("utf-8")
        assert (
            text
            == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        )


def test_check_mode(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--check", str(tmp_path)]) == 1  # nothing written yet
    assert main([str(tmp_path)]) == 0
    assert main(["--check", str(tmp_path)]) == 0
    (tmp_path / "summary.json").write_text("{}\n", encoding="utf-8")
    assert main(["--check", str(tmp_path)]) == 1
    assert "summary.json: out of date" in capsys.readouterr().err


def test_runs_as_module() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "factsum.schema_export", "--check"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr


def test_summary_json_validates() -> None:
    schema = _load("summary.json")
    jsonschema.Draft202012Validator.check_schema(schema)
    document = json.loads(_summary().to_json())
    jsonschema.validate(document, schema, cls=jsonschema.Draft202012Validator)
    assert "usage" not in document  # accounting is excluded from the JSON output


@pytest.mark.parametrize(
    "break_it",
    [
        lambda d: d.pop("headline"),
        lambda d: d["claims"][0]["span"].update(start=-1),
        lambda d: d["points"][0].update(claim_ids=[]),
        lambda d: d["disputes"][0].update(positions=d["disputes"][0]["positions"][:1]),
        lambda d: d["claims"][0].update(match_score=101),
    ],
)
def test_summary_schema_rejects_broken_documents(break_it: Any) -> None:
    document = json.loads(_summary().to_json())
    break_it(document)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, _load("summary.json"), cls=jsonschema.Draft202012Validator)


def _objects(schema: dict[str, Any]) -> list[dict[str, Any]]:
    return [schema, *schema.get("$defs", {}).values()]


@pytest.mark.parametrize("name", ["extraction.json", "reconcile.json"])
def test_llm_schemas_fit_strict_structured_outputs(name: str) -> None:
    # OpenAI strict mode (see DESIGN.md): every field required, no extra keys, no default.
    schema = _load(name)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["type"] == "object"
    for obj in _objects(schema):
        if obj.get("type") != "object":
            continue  # e.g. the Qualifier enum
        assert set(obj["required"]) == set(obj["properties"]), obj.get("title")
        assert obj["additionalProperties"] is False, obj.get("title")
    assert '"default"' not in json.dumps(schema)
