"""Load a project with every check: its files (project.loader), then what its config lists
(the NLU components and policies, resolved by their registries), whether its custom
actions are registered, its endpoints.yml and its credentials.yml. `validate`, `train` and loading a trained assistant all use this,
so each reports the same problems."""
from __future__ import annotations

import os
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
        pipeline = resolve_pipeline(project.config, project.root, check)
        policies = resolve_policies(project.config, project.root, check)
        project.problems.extend(check.problems)
        project.problems.extend(_build_project_classes(project, pipeline, policies))
        project.problems.extend(_pipeline_vs_domain(project, pipeline, policies))
        project.problems[:] = _extracted_entities_need_no_examples(project.problems, pipeline)
    if not project.errors:
        project.problems.extend(unregistered_actions(project.domain, Path(root)))
    project.problems.extend(_endpoints_problems(Path(root)))
    project.problems.extend(_credentials_problems(Path(root)))
    if strict and project.errors:
        raise ProjectInvalid(project.problems)
    return project


def _extracted_entities_need_no_examples(problems: list, pipeline: list) -> list:
    """Entities a listed pretrained extractor finds (Duckling's dimensions, spaCy's labels)
    are not learnt from examples: drop the 'never annotated' warning for them."""
    from nlu.duckling import DIMENSIONS, DucklingEntityExtractor
    from nlu.spacy_entities import ONTONOTES, SpacyEntityExtractor

    found: set[str] = set()
    for item in pipeline:
        if item.name == DucklingEntityExtractor.name:
            found |= set(getattr(item.options, "dimensions", None) or DIMENSIONS)
        elif item.name == SpacyEntityExtractor.name:
            found |= set(getattr(item.options, "dimensions", None) or ONTONOTES)
    if not found:
        return problems
    return [p for p in problems if not (p.key.startswith("entities.") and p.key[9:] in found
                                        and "never annotated" in p.message)]


def _build_project_classes(project: Project, pipeline: list, policies: list) -> list:
    """A project's own components and policies, built once from their options, so a wrong
    option is found by `validate`, not when the assistant loads."""
    from core.errors import Problem, SwitchboardError
    from nlu.components import PipelineContext
    from nlu.pipeline import build_pipeline
    from policies.registry import build_policy

    config = project.config
    context = PipelineContext(config.language, config.languages, project.data)
    builds = [(item, lambda item=item: build_pipeline([item], context)) for item in pipeline]
    builds += [(item, lambda item=item: build_policy(item)) for item in policies]
    problems = []
    for item, build in builds:
        if "." not in item.spec.name:
            continue
        try:
            build()
        except SwitchboardError as exc:
            where = f"{config.file}:{item.spec.line}: {item.spec.key}"
            message = str(exc)
            message = message[len(where):].lstrip(":. ") if message.startswith(where) else message
            problems.append(Problem(config.file, item.spec.line, item.spec.key, message))
    return problems


def _credentials_problems(root: Path) -> list:
    """credentials.yml's problems. A secret whose environment variable is not set here is a
    warning: `validate` and `train` run where the secrets are not (`run` refuses it)."""
    from channels.credentials import CREDENTIALS, read_credentials

    path = root / CREDENTIALS
    if not path.is_file():
        return []
    return read_credentials(path, root, unset_env="warning")[1]


def _endpoints_problems(root: Path) -> list:
    """endpoints.yml's problems (its tracker_store / lock_store, sections not used yet)."""
    from stores.endpoints import from_endpoints

    try:
        return list(from_endpoints(root).warnings)
    except ProjectInvalid as exc:
        return list(exc.problems)


def _pipeline_vs_domain(project: Project, resolved: list, policies: list) -> list:
    """Settings elsewhere that need a pipeline component the config does not list, and
    RulePolicy's core fallback action, which the domain must declare."""
    from core.errors import Problem
    from nlu.registry import listed

    problems = []
    file = project.config.file
    for item in policies:
        name = getattr(item.options, "core_fallback_action_name", None)
        if name and name not in project.domain.action_names:
            spec = item.spec
            problems.append(Problem(file, spec.line_of("core_fallback_action_name"),
                                    f"{spec.key}.core_fallback_action_name",
                                    f"'{name}' is not a response or action of domain.yml"))
    if project.domain.retrieval_actions and not listed(resolved, "ResponseSelector"):
        problems.append(Problem(file, 0, "pipeline", "the data has retrieval intents "
                                f"({', '.join(project.domain.retrieval_actions)}) but the pipeline "
                                "has no ResponseSelector: those responses can never be chosen",
                                "warning"))
    handoff = project.domain.handoff
    if handoff.frustrated_messages_before_handoff and not listed(resolved, "FrustrationScorer"):
        problems.append(Problem(file, 0, "pipeline", "no FrustrationScorer in the pipeline: "
                                "handing over after frustrated messages (domain.yml handoff:) "
                                "is off, and the sentiment slot is never 'frustrated'", "info"))
    return problems


def project_stores(project_dir: Path, project: Project, store: str | None = None):
    """The project's stores as the server opens them (`store`: a URL, else endpoints.yml's),
    masking and pseudonymising as domain.yml or SWITCHBOARD_MASK_PII says, so the CLI's
    commands read what the server wrote (an email sender id finds its conversation)."""
    from stores.factory import open_stores

    return open_stores(project_dir, store,
                       mask_pii=masking(project, os.environ.get("SWITCHBOARD_MASK_PII")))


def masking(project: Project, override: str | None = None) -> bool:
    """Whether the stores keep personal data out: `override` ("1"/"0", from --mask-pii,
    --no-mask-pii or SWITCHBOARD_MASK_PII) if set, else domain.yml `privacy.mask_pii`."""
    if override:
        return override.strip().lower() in ("1", "true", "yes", "on")
    return project.domain.privacy.mask_pii
