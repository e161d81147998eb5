"""The store tests' real redis-server and PostgreSQL (tests/stores/conftest.py) and the
server tests' uvicorn around the example assistant (tests/server/conftest.py), here too."""
from tests.server.conftest import make_server  # noqa: F401
from tests.stores.conftest import dsn, empty_postgres, redis_client, redis_url  # noqa: F401
