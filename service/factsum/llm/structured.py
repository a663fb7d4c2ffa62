"""Structured output: request formats per server kind, and parsing of the answers.

Servers disagree on how to ask for JSON (see DESIGN.md): OpenAI wants a strict
``json_schema``; llama-cpp-python's server wants ``{"type": "json_object", "schema": ...}``;
some only promise "some JSON", so the schema goes into the system prompt. Whatever the
server promised, the answer is parsed and validated with pydantic here.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from collections.abc import Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from factsum.errors import AnswerError
from factsum.llm.base import Message
from factsum.llm.cache import canonical_digest
from factsum.llm.config import StructuredMode
from factsum.llm.redact import one_line

T = TypeVar("T", bound=BaseModel)

MAX_PROBLEMS = 10
"""At most this many problems are listed in a re-ask: more would drown the useful ones."""

_FENCE = re.compile(r"```[A-Za-z0-9_+-]*[ \t]*\r?\n(.*?)\r?\n?[ \t]*```", re.DOTALL)


# --------------------------------------------------------------------------- schemas


def strict_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON Schema made OpenAI-strict.

    Every property required, ``additionalProperties: false`` on every object, no
    ``default``, ``oneOf`` turned into ``anyOf``, ``$ref`` kept in ``$defs`` (OpenAI
    allows that) except where it has sibling keywords, which strict mode rejects.
    A fresh copy each call (the caller may change it); built once per model class.
    """
    schema: dict[str, Any] = json.loads(_strict_schema_text(model))
    return schema


@functools.lru_cache(maxsize=64)
def _strict_schema_text(model: type[BaseModel]) -> str:
    """``strict_schema`` as JSON text, cached: pydantic's schema generation costs about
    a millisecond, and every request carries the schema."""
    root = copy.deepcopy(model.model_json_schema())
    _make_strict(root, root)
    if root.get("type") != "object":
        raise ValueError(f"{model.__name__}: structured output needs an object at the root")
    return json.dumps(root, ensure_ascii=False)


def _resolve_ref(root: dict[str, Any], ref: str) -> dict[str, Any]:
    if not ref.startswith("#/"):
        raise ValueError(f"unsupported $ref {ref!r}")
    node: Any = root
    for part in ref[2:].split("/"):
        node = node[part]
    if not isinstance(node, dict):
        raise ValueError(f"$ref {ref!r} does not point to a schema")
    return node


def _make_strict(node: Any, root: dict[str, Any]) -> None:
    if isinstance(node, list):
        for item in node:
            _make_strict(item, root)
        return
    if not isinstance(node, dict):
        return
    node.pop("default", None)
    node.pop("discriminator", None)  # meaningless once oneOf becomes anyOf
    if "oneOf" in node:
        node["anyOf"] = node.pop("oneOf")
    all_of = node.get("allOf")
    if isinstance(all_of, list) and len(all_of) == 1:
        node.pop("allOf")
        node.update({k: v for k, v in all_of[0].items() if k not in node})
    ref = node.get("$ref")
    if isinstance(ref, str) and len(node) > 1:
        # Strict mode rejects $ref with siblings (pydantic puts descriptions beside it).
        node.pop("$ref")
        target = copy.deepcopy(_resolve_ref(root, ref))
        node.update({k: v for k, v in target.items() if k not in node})
    for key in ("$defs", "definitions", "properties"):
        children = node.get(key)
        if isinstance(children, dict):
            for child in children.values():
                _make_strict(child, root)
    for key in ("items", "anyOf", "allOf", "prefixItems", "additionalProperties"):
        if key in node:
            _make_strict(node[key], root)
    if node.get("type") == "object" or "properties" in node:
        props = node.setdefault("properties", {})
        node["required"] = list(props)
        node["additionalProperties"] = False


