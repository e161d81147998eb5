"""Which stored customer messages are worth reviewing, and in which order
(learning.candidates), from conversations built by hand."""
from __future__ import annotations

from learning.candidates import (
    ReviewSettings,
    conversations,
    find_candidates,
    review_key,
)
from stores.sqlite import InMemoryStore
from tests.learning.conftest import bot, handoff, thumbs_down, user

SETTINGS = ReviewSettings(threshold=0.4, low_margin=0.2)


def stored(*conversations_: list) -> InMemoryStore:
    store = InMemoryStore()
    for n, events in enumerate(conversations_):
        store.append(f"customer-{n}", events)
    return store


def found(store, **options):
    return find_candidates(conversations(store), SETTINGS, **options)


def by_text(candidates) -> dict:
    return {c.text: c for c in candidates}


def test_each_reason_is_found() -> None:
    store = stored(
        [user("wheres my stuff", "order_status", 0.2, at=10, fallback=True),
         bot("Sorry, could you rephrase?", 11, "utter_ask_rephrase"),
         user("where is my order", "order_status", 0.97, at=12)],
        [user("status pls", "order_status", 0.5, at=20)],  # low: 0.5 < 0.4 + 0.2
        [user("yo bye", "goodbye", 0.9, at=30), user("yo bye!!", "goodbye", 0.9, at=31)],
        [user("my parcel is soaked", "inform", 0.9, at=40), bot("Thanks!", 41),
         user("get me a person", "human_handoff", 0.99, at=42), handoff(43)],
        [user("is it shipped", "greet", 0.9, at=50), bot("Hello! How can I help?", 51),
         thumbs_down(51, at=52)],
    )
    candidates = by_text(found(store))
    assert set(candidates["wheres my stuff"].reasons) == {"fallback", "rephrased"}
    assert candidates["wheres my stuff"].intent == "order_status"  # the intent behind the fallback
    assert set(candidates["status pls"].reasons) == {"low"}
    assert set(candidates["yo bye"].reasons) == {"rephrased"}  # said again at once
    assert set(candidates["my parcel is soaked"].reasons) == {"handoff"}  # then gave up
    assert "get me a person" not in candidates  # understood: asking for a human is no failure
    assert set(candidates["is it shipped"].reasons) == {"thumbs_down"}
    assert "where is my order" not in candidates  # understood, confidently
    assert "yo bye!!" not in candidates


def test_the_same_message_is_one_candidate_counted_over_conversations() -> None:
    store = stored(*[[user(text, "order_status", 0.1, at=100 + n, fallback=True)]
                     for n, text in enumerate(["Wheres  my STUFF", "wheres my stuff", "wheres my stuff"])])
    (candidate,) = found(store)
    assert candidate.count == 3 and candidate.senders == 3
    assert (candidate.first_seen, candidate.last_seen) == (100, 102)
    assert candidate.key == "wheres my stuff" and candidate.text == "Wheres  my STUFF"


def test_most_useful_first() -> None:
    often = [[user("refund??", "greet", 0.45, at=10 + n)] for n in range(5)]  # low ×5: 5
    failed = [[user("asdf order", "greet", 0.1, at=20, fallback=True), bot("?", 21),
               thumbs_down(21, at=22)]]  # fallback + thumbs-down: 6
    once = [[user("hmm", "greet", 0.5, at=30)]]  # low: 1
    ranked = found(stored(*often, *failed, *once))
    assert [c.text for c in ranked] == ["asdf order", "refund??", "hmm"]
    assert [c.score for c in ranked] == [6, 5, 1]


def test_personal_data_is_masked_even_when_the_store_keeps_it() -> None:
    store = stored([user("mail me at jane.doe@example.com or call +1 415 555 0132", "inform", 0.2,
                         at=1, fallback=True)])
    (candidate,) = found(store)
    assert candidate.text == "mail me at [email] or call [phone]"
    assert "jane" not in str(candidate.to_dict()) and "0132" not in str(candidate.to_dict())
    assert candidate.key == review_key("mail me at someone@else.org or call +1 415 555 0132")


def test_training_examples_and_reviewed_messages_are_skipped() -> None:
    store = stored([user("hello there", "greet", 0.3, at=1, fallback=True)],
                   [user("dunno", "greet", 0.3, at=2, fallback=True)],
                   [user("hmm ok", "greet", 0.3, at=3, fallback=True)])
    ranked = found(store, known={review_key("Hello  there")}, reviewed={"dunno"})
    assert [c.text for c in ranked] == ["hmm ok"]


def test_payloads_and_old_messages_are_not_candidates() -> None:
    store = stored([user("/greet", "greet", 0.1, at=5, fallback=True),
                    user("ancient", "greet", 0.1, at=6, fallback=True),
                    user("recent", "greet", 0.1, at=500, fallback=True)])
    ranked = find_candidates(conversations(store), ReviewSettings(threshold=0.4, since=100))
    assert [c.text for c in ranked] == ["recent"]


def test_a_store_without_scan_is_read_sender_by_sender() -> None:
    class Plain:
        def __init__(self, inner):
            self.inner = inner

        def senders(self):
            return self.inner.senders()

        def load(self, sender):
            return self.inner.load(sender)

    store = stored([user("wot", "greet", 0.1, at=1, fallback=True)])
    assert [c.text for c in find_candidates(conversations(Plain(store)), SETTINGS)] == ["wot"]
