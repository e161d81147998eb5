"""Grounded-answer latency and outcome for the embedded default backend (extractive).

    python bench/generation.py

Over the questions of tests/fixtures/kb_questions.yml: time to the first piece and to the
full checked answer (retrieval + backend + guardrails), medians and p90; how many were
answered, and how many of the answers cite an expected passage.
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from project.loader import load_project  # noqa: E402
from knowledge.chunks import load_passages  # noqa: E402
from knowledge.embedder import SentenceEmbedder  # noqa: E402
from knowledge.index import KnowledgeIndex  # noqa: E402
from responses.grounded import GroundedAnswer, GroundedAnswerer  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    project = load_project(ROOT)
    index = KnowledgeIndex.build(load_passages(ROOT / "data" / "knowledge", ROOT), SentenceEmbedder())
    answerer = GroundedAnswerer(index, project.domain.generation)
    questions = yaml.safe_load((ROOT / "tests" / "fixtures" / "kb_questions.yml").read_text())["questions"]
    answerer.answer(questions[0]["question"])  # warm-up
    first, total, answered, cited_right = [], [], 0, 0
    for q in questions:
        started = time.perf_counter()
        result = answerer.answer(q["question"])
        elapsed = (time.perf_counter() - started) * 1000
        if isinstance(result, GroundedAnswer):
            answered += 1
            cited_right += bool(set(result.citations) & set(q["passages"]))
            total.append(elapsed)
            first.append(elapsed - result.total_ms + result.first_piece_ms)
    p90 = lambda xs: sorted(xs)[int(0.9 * (len(xs) - 1))]  # noqa: E731
    print(f"backend: {answerer.backend.name}; {len(questions)} questions")
    print(f"answered (passed retrieval threshold and guardrails): {answered}/{len(questions)}")
    print(f"answers citing an expected passage: {cited_right}/{answered}")
    print(f"first piece  p50 {statistics.median(first):.1f} ms  p90 {p90(first):.1f} ms")
    print(f"full answer  p50 {statistics.median(total):.1f} ms  p90 {p90(total):.1f} ms")


if __name__ == "__main__":
    main()
