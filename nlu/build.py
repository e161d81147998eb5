"""Build a project's NLU pipeline (config.yml `pipeline:`) around its trained joint model."""
from __future__ import annotations

from core.errors import ProjectInvalid
from nlu.components import PipelineContext
from nlu.pipeline import NLUPipeline, build_pipeline
from nlu.registry import resolve_pipeline
from project.checks import FileChecker
from project.loader import Project


def build_project_pipeline(project: Project, parser) -> NLUPipeline:
    """`parser`: the trained model (anything with `.parse(text) -> Message`); raises
    `ProjectInvalid` when the pipeline config has errors (`validate` reports them too)."""
    check = FileChecker(project.config.file)
    resolved = resolve_pipeline(project.config, project.root, check)
    if any(p.severity == "error" for p in check.problems):
        raise ProjectInvalid(check.problems)
    config = project.config
    context = PipelineContext(config.language, config.languages, project.data, parser)
    return build_pipeline(resolved, context)
