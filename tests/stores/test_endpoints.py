"""endpoints.yml as Rasa writes it: what it selects (no server needed), `${ENV}` values,
and every mistake as `endpoints.yml:LINE: section.key: what is wrong`."""
from pathlib import Path

import pytest

from core.errors import ProjectInvalid
from stores.factory import store_settings


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)  # problems name the file as the user would type it
    return tmp_path


def settings_for(project: Path, text: str):
    (project / "endpoints.yml").write_text(text)
    return store_settings(project)


def errors_for(project: Path, text: str) -> str:
    with pytest.raises(ProjectInvalid) as error:
        settings_for(project, text)
    return str(error.value)


def test_redis_with_rasas_keys_and_a_password_from_the_environment(project: Path, monkeypatch) -> None:
    monkeypatch.setenv("REDIS_PASSWORD", "s3cr@t")
    settings = settings_for(project, """\
tracker_store:
  type: redis
  url: cache.internal
  port: 6380
  db: 2
  password: ${REDIS_PASSWORD}
  use_ssl: true
  key_prefix: bot
""")
    assert (settings.kind, settings.target) == ("redis", "rediss://:s3cr%40t@cache.internal:6380/2")
    assert settings.key_prefix == "bot" and settings.warnings == ()
    assert settings.describe() == ("Redis rediss://:***@cache.internal:6380/2 "
                                   "(key prefix bot; from endpoints.yml:1)")


def test_redis_defaults_are_rasas(project: Path) -> None:
    settings = settings_for(project, "tracker_store:\n  type: Redis\n")
    assert settings.target == "redis://localhost:6379/0"


def test_sql_postgresql(project: Path, monkeypatch) -> None:
    monkeypatch.setenv("DB_PORT", "5433")
    settings = settings_for(project, """\
tracker_store:
  type: SQL
  dialect: "postgresql"
  url: db.internal
  port: ${DB_PORT}
  db: rasa
  username: rasa
  password: p:w
  query:
    sslmode: require
""")
    assert (settings.kind, settings.target) == (
        "postgresql", "postgresql://rasa:p%3Aw@db.internal:5433/rasa?sslmode=require")


def test_sql_with_a_whole_database_url(project: Path) -> None:
    settings = settings_for(project, "tracker_store:\n  type: SQL\n  url: postgresql://me@db/rasa\n")
    assert settings.target == "postgresql://me@db/rasa"


@pytest.mark.parametrize("dialect", ["  dialect: sqlite\n", ""])  # sqlite is Rasa's default
def test_sql_sqlite_is_a_file_in_the_project(project: Path, dialect: str) -> None:
    settings = settings_for(project, f"tracker_store:\n  type: SQL\n{dialect}  db: chats.db\n")
    assert (settings.kind, settings.target) == ("sqlite", str(project / "chats.db"))
    assert settings_for(project, "tracker_store:\n  type: SQL\n").target == str(project / "rasa.db")


def test_in_memory(project: Path) -> None:
    assert settings_for(project, "tracker_store:\n  type: in_memory\n").kind == "memory"


def test_no_tracker_store_or_a_file_of_comments_is_the_default(project: Path) -> None:
    assert settings_for(project, "# tracker_store:\n#   type: redis\n").source == "default"
    settings = settings_for(project, "tracker_store:\nlock_store:\n  type: in_memory\n")
    assert settings.source == "default" and settings.lock_url is None


def test_a_redis_lock_store_in_front_of_the_default_store(project: Path) -> None:
    settings = settings_for(project, "lock_store:\n  type: redis\n  url: locks\n  db: 3\n  key_prefix: bot\n")
    assert (settings.kind, settings.lock_url, settings.lock_key_prefix) == ("sqlite", "redis://locks:6379/3", "bot")
    assert "turns locked in Redis redis://locks:6379/3" in settings.describe()


