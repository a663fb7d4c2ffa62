"""Settings: one immutable value object passed explicitly (no global state).

``Settings.from_env()`` reads the environment the OpenAI SDK reads (OPENAI_API_KEY,
OPENAI_BASE_URL, Azure's variables) plus FACTSUM_* variables, through pydantic-settings
(``Environment``), and an optional ``.env`` file: the file FACTSUM_ENV_FILE names, else
``./.env`` when it exists (FACTSUM_ENV_FILE set to an empty string reads none). Real
environment variables win over the file's lines, and explicit overrides (the CLI's
flags) win over both. A bad value raises ``ConfigError`` with one line that names the
variable (or the override) and what it accepts.

Everything can also be given explicitly: ``Settings(...)`` reads no environment.
"""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from factsum.errors import ConfigError
from factsum.llm.config import LLMConfig, Price, StructuredMode, load_prices

__all__ = [
    "MODEL_DEFAULT",
    "OPENAI_DEFAULT_MODEL",
    "Environment",
    "LLMConfig",
    "Price",
    "Settings",
    "StructuredMode",
    "default_cache_dir",
    "default_data_dir",
    "environment_variables",
    "list_price",
    "read_environment",
    "with_list_price",
]

# ``Settings.model`` when nobody chose one: the embedded model without an endpoint,
# OPENAI_DEFAULT_MODEL on OpenAI or Azure, and the one model a base URL's server lists.
MODEL_DEFAULT = "local"
OPENAI_DEFAULT_MODEL = "gpt-4o-mini"
AZURE_DEFAULT_API_VERSION = "2024-10-21"


def default_cache_dir(xdg_cache_home: str | None = None) -> Path:
    """``$XDG_CACHE_HOME/factsum`` (or ``~/.cache/factsum``)."""
    base = xdg_cache_home or os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "factsum"


def default_data_dir(xdg_data_home: str | None = None) -> Path:
    """``$XDG_DATA_HOME/factsum`` (or ``~/.local/share/factsum``): the assembled model
    files live here, apart from the response cache, so a fresh cache keeps them."""
    base = (xdg_data_home or os.environ.get("XDG_DATA_HOME")
            or str(Path.home() / ".local" / "share"))
    return Path(base) / "factsum"


def check_url(value: str) -> str:
    """``value`` if it is an http(s) URL with a host, else ValueError."""
    try:
        parts = urllib.parse.urlsplit(value)
        _ = parts.port  # raises ValueError for a port that is not a number
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("expected an http:// or https:// URL with a host")
    return value


HttpUrlText = Annotated[str, AfterValidator(check_url)]


def _var(name: str, meaning: str, accepts: str, *, secret: bool = False,
         **constraints: Any) -> Any:
    """An environment variable of ``Environment``: what it means and what it accepts.

    ``secret`` values (keys, tokens, URLs that may carry credentials) are never echoed
    in an error.
    """
    return Field(default=None, alias=name, description=meaning,
                 json_schema_extra={"accepts": accepts, "secret": secret}, **constraints)


