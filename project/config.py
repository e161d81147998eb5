"""`config.yml`: language, the NLU pipeline and the dialogue policies.

Rasa projects come with Rasa's own component names. Those with an equivalent here are
mapped (DIETClassifier -> JointBERT, TEDPolicy -> MLPolicy); those whose job our
encoder already does are accepted with a warning; anything else is an error that
lists what is valid.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from project.checks import FileChecker, did_you_mean
from core.training_data import Source

NLU_COMPONENT = "JointBERT"
# Rasa component -> what we do with it (None: our encoder does its job, ignored).
RASA_COMPONENTS: dict[str, str | None] = {
    "DIETClassifier": NLU_COMPONENT,
    "WhitespaceTokenizer": None, "SpacyTokenizer": None, "JiebaTokenizer": None,
    "MitieTokenizer": None, "SpacyNLP": None, "MitieNLP": None,
    "RegexFeaturizer": None, "LexicalSyntacticFeaturizer": None,
    "CountVectorsFeaturizer": None, "SpacyFeaturizer": None, "ConveRTFeaturizer": None,
    "LanguageModelFeaturizer": None, "MitieFeaturizer": None,
    "SklearnIntentClassifier": NLU_COMPONENT, "LogisticRegressionClassifier": NLU_COMPONENT,
    "KeywordIntentClassifier": NLU_COMPONENT, "CRFEntityExtractor": NLU_COMPONENT,
    "MitieEntityExtractor": NLU_COMPONENT, "SpacyEntityExtractor": NLU_COMPONENT,
    "EntitySynonymMapper": "EntitySynonymMapper", "RegexEntityExtractor": "RegexEntityExtractor",
    "DucklingEntityExtractor": None, "ResponseSelector": "ResponseSelector",
}
OUR_COMPONENTS = (NLU_COMPONENT, "FallbackClassifier", "EntitySynonymMapper",
                  "RegexEntityExtractor", "ResponseSelector")
RASA_POLICIES = {"TEDPolicy": "MLPolicy", "AugmentedMemoizationPolicy": "MemoizationPolicy",
                 "UnexpecTEDIntentPolicy": None}
# Each policy's options (Rasa's names where Rasa has the same policy).
POLICY_OPTIONS = {
    "RulePolicy": ("core_fallback_threshold", "core_fallback_action_name",
                   "enable_fallback_prediction", "restrict_rules", "check_for_contradictions",
                   "priority"),
    "MemoizationPolicy": ("max_history", "priority"),
    "MLPolicy": ("max_history", "epochs", "priority"),
}
OUR_POLICIES = tuple(POLICY_OPTIONS)
FALLBACK_OPTIONS = ("threshold", "ambiguity_threshold")
RASA_TOP_KEYS = {
    "recipe": "Rasa-only key, ignored",
    "assistant_id": "Rasa-only key, ignored",
}
TOP_KEYS = ("version", "language", "languages", "pipeline", "policies")


@dataclass(frozen=True)
class Component:
    name: str
    options: dict[str, Any] = field(default_factory=dict)
    source: Source | None = None
    option_lines: dict[str, int] = field(default_factory=dict, compare=False)


@dataclass
class ProjectConfig:
    language: str = "en"
    languages: tuple[str, ...] = ("en",)
    nlu: Component = field(default_factory=lambda: Component(NLU_COMPONENT))
    fallback_threshold: float = 0.3
    ambiguity_threshold: float = 0.1
    policies: list[Component] = field(default_factory=list)


def parse_config(root: Any, check: FileChecker) -> ProjectConfig:
    config = ProjectConfig()
    if root is None:
        return config
    if not check.expect(root, dict, 1, "config"):
        return config
    check.known_keys(root, TOP_KEYS, "", RASA_TOP_KEYS)
    language = root.get("language", "en")
    if check.expect(language, str, root.line_of("language"), "language"):
        config.language = str(language)
    languages = root.get("languages", [config.language])
    langs = check.sequence(languages, root.line_of("languages"), "languages")
    config.languages = tuple(str(lang) for lang in langs) or (config.language,)
    pipeline = check.sequence(root.get("pipeline"), root.line_of("pipeline"), "pipeline")
    for index, item in enumerate(pipeline):
        component = _component(item, pipeline.line_of(index), f"pipeline[{index}]", check,
                               OUR_COMPONENTS, RASA_COMPONENTS)
        if component:
            _use_component(component, config, check, pipeline.line_of(index), index)
    policies = check.sequence(root.get("policies"), root.line_of("policies"), "policies")
    for index, item in enumerate(policies):
        policy = _component(item, policies.line_of(index), f"policies[{index}]", check,
                            OUR_POLICIES, RASA_POLICIES)
        if policy:
            _unknown_options(policy, POLICY_OPTIONS.get(policy.name, ()), f"policies[{index}]", check)
            config.policies.append(policy)
    return config


def _component(item: Any, line: int, key: str, check: FileChecker, ours: tuple[str, ...],
               rasa: dict[str, str | None]) -> Component | None:
    spec = check.mapping(item, line, key)
    name = spec.get("name")
    if not isinstance(name, str):
        check.error(line, f"{key}.name", "each entry needs a 'name'")
        return None
    options = {str(k): v for k, v in spec.items() if k != "name"}
    source = Source(check.file, line)
    if name in ours:
        return Component(name, options, source, {str(k): spec.line_of(k) for k in options})
    if name in rasa:
        target = rasa[name]
        if target is None:
            check.warn(line, f"{key}.name", f"Rasa component '{name}' has no equivalent here "
                       "(the encoder does its job); ignored")
            return None
        check.warn(line, f"{key}.name", f"Rasa component '{name}' is mapped to '{target}'; "
                   "its options are ignored")
        return Component(target, {}, source)
    valid = ", ".join(ours)
    check.error(spec.line_of("name"), f"{key}.name",
                f"unknown component '{name}'{did_you_mean(name, [*ours, *rasa])} (valid: {valid})")
    return None


def _use_component(component: Component, config: ProjectConfig, check: FileChecker,
                   line: int, index: int) -> None:
    if component.name == NLU_COMPONENT and component.options:
        config.nlu = component
        _check_nlu_options(component, check, line, index)
    elif component.name == "FallbackClassifier":
        _unknown_options(component, FALLBACK_OPTIONS, f"pipeline[{index}]", check)
        for attr in FALLBACK_OPTIONS:
            value = component.options.get(attr)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
                check.error(component.option_lines.get(attr, line), f"pipeline[{index}].{attr}",
                            f"must be a number between 0 and 1, got {value!r}")
            elif attr == "threshold":
                config.fallback_threshold = float(value)
            else:
                config.ambiguity_threshold = float(value)


def _unknown_options(component: Component, valid: tuple[str, ...], key: str,
                     check: FileChecker) -> bool:
    """Report options `component` does not have; True if there were none."""
    unknown = [k for k in component.options if k not in valid]
    line = component.source.line if component.source else 0
    for option in unknown:
        check.error(component.option_lines.get(option, line), f"{key}.{option}",
                    f"unknown option for {component.name}{did_you_mean(option, valid)} "
                    f"(valid: {', '.join(valid) or 'none'})")
    return not unknown


def _check_nlu_options(component: Component, check: FileChecker, line: int, index: int) -> None:
    """The NLU config dataclass is the schema: unknown keys and bad values are errors."""
    from nlu.config import NLUConfig  # light modules: no torch
    from nlu.errors import NLUConfigError

    valid = tuple(f.name for f in fields(NLUConfig))
    if not _unknown_options(component, valid, f"pipeline[{index}]", check):
        return
    try:
        NLUConfig.from_dict(component.options)
    except NLUConfigError as exc:
        for key, message in exc.problems:
            check.error(component.option_lines.get(key, line), f"pipeline[{index}].{key}", message)
