"""The model layer's own configuration: what a structured call needs, nothing more.

``factsum.llm`` imports nothing of the application; the application's ``Settings``
builds an ``LLMConfig`` (``Settings.llm``) and passes it in.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from factsum.errors import ConfigError


class StructuredMode(StrEnum):
    """How structured output is requested from the server."""

    JSON_SCHEMA = "json_schema"  # OpenAI / Azure (strict), vLLM, Ollama, llama.cpp server
    JSON_OBJECT_SCHEMA = "json_object_schema"  # llama-cpp-python's server
    JSON_OBJECT = "json_object"  # servers that only promise "some JSON"


class Price(BaseModel):
    """USD per million tokens (never negative: a negative price would disable the budget)."""

    model_config = ConfigDict(frozen=True)

    prompt: float = Field(ge=0)
    completion: float = Field(ge=0)


# Public list prices (USD per 1M tokens). Users extend this with FACTSUM_PRICES
# (a JSON file, see load_prices) or Settings(prices=...). Unknown models cost 0 and are
# flagged in the run report.
DEFAULT_PRICES: dict[str, Price] = {
    "gpt-4o": Price(prompt=2.50, completion=10.00),
    "gpt-4o-mini": Price(prompt=0.15, completion=0.60),
    "gpt-4.1": Price(prompt=2.00, completion=8.00),
    "gpt-4.1-mini": Price(prompt=0.40, completion=1.60),
    "gpt-4.1-nano": Price(prompt=0.10, completion=0.40),
    # The embedded local models cost nothing per token.
    "qwen2.5-coder-1.5b-instruct": Price(prompt=0.0, completion=0.0),
    "qwen2.5-coder-0.5b-instruct": Price(prompt=0.0, completion=0.0),
}


def load_prices(path: Path, base: Mapping[str, Price] | None = None) -> dict[str, Price]:
    """``base`` (default: the built-in table) extended by a JSON file of
    ``{"model": {"prompt": usd_per_1m, "completion": usd_per_1m}}``."""
    table = dict(DEFAULT_PRICES if base is None else base)
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"price table {path}: cannot read JSON ({exc})") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"price table {path}: expected an object of model -> prices")
    for model, entry in raw.items():
        try:
            table[str(model)] = Price.model_validate(entry)
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            where = ".".join(str(p) for p in first["loc"])
            detail = f"{where}: {first['msg']}" if where else first["msg"]
            raise ConfigError(f"price table {path}: {model}: {detail}") from None
    return table


class LLMConfig(BaseModel):
    """Everything the model layer reads: endpoint, request shape, bounds and prices."""

    model_config = ConfigDict(frozen=True)

    model: str = Field(description="Model name sent to the server.")
    base_url: str | None = None
    api_key: SecretStr | None = None
    azure_endpoint: str | None = None
    azure_api_version: str | None = None
    azure_ad_token: SecretStr | None = Field(
        default=None, description="Microsoft Entra ID token for Azure (instead of a key).")
    structured_mode: StructuredMode = StructuredMode.JSON_SCHEMA

    max_concurrency: int = Field(default=4, ge=1)
    request_timeout_s: float = Field(default=600.0, gt=0)
    max_attempts: int = Field(default=6, ge=1, description="Transport attempts per call.")
    max_retry_time_s: float = Field(default=300.0, gt=0)
    max_reasks: int = Field(default=1, ge=0, description="Re-asks after invalid answers.")

    temperature: float = 0.0
    seed: int | None = 0
    max_tokens: int = Field(default=2048, ge=16)

    budget_usd: float | None = Field(default=None, ge=0)
    prices: Mapping[str, Price] = Field(default_factory=lambda: dict(DEFAULT_PRICES))

    def secrets(self) -> tuple[str, ...]:
        """The credentials in this configuration, to redact from any message."""
        return tuple(s.get_secret_value() for s in (self.api_key, self.azure_ad_token)
                     if s is not None and s.get_secret_value())
