"""Prompt templates (``<name>.v<N>.txt``), shipped as the package data ``factsum.prompts``.

Only data lives here; ``factsum.prompt_templates`` reads it with importlib.resources.
"""
