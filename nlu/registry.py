"""The NLU components config.yml's `pipeline:` can name, and what Rasa's names become.

`resolve_pipeline(config, root, check)` turns the config's entries into `Resolved`
components (our name, class, validated options) in the listed order, reporting every
problem at its file:line; `build_pipeline` (nlu.pipeline) then builds them. Nothing runs
that the config does not list; an empty `pipeline:` means `DEFAULT_PIPELINE`, as Rasa
uses its default pipeline then.
"""
from __future__ import annotations

from pathlib import Path

from core.registry import Entry, Registry, Resolved, resolve
from nlu import components as c
from nlu.config import NLUConfig
from project.config import listed_or_default

COMPONENTS: Registry[Entry] = Registry("NLU component")
for _cls, _schema in (
    (c.LanguageDetector, None), (c.JointBERT, NLUConfig), (c.RegexEntityExtractor, None),
    (c.EntitySynonymMapper, None), (c.GibberishDetector, None), (c.FrustrationScorer, None),
    (c.FallbackClassifier, c.FallbackOptions), (c.ResponseSelector, None),
):
    COMPONENTS.register(_cls.name, Entry(_cls, _schema) if _schema else Entry(_cls))

_ENCODER = "JointBERT's encoder and word-piece tokenizer do this job"
for _name in ("WhitespaceTokenizer", "SpacyTokenizer", "JiebaTokenizer", "MitieTokenizer",
              "SpacyNLP", "MitieNLP", "LexicalSyntacticFeaturizer", "CountVectorsFeaturizer",
              "ConveRTFeaturizer", "LanguageModelFeaturizer", "SpacyFeaturizer", "MitieFeaturizer"):
    COMPONENTS.register_rasa(_name, "JointBERT", _ENCODER)
for _name in ("DIETClassifier", "SklearnIntentClassifier", "LogisticRegressionClassifier",
              "KeywordIntentClassifier", "MitieIntentClassifier"):
    COMPONENTS.register_rasa(_name, "JointBERT", "intents and entities in one encoder pass")
for _name in ("CRFEntityExtractor", "MitieEntityExtractor"):
    COMPONENTS.register_rasa(_name, "JointBERT", "its CRF tagging head extracts the entities")
COMPONENTS.register_rasa("RegexFeaturizer", "RegexEntityExtractor",
                         "regex and lookup matches become entities of their name")
COMPONENTS.register_rasa("SpacyEntityExtractor", None,
                         "spaCy's pretrained entities (PERSON, ORG, GPE, DATE…) are not "
                         "extracted; only entities annotated in data/nlu.yml and regex matches are")
COMPONENTS.register_rasa("DucklingEntityExtractor", None,
                         "dates, times, numbers, amounts, emails and URLs are not parsed by "
                         "Duckling; annotate them in data/nlu.yml or add regexes")

DEFAULT_PIPELINE: tuple[tuple[str, dict], ...] = (
    ("LanguageDetector", {}), ("JointBERT", {}), ("RegexEntityExtractor", {}),
    ("EntitySynonymMapper", {}), ("GibberishDetector", {}), ("FrustrationScorer", {}),
    ("FallbackClassifier", {"threshold": 0.3}), ("ResponseSelector", {}),
)


def resolve_pipeline(config, project_root: Path, check) -> list[Resolved]:
    """The config's pipeline resolved in order (the default one if it lists none). Several
    Rasa components that all run as JointBERT become one JointBERT, where the first was."""
    specs = listed_or_default(config.pipeline, "pipeline", DEFAULT_PIPELINE, check)
    resolved: list[Resolved] = []
    for item in resolve(specs, COMPONENTS, check, project_root):
        twin = next((r for r in resolved if r.name == item.name and r.cls is item.cls), None)
        if twin is None:
            resolved.append(item)
        elif item.spec.name == item.name and twin.spec.name == item.name:
            check.error(item.spec.line, f"{item.spec.key}.name",
                        f"'{item.name}' is listed twice (first at line {twin.spec.line})")
        elif item.spec.name == item.name:  # ours, after a Rasa name mapped to it: ours wins
            resolved[resolved.index(twin)] = item
    _check_order(resolved, check)
    return resolved


def _check_order(resolved: list[Resolved], check) -> None:
    names = [r.name for r in resolved]
    if "JointBERT" not in names and not any("." in n for n in names):
        check.warn(0, "pipeline", "no intent classifier (JointBERT): every message will be "
                   "'nlu_fallback'")
    for late, early in (("FallbackClassifier", "JointBERT"), ("GibberishDetector", "JointBERT"),
                        ("FallbackClassifier", "GibberishDetector"),
                        ("FallbackClassifier", "LanguageDetector")):
        if late in names and early in names and names.index(late) < names.index(early):
            item = resolved[names.index(late)]
            check.warn(item.spec.line, f"{item.spec.key}.name",
                       f"{late} runs before {early}, so it cannot see what {early} finds")


def joint_bert_options(resolved: list[Resolved]) -> NLUConfig | None:
    """The JointBERT options, if the pipeline has JointBERT."""
    return next((r.options for r in resolved if r.name == "JointBERT"), None)


def listed(resolved: list[Resolved], name: str) -> bool:
    return any(r.name == name for r in resolved)
