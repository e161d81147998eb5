"""credentials.yml as Rasa writes it: channels built from it, every mistake with its
file:line, Rasa channels we do not have as warnings, a project's own connector."""
from pathlib import Path
from textwrap import dedent

import pytest

from channels.credentials import load_channels, read_credentials
from channels.rest import RestInput
from channels.slack import SlackInput
from core.errors import ProjectInvalid


def write(folder: Path, text: str, name: str = "credentials.yml") -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dedent(text).lstrip("\n"))
    return path


def problems_of(path: Path, project: Path) -> list[str]:
    return [str(p) for p in read_credentials(path, project)[1]]


def test_rasas_default_file_with_slack_from_the_environment(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SB_SLACK_TOKEN", "xoxb-from-env")
    monkeypatch.setenv("SB_SLACK_SECRET", "s3cret")
    path = write(tmp_path, """
        rest:
        #  # you don't need to provide anything here - this channel doesn't
        #  # require any credentials

        slack:
          slack_token: "${SB_SLACK_TOKEN}"
          slack_signing_secret: "${SB_SLACK_SECRET}"
          slack_channel: "C0123"
          use_threads: true
    """)
    channels, problems = read_credentials(path, tmp_path)
    assert problems == []
    rest, slack = channels
    assert isinstance(rest, RestInput) and isinstance(slack, SlackInput)
    assert (slack.client.token, slack.slack_channel, slack.use_threads, slack.granularity) == \
        ("xoxb-from-env", "C0123", True, "sender")
    assert slack.client.base_url == "https://slack.com/api/"


def test_every_mistake_is_reported_with_file_line_and_key(tmp_path) -> None:
    path = write(tmp_path, """
        rest:
        slack:
          slack_token: 12345
          slack_signing_secret: "${SB_UNSET_VARIABLE}"
          conversation_granularity: chanel
          slack_chanel: "C1"
          use_threads: "yes"
        slak:
          x: 1
    """)
    problems = problems_of(path, tmp_path)
    expected = [  # in the file's order
        "credentials.yml:3: slack.slack_token: expected a string, got the number 12345",
        "credentials.yml:4: slack.slack_signing_secret: environment variable SB_UNSET_VARIABLE is not set",
        "credentials.yml:5: slack.conversation_granularity: 'chanel' is not one of sender, channel, "
        "thread — did you mean 'channel'?",
        "credentials.yml:6: slack.slack_chanel: unknown key — did you mean 'slack_channel'?",
        "credentials.yml:7: slack.use_threads: expected true or false, got 'yes'",
        "credentials.yml:8: slak: unknown channel 'slak' — did you mean 'slack'?",
    ]
    assert len(problems) == len(expected)
    for problem, start in zip(problems, expected):
        assert start in problem, (problem, start)
    with pytest.raises(ProjectInvalid) as raised:
        load_channels(tmp_path, path)
    assert "6 error(s) found" in str(raised.value)


def test_a_missing_secret_names_where_to_find_it(tmp_path) -> None:
    path = write(tmp_path, """
        slack:
          slack_token: "xoxb-1"
    """)
    (problem, rest_warning) = problems_of(path, tmp_path)  # both at line 1
    assert "credentials.yml:1: slack.slack_signing_secret: missing (required): the app's Signing Secret" in problem
    assert "warning: rest: not listed, but Switchboard serves the REST channel anyway" in rest_warning


def test_an_empty_value_the_channel_cannot_use_is_an_error_at_its_line(tmp_path) -> None:
    path = write(tmp_path, """
        rest:
        slack:
          slack_token: "xoxb-1"
          slack_signing_secret: "  "
    """)
    (problem,) = problems_of(path, tmp_path)
    assert "credentials.yml:4: slack.slack_signing_secret: must not be empty" in problem


def test_rasa_channels_we_do_not_have_and_unused_rasa_keys_are_warnings(tmp_path) -> None:
    path = write(tmp_path, """
        rest:
        socketio:
          user_message_evt: user_uttered
          bot_message_evt: bot_uttered
        telegram:
          access_token: "123:abc"
          verify: "my_bot"
          webhook_url: "https://example.com/webhooks/telegram/webhook"
        slack:
          slack_token: "xoxb-1"
          slack_signing_secret: "s"
          errors_ignore_retry: [http_timeout]
        rasa:
          url: "http://localhost:5002/api"
    """)
    channels = load_channels(tmp_path, path)
    assert [c.name for c in channels.channels] == ["rest", "slack"]
    warnings = [str(w) for w in channels.warnings]
    assert len(warnings) == 4 and all(": warning: " in w for w in warnings)
    assert "credentials.yml:2: warning: socketio: Rasa's 'socketio' channel (Socket.IO, used by " \
           "Rasa's web chat widgets) is not available in Switchboard yet; it is not served" in warnings[0]
    assert "credentials.yml:5: warning: telegram: Rasa's 'telegram' channel (Telegram)" in warnings[1]
    assert "credentials.yml:12: warning: slack.errors_ignore_retry: not used: Switchboard never " \
           "answers a retry" in warnings[2]
    assert "credentials.yml:13: warning: rasa: Rasa's 'rasa' channel" in warnings[3]


def test_no_credentials_file_serves_rest_only(tmp_path, serve) -> None:
    assert load_channels(tmp_path).channels == []
    with serve(load_channels(tmp_path).channels) as server:
        assert server.call("POST", "/webhooks/rest/webhook", {"sender": "a", "message": "hi"})[0] == 200
        assert server.call("GET", "/")[0] == 200
        assert server.call("POST", "/webhooks/slack/webhook", {})[0] == 404
    with pytest.raises(ProjectInvalid, match="cannot read file"):
        load_channels(tmp_path, tmp_path / "elsewhere.yml")  # named explicitly: must exist


def test_a_file_that_is_not_a_mapping_or_is_empty(tmp_path) -> None:
    listed = write(tmp_path, "- rest\n- slack\n")
    assert "credentials.yml:1: expected a mapping (key: value), got a list" in problems_of(listed, tmp_path)[0]
    empty = write(tmp_path, "# rest:\n", name="empty/credentials.yml")
    assert "file is empty" in problems_of(empty, tmp_path)[0]


CONNECTOR = '''
    """A project's own channel: POST /webhooks/echo/webhook {"sender", "text"}."""
    from channels.base import InputChannel, Setting


    class EchoInput(InputChannel):
        name = "echo"
        settings = (Setting("prefix", default="echo: "),)

        def __init__(self, prefix: str) -> None:
            self.prefix = prefix

        @classmethod
        def from_credentials(cls, values):
            return cls(values["prefix"])

        def add_routes(self, app, handle):
            @app.post("/webhooks/echo/webhook")
            def webhook(body: dict) -> list[str]:
                result = handle(body["sender"], body["text"], self.name)
                return [self.prefix + reply.text for reply in result.replies]
'''


def test_a_projects_own_connector_is_imported_from_the_project_folder(tmp_path, serve) -> None:
    write(tmp_path, CONNECTOR, name="addons/echo.py")
    path = write(tmp_path, """
        rest:
        addons.echo.EchoInput:
          prefix: "> "
    """)
    channels = load_channels(tmp_path, path)
    assert [c.name for c in channels.channels] == ["rest", "echo"] and channels.warnings == []
    with serve(channels.channels) as server:
        status, replies = server.call("POST", "/webhooks/echo/webhook", {"sender": "ed", "text": "hello"})
        _, tracker = server.call("GET", "/conversations/ed/tracker")
    assert (status, replies) == (200, ["> Hello!"])
    assert [e["input_channel"] for e in tracker["events"] if e["event"] == "user"] == ["echo"]


def test_a_connector_that_does_not_import_or_is_not_a_channel(tmp_path) -> None:
    write(tmp_path, '"""Written for Rasa."""\nfrom rasa.core.channels.channel import InputChannel\n',
          name="addons/ported.py")
    write(tmp_path, "class Plain:\n    name = 'plain'\n", name="addons/plain.py")
    path = write(tmp_path, """
        rest:
        addons.ported.MyIO:
        addons.plain.Plain:
        addons.missing.Nope:
    """)
    broken, plain, missing = problems_of(path, tmp_path)
    assert "credentials.yml:2: addons.ported.MyIO: cannot load this connector:" in broken
    assert "addons/ported.py:2: importing the project's code failed: ModuleNotFoundError" in broken
    assert "credentials.yml:3: addons.plain.Plain: cannot load this connector: 'addons.plain.Plain' " \
           "is not a channels.base.InputChannel subclass" in plain
    assert "credentials.yml:4: addons.missing.Nope: cannot load this connector:" in missing
    assert "no module 'addons.missing'" in missing


def test_slack_api_url_points_the_web_client_elsewhere(tmp_path) -> None:
    path = write(tmp_path, """
        rest:
        slack:
          slack_token: "xoxb-1"
          slack_signing_secret: "s"
          slack_api_url: "http://127.0.0.1:9/api"
    """)
    (_, slack), _ = read_credentials(path, tmp_path)
    assert slack.client.base_url == "http://127.0.0.1:9/api/"
