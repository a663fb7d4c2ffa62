"""Secrets are scrubbed from anything that came back from the network."""

from __future__ import annotations

from factsum.llm.redact import one_line, redact


def test_known_secret_and_key_shapes_are_removed() -> None:
    text = ("Incorrect API key provided: sk-test-SECRET123. Authorization: Bearer abc.def-123 "
            "api-key=zzzz9999 at http://bob:hunter22@llm.test/v1")
    out = redact(text, ["sk-test-SECRET123", "hunter22"])
    for secret in ("SECRET123", "abc.def-123", "zzzz9999", "hunter22", "bob:"):
        assert secret not in out
    assert "llm.test/v1" in out


def test_custom_key_shape_removed_when_known() -> None:
    assert "my-own-token-42" not in redact("rejected my-own-token-42", ["my-own-token-42"])
    assert redact("a short one", ["short", ""]) == "a short one"  # too short to be a key


def test_one_line_collapses_and_truncates() -> None:
    assert one_line("a\n  b\tc") == "a b c"
    assert len(one_line("x" * 500, 100)) == 100
