"""`config.yml`: language(s), the NLU `pipeline:` and the dialogue `policies:`, as written.

This module reads the file's shape only: each entry becomes a `ComponentSpec` (its name,
its options, where it was written). What a name means, which options it takes and what
runs is decided above this layer, by the registries (`nlu.registry`, `policies.registry`),
which report their problems against the same file:line. An empty or missing `pipeline:`
or `policies:` means the defaults, as in Rasa.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.training_data import Source
from project.checks import FileChecker, check_version

RASA_TOP_KEYS = {
    "recipe": "Rasa-only key, ignored",
    "assistant_id": "Rasa-only key, ignored",
}
# Rasa keys whose only meaning Switchboard already has: an info line, not a warning
RASA_HONOURED = {
    ("recipe", "default.v1"): "Rasa's default recipe: the pipeline and policies are built from "
                              "the lists below, as that recipe does",
}
TOP_KEYS = ("version", "language", "languages", "pipeline", "policies")


@dataclass(frozen=True)
class ComponentSpec:
    """One `- name: X` entry of `pipeline:` or `policies:`."""

    name: str
    options: dict[str, Any] = field(default_factory=dict)
    key: str = ""  # "pipeline[2]"
    source: Source | None = None
    option_lines: dict[str, int] = field(default_factory=dict, compare=False)

    @property
    def line(self) -> int:
        return self.source.line if self.source else 0

    def line_of(self, option: str) -> int:
        return self.option_lines.get(option, self.line)


@dataclass
class ProjectConfig:
    language: str = "en"
    languages: tuple[str, ...] = ("en",)
    pipeline: list[ComponentSpec] = field(default_factory=list)  # empty: the default pipeline
    policies: list[ComponentSpec] = field(default_factory=list)  # empty: the default policies
    file: str = "config.yml"


def parse_config(root: Any, check: FileChecker) -> ProjectConfig:
    config = ProjectConfig(file=check.file)
    if root is None:
        return config
    if not check.expect(root, dict, 1, "config"):
        return config
    honoured = {k: v for (k, value), v in RASA_HONOURED.items() if root.get(k) == value}
    for key, why in honoured.items():
        check.info(root.line_of(key), key, why)
    check.known_keys(root, (*TOP_KEYS, *honoured), "", RASA_TOP_KEYS)
    check_version(root, check)
    language = root.get("language", "en")
    if check.expect(language, str, root.line_of("language"), "language"):
        config.language = str(language)
    languages = root.get("languages", [config.language])
    langs = check.sequence(languages, root.line_of("languages"), "languages")
    config.languages = tuple(str(lang) for lang in langs) or (config.language,)
    for section, target in (("pipeline", config.pipeline), ("policies", config.policies)):
        entries = check.sequence(root.get(section), root.line_of(section), section)
        for index, item in enumerate(entries):
            spec = _spec(item, entries.line_of(index), f"{section}[{index}]", check)
            if spec is not None:
                target.append(spec)
    return config


def _spec(item: Any, line: int, key: str, check: FileChecker) -> ComponentSpec | None:
    spec = check.mapping(item, line, key)
    name = spec.get("name")
    if not isinstance(name, str) or not name.strip():
        check.error(line, f"{key}.name", "each entry needs a 'name'")
        return None
    options = {str(k): v for k, v in spec.items() if k != "name"}
    return ComponentSpec(name.strip(), options, key, Source(check.file, line),
                         {str(k): spec.line_of(k) for k in options})


def listed_or_default(specs: list[ComponentSpec], section: str,
                      defaults: tuple[tuple[str, dict], ...], check: FileChecker) -> list[ComponentSpec]:
    """`specs`, or (when the config lists none, as Rasa allows) the defaults, saying so."""
    if specs:
        return specs
    names = ", ".join(name for name, _ in defaults)
    check.info(0, section, f"no {section} given: using the default {names}")
    return [ComponentSpec(name, dict(options), f"{section} (default) {name}", Source(check.file, 0))
            for name, options in defaults]
