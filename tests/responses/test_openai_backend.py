"""OpenAIBackend (the `openai` client) against a real local OpenAI-compatible HTTP server
(tests/responses/fake_llm_server.py): streamed pieces, a server that ignores `stream`,
which failures are retried and which are not, and every failure as a BackendError that
names the endpoint."""
import pytest

from responses.llm import BackendError, OpenAIBackend
from tests.responses.fake_llm_server import FakeLLM

ANSWER = "Refunds go back to your card within 5–7 business days [returns#refunds]."


def complete(server: FakeLLM, **options) -> list[str]:
    return list(OpenAIBackend(server.url, "tiny", **options).complete("system", "question"))


def test_a_streamed_answer_comes_piece_by_piece() -> None:
    with FakeLLM([f"stream:{ANSWER}"], chunk=5) as server:
        pieces = complete(server)
    assert len(pieces) == len(ANSWER) // 5 + 1 and "".join(pieces) == ANSWER
    body = server.requests[0]["body"]
    assert server.requests[0]["path"] == "/v1/chat/completions"
    assert body["stream"] is True and body["model"] == "tiny" and body["temperature"] == 0
    assert [m["role"] for m in body["messages"]] == ["system", "user"]


def test_a_server_that_ignores_stream_gives_its_json_answer() -> None:
    with FakeLLM([f"json:{ANSWER}"]) as server:
        assert complete(server) == [ANSWER]


def test_server_errors_are_retried_then_the_answer_streams() -> None:
    with FakeLLM(["500", "503", "stream:All good [returns#refunds]."]) as server:
        assert "".join(complete(server, retries=2)) == "All good [returns#refunds]."
    assert len(server.requests) == 3


def test_server_errors_past_the_retries_are_a_backend_error() -> None:
    with FakeLLM(["500", "500", "500"]) as server:
        with pytest.raises(BackendError, match=r"answered HTTP 500 after 2 tries") as error:
            complete(server, retries=1)
    assert server.url in str(error.value) and len(server.requests) == 2


@pytest.mark.parametrize("status", ["400", "401", "404", "429"])
def test_client_errors_are_not_retried(status: str) -> None:
    with FakeLLM([status, "stream:never asked"]) as server:
        with pytest.raises(BackendError, match=f"answered HTTP {status}"):
            complete(server, retries=2)
    assert len(server.requests) == 1


def test_a_slow_endpoint_times_out_after_its_retries() -> None:
    with FakeLLM(["sleep:2", "sleep:2"]) as server:
        with pytest.raises(BackendError, match="did not answer within 0.3s"):
            complete(server, timeout=0.3, retries=1)
    assert len(server.requests) == 2


def test_a_stream_that_stalls_mid_answer_times_out_without_a_retry() -> None:
    with FakeLLM([f"stream:{ANSWER}", "stream:again"], token_delay=0.6) as server:
        with pytest.raises(BackendError, match="did not answer within"):
            complete(server, timeout=0.3, retries=2)
    assert len(server.requests) == 1  # the answer had started: the caller falls back instead


def test_a_refused_connection_is_a_backend_error() -> None:
    with FakeLLM([]) as server:
        url = server.url
    with pytest.raises(BackendError, match=f"cannot reach {url}"):
        list(OpenAIBackend(url, "tiny", retries=1).complete("system", "question"))


def test_an_error_event_mid_answer_is_a_backend_error_after_the_first_pieces() -> None:
    with FakeLLM([f"error:{ANSWER}"]) as server:
        pieces = OpenAIBackend(server.url, "tiny").complete("system", "question")
        assert next(pieces) == ANSWER[:4]
        with pytest.raises(BackendError, match="failed mid-answer: scripted failure"):
            list(pieces)
    assert len(server.requests) == 1


@pytest.mark.parametrize("step", ["garbage:Refunds", "nochoices:"])
def test_a_payload_that_is_not_a_completion_is_a_backend_error(step: str) -> None:
    with FakeLLM([step]) as server:
        with pytest.raises(BackendError, match=f"bad response from {server.url}"):
            complete(server)


def test_the_key_comes_from_the_named_variable_and_none_is_sent_without_it(monkeypatch) -> None:
    monkeypatch.setenv("TEST_LLM_KEY", "sk-test")
    monkeypatch.delenv("UNSET_LLM_KEY", raising=False)
    with FakeLLM(["json:a", "json:b"]) as server:
        complete(server, api_key_env="TEST_LLM_KEY")
        complete(server, api_key_env="UNSET_LLM_KEY")
    assert [r["auth"] for r in server.requests] == ["Bearer sk-test", None]


def test_one_backend_reuses_its_connection_between_json_answers() -> None:
    """(A streamed answer does not yet: openai-python issue #3440, see OpenAIBackend.)"""
    with FakeLLM(["json:a", "json:b", "json:c"]) as server:
        backend = OpenAIBackend(server.url, "tiny")
        for _ in range(3):
            list(backend.complete("system", "question"))
    assert len({r["port"] for r in server.requests}) == 1
