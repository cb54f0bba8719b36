"""``python -m facilitator``: the same as the ``facilitator`` command."""

import sys

from .cli import main

sys.exit(main())
