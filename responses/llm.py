"""LLM backends behind one small interface: `complete(system, user) -> Iterator[str]` (tokens
or text pieces, so answers can be streamed).

* `ExtractiveBackend` — the embedded default, offline, no model: the passage sentences that
  best match the question, cited. (No instruction-tuned generator small enough for 2 CPU
  cores ships as a PyPI wheel with its weights that we have vetted yet; see BENCHMARKS.md.)
* `OpenAIBackend` — any OpenAI-compatible chat endpoint (vLLM, Ollama, llama.cpp server,
  hosted APIs) through the `openai` client: `base_url`, `model`, API key from the env var
  named in `api_key_env`; a streamed completion, its pieces yielded as they arrive; one
  client per backend, timeout and retries; raises `BackendError`
  when the endpoint fails, so the caller can fall back to the extractive answer.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Iterator

from knowledge.index import Hit, _terms


class BackendError(Exception):
    pass


SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")


@dataclass
class ExtractiveBackend:
    max_sentences: int = 2
    name = "extractive"
    streams = False  # the whole answer in one piece

    def answer(self, question: str, hits: list[Hit]) -> str:
        """The best-matching sentences of the top passages, each followed by its citation."""
        words = _terms(question)
        scored = []
        for rank, hit in enumerate(hits):
            for position, sentence in enumerate(SENTENCE.split(hit.passage.text)):
                if sentence.lstrip().startswith(("|", "-")):
                    continue  # table rows and list items read badly out of context
                overlap = len(words & _terms(sentence + " " + hit.passage.heading))
                scored.append((overlap + hit.score - 0.1 * rank - 0.05 * position, hit.passage.id, sentence))
        best = sorted(scored, key=lambda s: -s[0])[: self.max_sentences]
        if not best:
            return "NO_ANSWER"
        by_id: dict[str, list[str]] = {}
        for _, pid, sentence in best:
            by_id.setdefault(pid, []).append(sentence.strip())
        return " ".join(f"{' '.join(sentences)} [{pid}]" for pid, sentences in by_id.items())

    def complete(self, system: str, user: str, hits: list[Hit] | None = None) -> Iterator[str]:
        yield self.answer(user, hits or [])


@dataclass
class OpenAIBackend:
    """One `openai.OpenAI` client (one httpx pool) per backend, shared by every answer. A
    plain JSON answer leaves its connection in the pool for the next; a streamed one does
    not yet: openai closes the stream at `[DONE]`, before the chunked body's end, which
    makes httpcore drop the connection (openai-python issue #3440, open).

    `timeout` holds for connecting and for each read (a stalled stream fails too);
    `retries`: openai's, with its backoff, for connection errors, timeouts and 5xx, all
    before the first piece (a failure mid-answer is not retried: the caller falls back).
    A 4xx is never retried (a wrong key or model name fails the same way again; a 429's
    Retry-After could keep the customer waiting minutes)."""

    base_url: str
    model: str
    api_key_env: str | None = None
    timeout: float = 20.0
    retries: int = 2
    max_tokens: int = 200
    name = "openai"
    streams = True  # pieces as the model writes them

    def __post_init__(self) -> None:
        import openai  # lazily: projects on the extractive default never load it

        self._openai = openai
        http = openai.DefaultHttpxClient(event_hooks={"response": [_no_retry_on_4xx]})
        # openai insists on a key; the real one (if any) goes with each request, read from
        # the environment then, and a local server without one gets no Authorization header
        self._client = openai.OpenAI(base_url=self.base_url, api_key="not-needed", timeout=self.timeout,
                                     max_retries=self.retries, http_client=http)

    def _authorization(self) -> dict:
        key = os.environ.get(self.api_key_env) if self.api_key_env else None
        return {"Authorization": f"Bearer {key}" if key else self._openai.omit}

    def complete(self, system: str, user: str, hits: list[Hit] | None = None) -> Iterator[str]:
        """Streamed pieces of the answer; raises BackendError (naming `base_url`) when the
        endpoint cannot be reached, answers an error, or sends what is not a completion."""
        openai = self._openai
        messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
        try:
            with self._client.chat.completions.with_streaming_response.create(
                    model=self.model, messages=messages, temperature=0, max_tokens=self.max_tokens,
                    stream=True, extra_headers=self._authorization()) as response:
                if "text/event-stream" not in response.headers.get("content-type", ""):
                    # a server that ignores `stream` (openai would read its JSON as no events)
                    yield response.json()["choices"][0]["message"]["content"] or ""
                    return
                for chunk in response.parse():
                    delta = chunk.choices[0].delta if chunk.choices else None  # usage-only chunks
                    if delta is not None and delta.content:
                        yield delta.content
        except openai.APIStatusError as exc:
            tries = "" if exc.status_code < 500 else f" after {self.retries + 1} tries"
            raise BackendError(f"{self.base_url} answered HTTP {exc.status_code}{tries}: {exc.message}") from exc
        except openai.APITimeoutError as exc:
            raise BackendError(f"{self.base_url} did not answer within {self.timeout}s "
                               f"({self.retries + 1} tries, or stalled mid-answer)") from exc
        except openai.APIConnectionError as exc:
            raise BackendError(f"cannot reach {self.base_url}: {exc.__cause__ or exc}") from exc
        except openai.APIError as exc:  # an error event in the stream
            raise BackendError(f"{self.base_url} failed mid-answer: {exc.message}") from exc
        except (ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
            raise BackendError(f"bad response from {self.base_url}: {exc!r}") from exc


def _no_retry_on_4xx(response) -> None:
    """An httpx response hook: openai obeys `x-should-retry`, and otherwise retries 408,
    409 and 429 (honouring Retry-After up to two minutes). Ours retries no 4xx."""
    if 400 <= response.status_code < 500:
        response.headers["x-should-retry"] = "false"
