"""Settings: one immutable value object passed explicitly (no global state).

``Settings.from_env()`` reads the usual environment (OPENAI_API_KEY, OPENAI_BASE_URL,
Azure's variables) plus FACTSUM_* overrides; everything can also be given explicitly.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from factsum.llm.config import DEFAULT_PRICES, LLMConfig, Price, StructuredMode, load_prices

__all__ = ["LLMConfig", "Price", "Settings", "StructuredMode", "default_cache_dir"]


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/factsum`` (or ``~/.cache/factsum``)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "factsum"


class Settings(BaseModel):
    """Everything that configures a run. Immutable; pass it in, never read globals."""

    model_config = ConfigDict(frozen=True)

    model: str = Field(default="local", description="Model name sent to the server.")
    base_url: str | None = Field(default=None, description="None = OpenAI or local model.")
    api_key: SecretStr | None = None
    azure_endpoint: str | None = None
    azure_api_version: str | None = None
    structured_mode: StructuredMode = StructuredMode.JSON_SCHEMA
    use_local_model: bool = Field(
        default=True, description="Start the embedded model when no endpoint is set."
    )
    local_model_path: Path | None = None

    cache_dir: Path = Field(default_factory=default_cache_dir)
    use_cache: bool = True

    max_concurrency: int = Field(default=4, ge=1)
    request_timeout_s: float = Field(default=600.0, gt=0)
    max_attempts: int = Field(default=6, ge=1, description="Transport attempts per call.")
    max_retry_time_s: float = Field(default=300.0, gt=0)
    max_reasks: int = Field(default=1, ge=0, description="Re-asks after invalid answers.")

    temperature: float = 0.0
    seed: int | None = 0
    max_tokens: int = Field(default=2048, ge=16)
    max_claims_per_chunk: int = Field(default=5, ge=1)
    # Small local models extract a few claims per call whatever the passage length, so
    # articles go to the model in paragraph-aligned passages of about this size.
    chunk_chars: int = Field(default=1500, ge=500, description="Split longer articles.")
    context_budget_tokens: int = Field(
        default=8000, ge=1000, description="Largest prompt reconcile may send."
    )

    budget_usd: float | None = Field(default=None, ge=0)
    prices: Mapping[str, Price] = Field(default_factory=lambda: dict(DEFAULT_PRICES))

    @property
    def llm(self) -> LLMConfig:
        """What the model layer needs of these settings."""
        return LLMConfig.model_validate(
            {name: getattr(self, name) for name in LLMConfig.model_fields}
        )

    @property
    def response_cache_dir(self) -> Path:
        """Where model answers (and finished events) are cached."""
        return self.cache_dir / "llm"

    @property
    def has_endpoint(self) -> bool:
        """True when a remote endpoint (OpenAI, Azure, or any base URL) is configured."""
        return bool(self.base_url or self.azure_endpoint or self.api_key)

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, /, **overrides: object
    ) -> Settings:
        """Build settings from environment variables, then apply explicit overrides."""
        e = os.environ if env is None else env
        values: dict[str, object] = {}
        if key := (e.get("OPENAI_API_KEY") or e.get("AZURE_OPENAI_API_KEY")):
            values["api_key"] = SecretStr(key)
        if url := e.get("OPENAI_BASE_URL"):
            values["base_url"] = url
        if endpoint := e.get("AZURE_OPENAI_ENDPOINT"):
            values["azure_endpoint"] = endpoint
            values["azure_api_version"] = e.get("OPENAI_API_VERSION", "2024-10-21")
        if model := e.get("FACTSUM_MODEL"):
            values["model"] = model
        elif values.get("api_key") or values.get("base_url"):
            values["model"] = "gpt-4o-mini"
        if mode := e.get("FACTSUM_STRUCTURED_MODE"):
            values["structured_mode"] = StructuredMode(mode)
        if cache := e.get("FACTSUM_CACHE_DIR"):
            values["cache_dir"] = Path(cache)
        if local := e.get("FACTSUM_LOCAL_MODEL"):
            values["local_model_path"] = Path(local)
        if conc := e.get("FACTSUM_CONCURRENCY"):
            values["max_concurrency"] = int(conc)
        if budget := e.get("FACTSUM_BUDGET_USD"):
            values["budget_usd"] = float(budget)
        if prices := e.get("FACTSUM_PRICES"):
            values["prices"] = load_prices(Path(prices))
        values.update(overrides)
        return cls.model_validate(values)