def schema_name(model: type[BaseModel]) -> str:
    """A name OpenAI accepts for ``json_schema.name`` (``^[a-zA-Z0-9_-]{1,64}$``)."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", model.__name__)[:64] or "answer"


@functools.lru_cache(maxsize=64)
def response_format(mode: StructuredMode, model: type[BaseModel]) -> dict[str, Any]:
    """The ``response_format`` request field for ``mode``.

    One shared dict per (mode, model), built once: every request of a run carries it,
    and copying the schema for each one cost more than the rest of the payload. Treat
    it as read-only (nothing in factsum changes a payload once built).
    """
    if mode is StructuredMode.JSON_SCHEMA:
        return {
            "type": "json_schema",
            "json_schema": {
                "name": schema_name(model),
                "strict": True,
                "schema": strict_schema(model),
            },
        }
    if mode is StructuredMode.JSON_OBJECT_SCHEMA:
        return {"type": "json_object", "schema": strict_schema(model)}
    return {"type": "json_object"}


@functools.lru_cache(maxsize=64)
def response_format_digest(mode: StructuredMode, model: type[BaseModel]) -> str:
    """``canonical_digest(response_format(mode, model))``, computed once per pair (the
    cache key of every request carries it)."""
    return canonical_digest(response_format(mode, model))


def schema_instruction(model: type[BaseModel]) -> str:
    """System-prompt text carrying the schema, for servers that cannot take it."""
    schema = json.dumps(strict_schema(model), ensure_ascii=False, separators=(",", ":"))
    return (
        "Answer with one JSON object only (no prose, no code fences) that matches "
        f"this JSON Schema:\n{schema}"
    )


def prepare_messages(
    messages: Sequence[Message], mode: StructuredMode, model: type[BaseModel]
) -> list[Message]:
    """Copy the messages; in JSON_OBJECT mode put the schema into the system prompt."""
    out = [dict(m) for m in messages]
    if mode is StructuredMode.JSON_OBJECT:
        instruction = schema_instruction(model)
        if out and out[0].get("role") == "system":
            out[0]["content"] = f"{out[0].get('content', '')}\n\n{instruction}"
        else:
            out.insert(0, {"role": "system", "content": instruction})
    return out


# --------------------------------------------------------------------------- answers


def strip_code_fences(text: str) -> str:
    """The JSON inside a Markdown code fence, or the text itself when there is none."""
    match = _FENCE.search(text)
    return match.group(1).strip() if match else text.strip()


def _load_json(text: str) -> Any:
    body = strip_code_fences(text)
    try:
        return json.loads(body)
    except json.JSONDecodeError as exc:
        # Small models sometimes wrap the object in a sentence; try the outermost braces.
        start, end = body.find("{"), body.rfind("}")
        if 0 <= start < end and (start > 0 or end < len(body) - 1):
            try:
                return json.loads(body[start : end + 1])
            except json.JSONDecodeError:
                pass
        raise AnswerError(
            [f"the answer is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"]
        ) from None


_JSON_KINDS = {list: "an array", str: "a string", int: "a number", float: "a number",
               bool: "a boolean", type(None): "null"}


def _loc(parts: Sequence[int | str]) -> str:
    path = ""
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "(root)"


def format_validation_error(error: ValidationError) -> list[str]:
    """One short line per pydantic error: ``field.path: message``."""
    problems = []
    for err in error.errors(include_url=False):
        msg = "unexpected field" if err["type"] == "extra_forbidden" else err["msg"]
        problems.append(f"{_loc(err['loc'])}: {one_line(msg, 160)}")
    if len(problems) > MAX_PROBLEMS:
        extra = len(problems) - MAX_PROBLEMS
        problems = [*problems[:MAX_PROBLEMS], f"... and {extra} more problems"]
    return problems


def parse_answer(text: str | None, model: type[T]) -> T:
    """Parse and validate a model answer; raise ``AnswerError`` listing what is wrong."""
    if text is None or not text.strip():
        raise AnswerError(["the answer was empty; expected one JSON object"])
    try:  # the usual answer, one clean JSON object: parsed and validated in Rust at once
        return model.model_validate_json(text)
    except ValidationError:
        pass  # fences, prose around the object, or invalid: the path that explains why
    data = _load_json(text)
    if not isinstance(data, dict):
        kind = _JSON_KINDS.get(type(data), type(data).__name__)
        raise AnswerError([f"expected a JSON object at the root, got {kind}"])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise AnswerError(format_validation_error(exc)) from None


def reask_message(problems: Sequence[str]) -> Message:
    """The user message of a re-ask: the specific problems, then what to do."""
    listed = "\n".join(f"- {p}" for p in problems)
    return {
        "role": "user",
        "content": f"Your answer had these problems:\n{listed}\n"
        "Return the corrected full JSON.",
    }


def truncation_message(max_tokens: int) -> Message:
    """The user message of a re-ask after an answer was cut off at ``max_tokens``."""
    return {
        "role": "user",
        "content": f"An answer to this request was cut off at the length limit ({max_tokens} "
        "tokens) and is lost. Answer again with complete JSON that fits: fewer items, "
        "shorter statements and quotes, no repetition.",
    }