class Environment(BaseSettings):
    """The environment variables factsum reads, typed and checked by pydantic-settings.

    Field names are those of ``Settings`` where the variable sets one field.
    """

    model_config = SettingsConfigDict(
        case_sensitive=True, extra="ignore", env_ignore_empty=True, frozen=True,
    )

    openai_api_key: SecretStr | None = _var(
        "OPENAI_API_KEY", "key for OpenAI or any server that wants one (not sent to Azure)",
        "any text", secret=True)
    base_url: HttpUrlText | None = _var(
        "OPENAI_BASE_URL", "any OpenAI-compatible server (vLLM, Ollama, llama.cpp); without "
        "FACTSUM_MODEL its only listed model is used", "an http:// or https:// URL with a host",
        secret=True)
    azure_endpoint: HttpUrlText | None = _var(
        "AZURE_OPENAI_ENDPOINT", "Azure OpenAI; then OPENAI_API_KEY and OPENAI_BASE_URL "
        "are not used", "an http:// or https:// URL with a host", secret=True)
    azure_api_key: SecretStr | None = _var(
        "AZURE_OPENAI_API_KEY", "key for the Azure endpoint", "any text", secret=True)
    azure_ad_token: SecretStr | None = _var(
        "AZURE_OPENAI_AD_TOKEN", "Microsoft Entra ID token for the Azure endpoint "
        "(used instead of the key when both are set)", "any text", secret=True)
    azure_api_version: str | None = _var(
        "OPENAI_API_VERSION", f"Azure API version (default {AZURE_DEFAULT_API_VERSION})",
        "an Azure API version such as 2024-10-21")
    model: str | None = _var(
        "FACTSUM_MODEL", f"model name, the deployment name on Azure (default "
        f"{OPENAI_DEFAULT_MODEL} on OpenAI and Azure, the server's only model with "
        "OPENAI_BASE_URL, the embedded model without an endpoint)", "a model name")
    structured_mode: StructuredMode | None = _var(
        "FACTSUM_STRUCTURED_MODE", "how structured output is requested (default json_schema)",
        "one of " + ", ".join(m.value for m in StructuredMode))
    cache_dir: Path | None = _var(
        "FACTSUM_CACHE_DIR", "response cache (default $XDG_CACHE_HOME/factsum)", "a folder")
    data_dir: Path | None = _var(
        "FACTSUM_DATA_DIR", "where the embedded model file is assembled, under models/ "
        "(default $XDG_DATA_HOME/factsum)", "a folder")
    local_model_path: Path | None = _var(
        "FACTSUM_LOCAL_MODEL", "a GGUF file to serve instead of the packaged model",
        "a GGUF file")
    max_concurrency: int | None = _var(
        "FACTSUM_CONCURRENCY", "requests in flight (default 4)", "a whole number of 1 or more",
        ge=1)
    request_timeout_s: float | None = _var(
        "FACTSUM_TIMEOUT", "seconds to wait for one model answer (default 600)",
        "a number of seconds above 0", gt=0, allow_inf_nan=False)
    max_tokens: int | None = _var(
        "FACTSUM_MAX_TOKENS", "most tokens one answer may have (default 2048)",
        "a whole number of 16 or more", ge=16)
    budget_usd: float | None = _var(
        "FACTSUM_BUDGET_USD", "stop cleanly before a run spends more (USD)",
        "a number of dollars, 0 or more", ge=0, allow_inf_nan=False)
    prices_file: Path | None = _var(
        "FACTSUM_PRICES", 'JSON file {"model": {"prompt": usd_per_1M, "completion": '
        "usd_per_1M}} extending the price table", "a JSON file")
    env_file: Path | None = _var(
        "FACTSUM_ENV_FILE", "a .env file to read (default ./.env if it exists; empty: none)",
        "a file")
    xdg_cache_home: str | None = _var(
        "XDG_CACHE_HOME", "base of the default cache folder", "a folder")
    xdg_data_home: str | None = _var(
        "XDG_DATA_HOME", "base of the default data folder", "a folder")

    def settings_values(self) -> dict[str, object]:
        """The ``Settings`` fields these variables set, following the SDK's precedence:
        with AZURE_OPENAI_ENDPOINT only Azure's key and token, else OPENAI_API_KEY."""
        values: dict[str, object] = {
            "cache_dir": self.cache_dir or default_cache_dir(self.xdg_cache_home),
            "data_dir": self.data_dir or default_data_dir(self.xdg_data_home),
        }
        if self.azure_endpoint:
            if not (self.azure_api_key or self.azure_ad_token):
                raise ConfigError(
                    "AZURE_OPENAI_ENDPOINT is set: set AZURE_OPENAI_API_KEY or "
                    "AZURE_OPENAI_AD_TOKEN too (OPENAI_API_KEY is never sent to Azure)")
            values.update(
                azure_endpoint=self.azure_endpoint, api_key=self.azure_api_key,
                azure_ad_token=self.azure_ad_token,
                azure_api_version=self.azure_api_version or AZURE_DEFAULT_API_VERSION)
        else:
            if (self.azure_api_key or self.azure_ad_token) and not (
                    self.openai_api_key or self.base_url):
                raise ConfigError(
                    "AZURE_OPENAI_API_KEY or AZURE_OPENAI_AD_TOKEN is set without "
                    "AZURE_OPENAI_ENDPOINT: set the endpoint too")
            values.update(api_key=self.openai_api_key, base_url=self.base_url)
        if self.model:
            values["model"] = self.model
        elif values.get("azure_endpoint") or (values.get("api_key") and not self.base_url):
            values["model"] = OPENAI_DEFAULT_MODEL
        # With a base URL alone the model stays MODEL_DEFAULT: open_llm asks the server.
        for name in ("structured_mode", "local_model_path", "max_concurrency",
                     "request_timeout_s", "max_tokens", "budget_usd"):
            if (value := getattr(self, name)) is not None:
                values[name] = value
        if self.prices_file is not None:
            values["prices"] = load_prices(self.prices_file)
        return {k: v for k, v in values.items() if v is not None}


