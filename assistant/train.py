"""`train_project`: validate, fingerprint, and train only what changed.

Four parts, each skipped when the fingerprint of what it reads is unchanged:
  * the NLU (`models/nlu`): the NLU examples and the NLU config;
  * the dialogue policies (`models/dialogue`): stories, rules, policy config and the
    domain's names (seconds to train);
  * the knowledge index (`models/knowledge`): the documents in `generation.knowledge`;
  * the FAQ response selector (`models/selector`): examples of retrieval intents (`faq/x`).
Response texts are read from domain.yml at load time, so editing them retrains nothing.
"""
from __future__ import annotations

import functools
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from core.errors import SwitchboardError
from project.checks import FileChecker
from project.loader import Project
from nlu import NLUConfig, fingerprint, is_up_to_date
from nlu.onnx_runner import ONNX_DIR
from nlu.config import DEFAULT_ENCODER, default_encoder


STAGING = ".staging"  # models/.staging: what a train builds before it is swapped in
PREVIOUS = ".previous-"  # models/.previous-nlu: the part being replaced, during the swap


@dataclass(frozen=True)
class TrainOutcome:
    nlu_dir: Path
    fingerprint: str
    retrained: bool
    dialogue_retrained: bool = False
    dialogue_stats: dict | None = None
    knowledge_passages: int | None = None  # when the knowledge index was (re)built
    selector_examples: int | None = None  # when the FAQ response selector was (re)built
    kept_anyway: tuple[str, ...] = ()  # quality problems of an NLU model --allow-partial kept


def nlu_config(project: Project) -> NLUConfig | None:
    """The project's JointBERT options (None when its pipeline has no JointBERT), in the
    project's language unless the options name one."""
    from dataclasses import replace

    from nlu.registry import joint_bert_options

    resolved = _pipeline(project)
    options = joint_bert_options(resolved)
    if options is None:
        return None
    spec = next(r.spec for r in resolved if r.name == "JointBERT")
    if "language" not in spec.options:
        options = replace(options, language=project.config.language)
    return options


def sentence_encoder(project: Project) -> str:
    """The sentence encoder of the knowledge index and FAQ selector: MiniLM, or the
    multilingual e5 when config.yml lists Chinese (as JointBERT's default)."""
    return default_encoder((project.config.language, *project.config.languages))


def selector_listed(project: Project) -> bool:
    """Whether the pipeline lists the ResponseSelector (the FAQ selector)."""
    from nlu.registry import listed

    return listed(_pipeline(project), "ResponseSelector")


def _pipeline(project: Project) -> list:
    """The project's pipeline, resolved (its problems are `validate`'s to report)."""
    from nlu.registry import resolve_pipeline

    return resolve_pipeline(project.config, project.root, FileChecker(project.config.file))


def nlu_dir(models: Path) -> Path:
    return models / "nlu"


def dialogue_dir(models: Path) -> Path:
    return models / "dialogue"


def knowledge_dir(models: Path) -> Path:
    return models / "knowledge"


def selector_dir(models: Path) -> Path:
    return models / "selector"


def encoder_export_dir(models: Path) -> Path:
    return models / "sentence_encoder"


def retrieves(project: Project) -> bool:
    """Whether the assistant embeds messages when it serves: a knowledge folder, or FAQ
    (retrieval) intents with the selector in the pipeline."""
    folder = project.domain.generation.knowledge
    return bool(folder and (project.root / folder).is_dir()) or bool(
        project.domain.retrieval_actions and selector_listed(project))


def build_selector(project: Project, models: Path, embedder: Callable[[], object],
                   force: bool = False, out: Path | None = None) -> int | None:
    """Embed the retrieval-intent examples (`faq/...`) into `models/selector`; returns how
    many when (re)built, None when there are none or nothing changed."""
    from knowledge.selector import ResponseSelector, fingerprint as selector_fingerprint, \
        retrieval_examples

    examples = retrieval_examples(project.data)
    if not examples or not selector_listed(project):
        return None
    print_ = selector_fingerprint(examples)
    encoder = sentence_encoder(project)
    if encoder != DEFAULT_ENCODER:  # (so selectors built with MiniLM stay up to date)
        from knowledge.embedder import retrieval_name

        print_ += "+" + retrieval_name(encoder)
    if not force and ResponseSelector.is_up_to_date(selector_dir(models), print_):
        return None
    ResponseSelector.build(examples, embedder()).save(selector_dir(out or models), print_)
    return len(examples)


def build_knowledge(project: Project, models: Path, embedder: Callable[[], object],
                    force: bool = False, out: Path | None = None) -> int | None:
    """Chunk and embed the knowledge folder into `models/knowledge`; returns the number of
    passages when (re)built, None when there is no knowledge folder or it is up to date."""
    from knowledge.chunks import load_passages
    from knowledge.index import KnowledgeIndex, fingerprint as kb_fingerprint

    folder_name = project.domain.generation.knowledge
    folder = project.root / folder_name if folder_name else None
    if folder is None or not folder.is_dir():
        return None
    passages = load_passages(folder, project.root)
    from knowledge.embedder import retrieval_name

    print_ = kb_fingerprint(passages, retrieval_name(sentence_encoder(project)))
    target = knowledge_dir(models)
    if not force and KnowledgeIndex.is_up_to_date(target, print_):
        return None
    KnowledgeIndex.build(passages, embedder()).save(knowledge_dir(out or models), print_)
    return len(passages)


