"""``python -m hedgekit``: see :mod:`hedgekit.cli`."""

import sys

from hedgekit.cli import main

sys.exit(main())
