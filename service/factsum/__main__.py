"""``python -m factsum`` runs the command line."""

import sys

from factsum.cli import main

sys.exit(main())
