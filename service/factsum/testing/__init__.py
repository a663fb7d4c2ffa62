"""Test and benchmark doubles for the model layer (never used by a real run).

* ``fake_answers``: schema-valid answers built from a request payload (quotes taken from
  the article in the prompt, ids from the claims in the prompt), so the real validation,
  verification and reconcile code runs on them. Test fixtures, not model output.
* ``scripted.ScriptedTransport``: an in-process ``ChatTransport`` answering from a list
  of canned answers or from a function of the payload (by default ``fake_answers``).
* ``fake_server.FakeServer``: a fake OpenAI-compatible server on loopback (chat
  completions and the Batch API) with deterministic fault injection (``faults``); also
  ``python -m factsum.testing.fake_server``.
"""
