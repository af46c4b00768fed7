import os

import pytest

from tests.needs import require_or_skip
from tests.production.support import Services

SERVICE_VARIABLES = ("BME_TEST_POSTGRES_URL", "BME_TEST_REDIS_HOST", "BME_TEST_REDIS_PORT", "BME_TEST_REDIS_PASSWORD")


@pytest.fixture(scope="session")
def services() -> Services:
    """PostgreSQL and Redis started by `scripts/test-services.sh start`, whose
    services.env `make test-production` loads into the environment."""
    missing = [name for name in SERVICE_VARIABLES if not os.environ.get(name)]
    if missing:
        reason = f"PostgreSQL and Redis are not running (scripts/test-services.sh start): {', '.join(missing)} unset"
        require_or_skip(reason)
    return Services(*(os.environ[name] for name in SERVICE_VARIABLES))
