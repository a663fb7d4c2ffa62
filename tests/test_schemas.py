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
    Quantity,
    RunInfo,
    Span,
    Summary,
    SummaryStats,
    Unverified,
    Usage,
)
from factsum.render.markdown import render_markdown
from factsum.schema_export import SCHEMA_DIR, SCHEMAS, export_schemas, main, stale_schemas

REPO = Path(__file__).resolve().parent.parent


def _load(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))
    return schema


def _summary() -> Summary:
    """HAND-WRITTEN TEST FIXTURE (not model or pipeline output): every optional part
    filled in once, disputes of both origins, one unverified statement."""
    twelve = Quantity(text="12 missiles", value=12, low=12, high=None, hedge="at least",
                      kind="count", unit="missiles", asserted_by="")
    fifteen = Quantity(text="15 missiles", value=15, low=13, high=17, hedge="about",
                       kind="count", unit="missiles", asserted_by="Pentagon")
    return Summary(
        headline="Iran strikes US bases in Iraq",
        language="en",
        articles=[
            ArticleRef(id="a1", outlets=["Le Journal"], title="Titre", url="https://x.org/1",
                       published="2020-01-08", language="fr", source="001.txt",
                       independence_group="g1", chars=90),
            ArticleRef(id="a2", outlets=[], language="en", source="002.txt",
                       independence_group="g2", chars=80),
        ],
        claims=[
            Claim(id="a1:s1", article_id="a1", sentence=1,
                  statement="At least 12 missiles were fired.",
                  quote="Pas moins de 12 missiles ont été tirés.", span=Span(start=0, end=39),
                  translated=True, quantities=[twelve]),
            Claim(id="a2:s1", article_id="a2", sentence=1,
                  statement="About 15 missiles were fired, the Pentagon said.",
                  quote="About 15 missiles were fired, the Pentagon said.",
                  span=Span(start=0, end=48), translated=False, quantities=[fifteen]),
            Claim(id="a1:s2", article_id="a1", sentence=2, statement="It was Thursday 3 "
                  "January.", quote="C'était jeudi 3 janvier.", span=Span(start=40, end=64),
                  translated=True, quantities=[], origin="date_reader"),
            Claim(id="a2:s2", article_id="a2", sentence=2, statement="On Wednesday 8 January.",
                  quote="On Wednesday 8 January.", span=Span(start=49, end=72),
                  translated=False, quantities=[]),
        ],
        points=[
            Point(id="p1", statement="Iran fired missiles.", claim_ids=["a1:s1", "a2:s1"],
                  independent_sources=2, single_source=False, key=True),
        ],
        disputes=[
            Dispute(id="d1", topic="Number of missiles", origin="figures", positions=[
                Position(statement="at least 12", claim_ids=["a1:s1"], asserted_by=[]),
                Position(statement="about 15", claim_ids=["a2:s1"], asserted_by=["Pentagon"]),
            ]),
            Dispute(id="d2", topic="Day of the week of 3 January", origin="calendar",
                    positions=[
                        Position(statement="Thursday 3 January", claim_ids=["a1:s2"],
                                 asserted_by=[]),
                        Position(statement="Friday 3 January", claim_ids=["a2:s2"],
                                 asserted_by=[]),
                    ]),
        ],
        unverified=[
            Unverified(id="a2:s3", article_id="a2", statement="80 people died.",
                       quote="Iran claimed deaths.", span=Span(start=73, end=93),
                       reason="gives 80, which the sentence does not state"),
        ],
        stats=SummaryStats(articles=2, independent_sources=2, sentences_read=5,
                           claims_extracted=5, claims_verified=4, claims_unverified=1,
                           points=1, key_points=1, disputes=2),
        run=RunInfo(model="m", prompt_versions={"extract": "extract@v5:1b33ebb8"},
                    created="2020-01-09", factsum_version="0.2.0"),
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
    summary = _summary()
    render_markdown(summary)  # guard: the fixture is a summary the renderer accepts
    document = json.loads(summary.to_json())
    jsonschema.validate(document, schema, cls=jsonschema.Draft202012Validator)
    assert "usage" not in document  # accounting is excluded from the JSON output
    # Offsets and the provenance of each sentence stay in the JSON for consumers.
    assert document["claims"][0]["span"] == {"start": 0, "end": 39}
    assert {c["origin"] for c in document["claims"]} == {"model", "date_reader"}
    assert Summary.model_validate(document) == summary.model_copy(update={"usage": Usage()})


@pytest.mark.parametrize(
    "break_it",
    [
        lambda d: d.pop("headline"),
        lambda d: d["claims"][0]["span"].update(start=-1),
        lambda d: d["points"][0].update(claim_ids=[]),
        lambda d: d["disputes"][0].update(positions=d["disputes"][0]["positions"][:1]),
        lambda d: d["disputes"][0].update(origin="model"),
        lambda d: d["claims"][0].update(sentence=0),
        lambda d: d["claims"][0].update(origin="figure_reader"),
        lambda d: d["points"][0].pop("key"),
        lambda d: d["unverified"][0].pop("reason"),
        lambda d: d["claims"][0]["quantities"][0].update(hedge="roughly"),
    ],
)
def test_summary_schema_rejects_broken_documents(break_it: Any) -> None:
    document = json.loads(_summary().to_json())
    break_it(document)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, _load("summary.json"), cls=jsonschema.Draft202012Validator)


def _objects(schema: dict[str, Any]) -> list[dict[str, Any]]:
    return [schema, *schema.get("$defs", {}).values()]


def test_only_the_current_schemas_are_committed() -> None:
    committed = {p.name for p in SCHEMA_DIR.glob("*.json")}
    assert committed == set(SCHEMAS)  # no stale file (the old reconcile.json) left behind


@pytest.mark.parametrize("name", ["extraction.json"])
def test_llm_schemas_fit_strict_structured_outputs(name: str) -> None:
    # OpenAI strict mode (see DESIGN.md): every field required, no extra keys, no default.
    schema = _load(name)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["type"] == "object"
    for obj in _objects(schema):
        if obj.get("type") != "object":
            continue  # e.g. an enum
        assert set(obj["required"]) == set(obj["properties"]), obj.get("title")
        assert obj["additionalProperties"] is False, obj.get("title")
    assert '"default"' not in json.dumps(schema)
