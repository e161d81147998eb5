"""Retrieval over the example's knowledge folder (real MiniLM embeddings) and grounded
answers through the extractive default and a real local OpenAI-compatible HTTP server."""
from pathlib import Path

import pytest

from core.domain import GenerationConfig
from knowledge.chunks import split_document
from knowledge.index import KnowledgeIndex
from responses.grounded import Declined, GroundedAnswer, GroundedAnswerer
from responses.llm import BackendError, OpenAIBackend
from tests.responses.fake_llm_server import FakeLLM



def test_sections_become_passages_and_tables_become_sentences() -> None:
    text = ("# Shipping\n\n## Costs\n| Destination | Standard | Express |\n|---|---|---|\n"
            "| Norway | $12.95 | $29.95 |\n\n## Can't return\n- Socks\n- Gift cards\n")
    costs, items = split_document(text, "shipping", "kb/shipping.md")
    assert (costs.id, costs.source, costs.title) == ("shipping#costs", "kb/shipping.md:3", "Shipping")
    assert costs.text == "Norway: Standard $12.95; Express $29.95."
    assert items.id == "shipping#can-t-return" and items.text == "Socks. Gift cards."


def test_search_finds_the_passage_and_saves_and_loads(index, tmp_path: Path) -> None:
    hits = index.search("can I send back socks?", 3)
    assert "returns#items-that-can-t-be-returned" in [h.passage.id for h in hits]
    index.save(tmp_path / "kb", "fp")
    loaded = KnowledgeIndex.load(tmp_path / "kb", index.embedder)
    assert [h.passage.id for h in loaded.search("do you ship to japan", 3)] == \
        [h.passage.id for h in index.search("do you ship to japan", 3)]
    assert KnowledgeIndex.is_up_to_date(tmp_path / "kb", "fp")
    assert not KnowledgeIndex.is_up_to_date(tmp_path / "kb", "other")


def test_extractive_answer_is_cited_and_grounded(index) -> None:
    answerer = GroundedAnswerer(index, GenerationConfig())
    result = answerer.answer("how long until my refund shows up after you get the parcel back?")
    assert isinstance(result, GroundedAnswer), result
    assert "returns#refunds" in result.citations and "5–7 business days" in result.text
    assert "[" not in result.text


def test_off_topic_question_is_declined(index) -> None:
    result = GroundedAnswerer(index, GenerationConfig()).answer("write me a poem about the sea")
    assert isinstance(result, Declined) and "no passage scores" in result.reason


def test_openai_compatible_endpoint_streams_a_checked_answer(index, monkeypatch) -> None:
    monkeypatch.setenv("TEST_LLM_KEY", "sk-test")
    answer = "Refunds go back to your original payment method within 5–7 business days [returns#refunds]."
    with FakeLLM([f"stream:{answer}"]) as server:
        config = GenerationConfig(backend="openai", base_url=server.url, model="tiny",
                                  api_key_env="TEST_LLM_KEY", timeout=5)
        result = GroundedAnswerer(index, config).answer("when will I get my refund?")
    assert isinstance(result, GroundedAnswer) and result.backend == "openai"
    assert result.citations == ("returns#refunds",)
    request = server.requests[0]
    assert request["path"] == "/v1/chat/completions" and request["auth"] == "Bearer sk-test"
    system = request["body"]["messages"][0]["content"]
    assert "[returns#refunds]" in system and "NO_ANSWER" in system


def test_an_invented_figure_from_the_endpoint_is_stopped(index) -> None:
    with FakeLLM(["json:Refunds arrive within 24 hours, and we add a $20 voucher [returns#refunds]."]) as server:
        config = GenerationConfig(backend="openai", base_url=server.url, model="tiny", timeout=5)
        result = GroundedAnswerer(index, config).answer("when will I get my refund?")
    assert isinstance(result, Declined) and result.reason.startswith("guardrail:")


def test_failing_endpoint_retries_then_falls_back_to_extractive(index) -> None:
    with FakeLLM(["500", "500", "500"]) as server:
        config = GenerationConfig(backend="openai", base_url=server.url, model="tiny", timeout=5)
        result = GroundedAnswerer(index, config).answer("when will I get my refund?")
    assert len(server.requests) == 3  # the first try and two retries
    assert isinstance(result, GroundedAnswer) and result.backend == "extractive"


def test_slow_endpoint_times_out() -> None:
    with FakeLLM(["sleep:2", "sleep:2"]) as server:
        backend = OpenAIBackend(server.url, "tiny", timeout=0.3, retries=1)
        with pytest.raises(BackendError):
            list(backend.complete("system", "question"))


def test_model_saying_no_answer_is_declined(index) -> None:
    with FakeLLM(["stream:NO_ANSWER"]) as server:
        config = GenerationConfig(backend="openai", base_url=server.url, model="tiny", timeout=5)
        assert isinstance(GroundedAnswerer(index, config).answer("when will I get my refund?"), Declined)
