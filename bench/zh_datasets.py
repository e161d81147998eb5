"""Convert public Chinese intent + slot benchmarks into the layout bench/seq_data.py reads.

    .venv/bin/python bench/zh_datasets.py --source <git dir or folder> --name smp2019
    .venv/bin/python bench/zh_datasets.py --source <git dir or folder> --name cais
    .venv/bin/python bench/nlu_benchmark.py --dataset /tmp/zh-nlu/smp2019 --encoder multilingual-e5-small

Writes <out>/{train,dev,test}/{seq.in,seq.out,label}, intent_label.txt, slot_label.txt and
dataset.json (`"token_separator": ""`: one token per character, joined without spaces, so a
slot's character offsets in the rebuilt text are exact; a space of the text is the token
`SPACE_TOKEN`, "▁"). Default <out> is /tmp/zh-nlu/<name>: the data stays out of the repository.

Where the data comes from (neither set is in the repository; get it yourself):

smp2019 — SMP2019-ECDT (the 2019 Evaluation of Chinese Human-Computer Dialogue Technology,
    Social Media Processing conference, CIPS-SMP), task 1, natural language understanding:
    2,579 single utterances with domain (29), intent (23; 48 domain+intent pairs) and slots
    given as {name: value} (59 slot names). Only the training set was ever released, so the
    copy in github.com/1053399472/CAISandSMP (SMP/source/2019train.json) is used, with that
    repository's 8:1:1 split by intent (SMP/GlobalPointer/GlobalPointerSMP2019/*.json, 2053 /
    256 / 270) so results compare with its baseline table; without those files a seeded
    stratified 80/10/10 split is carved. Clone it or pass a `fetch`ed mirror:
        git clone https://github.com/1053399472/CAISandSMP   # then --source CAISandSMP
    Labels (--label): `domain.intent` (default, e.g. "app.LAUNCH": the official task scores
    domain, intent and slots, and its sentence accuracy wants all three right), or `intent`
    (23 labels, what CAISandSMP's table reports), or `domain`.
    Slots: each value is located in the text (longest values first, the first occurrence not
    overlapping one already placed); an example with a value that cannot be placed is dropped
    and counted: in the 2019 set all 3,327 values are substrings of their texts, but 2 examples
    nest one slot in another ("佛山" in "佛山大良汽车站"), which BIO cannot tag, and are
    dropped (2,577 kept: 2051 / 256 / 270); 7 values occur twice and get their first place.

cais — CAIS (Chinese Artificial Intelligence Speakers; Liu et al. 2019, "CM-Net: A Novel
    Collaborative Memory Network for Spoken Language Understanding", EMNLP): utterances to
    smart speakers, character-level BIOES slot tags and 14 intents (mostly PlayMusic);
    train 7,995 / valid 994 / test 1,012 as distributed by github.com/Adaxry/CM-Net (CAIS/)
    and copied in github.com/1053399472/CAISandSMP (CAIS/source/). BIOES becomes BIO
    (E- -> I-, S- -> B-); an example whose tags are not well-formed BIOES is dropped, counted.

Licence (as far as could be found, checked for this script): neither repository has a
LICENSE file, and neither README states terms for the data. SMP2019-ECDT was an academic
evaluation (data for participants; the earlier ECDT editions' data was provided by iFLYTEK);
no release terms were found beyond that. CAIS comes only with the CM-Net paper and its
repository (README: "Coming soon"). Treat both as research/benchmark use only: do not
redistribute them, do not train shipped models on them, cite the evaluation / the CM-Net paper
when reporting numbers.
"""
from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.seq_data import SPACE_TOKEN, SeqExample, read_split, to_example  # noqa: E402

SPLITS = ("train", "dev", "test")