class _GivenEnvironment(Environment):
    """``Environment`` read from a given mapping (and .env file) only, not os.environ."""

    @classmethod
    def settings_customise_sources(
        cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource, dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, dotenv_settings


def _variables() -> dict[str, tuple[str, str, bool]]:
    """field name and variable name -> (variable name, accepts, secret)."""
    table: dict[str, tuple[str, str, bool]] = {}
    for field_name, info in Environment.model_fields.items():
        extra = info.json_schema_extra
        if info.alias is None or not isinstance(extra, dict):
            continue
        entry = (info.alias, str(extra["accepts"]), bool(extra["secret"]))
        table[field_name] = table[info.alias] = entry
    return table


def environment_variables() -> list[tuple[str, str]]:
    """(variable, what it means and accepts) for every variable factsum reads: for
    ``--help`` and the README's configuration table."""
    return [
        (info.alias, f"{info.description}; accepts {extra['accepts']}")
        for info in Environment.model_fields.values()
        if info.alias and isinstance(extra := info.json_schema_extra, dict)
    ]


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _config_error(exc: ValidationError) -> ConfigError:
    """The first problem of ``exc`` as one line naming the variable or the setting."""
    errors = exc.errors(include_url=False)
    first = errors[0]
    key = str(first["loc"][0]) if first["loc"] else ""
    more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
    known = _variables().get(key)
    if known is None:
        shown = "" if first["type"] == "missing" else f"={_shown(first['input'])}"
        return ConfigError(f"{key or 'settings'}{shown}: {first['msg']}{more}")
    variable, accepts, secret = known
    shown = "" if secret else f"={_shown(first['input'])}"
    named = f"{variable}{shown}" if key == variable else f"{key}{shown} ({variable})"
    return ConfigError(f"{named}: expected {accepts}{more}")


def _env_file(source: Mapping[str, str], default: Path | None) -> Path | None:
    named = source.get("FACTSUM_ENV_FILE")
    if named is None:
        return default if default is not None and default.is_file() else None
    if not named:
        return None
    path = Path(named)
    if not path.is_file():
        raise ConfigError(f"FACTSUM_ENV_FILE={named!r}: no such file")
    return path


def read_environment(env: Mapping[str, str] | None = None) -> Environment:
    """The variables of ``env`` (default: os.environ and ``./.env``) and of the .env file
    FACTSUM_ENV_FILE names; ``ConfigError`` for a bad value."""
    # ``_env_file`` is pydantic-settings' documented init option; passed through a dict
    # because the signature mypy derives from the fields does not list it.
    options: dict[str, Any] = {
        "_env_file": _env_file(os.environ if env is None else env,
                               Path(".env") if env is None else None),
    }
    try:
        if env is None:
            return Environment(**options)
        given: dict[str, Any] = {name: value for name, value in env.items() if value}
        return _GivenEnvironment(**options, **given)
    except ValidationError as exc:
        raise _config_error(exc) from None


def list_price(model: str) -> Price | None:
    """OpenAI's list price of ``model`` from genai-prices' bundled table (offline),
    or None when it does not know the model."""
    from genai_prices import Usage, calc_price  # imported on first use: it loads a table

    try:
        calc = calc_price(Usage(input_tokens=1_000_000, output_tokens=1_000_000),
                          model_ref=model, provider_id="openai")
    except LookupError:
        return None
    return Price(prompt=float(calc.input_price), completion=float(calc.output_price))


def with_list_price(settings: Settings) -> Settings:
    """``settings`` whose price table also has its model's list price, when the table
    lacks it and the model runs on OpenAI or Azure (a base URL's server bills its own)."""
    model = settings.model
    if (model in settings.prices or model == MODEL_DEFAULT or settings.base_url
            or not settings.has_endpoint):
        return settings
    price = list_price(model)
    if price is None:
        return settings
    return settings.model_copy(update={"prices": {**settings.prices, model: price}})


class Settings(LLMConfig):
    """Everything that configures a run: the model layer's ``LLMConfig`` (endpoint,
    request shape, bounds, prices) and what the application adds. Immutable; pass it in,
    never read globals."""

    model: str = Field(default=MODEL_DEFAULT, description="Model name sent to the server.")
    base_url: HttpUrlText | None = Field(default=None,
                                         description="None = OpenAI or local model.")
    azure_endpoint: HttpUrlText | None = None
    use_local_model: bool = Field(
        default=True, description="Start the embedded model when no endpoint is set."
    )
    local_model_path: Path | None = None

    cache_dir: Path = Field(default_factory=default_cache_dir)
    data_dir: Path = Field(default_factory=default_data_dir,
                           description="Assembled model files live in its models/.")
    use_cache: bool = True

    max_sentences_per_article: int = Field(
        default=80, ge=1,
        description="Model calls per article at most (one per sentence); the rest of a "
                    "longer article is cut, and the cut is reported.")
    allow_over_budget: bool = Field(
        default=False,
        description="Start a run whose estimated cost exceeds the budget (--yes); the "
                    "budget still stops it when spent.")

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
    def models_dir(self) -> Path:
        """Where the embedded model is assembled (not under the cache: see data_dir)."""
        return self.data_dir / "models"

    @property
    def has_endpoint(self) -> bool:
        """True when a remote endpoint (OpenAI, Azure, or any base URL) is configured."""
        return bool(self.base_url or self.azure_endpoint or self.api_key)

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, /, **overrides: object
    ) -> Settings:
        """Settings from environment variables (``env``, default os.environ and a .env
        file), then the explicit ``overrides``; ``ConfigError`` names a bad value."""
        values = read_environment(env).settings_values()
        values.update(overrides)
        try:
            settings = cls.model_validate(values)
        except ValidationError as exc:
            raise _config_error(exc) from None
        return with_list_price(settings)
