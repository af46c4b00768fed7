import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.needs import require_or_skip  # noqa: E402  (after the project root is importable)

# The source material beside the checkout (../shared): there in CI, not in every clone.
SHARED = ROOT.parent / "shared"


@pytest.fixture
def shared_file():
    """shared_file("seed/x.txt"): that file of ../shared, or a skip (a failure under CI=true) without it."""

    def path(relative: str):
        found = SHARED / relative
        if not found.is_file():
            require_or_skip(f"{found} is not there: this check needs the project's source material beside the checkout")
        return found

    return path
