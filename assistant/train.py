"""`train_project`: validate, fingerprint, and train only what changed.

Two parts, each skipped when the fingerprint of what it reads is unchanged:
  * the NLU (`models/nlu`): the NLU examples and the NLU config;
  * the dialogue policies (`models/dialogue`): stories, rules, policy config and the
    domain's names (seconds to train).
Response texts are read from domain.yml at load time, so editing them retrains nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core.config import ProjectConfig
from core.project import Project
from nlu import NLUConfig, fingerprint, is_up_to_date


@dataclass(frozen=True)
class TrainOutcome:
    nlu_dir: Path
    fingerprint: str
    retrained: bool
    report: object | None = None  # nlu.TrainReport when retrained
    dialogue_retrained: bool = False
    dialogue_stats: dict | None = None


def nlu_config(config: ProjectConfig) -> NLUConfig:
    """The project's JointBERT options (validated by `core.config`), plus its language."""
    options = dict(config.nlu.options)
    options.setdefault("language", config.language)
    return NLUConfig.from_dict(options)


def nlu_dir(models: Path) -> Path:
    return models / "nlu"


def dialogue_dir(models: Path) -> Path:
    return models / "dialogue"


def train_project(project: Project, models: Path, *, force: bool = False,
                  device: str | None = None, progress: bool = True) -> TrainOutcome:
    """Train the project's NLU into `models/nlu` and its policies into `models/dialogue`,
    each unless already up to date."""
    from policies.ensemble import PolicyEnsemble, dialogue_fingerprint

    models.mkdir(parents=True, exist_ok=True)
    dialogue_print = dialogue_fingerprint(project)
    dialogue_retrained, stats = False, None
    if force or not PolicyEnsemble.is_up_to_date(dialogue_dir(models), dialogue_print):
        ensemble = PolicyEnsemble.train(project)
        ensemble.save(dialogue_dir(models))
        dialogue_retrained, stats = True, ensemble.stats

    config = nlu_config(project.config)
    print_ = fingerprint(project.data, config)
    target = nlu_dir(models)
    if not force and is_up_to_date(target, print_):
        return TrainOutcome(target, print_, False, None, dialogue_retrained, stats)
    from nlu import train_nlu  # imports torch: only when there is training to do

    report = train_nlu(project.data, config, target, device=device, progress=progress)
    return TrainOutcome(target, print_, True, report, dialogue_retrained, stats)
