"""The warnings of the convspec extensions: one warning type, a subtype per extension.

Under ``-W`` each of them fails the build; ``suppress_warnings = ["convspec.survey"]`` (say)
would silence one extension's.
"""

from __future__ import annotations

from typing import Any

from sphinx.util import logging

WARNING_TYPE = "convspec"

logger = logging.getLogger(__name__)


def warn(message: str, *args: object, subtype: str, location: Any = None) -> None:
    """Log ``message % args`` as a ``convspec.<subtype>`` warning at ``location``."""
    logger.warning(message, *args, location=location, type=WARNING_TYPE, subtype=subtype)
