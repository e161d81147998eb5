"""`train_project`: validate, fingerprint, and train only what changed.

The NLU is retrained when the fingerprint of its data and config changes; response
text, stories and rules are read from the YAML at load time, so editing them never
retrains the NLU.
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


def nlu_config(config: ProjectConfig) -> NLUConfig:
    """The project's JointBERT options (validated by `core.config`), plus its language."""
    options = dict(config.nlu.options)
    options.setdefault("language", config.language)
    return NLUConfig.from_dict(options)


def nlu_dir(models: Path) -> Path:
    return models / "nlu"


def train_project(project: Project, models: Path, *, force: bool = False,
                  device: str | None = None, progress: bool = True) -> TrainOutcome:
    """Train the project's NLU into `models/nlu` unless it is already up to date."""
    config = nlu_config(project.config)
    print_ = fingerprint(project.data, config)
    target = nlu_dir(models)
    if not force and is_up_to_date(target, print_):
        return TrainOutcome(target, print_, retrained=False)
    from nlu import train_nlu  # imports torch: only when there is training to do

    models.mkdir(parents=True, exist_ok=True)
    report = train_nlu(project.data, config, target, device=device, progress=progress)
    return TrainOutcome(target, print_, retrained=True, report=report)
