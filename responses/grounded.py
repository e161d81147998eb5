"""Grounded answers from the knowledge base (what `action_generate` says).

    question -> retrieve top-k passages -> below `min_score`: decline (safe path)
             -> prompt (responses/prompts/grounded_v1.txt) -> backend -> citations parsed
             -> guardrails -> GroundedAnswer with the cited passage ids

Any failure (nothing relevant, the model says NO_ANSWER, an endpoint error after the
extractive fallback, a guardrail) returns a decline with its reason; the caller asks the
customer to rephrase or hands over. Nothing unchecked reaches the customer.
"""
from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from core.domain import GenerationConfig
from knowledge.index import Hit, KnowledgeIndex
from responses.guardrails import check_answer, mask_pii
from responses.llm import BackendError, ExtractiveBackend, OpenAIBackend

log = logging.getLogger("switchboard.generation")
PROMPT = Path(__file__).parent / "prompts" / "grounded_v1.txt"
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
    def __init__(self, index: KnowledgeIndex, config: GenerationConfig, company: str = "our shop"):
        self.index = index
        self.config = config
        self.backend = backend_for(config)
        self.fallback = ExtractiveBackend()
        self.company = company
        self.prompt_version, self.template = load_prompt()
        self._recent: tuple[str, list[Hit]] | None = None

    def relevant(self, question: str) -> list[Hit]:
        """The top-k passages if the best clears `min_score`, else []. The last question's
        hits are kept: the policy asks first, then `answer` for the same message."""
        recent = self._recent
        if recent is not None and recent[0] == question:
            return recent[1]
        hits = self.index.search(question, self.config.top_k)
        hits = hits if hits and hits[0].score >= self.config.min_score else []
        self._recent = (question, hits)
        return hits

    def system_prompt(self, hits: list[Hit], summary: str, slots: dict) -> str:
        passages = "\n".join(f"[{h.passage.id}] {h.passage.heading}: {h.passage.text}" for h in hits)
        shown = {k: mask_pii(str(v)) for k, v in slots.items() if v is not None and k != "requested_slot"}
        return self.template.format(company=self.company, summary=mask_pii(summary) or "(none)",
                                    slots=shown or "(none)", passages=passages)

    def answer(self, question: str, summary: str = "", slots: dict | None = None,
               hits: list[Hit] | None = None) -> GroundedAnswer | Declined:
        hits = hits if hits is not None else self.relevant(question)
        if not hits:
            return Declined(f"no passage scores {self.config.min_score} or more")
        system = self.system_prompt(hits, summary, slots or {})
        started = time.perf_counter()
        backend, text, first = self.backend, "", None
        try:
            for piece in backend.complete(system, mask_pii(question), hits):
                first = first if first is not None else time.perf_counter()
                text += piece
        except BackendError as exc:
            log.warning("generation backend failed (%s); using the extractive answer", exc)
            backend, text = self.fallback, self.fallback.answer(question, hits)
            first = time.perf_counter()
        total = time.perf_counter() - started
        if "NO_ANSWER" in text:
            return Declined("the model found no answer in the passages")
        known = {h.passage.id: h.passage for h in hits}
        cited = tuple(dict.fromkeys(c for c in CITATION.findall(text) if c in known))
        clean = " ".join(CITATION.sub("", text).split()).replace(" .", ".")
        verdict = check_answer(clean, [known[c].text for c in cited], system)
        if not verdict.ok:
            log.warning("guardrail stopped a generated answer: %s", verdict.reason)
            return Declined(f"guardrail: {verdict.reason}")
        return GroundedAnswer(clean, cited, backend.name, 1000 * ((first or started) - started),
                              1000 * total, tuple(hits))