class Source:
    """Files of a git directory (a bare mirror: read at HEAD) or of a folder."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.git = (self.path / "HEAD").is_file() and (self.path / "objects").is_dir()

    def read(self, *candidates: str) -> str | None:
        """The first candidate path that exists; a folder also finds it by file name."""
        for rel in candidates:
            if self.git:
                run = subprocess.run(["git", f"--git-dir={self.path}", "show", f"HEAD:{rel}"],
                                     capture_output=True)
                if run.returncode == 0:
                    return run.stdout.decode("utf-8")
            elif (self.path / rel).is_file():
                return (self.path / rel).read_text(encoding="utf-8")
        if not self.git:
            for rel in candidates:
                found = sorted(self.path.rglob(Path(rel).name))
                if len(found) == 1:
                    return found[0].read_text(encoding="utf-8")
        return None


class Report:
    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.dropped: list[str] = []

    def drop(self, reason: str, what: str) -> None:
        self.counts[f"dropped: {reason}"] += 1
        if len(self.dropped) < 10:
            self.dropped.append(f"{reason}: {what}")


def char_tokens(text: str, report: Report) -> list[str] | None:
    if SPACE_TOKEN in text:
        return None
    out = []
    for c in text:
        if c.isspace():
            report.counts["space characters (token ▁)"] += 1
            if c != " ":
                report.counts["non-ASCII-space whitespace read back as ' '"] += 1
            out.append(SPACE_TOKEN)
        else:
            out.append(c)
    return out


def _json_list(raw: str) -> list[dict]:
    try:
        return json.loads(raw)
    except json.JSONDecodeError:  # CAISandSMP's writer leaves a comma before "]"
        return json.loads(raw.rstrip().rstrip("]").rstrip().rstrip(",") + "]")


# ---------------------------------------------------------------- SMP2019-ECDT

def place_slots(text: str, slots: dict[str, str | list[str]], report: Report
                ) -> list[tuple[str, int, int]] | str:
    """(name, start, end) per slot value, or why they cannot all be placed."""
    values = [(name, v) for name, vs in slots.items()
              for v in (vs if isinstance(vs, list) else [vs])]
    placed: list[tuple[str, int, int]] = []
    for name, value in sorted(values, key=lambda nv: -len(nv[1])):
        if not value:
            return f"empty value for {name}"
        starts, at = [], text.find(value)
        while at >= 0:
            starts.append(at)
            at = text.find(value, at + 1)
        if not starts:
            return f"{name}={value!r} not in text"
        free = [s for s in starts
                if all(s + len(value) <= a or s >= b for _, a, b in placed)]
        if not free:
            return f"{name}={value!r} only overlaps other slots"
        if len(starts) > 1:
            report.counts["slot values occurring more than once (first free place tagged)"] += 1
        placed.append((name, free[0], free[0] + len(value)))
    return sorted(placed, key=lambda p: p[1])


def smp2019(src: Source, label: str, seed: int, report: Report
            ) -> tuple[dict[str, list[tuple[SeqExample, dict]]], str]:
    raw = src.read("SMP/source/2019train.json", "source/2019train.json", "2019train.json")
    if raw is None:
        raise SystemExit(f"{src.path}: no 2019train.json (SMP/source/ of CAISandSMP)")
    rows = json.loads(raw)
    report.counts["source rows"] = len(rows)
    examples: list[tuple[SeqExample, dict]] = []
    for row in rows:
        text = row["text"]
        tokens = char_tokens(text, report)
        if tokens is None:
            report.drop(f"text contains {SPACE_TOKEN!r}", text)
            continue
        placed = place_slots(text, row.get("slots") or {}, report)
        if isinstance(placed, str):
            report.counts["slot values not aligned"] += 1
            report.drop("slot not aligned", f"{text} ({placed})")
            continue
        tags = ["O"] * len(tokens)
        for name, start, end in placed:
            tags[start] = f"B-{name}"
            for i in range(start + 1, end):
                tags[i] = f"I-{name}"
        intent = {"domain.intent": f"{row['domain']}.{row['intent']}",
                  "intent": row["intent"], "domain": row["domain"]}[label]
        examples.append((SeqExample(tuple(tokens), tuple(tags), intent, ""), row))
    report.counts["slot values"] = sum(len(r.get("slots") or {}) for _, r in examples)

    texts: dict[str, str] = {}
    for split in SPLITS:
        gp = src.read(f"SMP/GlobalPointer/GlobalPointerSMP2019/{split}.json",
                      f"GlobalPointerSMP2019/{split}.json")
        for row in _json_list(gp) if gp else []:
            texts[row["text"]] = split
    unique = len({r["text"] for _, r in examples}) == len(examples)
    if texts and unique and all(r["text"] in texts for _, r in examples):
        out: dict[str, list] = {s: [] for s in SPLITS}
        for ex in examples:
            out[texts[ex[1]["text"]]].append(ex)
        return out, "CAISandSMP's 8:1:1 split (SMP/GlobalPointer/GlobalPointerSMP2019)"
    return stratified(examples, seed, (0.8, 0.9)), f"seeded ({seed}) stratified 80/10/10 split"


def stratified(examples: list, seed: int, cuts: tuple[float, ...]) -> dict[str, list]:
    """Per label: shuffle (seeded), cut at the given fractions into the splits."""
    by_label: dict[str, list] = defaultdict(list)
    for ex in examples:
        by_label[ex[0].intent].append(ex)
    rng = random.Random(seed)
    names = SPLITS[: len(cuts) + 1]
    out: dict[str, list] = {s: [] for s in names}
    for lab in sorted(by_label):
        group = by_label[lab][:]
        rng.shuffle(group)
        bounds = [0, *(int(len(group) * c) for c in cuts), len(group)]
        for name, a, b in zip(names, bounds, bounds[1:]):
            out[name].extend(group[a:b])
    return out


# ---------------------------------------------------------------- CAIS

def bioes_to_bio(tags: list[str]) -> list[str] | None:
    """BIO tags of a well-formed BIOES sequence, else None."""
    out, open_label = [], None
    for tag in tags:
        prefix, _, name = tag.partition("-")
        if tag == "O":
            if open_label is not None:
                return None
            out.append("O")
        elif prefix in ("B", "S"):
            if open_label is not None:
                return None
            out.append(f"B-{name}")
            open_label = name if prefix == "B" else None
        elif prefix in ("I", "E"):
            if open_label != name:
                return None
            out.append(f"I-{name}")
            open_label = name if prefix == "I" else None
        else:
            return None
    return out if open_label is None else None


def cais(src: Source, report: Report) -> tuple[dict[str, list[tuple[SeqExample, dict]]], str]:
    out: dict[str, list] = {}
    for split, name in (("train", "train"), ("dev", "valid"), ("test", "test")):
        seq = src.read(f"CAIS/source/{name}/ch.{name}", f"CAIS/{name}/ch.{name}",
                       f"{name}/ch.{name}", f"ch.{name}")
        intents = src.read(f"CAIS/source/{name}/ch.{name}.intent", f"CAIS/{name}/ch.{name}.intent",
                           f"{name}/ch.{name}.intent", f"ch.{name}.intent")
        if seq is None or intents is None:
            raise SystemExit(f"{src.path}: no CAIS {name} split (CAIS/source/{name}/ch.{name})")
        sentences, chars, tags = [], [], []
        for line in [*seq.replace("\r\n", "\n").split("\n"), ""]:
            if not line.strip():
                if chars:
                    sentences.append((chars, tags))
                chars, tags = [], []
                continue
            tag = line.split()[-1]
            char = line[: len(line) - len(tag)]
            char = char[:-1] if len(char) > 1 else char  # "<char> <tag>"; the char may be " "
            if len(char) != 1:
                report.counts["lines not '<char> <tag>'"] += 1
            chars.append(char)
            tags.append(tag)
        labels = [i.strip() for i in intents.replace("\r\n", "\n").split("\n") if i.strip()]
        if len(labels) != len(sentences):
            raise SystemExit(f"CAIS {name}: {len(sentences)} sentences, {len(labels)} intents")
        report.counts[f"source {name}"] = len(sentences)
        out[split] = []
        for (chars, tags), intent in zip(sentences, labels):
            text = "".join(chars)
            tokens = char_tokens(text, report)
            bio = bioes_to_bio(tags)
            if tokens is None:
                report.drop(f"text contains {SPACE_TOKEN!r}", text)
            elif bio is None or len(tokens) != len(bio):
                report.drop("malformed BIOES", f"{text} {' '.join(tags)}")
            else:
                out[split].append((SeqExample(tuple(tokens), tuple(bio), intent, ""),
                                   {"text": text}))
    return out, "the CM-Net train/valid/test split (valid = dev)"


# ---------------------------------------------------------------- writing, checking

def write(out: Path, splits: dict[str, list[tuple[SeqExample, dict]]], meta: dict) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for split, examples in splits.items():
        folder = out / split
        folder.mkdir(exist_ok=True)
        for fname, lines in (("seq.in", (" ".join(e.tokens) for e, _ in examples)),
                             ("seq.out", (" ".join(e.tags) for e, _ in examples)),
                             ("label", (e.intent for e, _ in examples))):
            (folder / fname).write_text("".join(f"{x}\n" for x in lines), encoding="utf-8")
    train = [e for e, _ in splits["train"]]
    all_ex = [e for exs in splits.values() for e, _ in exs]
    intents = sorted({e.intent for e in train})
    slots = sorted({t for e in all_ex for t in e.tags if t != "O"}, key=lambda t: (t[2:], t[0]))
    (out / "intent_label.txt").write_text("".join(f"{x}\n" for x in ["UNK", *intents]), "utf-8")
    (out / "slot_label.txt").write_text("".join(f"{x}\n" for x in ["PAD", "UNK", "O", *slots]),
                                        "utf-8")
    (out / "dataset.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n",
                                      "utf-8")


def check(out: Path, splits: dict[str, list[tuple[SeqExample, dict]]]) -> Counter[str]:
    """Read the written splits back: texts and slot values must come out exactly."""
    bad: Counter[str] = Counter()
    for split, examples in splits.items():
        back = read_split(out, split)
        assert len(back) == len(examples), split
        for ex, (orig, row) in zip(back, examples):
            want = "".join(" " if c.isspace() else c for c in row["text"])
            bad["text differs"] += ex.text != want
            got = to_example(ex)
            if "slots" in row:
                gold = Counter((k, v) for k, vs in row["slots"].items()
                               for v in (vs if isinstance(vs, list) else [vs]))
                bad["slot values differ"] += Counter((s.entity, s.text) for s in got.entities) != gold
            for span in got.entities:
                bad["entity text not the text's substring"] += ex.text[span.start:span.end] != span.text
    return +bad


def summary(splits: dict[str, list[tuple[SeqExample, dict]]]) -> dict:
    train_intents = {e.intent for e, _ in splits["train"]}
    out = {}
    for split, examples in splits.items():
        exs = [e for e, _ in examples]
        out[split] = {"examples": len(exs), "intents": len({e.intent for e in exs}),
                      "slots": sum(t.startswith("B-") for e in exs for t in e.tags),
                      "slot types": len({t[2:] for e in exs for t in e.tags if t != "O"}),
                      "intents unseen in train": sum(e.intent not in train_intents for e in exs)}
    return out


def parse_args(argv: Iterable[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--source", type=Path, required=True,
                   help="a git directory (bare mirror, read at HEAD) or a folder")
    p.add_argument("--name", required=True, choices=("smp2019", "cais"))
    p.add_argument("--out", type=Path, default=None, help="default /tmp/zh-nlu/<name>")
    p.add_argument("--label", default="domain.intent", choices=("domain.intent", "intent", "domain"),
                   help="smp2019: what the intent label is")
    p.add_argument("--seed", type=int, default=42, help="for a split that has to be carved")
    return p.parse_args(list(argv) if argv is not None else None)


def main(argv: Iterable[str] | None = None) -> dict:
    args = parse_args(argv)
    out = args.out or Path("/tmp/zh-nlu") / args.name
    if out.resolve().is_relative_to(REPO):
        raise SystemExit(f"{out}: keep the data out of the repository")
    src, report = Source(args.source), Report()
    if args.name == "smp2019":
        splits, split_note = smp2019(src, args.label, args.seed, report)
    else:
        splits, split_note = cais(src, report)
    if not splits.get("dev"):  # no dev split: a seeded 10 % of train
        carved = stratified(splits["train"], args.seed, (0.9,))
        splits["train"], splits["dev"] = carved["train"], carved["dev"]
        split_note += f"; dev = seeded ({args.seed}) 10 % of train"
    meta = {"name": args.name, "language": "zh", "token_separator": "",
            "space_token": SPACE_TOKEN, "label": args.label if args.name == "smp2019" else "intent",
            "split": split_note, "source": str(args.source),
            "licence": "none stated (no LICENSE in the source repositories); research "
                       "benchmark use only, do not redistribute; see bench/zh_datasets.py",
            "sizes": summary(splits), "conversion": dict(report.counts)}
    write(out, splits, meta)
    problems = check(out, splits)
    meta["check"] = dict(problems) or "texts and slot values read back exactly"
    (out / "dataset.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", "utf-8")
    print(f"{args.name} -> {out} ({split_note})")
    for split, s in meta["sizes"].items():
        print(f"  {split}: " + ", ".join(f"{k} {v}" for k, v in s.items()))
    for k, v in sorted(report.counts.items()):
        print(f"  {k}: {v}")
    for line in report.dropped:
        print(f"  e.g. {line}")
    print(f"  check: {meta['check']}")
    if problems:
        raise SystemExit(1)
    return meta


if __name__ == "__main__":
    main()
