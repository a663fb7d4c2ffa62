"""Test and benchmark doubles for the model layer (never used by a real run).

``fake_answers`` builds schema-valid answers from a request payload (quotes are taken
from the article in the prompt, ids from the claims in the prompt), so the real
validation, verification and reconcile code runs on them. ``ScriptedTransport`` serves
those answers in process; the fake HTTP server (``fake_server``) serves them over
loopback with injectable faults.
"""
