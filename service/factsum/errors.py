"""The exception tree of factsum, drawn in one place.

Errors carry their data as attributes so callers (the CLI, the batch job) can report
them without parsing messages. Messages are one line and never contain secrets.

::

    FactsumError
    ├── ConfigError                 exit status 2
    │   ├── LocalModelError         the embedded model cannot start
    │   └── BatchLockedError        another batch run holds OUT_DIR
    ├── InputError                  one input is unusable; the others go on
    ├── NoUsableInputError          every input was rejected (exit status 2)
    ├── CacheError                  the cache directory is unusable
    └── LLMError                    the model layer (exit status 1)
        ├── TransientLLMError       retried: 429, 408, 409, 5xx, timeouts, dropped links
        ├── PermanentLLMError       400, 401, 403, 404, 422, quota
        ├── RetriesExhaustedError   transient failures past the bounds
        ├── TruncatedOutputError    finish_reason == "length"
        ├── RefusalError
        ├── InvalidOutputError      still invalid after the bounded re-asks
        ├── BudgetExceededError
        │   ├── BudgetReservationError  a call's worst case would pass the cap; not sent
        │   └── BudgetEstimateError     a run whose estimate passes the cap; not started
        └── BatchApiError           a Batch API job that could not deliver

    AnswerError (ValueError)        internal: one answer failed parsing or validation;
                                    becomes a re-ask, never reaches the caller
    UnsafeCacheRowError (Exception) internal: a cache row that is not JSON text
"""

from __future__ import annotations

from pathlib import Path


class FactsumError(Exception):
    """Base class of every error factsum raises on purpose."""


class ConfigError(FactsumError):
    """Settings or environment are unusable (exit status 2 in the CLI)."""


class InputError(FactsumError):
    """One input file or record cannot be used; the others go on."""

    def __init__(self, source: str, problem: str) -> None:
        super().__init__(f"{source}: {problem}")
        self.source = source
        self.problem = problem


class NoUsableInputError(FactsumError):
    """Every input was rejected or none was given."""

    def __init__(self, problems: list[InputError]) -> None:
        detail = "; ".join(str(p) for p in problems[:3]) or "no articles given"
        super().__init__(f"no usable article ({detail})")
        self.problems = problems


class LLMError(FactsumError):
    """Base of errors from the model layer."""


class TransientLLMError(LLMError):
    """A failure worth retrying (429, 408, 409, 5xx, timeout, dropped connection)."""

    def __init__(self, message: str, *, status: int | None = None,
                 retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class PermanentLLMError(LLMError):
    """A failure that retrying cannot fix (400, 401, 403, 404, 422, quota)."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class RetriesExhaustedError(LLMError):
    """Transient failures went on past the attempt or time bound."""

    def __init__(self, message: str, *, attempts: int) -> None:
        super().__init__(message)
        self.attempts = attempts


class TruncatedOutputError(LLMError):
    """The model stopped at max_tokens (finish_reason == "length")."""


class RefusalError(LLMError):
    """The model refused to answer."""

    def __init__(self, refusal: str) -> None:
        super().__init__(f"model refused: {refusal[:200]}")
        self.refusal = refusal


class InvalidOutputError(LLMError):
    """The answer still failed validation after the bounded re-asks."""

    def __init__(self, message: str, *, problems: list[str]) -> None:
        super().__init__(message)
        self.problems = problems


class BudgetExceededError(LLMError):
    """The run's cost cap would be exceeded; the run stops cleanly."""

    def __init__(self, spent_usd: float, budget_usd: float) -> None:
        super().__init__(f"budget of ${budget_usd:.4f} reached (spent ${spent_usd:.4f})")
        self.spent_usd = spent_usd
        self.budget_usd = budget_usd


class LocalModelError(ConfigError):
    """The embedded local model cannot be started (extra missing, bad file, ...)."""


class CacheError(FactsumError):
    """The cache directory is unusable."""


class BatchLockedError(ConfigError):
    """Another batch run holds OUT_DIR's lock (exit status 2, like bad usage)."""

    def __init__(self, out_dir: Path, lock_path: Path) -> None:
        super().__init__(
            f"another factsum batch run is using {out_dir} (lock: {lock_path}); "
            "wait for it to finish or use another --out"
        )
        self.out_dir = out_dir
        self.lock_path = lock_path


class BatchApiError(LLMError):
    """The Batch API job could not deliver (failed, or not finished in time)."""


class AnswerError(ValueError):
    """The answer is not valid JSON for the model; ``problems`` are one-line messages."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class UnsafeCacheRowError(Exception):
    """A cache row that is not JSON text (e.g. a pickle); it is never deserialised."""


class BudgetReservationError(BudgetExceededError):
    """A call's worst-case cost would take the run past its budget; it was not sent.

    ``held_usd`` is what the calls in flight hold, ``call_usd`` this call's worst case.
    """

    def __init__(self, spent_usd: float, budget_usd: float, *, held_usd: float,
                 call_usd: float) -> None:
        super().__init__(spent_usd, budget_usd)
        self.held_usd = held_usd
        self.call_usd = call_usd

    def __str__(self) -> str:
        return (f"budget of ${self.budget_usd:.4f} would be exceeded: spent "
                f"${self.spent_usd:.4f}, ${self.held_usd:.4f} held by calls in flight, "
                f"this call up to ${self.call_usd:.4f}; it was not sent")


class BudgetEstimateError(BudgetExceededError):
    """A run's estimated worst-case cost exceeds its budget: it was not started (pass
    ``--yes``, ``Settings.allow_over_budget``, to start anyway)."""

    def __init__(self, estimate_usd: float, budget_usd: float, *, calls: int) -> None:
        super().__init__(0.0, budget_usd)
        self.estimate_usd = estimate_usd
        self.calls = calls

    def __str__(self) -> str:
        return (f"the run's {self.calls} model calls may cost up to ${self.estimate_usd:.4f}, "
                f"over the budget of ${self.budget_usd:.4f}; pass --yes to start anyway "
                "(the budget still stops the run once spent)")
