"""The model layer: structured outputs, one retry layer, re-asks, cache, ledger.

It stands alone: it imports nothing of the application but ``factsum.errors``. The
application builds an ``LLMConfig`` (``Settings.llm``) and passes it, a
``ResponseCache`` and a ``Ledger`` in.
"""

from factsum.llm.base import (
    CallTag,
    ChatResult,
    ChatTransport,
    Completion,
    Message,
    StructuredLLM,
    StructuredRequest,
    Validator,
)
from factsum.llm.cache import CacheStats, ResponseCache, cache_key
from factsum.llm.client import LLMClient, is_reasoning_model
from factsum.llm.config import DEFAULT_PRICES, LLMConfig, Price, StructuredMode, load_prices
from factsum.llm.ledger import CallRecord, Ledger, Reservation, Usage
from factsum.llm.retry import RetryPolicy, call_with_retries
from factsum.llm.structured import parse_answer, response_format, strict_schema
from factsum.llm.transport import OpenAITransport

__all__ = [
    "DEFAULT_PRICES",
    "CacheStats",
    "CallRecord",
    "CallTag",
    "ChatResult",
    "ChatTransport",
    "Completion",
    "LLMClient",
    "LLMConfig",
    "Ledger",
    "Message",
    "OpenAITransport",
    "Price",
    "Reservation",
    "ResponseCache",
    "RetryPolicy",
    "StructuredLLM",
    "StructuredMode",
    "StructuredRequest",
    "Usage",
    "Validator",
    "cache_key",
    "call_with_retries",
    "is_reasoning_model",
    "load_prices",
    "parse_answer",
    "response_format",
    "strict_schema",
]
