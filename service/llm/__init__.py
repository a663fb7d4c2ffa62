"""The model layer: structured outputs, one retry layer, re-asks, cache, ledger."""

from service.llm.base import (
    CallTag,
    ChatResult,
    ChatTransport,
    Completion,
    Message,
    StructuredLLM,
    StructuredRequest,
    Validator,
)
from service.llm.cache import CacheStats, ResponseCache, cache_key
from service.llm.client import LLMClient
from service.llm.ledger import CallRecord, Ledger, load_prices
from service.llm.retry import RetryPolicy, call_with_retries
from service.llm.structured import parse_answer, response_format, strict_schema
from service.llm.transport import OpenAITransport

__all__ = [
    "CacheStats",
    "CallRecord",
    "CallTag",
    "ChatResult",
    "ChatTransport",
    "Completion",
    "LLMClient",
    "Ledger",
    "Message",
    "OpenAITransport",
    "ResponseCache",
    "RetryPolicy",
    "StructuredLLM",
    "StructuredRequest",
    "Validator",
    "cache_key",
    "call_with_retries",
    "load_prices",
    "parse_answer",
    "response_format",
    "strict_schema",
]