def test_sections_not_used_yet_each_warn(project: Path) -> None:
    settings = settings_for(project, """\
action_endpoint:
  url: "http://localhost:5055/webhook"
nlg:
  url: http://localhost:5056/nlg
event_broker:
  type: pika
models:
  url: http://models/latest.tar.gz
tracker_stor:
  type: redis
""")
    warnings = [str(w) for w in settings.warnings]  # action_endpoint: dialogue.action_server's
    assert warnings[0].startswith("endpoints.yml:3: warning: nlg: not used yet: ")
    assert [w.split(":")[1] for w in warnings] == ["3", "5", "7", "9"]
    assert [w.split(": ")[2] for w in warnings] == ["nlg", "event_broker", "models", "tracker_stor"]
    assert "did you mean 'tracker_store'?" in warnings[3]


def test_unknown_and_unsupported_keys_warn(project: Path) -> None:
    settings = settings_for(project, """\
tracker_store:
  type: SQL
  dialect: postgresql
  db: rasa
  passwrd: x
  login_db: postgres
""")
    warnings = [str(w) for w in settings.warnings]
    assert warnings[0].startswith("endpoints.yml:5: warning: tracker_store.passwrd: unknown key — did you mean 'password'?")
    assert warnings[1].startswith("endpoints.yml:6: warning: tracker_store.login_db: not supported yet")


def test_an_unset_environment_variable_is_an_error_at_its_line(project: Path, monkeypatch) -> None:
    monkeypatch.delenv("REDIS_PASSWORD", raising=False)
    message = errors_for(project, "tracker_store:\n  type: redis\n  password: ${REDIS_PASSWORD}\n")
    assert "endpoints.yml:3: tracker_store.password: environment variable REDIS_PASSWORD is not set" in message


def test_a_custom_tracker_store_class_is_not_supported_yet(project: Path) -> None:
    message = errors_for(project, "tracker_store:\n  type: addons.store.MyStore\n  url: x\n")
    assert message.startswith("endpoints.yml:2: tracker_store.type: custom tracker store classes "
                              "are not supported yet ('addons.store.MyStore')")
    message = errors_for(project, "lock_store:\n  type: addons.Lock\n")
    assert "endpoints.yml:2: lock_store.type: custom lock store classes are not supported yet" in message


REDIS, SQL = "tracker_store:\n  type: redis\n", "tracker_store:\n  type: SQL\n"


@pytest.mark.parametrize("text, expected", [
    (REDIS + "  port: six\n", "endpoints.yml:3: tracker_store.port: expected a whole number, got 'six'"),
    (REDIS + "  use_ssl: maybe\n", "endpoints.yml:3: tracker_store.use_ssl: expected true or false"),
    (REDIS + "  key_prefix: my-bot\n", "endpoints.yml:3: tracker_store.key_prefix: must be letters and digits"),
    (REDIS + "  url: a: b\n", "endpoints.yml:3: YAML syntax error"),
    ("tracker_store:\n  url: localhost\n", "endpoints.yml:1: tracker_store.type: missing: use redis, SQL, in_memory"),
    ("tracker_store:\n  type: mongod\n", "endpoints.yml:2: tracker_store.type: unknown tracker store type 'mongod'"),
    ("tracker_store:\n  type: reddis\n", "did you mean 'redis'?"),
    (SQL + "  dialect: mysql\n", "endpoints.yml:3: tracker_store.dialect: dialect 'mysql' is not supported yet"),
    (SQL + "  dialect: postgresql\n", "endpoints.yml:1: tracker_store.db: missing: the name of the PostgreSQL"),
    (SQL + "  dialect: postgresql\n  db: rasa\n  query: sslmode\n",
     "endpoints.yml:5: tracker_store.query: expected a mapping"),
    ("tracker_store: redis\n", "endpoints.yml:1: tracker_store: expected a mapping (key: value), got 'redis'"),
    ("- tracker_store\n", "endpoints.yml:1: expected a mapping (key: value), got a list"),
])
def test_mistakes_name_the_line_and_the_key(project: Path, text: str, expected: str) -> None:
    assert expected in errors_for(project, text)
