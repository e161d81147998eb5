"""`cli.py test nlu`: run the trained NLU pipeline over labelled test texts (tests/*.yml, or
`--nlu`), or cross-validate it on data/ (`--cross-validation N`), and write the reports
where Rasa users look for them:

    results/intent_report.json           scikit-learn's classification_report over intents
    results/intent_errors.json           each misclassified text, its prediction and confidence
    results/intent_confusion_matrix.png  true vs predicted intent (matplotlib)
    results/intent_histogram.png         confidence of the right vs the wrong predictions
    results/<extractor>_report.json      seqeval's span-level report of each entity extractor
    results/<extractor>_errors.json      the texts whose entity spans it got wrong

Intents are the pipeline's final ones (`nlu_fallback` when FallbackClassifier gave up, as
in Rasa); `faq/x` test intents count as `faq`, what the NLU learns. Each extractor is scored
on what it finds on its own (JointBERT's tagger, RegexEntityExtractor's regexes and lookup
tables), named as config.yml names it (`DIETClassifier_report.json` for a Rasa config); the
pretrained Duckling and spaCy extractors are not scored, as in Rasa.
"""
from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

import click

from core.errors import Problem, ProjectInvalid, SwitchboardError
from core.message import Entity, Message
from core.training_data import Example, TrainingData
from nlu import evaluation as ev
from project.loader import Project

PRETRAINED = ("DucklingEntityExtractor", "SpacyEntityExtractor")
SCORED = ("JointBERT", "RegexEntityExtractor")  # components whose entities are scored
# config names that run as JointBERT, the entity tagger's first
MODEL_NAMES = ("JointBERT", "CRFEntityExtractor", "MitieEntityExtractor", "DIETClassifier")


class NoTestData(SwitchboardError):
    """No labelled NLU texts to test on."""


@dataclass(frozen=True)
class Evaluation:
    examples: list[Example]  # gold, retrieval intents collapsed
    messages: list[Message]  # the pipeline's output for each
    extracted: dict[str, list[tuple[Entity, ...]]]  # report name -> each extractor's own entities
    entities: list[tuple[Entity, ...]]  # the pipeline's final entities (pretrained ones left out)
    unknown_intents: tuple[str, ...] = ()  # test intents the model was not trained on
    folds: int = 0

    @property
    def gold(self) -> list[str]:
        return [e.intent for e in self.examples]

    @property
    def predicted(self) -> list[str]:
        return [m.intent.name for m in self.messages]


def run_and_print(project_dir: Path, models: Path, nlu: Path | None = None, folds: int = 0,
                  results: Path | None = None, device: str | None = None,
                  successes: bool = False, required: bool = True) -> bool:
    """Evaluate, write the reports, print the worst intents. Without test data: an error when
    `required`, else a note (bare `cli.py test` on a project that has only stories)."""
    from assistant.project import load_checked_project

    started = time.monotonic()
    project = load_checked_project(project_dir)
    if folds:
        evaluation = cross_validate(project, folds, device)
    else:
        try:
            examples = test_examples(project, nlu)
        except NoTestData as exc:
            if required:
                raise
            click.secho(f"{exc} Skipping the NLU tests.", fg="yellow")
            return True
        _warn_seen_in_training(project, examples)
        evaluation = evaluate(project, load_parser(project, models), examples)
    written = write_results(evaluation, results or project.root / "results", successes)
    print_report(evaluation, written, time.monotonic() - started)
    return True


def test_examples(project: Project, nlu: Path | None) -> list[Example]:
    """The labelled texts of `nlu` (a Rasa NLU YAML file or a folder of them), else of the
    project's tests/ folder; `faq/x` intents become `faq`."""
    if nlu is None:
        examples, where = project.tests.examples, project.root / "tests"
        hint = " Add tests/nlu_test.yml (Rasa's NLU format) or pass --nlu."
    else:
        examples, where, hint = load_nlu_files(nlu).examples, nlu, ""
    if not examples:
        raise NoTestData(f"No labelled NLU examples in {where}.{hint}")
    return [replace(e, intent=e.retrieval_intent[0]) for e in examples]


def load_nlu_files(path: Path) -> TrainingData:
    """Every Rasa NLU YAML file at `path` (a file, or a folder searched recursively); all
    problems at once, as `file:line: key: message`."""
    from project.checks import FileChecker
    from project.data_parser import parse_data
    from project.loader import YAML_SUFFIXES
    from project.yaml_loader import display_path, load_yaml

    if not path.exists():
        raise ProjectInvalid([Problem(display_path(path), 0, "--nlu", "not found: give a Rasa "
                                      "NLU YAML file or a folder of them")])
    files = [path] if path.is_file() else sorted(
        p for p in path.rglob("*") if p.suffix in YAML_SUFFIXES and p.is_file())
    merged, problems = TrainingData(), []
    for file in files:
        value, found = load_yaml(file)
        problems += found
        if value is not None:
            check = FileChecker(display_path(file))
            data, _ = parse_data(value, check, test_file=True)
            problems += check.problems
            merged.merge(data)
    if any(p.severity == "error" for p in problems):
        raise ProjectInvalid(problems)
    return merged


