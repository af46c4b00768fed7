"""What a test needs from the machine: missing, it fails under CI=true and skips elsewhere."""

import os

import pytest


def require_or_skip(reason: str) -> None:
    """``reason`` says what is missing: a failure under CI, where everything must be there; a skip elsewhere."""
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)
