"""FAQ (retrieval intent) selection accuracy on the held-out tests/faq_test.yml.

    python bench/faq_selection.py [--models models]

Response selector alone (given that the message is an FAQ): is the right `faq/<name>`
chosen? With a trained model in --models, also end to end: NLU says `faq` *and* the
selector picks the right answer.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import click

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from project.loader import load_project  # noqa: E402
from knowledge.embedder import SentenceEmbedder  # noqa: E402
from knowledge.selector import ResponseSelector, retrieval_examples  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


@click.command()
@click.option("--models", type=click.Path(file_okay=False, path_type=Path), default=ROOT / "models")
def main(models: Path) -> None:
    project = load_project(ROOT)
    train = retrieval_examples(project.data)
    held_out = [e for e in retrieval_examples(project.tests) if e.source and "faq_test" in e.source.file]
    started = time.perf_counter()
    selector = ResponseSelector.build(train, SentenceEmbedder())
    print(f"{len(train)} training examples, {len(held_out)} held-out, "
          f"{len({e.intent for e in train})} FAQs; built in {time.perf_counter() - started:.1f} s")
    picks = [selector.select(e.text, "faq") for e in held_out]
    right = sum(p is not None and p.intent == e.intent for p, e in zip(picks, held_out))
    print(f"selector accuracy (message known to be an FAQ): {right}/{len(held_out)} = {right / len(held_out):.1%}")
    trusted = [p is not None and p.trusted for p in picks]
    right_trusted = sum(t and p.intent == e.intent for t, p, e in zip(trusted, picks, held_out))
    print(f"answered (selection trusted): {sum(trusted)}/{len(held_out)}, of which right: {right_trusted}; "
          f"the rest get 'did you mean' buttons")
    for p, e in zip(picks, held_out):
        if p is None or p.intent != e.intent:
            print(f"  {e.intent:<24} -> {p.intent if p else None:<24} {e.text}")
    nlu = models / "nlu"
    if (nlu / "metadata.json").exists():
        from nlu import NLUParser

        messages = NLUParser.load(nlu).parse_batch([e.text for e in held_out])
        both = sum(m.intent.name == "faq" and p is not None and p.trusted and p.intent == e.intent
                   for m, p, e in zip(messages, picks, held_out))
        as_faq = sum(m.intent.name == "faq" for m in messages)
        print(f"NLU says 'faq': {as_faq}/{len(held_out)}; end to end right: {both}/{len(held_out)} "
              f"= {both / len(held_out):.1%}")


if __name__ == "__main__":
    main()
