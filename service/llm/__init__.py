"""The model layer: structured outputs, one retry layer, re-asks, cache, ledger."""