class TrainingRefused(SwitchboardError):
    """The new NLU model is not good enough to use (`nlu.quality.problems`); the models in
    use were left as they were."""

    def __init__(self, problems: list[str], target: Path) -> None:
        self.problems = problems
        super().__init__("the new NLU model was not put in use ("
                         + "; ".join(problems) + f"); {target} is unchanged. Fix that and "
                         "train again, or keep the new model anyway with `train --allow-partial`")


def train_project(project: Project, models: Path, *, force: bool = False,
                  device: str | None = None, progress: bool = True,
                  nlu_overrides: dict | None = None, allow_partial: bool = False) -> TrainOutcome:
    """Train the project's NLU into `models/nlu` and its policies into `models/dialogue`,
    each unless already up to date. Everything is built in `models/.staging` and swapped in
    at the end, all together: a train that fails (or whose NLU model is refused, see
    TrainingRefused) leaves the models in use as they were."""
    models.mkdir(parents=True, exist_ok=True)
    staging = models / STAGING
    shutil.rmtree(staging, ignore_errors=True)  # what a killed train left
    staging.mkdir()
    try:
        outcome = _train_into(project, models, staging, force, device, progress, nlu_overrides,
                              allow_partial)
        _swap_in(staging, models)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return outcome


def _train_into(project: Project, models: Path, staging: Path, force: bool, device: str | None,
                progress: bool, nlu_overrides: dict | None, allow_partial: bool) -> TrainOutcome:
    """Check what is up to date in `models`, build the rest into `staging`."""
    from policies.ensemble import PolicyEnsemble, dialogue_fingerprint

    dialogue_print = dialogue_fingerprint(project)
    dialogue_retrained, stats = False, None
    if force or not PolicyEnsemble.is_up_to_date(dialogue_dir(models), dialogue_print):
        ensemble = PolicyEnsemble.train(project, fingerprint=dialogue_print)
        ensemble.save(dialogue_dir(staging))
        dialogue_retrained, stats = True, ensemble.stats

    from knowledge.selector import collapse_retrieval_intents

    # loaded once, and only if something is built
    embedder = functools.cache(functools.partial(_sentence_embedder, sentence_encoder(project)))
    passages = build_knowledge(project, models, embedder, force, out=staging)
    faq = build_selector(project, models, embedder, force, out=staging)
    if retrieves(project):  # served without torch (knowledge.embedder_export)
        from knowledge.embedder_export import ensure_export

        ensure_export(sentence_encoder(project), encoder_export_dir(models))
    config = nlu_config(project)
    if config is None:  # no JointBERT in the pipeline: nothing to train for the NLU
        return TrainOutcome(nlu_dir(models), "", False, dialogue_retrained, stats, passages, faq)
    if nlu_overrides:
        config = NLUConfig.from_dict({**config.to_dict(), **nlu_overrides})
    data = collapse_retrieval_intents(project.data)  # NLU learns `faq`, the selector `faq/x`
    print_ = fingerprint(data, config)
    target = nlu_dir(models)
    if not force and is_up_to_date(target, print_):
        if not (target / ONNX_DIR).is_dir():  # trained before the export existed
            from nlu.onnx_export import add_export

            if add_export(target, [e.text for e in data.examples]) and progress:
                print(f"NLU is up to date; wrote its ONNX export ({target / ONNX_DIR})")
        else:  # possibly exported in an older layout
            from nlu.onnx_runner import refresh_export

            refresh_export(target)
        return TrainOutcome(target, print_, False, dialogue_retrained, stats, passages, faq)
    from nlu import train_nlu  # imports torch: only when there is training to do
    from nlu.quality import problems as quality_problems

    report = train_nlu(data, config, nlu_dir(staging), device=device, progress=progress)
    refused = quality_problems(report)
    if refused and not allow_partial:
        raise TrainingRefused(refused, models)
    return TrainOutcome(target, print_, True, dialogue_retrained, stats, passages, faq,
                        tuple(refused))


def _swap_in(staging: Path, models: Path) -> None:
    """Each part built in `staging` replaces the one in `models` (a rename each; the old
    ones are kept until every part is in, and put back if one rename fails)."""
    parts = sorted(p.name for p in staging.iterdir() if p.is_dir())
    moved: list[str] = []
    try:
        for name in parts:
            live, old = models / name, models / f"{PREVIOUS}{name}"
            shutil.rmtree(old, ignore_errors=True)
            if live.exists():
                live.rename(old)
            moved.append(name)
            (staging / name).rename(live)
    except OSError:
        for name in moved:
            live, old = models / name, models / f"{PREVIOUS}{name}"
            if old.exists():
                shutil.rmtree(live, ignore_errors=True)
                old.rename(live)
        raise
    for name in parts:
        shutil.rmtree(models / f"{PREVIOUS}{name}", ignore_errors=True)


def _sentence_embedder(name: str):
    from knowledge.embedder import SentenceEmbedder

    return SentenceEmbedder(name)
