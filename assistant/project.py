"""Load a project with every check: its files (project.loader), then what its config lists
(the NLU components and policies, resolved by their registries) and whether its custom
actions are registered. `validate`, `train` and loading a trained assistant all use this,
so each reports the same problems."""
from __future__ import annotations

from pathlib import Path

from core.errors import ProjectInvalid
from project.checks import FileChecker
from project.loader import Project, load_project


def load_checked_project(root: Path, *, strict: bool = True) -> Project:
    """The project, with config and actions problems added; raises if `strict` and any is
    an error."""
    from dialogue.registry import unregistered_actions
    from nlu.registry import resolve_pipeline
    from policies.registry import resolve_policies

    project = load_project(root, strict=False)
    if not project.errors:
        check = FileChecker(project.config.file)
        resolve_pipeline(project.config, project.root, check)
        resolve_policies(project.config, project.root, check)
        project.problems.extend(check.problems)
        project.problems.extend(_pipeline_vs_domain(project))
    if not project.errors:
        project.problems.extend(unregistered_actions(project.domain, Path(root)))
    if strict and project.errors:
        raise ProjectInvalid(project.problems)
    return project


def _pipeline_vs_domain(project: Project) -> list:
    """Settings elsewhere that need a pipeline component the config does not list."""
    from core.errors import Problem
    from nlu.registry import listed, resolve_pipeline

    resolved = resolve_pipeline(project.config, project.root, FileChecker(project.config.file))
    problems = []
    file = project.config.file
    if project.domain.retrieval_actions and not listed(resolved, "ResponseSelector"):
        problems.append(Problem(file, 0, "pipeline", "the data has retrieval intents "
                                f"({', '.join(project.domain.retrieval_actions)}) but the pipeline "
                                "has no ResponseSelector: those responses can never be chosen",
                                "warning"))
    handoff = project.domain.handoff
    if handoff.frustrated_messages_before_handoff and not listed(resolved, "FrustrationScorer"):
        problems.append(Problem(file, 0, "pipeline", "domain.yml hands over after frustrated "
                                "messages, but the pipeline has no FrustrationScorer: no message "
                                "is ever scored as frustrated", "warning"))
    return problems
