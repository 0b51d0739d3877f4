"""`python -m knowledge check|build|show`: see :mod:`knowledge.cli`."""

import sys

from knowledge.cli import main

sys.exit(main())
