"""Request formats per structured mode, the strict schema, and answer parsing."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any, Literal

import pytest
from factsum.errors import AnswerError
from factsum.llm.config import StructuredMode
from factsum.llm.structured import (
    parse_answer,
    prepare_messages,
    reask_message,
    response_format,
    strict_schema,
    strip_code_fences,
)
from pydantic import BaseModel, ConfigDict, Field
from support.llm import Pair


class Qualifier(StrEnum):
    EXACT = "exact"
    ABOUT = "about"


class Quantity(BaseModel):
    model_config = ConfigDict(extra="forbid")

    value: float = Field(description="The number.")
    unit: str = Field(description="What it counts.")
    qualifier: Qualifier = Field(description="How exact it is (a $ref with a sibling).")


class Claim(BaseModel):
    statement: str = Field(description="One sentence.")
    quantities: list[Quantity] = Field(default_factory=list, description="Its numbers.")


class Extraction(BaseModel):
    """Nested lists of objects with enums: the shape of a real extraction answer."""

    claims: list[Claim] = Field(description="The claims.")


class Cat(BaseModel):
    kind: Literal["cat"]
    lives: int


class Dog(BaseModel):
    kind: Literal["dog"]
    good: bool


class Pet(BaseModel):
    """A discriminated union: pydantic writes oneOf and a discriminator."""

    pet: Cat | Dog = Field(discriminator="kind", description="The pet.")


class Inner(BaseModel):
    label: str = "x"


class WithDefaults(BaseModel):
    """A model with defaults, optional and nested fields (not strict by itself)."""

    title: str = Field(default="untitled", description="A title.")
    note: str | None = None
    inner: Inner = Field(description="Nested with a description beside the $ref.")
    items: list[Inner] = Field(default_factory=list)


def _walk(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        found.append(node)
        for value in node.values():
            found.extend(_walk(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(_walk(value))
    return found


def test_the_union_model_really_has_one_of() -> None:
    assert "oneOf" in json.dumps(Pet.model_json_schema())


@pytest.mark.parametrize("model", [Extraction, Pet, WithDefaults, Pair])
def test_strict_schema_follows_openai_rules(model: type[BaseModel]) -> None:
    schema = strict_schema(model)
    assert schema["type"] == "object"
    for node in _walk(schema):
        assert "default" not in node
        assert "oneOf" not in node
        if "$ref" in node:
            assert set(node) == {"$ref"}, "strict mode rejects $ref with siblings"
            assert node["$ref"].startswith("#/$defs/")
        if node.get("type") == "object":
            assert node["additionalProperties"] is False
            assert node["required"] == list(node["properties"])


def test_strict_schema_keeps_descriptions_and_does_not_touch_the_model() -> None:
    before = json.dumps(Extraction.model_json_schema(), sort_keys=True)
    schema = strict_schema(Extraction)
    assert json.dumps(Extraction.model_json_schema(), sort_keys=True) == before
    quantity = schema["$defs"]["Quantity"]["properties"]["qualifier"]
    assert "description" in quantity and "enum" in quantity  # the ref was inlined


def test_response_format_per_mode() -> None:
    fmt = response_format(StructuredMode.JSON_SCHEMA, Pair)
    assert fmt["type"] == "json_schema"
    assert fmt["json_schema"]["name"] == "Pair"
    assert fmt["json_schema"]["strict"] is True
    assert fmt["json_schema"]["schema"] == strict_schema(Pair)
    assert response_format(StructuredMode.JSON_OBJECT_SCHEMA, Pair) == {
        "type": "json_object", "schema": strict_schema(Pair)}
    assert response_format(StructuredMode.JSON_OBJECT, Pair) == {"type": "json_object"}


def test_json_object_mode_puts_the_schema_in_the_system_prompt() -> None:
    messages = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Go"}]
    out = prepare_messages(messages, StructuredMode.JSON_OBJECT, Pair)
    assert out[0]["content"].startswith("Be brief.\n\n")
    assert '"count"' in out[0]["content"] and "JSON" in out[0]["content"]
    assert messages[0]["content"] == "Be brief."  # the caller's list is not modified
    no_system = prepare_messages([{"role": "user", "content": "Go"}],
                                 StructuredMode.JSON_OBJECT, Pair)
    assert no_system[0]["role"] == "system" and len(no_system) == 2
    assert prepare_messages(messages, StructuredMode.JSON_SCHEMA, Pair) == messages


@pytest.mark.parametrize(
    "text",
    [
        '{"name": "a", "count": 1}',
        '```json\n{"name": "a", "count": 1}\n```',
        '```\n{"name": "a", "count": 1}\n```\n',
        'Here is the JSON:\n```json\n{"name": "a", "count": 1}\n```\nHope it helps.',
        'Sure! {"name": "a", "count": 1}',
    ],
)
def test_parse_accepts_fenced_or_wrapped_json(text: str) -> None:
    assert parse_answer(text, Pair) == Pair(name="a", count=1)


def test_strip_code_fences_leaves_plain_text() -> None:
    assert strip_code_fences('  {"a": 1} ') == '{"a": 1}'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, "empty"),
        ("   ", "empty"),
        ('{"name": "a", "count": ', "not valid JSON"),
        ('[{"name": "a"}]', "got an array"),
        ('{"name": "a"}', "count: Field required"),
        ('{"name": "a", "count": "many"}', "count: Input should be a valid integer"),
        ('{"name": "a", "count": 1, "extra": 2}', "extra: unexpected field"),
    ],
)
def test_parse_errors_are_short_and_name_the_field(text: str | None, expected: str) -> None:
    with pytest.raises(AnswerError) as info:
        parse_answer(text, Pair)
    assert any(expected in p for p in info.value.problems), info.value.problems
    assert all("\n" not in p and len(p) < 250 for p in info.value.problems)


def test_nested_error_paths_and_problem_limit() -> None:
    claims = [{"statement": "s", "quantities": [{"value": "x", "unit": "u",
                                                 "qualifier": "exact"}]}
              for _ in range(15)]
    with pytest.raises(AnswerError) as info:
        parse_answer(json.dumps({"claims": claims}), Extraction)
    problems = info.value.problems
    assert problems[0].startswith("claims[0].quantities[0].value:")
    assert len(problems) == 11 and problems[-1] == "... and 5 more problems"


def test_reask_message_lists_problems() -> None:
    msg = reask_message(["count: Field required", "name: too long"])
    assert msg["role"] == "user"
    assert msg["content"] == (
        "Your answer had these problems:\n- count: Field required\n- name: too long\n"
        "Return the corrected full JSON."
    )
