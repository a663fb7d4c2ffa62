"""Exit statuses of the ``factsum`` command, shared by the CLI and the batch job."""

EXIT_OK = 0
"""Everything done."""
EXIT_FAILED = 1
"""A model or run failure, or some articles or batch events failed."""
EXIT_USAGE = 2
"""Bad usage, configuration or input (nothing usable left)."""
EXIT_INTERRUPTED = 130
"""Stopped by Ctrl-C or SIGTERM."""
