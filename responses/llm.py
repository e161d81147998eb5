"""LLM backends behind one small interface: `complete(system, user) -> Iterator[str]` (tokens
or text pieces, so answers can be streamed).

* `ExtractiveBackend` — the embedded default, offline, no model: the passage sentences that
  best match the question, cited. (No instruction-tuned generator small enough for 2 CPU
  cores ships as a PyPI wheel with its weights that we have vetted yet; see BENCHMARKS.md.)
* `OpenAIBackend` — any OpenAI-compatible chat endpoint (vLLM, Ollama, llama.cpp server,
  hosted APIs): `base_url`, `model`, API key from the env var named in `api_key_env`;
  timeout and retries; raises `BackendError` when the endpoint fails, so the caller can
  fall back to the extractive answer.
"""
from __future__ import annotations

import json
import os
import re
import time
import urllib.error
import urllib.request
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
    base_url: str
    model: str
    api_key_env: str | None = None
    timeout: float = 20.0
    retries: int = 2
    max_tokens: int = 200
    name = "openai"

    def _request(self, system: str, user: str, stream: bool) -> urllib.request.Request:
        body = {"model": self.model, "temperature": 0, "max_tokens": self.max_tokens, "stream": stream,
                "messages": [{"role": "system", "content": system}, {"role": "user", "content": user}]}
        headers = {"Content-Type": "application/json"}
        key = os.environ.get(self.api_key_env) if self.api_key_env else None
        if key:
            headers["Authorization"] = f"Bearer {key}"
        url = self.base_url.rstrip("/") + "/chat/completions"
        return urllib.request.Request(url, json.dumps(body).encode(), headers, method="POST")

    def complete(self, system: str, user: str, hits: list[Hit] | None = None) -> Iterator[str]:
        """Streamed pieces of the answer; retries connection errors and 5xx before the first piece."""
        last: Exception | None = None
        for attempt in range(self.retries + 1):
            try:
                response = urllib.request.urlopen(self._request(system, user, True), timeout=self.timeout)
            except urllib.error.HTTPError as exc:
                last = exc
                if exc.code < 500:
                    raise BackendError(f"{self.base_url} answered HTTP {exc.code}") from exc
            except (urllib.error.URLError, TimeoutError, OSError) as exc:
                last = exc
            else:
                yield from self._read(response)
                return
            time.sleep(min(0.2 * 2 ** attempt, 2.0))
        raise BackendError(f"{self.base_url} failed after {self.retries + 1} tries: {last}")

    def _read(self, response) -> Iterator[str]:
        try:
            with response:
                kind = response.headers.get("Content-Type", "")
                if "text/event-stream" not in kind:  # a server that ignores `stream`
                    data = json.loads(response.read())
                    yield data["choices"][0]["message"]["content"] or ""
                    return
                for raw in response:
                    line = raw.decode("utf-8", "replace").strip()
                    if not line.startswith("data:"):
                        continue
                    payload = line[5:].strip()
                    if payload == "[DONE]":
                        return
                    delta = json.loads(payload)["choices"][0].get("delta", {})
                    if delta.get("content"):
                        yield delta["content"]
        except (OSError, ValueError, KeyError, IndexError, TimeoutError) as exc:
            raise BackendError(f"bad response from {self.base_url}: {exc}") from exc
