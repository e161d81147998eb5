"""A real redis-server and PostgreSQL server on 127.0.0.1 for the store tests (no mocks),
started once per run from tests/services.py; where one is not installed the tests that
need it are skipped, saying why."""
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.services import start_postgres, start_redis


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    started = start_redis(tmp_path_factory.mktemp("redis"))
    if started is None:
        pytest.skip("redis-server is not installed (make test installs it where it can)")
    process, url = started
    yield url
    process.terminate()
    process.wait(10)


@pytest.fixture(scope="session")
def dsn():
    # not under pytest's tmp dir: that is private to root, and postgres runs as `postgres`
    workdir = Path(tempfile.mkdtemp(prefix="switchboard-pg-"))
    started = start_postgres(workdir)
    if started is None:
        pytest.skip("PostgreSQL server binaries not installed (make test installs them where it can)")
    process, url = started
    yield url
    process.terminate()
    process.wait(20)
    shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def redis_client(redis_url):
    """A client on an empty Redis database."""
    from stores.redis_store import connect

    client = connect(redis_url)
    client.flushdb()
    return client


@pytest.fixture
def empty_postgres(dsn) -> str:
    """`dsn`, with no conversations or handoff tickets in it (ids start from 1 again)."""
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as db:
        for table in ("switchboard_events", "switchboard_handoffs"):
            if db.execute("SELECT to_regclass(%s)", (table,)).fetchone()[0]:
                db.execute(f"TRUNCATE {table} RESTART IDENTITY")
    return dsn
