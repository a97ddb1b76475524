"""``python -m convspec.conformance`` is the ``convspec`` command."""

import sys

from .cli import main

sys.exit(main())
