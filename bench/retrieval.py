"""Knowledge retrieval: recall@1 and recall@3 on tests/fixtures/kb_questions.yml.

    python bench/retrieval.py [--project .]

Dense only (cosine of all-MiniLM-L6-v2 sentence embeddings), word overlap only, and the
blend the bot uses (knowledge.index.LEXICAL_WEIGHT); plus the search latency.
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import click
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import knowledge.index as kindex  # noqa: E402
from knowledge.chunks import load_passages  # noqa: E402
from knowledge.embedder import SentenceEmbedder  # noqa: E402

QUESTIONS = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "kb_questions.yml"


def recall(index, questions, k: int) -> float:
    found = 0
    for q in questions:
        ids = {h.passage.id for h in index.search(q["question"], k)}
        found += bool(ids & set(q["passages"]))
    return found / len(questions)


@click.command()
@click.option("--project", type=click.Path(file_okay=False, path_type=Path), default=Path("."))
def main(project: Path) -> None:
    from project.loader import load_project

    folder = project / (load_project(project).domain.generation.knowledge or "data/knowledge")
    passages = load_passages(folder, project)
    questions = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))["questions"]
    started = time.perf_counter()
    index = kindex.KnowledgeIndex.build(passages, SentenceEmbedder())
    build_s = time.perf_counter() - started
    print(f"{len(passages)} passages, {len(questions)} questions, index built in {build_s:.2f} s")
    print(f"{'scoring':<22}{'recall@1':>10}{'recall@3':>10}")
    default = kindex.LEXICAL_WEIGHT
    for name, weight in (("dense only", 0.0), ("word overlap only", 1.0),
                         ("blend 0.3", 0.3), (f"bot ({default})", default)):
        kindex.LEXICAL_WEIGHT = weight
        print(f"{name:<22}{recall(index, questions, 1):>10.1%}{recall(index, questions, 3):>10.1%}")
    kindex.LEXICAL_WEIGHT = default
    times = []
    for q in questions * 3:
        t = time.perf_counter()
        index.search(q["question"], 3)
        times.append(time.perf_counter() - t)
    print(f"search p50 {statistics.median(times) * 1000:.2f} ms (embed the question + score)")


if __name__ == "__main__":
    main()
