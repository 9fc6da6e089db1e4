"""``python -m sklml`` runs the ``sklml`` command."""

import sys

from sklml.cli import main

sys.exit(main())
