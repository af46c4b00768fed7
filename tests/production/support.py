"""The production tests' services (PostgreSQL and Redis) and where their servers log."""

from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Dict, Iterator

import sqlalchemy as sa

from tests.processes import ROOT

LOGS = ROOT / "reports" / "production-logs"
PRODUCTION_ENDPOINTS = ROOT / "endpoints.production.yml"


@dataclass
class Services:
    """PostgreSQL and Redis from scripts/test-services.sh."""

    postgres_url: str
    redis_host: str
    redis_port: str
    redis_password: str

    def fresh_database(self, name: str) -> str:
        """An empty database ``name`` in the test cluster; its URL."""
        engine = sa.create_engine(self.postgres_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        return str(sa.engine.make_url(self.postgres_url).set(database=name).render_as_string(hide_password=False))

    @contextmanager
    def refusing_connections(self, database: str) -> Iterator[None]:
        """The database is unreachable (open connections cut, new ones refused) inside the block."""
        engine = sa.create_engine(self.postgres_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(sa.text(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false'))
            connection.execute(
                sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
                {"name": database},
            )
            try:
                yield
            finally:
                connection.execute(sa.text(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true'))
        engine.dispose()

    def production_env(self, database_url: str, action_url: str) -> Dict[str, str]:
        """The environment of the production profile (endpoints.production.yml)."""
        return {
            **os.environ,
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "BME_PROFILE": "production",
            "BME_DATABASE_URL": database_url,
            "BME_ACTION_ENDPOINT_URL": f"{action_url}/webhook",
            "BME_REDIS_HOST": self.redis_host,
            "BME_REDIS_PORT": self.redis_port,
            "BME_REDIS_PASSWORD": self.redis_password,
            # The plan links (bme/plan_link.py), required in this profile.
            "BME_PLAN_LINK_SECRET": "production-test-secret-of-at-least-32-characters",
            "BME_PUBLIC_URL": "https://bme.example.org",
        }
