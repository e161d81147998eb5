"""Annotations are checked against the domain (learning.annotations), and merged into data/
as ordinary NLU YAML that the project loader reads back (learning.merge)."""
from __future__ import annotations

import pytest
import yaml

from core.errors import ProjectInvalid
from learning.annotations import AnnotationInvalid, Annotations, example_text, markup_of
from learning.candidates import Candidate, candidate_id, review_key
from learning.merge import TARGET, MergeInvalid, merge_annotations
from project.loader import load_project


def candidate(text: str) -> Candidate:
    key = review_key(text)
    return Candidate(candidate_id(key), key, text, intent="greet", confidence=0.2, count=1)


def test_an_annotation_is_checked_against_the_domain_and_the_text(project_dir) -> None:
    domain = load_project(project_dir).domain
    book = Annotations.open(project_dir)
    with pytest.raises(AnnotationInvalid) as caught:
        book.annotate(domain, candidate("wheres order 12345"), "order_stat",
                      "wheres order [12345](parcel_id)")
    problems = caught.value.problems
    assert any("intent 'order_stat' is not in the domain — did you mean 'order_status'?" in p
               for p in problems)
    assert any("entity 'parcel_id' is not in the domain" in p for p in problems)
    with pytest.raises(AnnotationInvalid, match="is not the reviewed message"):
        book.annotate(domain, candidate("wheres order 12345"), "order_status", "where is [9](order_id)")
    with pytest.raises(AnnotationInvalid, match="column 8"):
        book.annotate(domain, candidate("wheres order 12345"), "order_status", "wheres [order 12345")
    assert not book.path.exists()  # nothing saved
    entry = book.annotate(domain, candidate("wheres order 12345"), "order_status",
                          "wheres  order [12345](order_id)", who="sam")
    assert (entry.text, entry.intent, entry.who) == ("wheres order 12345", "order_status", "sam")
    assert [(s.start, s.end, s.entity, s.value) for s in entry.entities] == [(13, 18, "order_id", "12345")]
    assert Annotations.open(project_dir).entries[entry.key].entities == entry.entities  # saved


def test_a_new_intent_must_be_said_to_be_new(project_dir) -> None:
    domain = load_project(project_dir).domain
    book = Annotations.open(project_dir)
    with pytest.raises(AnnotationInvalid, match="--new-intent"):
        book.annotate(domain, candidate("do you sell gift cards"), "gift_cards")
    assert book.annotate(domain, candidate("do you sell gift cards"), "gift_cards", new_intent=True).new_intent


def test_masked_values_become_sample_values_in_the_example() -> None:
    assert example_text("mail [email] or [phone]") == "mail jane.doe@example.com or +1 415 555 0132"
    text = "send it to jane.doe@example.com"
    assert markup_of(text, [{"entity": "email", "text": "jane.doe@example.com", "value": "x@y.z"}]) == \
        'send it to [jane.doe@example.com]{"entity": "email", "value": "x@y.z"}'


def test_merge_writes_examples_the_loader_reads_back(project_dir) -> None:
    domain = load_project(project_dir).domain
    book = Annotations.open(project_dir)
    book.annotate(domain, candidate("wheres order 12345"), "order_status", "wheres order [12345](order_id)")
    book.annotate(domain, candidate("我的订单到哪了"), "order_status")
    book.annotate(domain, candidate("yo"), "greet")
    book.dismiss(candidate("asdfgh"))
    outcome = merge_annotations(project_dir, book)
    assert [a.intent for _, a in outcome.written] == ["order_status", "order_status", "greet"]
    text = (project_dir / TARGET).read_text(encoding="utf-8")
    assert "- wheres order [12345](order_id)" in text and "- 我的订单到哪了" in text  # as written
    lines = text.splitlines()
    assert [lines[n - 1].strip() for n, _ in outcome.written] == [
        "- wheres order [12345](order_id)", "- 我的订单到哪了", "- yo"]
    data = load_project(project_dir).data
    reviewed = {(e.text, e.intent): e for e in data.examples if e.source.file.endswith("nlu_reviewed.yml")}
    assert set(reviewed) == {("wheres order 12345", "order_status"), ("我的订单到哪了", "order_status"),
                             ("yo", "greet")}
    assert [(s.entity, s.value) for s in reviewed["wheres order 12345", "order_status"].entities] == [
        ("order_id", "12345")]
    statuses = {a.text: a.status for a in Annotations.open(project_dir).entries.values()}
    assert statuses == {"wheres order 12345": "merged", "我的订单到哪了": "merged", "yo": "merged",
                        "asdfgh": "dismissed"}
    # a second merge appends to the intent's block and keeps the file's edits
    (project_dir / TARGET).write_text(text.replace("nlu:\n", "# kept\nnlu:\n"), encoding="utf-8")
    book = Annotations.open(project_dir)
    book.annotate(domain, candidate("hiya"), "greet")
    merge_annotations(project_dir, book)
    again = (project_dir / TARGET).read_text(encoding="utf-8")
    assert "# kept" in again and again.count("- intent: greet") == 1
    assert again.index("- hiya") == again.index("- yo") + len("- yo\n    ")
    assert yaml.safe_load(again)["nlu"][-1]["examples"] == "- yo\n- hiya\n"


def test_a_bad_annotation_is_reported_by_file_and_line_and_nothing_is_written(project_dir) -> None:
    domain = load_project(project_dir).domain
    book = Annotations.open(project_dir)
    book.annotate(domain, candidate("yo"), "greet")
    book.annotate(domain, candidate("do you sell gift cards"), "gift_cards", new_intent=True)
    before = sorted(p.name for p in (project_dir / "data").iterdir())
    with pytest.raises(MergeInvalid) as caught:
        merge_annotations(project_dir, book)
    assert isinstance(caught.value, ProjectInvalid)
    (problem,) = caught.value.problems
    assert problem.file.endswith("data/nlu_reviewed.yml") and problem.line > 0 and "gift_cards" in str(problem)
    assert "was left as it was" in str(caught.value)
    assert sorted(p.name for p in (project_dir / "data").iterdir()) == before  # no file left
    assert {a.status for a in Annotations.open(project_dir).entries.values()} == {"annotated"}


def test_a_text_already_in_the_data_is_not_written_twice(project_dir) -> None:
    domain = load_project(project_dir).domain
    book = Annotations.open(project_dir)
    book.annotate(domain, candidate("Hello  there"), "greet")
    outcome = merge_annotations(project_dir, book)
    assert outcome.written == () and len(outcome.skipped) == 1
    assert not (project_dir / TARGET).exists()
