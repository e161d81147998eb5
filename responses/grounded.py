"""Grounded answers from the knowledge base (what `action_generate` says).

    question -> retrieve top-k passages -> below `min_score`: decline (safe path)
             -> prompt (responses/prompts/grounded_v2.txt) -> backend -> citations parsed
             -> guardrails -> GroundedAnswer with the cited passage ids

Per language: the passages in the customer's language (`nlu.language`, as NLU identified
it) are searched first; when none of them is relevant, or the knowledge base has none in
that language, the default language's (those without a language, or marked with it), with
a debug note. One answer never mixes passages of two languages. The prompt asks for the
answer in the customer's language when the project serves it, else in the default language.

Any failure (nothing relevant, the model says NO_ANSWER, an endpoint error after the
extractive fallback, a guardrail) returns a decline with its reason; the caller asks the
customer to rephrase or hands over. Nothing unchecked reaches the customer: while the
backend streams, a beginning of the answer is published as a draft (responses/drafts.py,
for a channel that shows text as it arrives) only once it passes the same guardrails.
"""
from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from core.domain import GenerationConfig
from knowledge.chunks import Passage
from knowledge.index import Hit, KnowledgeIndex
from nlu.language import identifier, primary
from core.pii import mask_pii
from responses.drafts import Draft
from responses.guardrails import Verdict, check_answer
from responses.llm import BackendError, ExtractiveBackend, OpenAIBackend

log = logging.getLogger("switchboard.generation")
PROMPT = Path(__file__).parent / "prompts" / "grounded_v2.txt"
# How the prompt names a language (the code itself for any other).
LANGUAGE_NAMES = {"en": "English", "zh": "Chinese", "es": "Spanish", "de": "German",
                  "fr": "French", "pt": "Portuguese", "it": "Italian", "nl": "Dutch",
                  "ru": "Russian", "ja": "Japanese", "ko": "Korean", "ar": "Arabic",
                  "tr": "Turkish", "pl": "Polish", "vi": "Vietnamese"}
CITATION = re.compile(r"\[([\w-]+#[\w-]+)\]")