def load_parser(project: Project, models: Path):
    """The trained joint model, as the assistant loads it (None: no JointBERT in the pipeline)."""
    from assistant.train import nlu_config, nlu_dir
    from nlu import NLUParser

    options = nlu_config(project)
    return NLUParser.load(nlu_dir(models), quantize=options.quantize) if options else None


class _Primed:
    """The parser with its answers for the test texts computed up front, in batches (the
    pipeline asks for one text at a time). `parser` lets JointBERT reach the model."""

    def __init__(self, parser) -> None:
        self.parser, self.cache = parser, {}

    def prime(self, texts: list[str]) -> None:
        unique = list(dict.fromkeys(texts))
        self.cache.update(zip(unique, self.parser.parse_batch(unique)))

    def parse(self, text: str) -> Message:
        return self.cache.get(text) or self.parser.parse(text)


def evaluate(project: Project, parser, examples: list[Example]) -> Evaluation:
    """Run the project's NLU pipeline (around `parser`) on each example's text."""
    from nlu.build import build_project_pipeline

    primed = _Primed(parser) if parser is not None else None
    pipeline = build_project_pipeline(project, primed)
    texts = [e.text for e in examples]
    if primed is not None:
        primed.prime(texts)
    messages = [pipeline.process(t) for t in texts]
    extractors = {entity_report_name(project, c.name): c for c in pipeline.components
                  if getattr(c, "name", None) in SCORED}
    extracted = {name: [c.process(Message(t, language=m.language)).entities
                        for t, m in zip(texts, messages)]
                 for name, c in extractors.items()}
    final = [tuple(e for e in m.entities if e.extractor not in PRETRAINED) for m in messages]
    known = set(parser.intents) if parser is not None and hasattr(parser, "intents") else None
    unknown = tuple(sorted({e.intent for e in examples} - known)) if known is not None else ()
    return Evaluation(examples, messages, extracted, final, unknown)


def entity_report_name(project: Project, component: str) -> str:
    """JointBERT as config.yml calls it (`CRFEntityExtractor`, `DIETClassifier` in a Rasa
    config); any other component by its own name."""
    if component != "JointBERT":
        return component
    listed = {spec.name for spec in project.config.pipeline}
    return next((name for name in MODEL_NAMES if name in listed), "JointBERT")


def cross_validate(project: Project, folds: int, device: str | None = None,
                   seed: int = 0) -> Evaluation:
    """Train `folds` models on data/ (folds stratified by intent), each scored on the fold it
    did not see; the predictions of all folds together."""
    import tempfile

    from assistant.train import nlu_config
    from knowledge.selector import collapse_retrieval_intents
    from nlu import NLUParser, train_nlu

    config = nlu_config(project)
    if config is None:
        raise SwitchboardError("--cross-validation trains JointBERT, which config.yml's "
                               "pipeline does not list.")
    data = collapse_retrieval_intents(project.data)
    if folds < 2 or folds > len(data.examples):
        raise SwitchboardError(f"--cross-validation needs 2 to {len(data.examples)} folds "
                               f"(one example each at least), got {folds}.")
    parts = []
    with tempfile.TemporaryDirectory(prefix="switchboard-cv-") as tmp:
        for k, held in enumerate(ev.stratified_folds(data.examples, folds, seed)):
            held_out = set(held)
            train = TrainingData(**{**data.__dict__})
            train.examples = [e for i, e in enumerate(data.examples) if i not in held_out]
            started = time.monotonic()
            train_nlu(train, config, Path(tmp) / f"fold{k}", device=device, progress=False)
            parser = NLUParser.load(Path(tmp) / f"fold{k}", quantize=config.quantize)
            part = evaluate(replace(project, data=train), parser, [data.examples[i] for i in held])
            parts.append(part)
            right = sum(g == p for g, p in zip(part.gold, part.predicted))
            click.echo(f"  fold {k + 1} of {folds}: trained on {len(train.examples)} examples in "
                       f"{time.monotonic() - started:.0f} s, {right} of {len(held)} held-out "
                       "intents right")
    return _combined(parts, folds)


