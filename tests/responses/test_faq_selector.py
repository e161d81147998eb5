"""FAQ retrieval intents: NLU learns only `faq`; the response selector picks `faq/<name>`."""
import pytest

from project.loader import load_project
from knowledge.embedder import SentenceEmbedder
from knowledge.selector import ResponseSelector, collapse_retrieval_intents, retrieval_examples
from tests.support import ROOT, say


@pytest.fixture(scope="module")
def selector() -> ResponseSelector:
    return ResponseSelector.build(retrieval_examples(load_project(ROOT).data), SentenceEmbedder())


def test_nlu_sees_one_intent_for_all_faqs() -> None:
    data = load_project(ROOT).data
    faq = retrieval_examples(data)
    assert len({e.intent for e in faq}) >= 8
    collapsed = collapse_retrieval_intents(data)
    assert {e.intent for e in collapsed.examples if e.text in {f.text for f in faq}} == {"faq"}
    assert len(collapsed.examples) == len(data.examples)
    others = [(a.intent, b.intent) for a, b in zip(data.examples, collapsed.examples) if "/" not in a.intent]
    assert others and all(a == b for a, b in others)  # other intents untouched


def test_selector_picks_the_sub_intent(selector, tmp_path) -> None:
    pick = selector.select("can I still use the gift card my aunt gave me two years ago?", "faq")
    assert pick.intent == "faq/gift_cards" and 0 < pick.confidence <= 1
    assert selector.select("anything", "nothing_like_this") is None
    selector.save(tmp_path / "sel", "fp")
    again = ResponseSelector.load(tmp_path / "sel", selector.embedder)
    assert again.select("how do I stop your marketing emails", "faq").intent == "faq/newsletter"


def test_bot_answers_an_faq_with_the_selected_response(example, selector) -> None:
    from dialogue.agent import Agent
    from stores.handoffs import HandoffQueue
    from tests.support import KeywordParser

    project, policies = example
    agent = Agent(project, KeywordParser(), policies, HandoffQueue(), seed=0, selector=selector)
    result = say(agent, "is there a showroom in Boston where I can try things on?")
    assert result.actions == ["utter_faq"]
    (reply,) = result.replies
    assert reply.response == "utter_faq/physical_stores" and "online only" in reply.text
    assert reply.custom["retrieval_intent"] == "faq/physical_stores"
