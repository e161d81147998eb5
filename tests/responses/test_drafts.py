"""Streamed drafts of a grounded answer (responses/drafts.py): what a listening channel is
shown while the model writes. Only beginnings that pass the guardrails, whole words only;
a failure mid-answer stops the draft and the final answer is the extractive one."""
from core.domain import GenerationConfig
from responses.drafts import Draft, listening
from responses.grounded import Declined, GroundedAnswer, GroundedAnswerer
from responses.guardrails import check_answer
from tests.responses.fake_llm_server import FakeLLM

QUESTION = "when will I get my refund?"
FIRST = "Refunds go back to your original payment method within 5–7 business days [returns#refunds]."
SECOND = " Your bank may need a few extra days to show the money [returns#refunds]."


def answer(index, step: str) -> tuple[GroundedAnswer | Declined, list[str]]:
    deltas: list[str] = []
    with FakeLLM([step], chunk=3) as server, listening(deltas.append):
        config = GenerationConfig(backend="openai", base_url=server.url, model="tiny", timeout=5)
        result = GroundedAnswerer(index, config).answer(QUESTION)
    return result, deltas


def test_the_draft_grows_word_by_word_once_cited_and_ends_as_the_answer(index) -> None:
    result, deltas = answer(index, f"stream:{FIRST}{SECOND}")
    assert isinstance(result, GroundedAnswer) and result.backend == "openai"
    assert len(deltas) > 3 and "".join(deltas) == result.text
    # nothing before the first citation (an uncited text fails the guardrail)
    assert deltas[0] == "Refunds go back to your original payment method within 5–7 business days."
    passage = next(h.passage.text for h in index.search(QUESTION, 3) if h.passage.id == "returns#refunds")
    shown = ""
    for delta in deltas:  # every beginning shown passes the whole-answer guardrail
        shown += delta
        assert check_answer(shown, [passage]).ok, shown


def test_an_invented_figure_stops_the_draft_before_it(index) -> None:
    result, deltas = answer(index, f"stream:{FIRST} We also add a $20 voucher [returns#refunds].")
    assert isinstance(result, Declined) and result.reason.startswith("guardrail:")
    shown = "".join(deltas)
    assert shown.startswith("Refunds go back") and "$20" not in shown and "voucher" not in shown


def test_a_failure_mid_answer_stops_the_draft_and_the_extractive_answer_follows(index) -> None:
    result, deltas = answer(index, f"error:{FIRST}{SECOND}")
    assert isinstance(result, GroundedAnswer) and result.backend == "extractive"
    # the words before the failure, less the last (no space after it yet: "[returns#refunds].")
    assert "".join(deltas) == "Refunds go back to your original payment method within 5–7 business days." \
        " Your bank may need a few extra days to show the money"


def test_no_answer_and_the_extractive_backend_show_no_draft(index) -> None:
    result, deltas = answer(index, "stream:NO_ANSWER")
    assert isinstance(result, Declined) and deltas == []
    shown: list[str] = []
    with listening(shown.append):
        assert isinstance(GroundedAnswerer(index, GenerationConfig()).answer(QUESTION), GroundedAnswer)
    assert shown == []


def test_half_a_word_is_never_shown() -> None:
    shown: list[str] = []
    with listening(shown.append):
        draft = Draft(lambda raw: raw.strip())
        for piece in ["Call us", " at 555", "-0199", " today"]:
            draft.add(piece)
        assert shown == ["Call", " us at", " 555-0199"]
        draft.finish()
    assert shown[-1] == " today"


def test_without_a_listener_a_draft_does_nothing() -> None:
    draft = Draft(lambda raw: raw)
    draft.add("Hello there ")
    assert draft.shown == ""