def _combined(parts: list[Evaluation], folds: int) -> Evaluation:
    names = list(dict.fromkeys(n for p in parts for n in p.extracted))
    return Evaluation(
        examples=[e for p in parts for e in p.examples],
        messages=[m for p in parts for m in p.messages],
        extracted={n: [x for p in parts for x in p.extracted.get(n, [()] * len(p.examples))]
                   for n in names},
        entities=[x for p in parts for x in p.entities],
        unknown_intents=tuple(sorted({i for p in parts for i in p.unknown_intents})),
        folds=folds)


def write_results(evaluation: Evaluation, folder: Path, successes: bool = False) -> list[Path]:
    """The report files, named as Rasa names them; returns the paths written."""
    from assistant import nlu_plots

    folder.mkdir(parents=True, exist_ok=True)
    gold, predicted = evaluation.gold, evaluation.predicted
    files: dict[str, object] = {
        "intent_report.json": ev.intent_report(gold, predicted),
        "intent_errors.json": ev.intent_errors(evaluation.examples, evaluation.messages)}
    if successes:
        files["intent_successes.json"] = ev.intent_successes(evaluation.examples,
                                                             evaluation.messages)
    for name, found in evaluation.extracted.items():
        report = ev.entity_report(evaluation.examples, found)
        if report is not None:
            files[f"{name}_report.json"] = report
            files[f"{name}_errors.json"] = ev.entity_errors(evaluation.examples, found)
    written = []
    for name, data in files.items():
        path = folder / name
        path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(path)
    written.append(nlu_plots.confusion_matrix(gold, predicted,
                                              folder / "intent_confusion_matrix.png"))
    confidences = [m.intent.confidence for m in evaluation.messages]
    written.append(nlu_plots.confidence_histogram(
        [c for c, g, p in zip(confidences, gold, predicted) if g == p],
        [c for c, g, p in zip(confidences, gold, predicted) if g != p],
        folder / "intent_histogram.png"))
    return written


def print_report(evaluation: Evaluation, written: list[Path], seconds: float,
                 worst: int = 10) -> None:
    """The worst intents as a table, then one summary line and the files written."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    report = ev.intent_report(evaluation.gold, evaluation.predicted)
    confused = ev.most_confused(evaluation.gold, evaluation.predicted)
    intents = sorted(set(evaluation.gold))
    rows = sorted(intents, key=lambda i: (report[i]["f1-score"], -report[i]["support"], i))
    table = Table(title=f"Worst intents (lowest F1, {min(worst, len(rows))} of {len(rows)})")
    for column in ("intent", "precision", "recall", "f1-score", "support"):
        table.add_column(column, justify="left" if column == "intent" else "right")
    table.add_column("most often predicted instead")
    for intent in rows[:worst]:
        scores = report[intent]
        wrong = confused.get(intent)
        table.add_row(escape(intent), *(f"{scores[k]:.2f}" for k in ("precision", "recall", "f1-score")),
                      str(int(scores["support"])), escape(f"{wrong[0]} ({wrong[1]}×)") if wrong else "")
    console = Console(highlight=False, width=None if sys.stdout.isatty() else 110)
    console.print(table)
    if evaluation.unknown_intents:
        click.secho("! Test intents the model was not trained on: "
                    + ", ".join(evaluation.unknown_intents), fg="yellow")
    click.secho(summary_line(evaluation, report, seconds), fg="green")
    click.echo("  wrote " + ", ".join(str(p) for p in written))


def summary_line(evaluation: Evaluation, report: dict, seconds: float) -> str:
    total = len(evaluation.examples)
    right = sum(g == p for g, p in zip(evaluation.gold, evaluation.predicted))
    entity = ev.micro_f1(ev.entity_report(evaluation.examples, evaluation.entities))
    per_extractor = [f"{name} {f1:.3f}" for name, found in evaluation.extracted.items()
                     if (f1 := ev.micro_f1(ev.entity_report(evaluation.examples, found))) is not None]
    how = f"{evaluation.folds}-fold cross-validation" if evaluation.folds else "test texts"
    entities = ("no entities in the test data" if entity is None else
                f"entity micro F1 {entity:.3f}" + (f" ({', '.join(per_extractor)})"
                                                   if per_extractor else ""))
    return (f"✓ NLU: intent accuracy {right / total:.1%} ({right} of {total} {how}), "
            f"macro F1 {report['macro avg']['f1-score']:.3f}, {entities}; {seconds:.1f} s")


def _warn_seen_in_training(project: Project, examples: list[Example]) -> None:
    trained = {e.text.strip().lower() for e in project.data.examples}
    seen = sum(e.text.strip().lower() in trained for e in examples)
    if seen:
        click.secho(f"! {seen} of {len(examples)} test texts are also in data/: their scores "
                    "say little about new messages.", fg="yellow")
