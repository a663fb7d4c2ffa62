"""JSON Schemas generated from the pydantic models, shipped as ``factsum.schemas``.

Only data lives here; ``python -m factsum.schema_export`` writes it and a test keeps it
in sync.
"""