@dataclass(frozen=True)
class GroundedAnswer:
    text: str  # without the [id] markers
    citations: tuple[str, ...]
    backend: str
    first_piece_ms: float
    total_ms: float
    hits: tuple[Hit, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class Declined:
    reason: str


def load_prompt() -> tuple[str, str]:
    """(version, template) of the prompt file; the version is its first line's name."""
    text = PROMPT.read_text(encoding="utf-8")
    first, _, body = text.partition("\n")
    return first.split(":", 1)[-1].strip(), body


def backend_for(config: GenerationConfig):
    if config.backend == "openai" and config.base_url and config.model:
        return OpenAIBackend(config.base_url, config.model, config.api_key_env, config.timeout)
    return ExtractiveBackend()


class GroundedAnswerer:
    """`language`, `languages`: the project's (config.yml): the default language, and those
    it serves, so that the customer's language is identified as NLU identifies it."""

    def __init__(self, index: KnowledgeIndex, config: GenerationConfig, company: str = "our shop",
                 language: str = "en", languages: Iterable[str] = ()):
        self.index = index
        self.config = config
        self.backend = backend_for(config)
        self.fallback = ExtractiveBackend()
        self.company = company
        self.language = language
        self.languages = tuple(languages)
        self.prompt_version, self.template = load_prompt()
        self._recent: tuple[tuple[str, str], list[Hit]] | None = None

    def customer_language(self, question: str, language: str | None = None) -> str:
        return language or identifier(self.language, self.languages).detect(question).language

    def relevant(self, question: str, language: str | None = None) -> list[Hit]:
        """The top-k passages of one language if the best clears `min_score`, else []: the
        customer's language (`language`, else identified from the question) first, then the
        default language's. The last question's hits are kept: the policy asks first, then
        `answer` for the same message."""
        language = self.customer_language(question, language)
        recent = self._recent
        if recent is not None and recent[0] == (question, language):
            return recent[1]
        hits: list[Hit] = []
        pools = self._pools(language)
        for number, pool in enumerate(pools):
            found = self.index.search(question, self.config.top_k, pool)
            if found and found[0].score >= self.config.min_score:
                hits = found
                break
            if number + 1 < len(pools):
                log.debug("no relevant %s passage: trying the default language's", language)
        self._recent = ((question, language), hits)
        return hits

    def _pools(self, language: str) -> list[set[str | None]]:
        """The passage languages to search, in order: the customer's, then the default's."""
        present = self.index.languages()
        default = {None} | {code for code in present if code and primary(code) == primary(self.language)}
        if primary(language) == primary(self.language):
            return [default]
        own = {code for code in present if code and primary(code) == primary(language)}
        if not own:
            log.debug("no %s passages in the knowledge base: the default language's", language)
        return [own, default] if own else [default]

    def reply_language(self, language: str) -> str:
        """The customer's language when the project serves it, else the default one."""
        served = {primary(code) for code in (self.language, *self.languages)}
        return language if primary(language) in served else self.language

    def system_prompt(self, hits: list[Hit], summary: str, slots: dict,
                      language: str | None = None) -> str:
        passages = "\n".join(f"[{h.passage.id}] {h.passage.heading}: {h.passage.text}" for h in hits)
        shown = {k: mask_pii(str(v)) for k, v in slots.items() if v is not None and k != "requested_slot"}
        code = language or self.language
        return self.template.format(company=self.company, summary=mask_pii(summary) or "(none)",
                                    slots=shown or "(none)", passages=passages,
                                    language=LANGUAGE_NAMES.get(primary(code), code))

    def answer(self, question: str, summary: str = "", slots: dict | None = None,
               hits: list[Hit] | None = None, language: str | None = None) -> GroundedAnswer | Declined:
        language = self.customer_language(question, language)
        hits = hits if hits is not None else self.relevant(question, language)
        if not hits:
            return Declined(f"no passage scores {self.config.min_score} or more")
        system = self.system_prompt(hits, summary, slots or {}, self.reply_language(language))
        known = {h.passage.id: h.passage for h in hits}
        draft = Draft(lambda raw: self._checked(raw, known, system)[0], self.backend.streams)
        started = time.perf_counter()
        backend, text, first = self.backend, "", None
        try:
            for piece in backend.complete(system, mask_pii(question), hits):
                first = first if first is not None else time.perf_counter()
                text += piece
                draft.add(piece)
            draft.finish()
        except BackendError as exc:
            log.warning("generation backend failed (%s); using the extractive answer", exc)
            draft.stop()
            backend, text = self.fallback, self.fallback.answer(question, hits)
            first = time.perf_counter()
        total = time.perf_counter() - started
        if "NO_ANSWER" in text:
            return Declined("the model found no answer in the passages")
        clean, cited, verdict = self._checked(text, known, system)
        if clean is None:
            log.warning("guardrail stopped a generated answer: %s", verdict.reason)
            return Declined(f"guardrail: {verdict.reason}")
        return GroundedAnswer(clean, cited, backend.name, 1000 * ((first or started) - started),
                              1000 * total, tuple(hits))

    @staticmethod
    def _checked(raw: str, known: dict[str, Passage], system: str
                 ) -> tuple[str | None, tuple[str, ...], Verdict]:
        """(the text without citation markers, or None if the guardrails stop it; the known
        passages it cites; the verdict). Also what a streamed draft's beginnings must pass."""
        cited = tuple(dict.fromkeys(c for c in CITATION.findall(raw) if c in known))
        clean = " ".join(CITATION.sub("", raw).split()).replace(" .", ".")
        if "NO_ANSWER" in raw:
            verdict = Verdict(False, "the model found no answer in the passages")
        else:
            verdict = check_answer(clean, [known[c].text for c in cited], system)
        return (clean if verdict.ok else None), cited, verdict
