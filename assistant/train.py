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
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from project.checks import FileChecker
from project.loader import Project
from nlu import NLUConfig, fingerprint, is_up_to_date
from nlu.config import DEFAULT_ENCODER, default_encoder


@dataclass(frozen=True)
class TrainOutcome:
    nlu_dir: Path
    fingerprint: str
    retrained: bool
    dialogue_retrained: bool = False
    dialogue_stats: dict | None = None
    knowledge_passages: int | None = None  # when the knowledge index was (re)built
    selector_examples: int | None = None  # when the FAQ response selector was (re)built


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


def build_selector(project: Project, models: Path, embedder: Callable[[], object],
                   force: bool = False) -> int | None:
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
    ResponseSelector.build(examples, embedder()).save(selector_dir(models), print_)
    return len(examples)


def build_knowledge(project: Project, models: Path, embedder: Callable[[], object],
                    force: bool = False) -> int | None:
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
    KnowledgeIndex.build(passages, embedder()).save(target, print_)
    return len(passages)


def train_project(project: Project, models: Path, *, force: bool = False,
                  device: str | None = None, progress: bool = True,
                  nlu_overrides: dict | None = None) -> TrainOutcome:
    """Train the project's NLU into `models/nlu` and its policies into `models/dialogue`,
    each unless already up to date."""
    from policies.ensemble import PolicyEnsemble, dialogue_fingerprint

    models.mkdir(parents=True, exist_ok=True)
    dialogue_print = dialogue_fingerprint(project)
    dialogue_retrained, stats = False, None
    if force or not PolicyEnsemble.is_up_to_date(dialogue_dir(models), dialogue_print):
        ensemble = PolicyEnsemble.train(project, fingerprint=dialogue_print)
        ensemble.save(dialogue_dir(models))
        dialogue_retrained, stats = True, ensemble.stats

    from knowledge.selector import collapse_retrieval_intents

    # loaded once, and only if something is built
    embedder = functools.cache(functools.partial(_sentence_embedder, sentence_encoder(project)))
    passages = build_knowledge(project, models, embedder, force)
    faq = build_selector(project, models, embedder, force)
    config = nlu_config(project)
    if config is None:  # no JointBERT in the pipeline: nothing to train for the NLU
        return TrainOutcome(nlu_dir(models), "", False, dialogue_retrained, stats, passages, faq)
    if nlu_overrides:
        config = NLUConfig.from_dict({**config.to_dict(), **nlu_overrides})
    data = collapse_retrieval_intents(project.data)  # NLU learns `faq`, the selector `faq/x`
    print_ = fingerprint(data, config)
    target = nlu_dir(models)
    if not force and is_up_to_date(target, print_):
        return TrainOutcome(target, print_, False, dialogue_retrained, stats, passages, faq)
    from nlu import train_nlu  # imports torch: only when there is training to do

    train_nlu(data, config, target, device=device, progress=progress)
    return TrainOutcome(target, print_, True, dialogue_retrained, stats, passages, faq)


def _sentence_embedder(name: str):
    from knowledge.embedder import SentenceEmbedder

    return SentenceEmbedder(name)
