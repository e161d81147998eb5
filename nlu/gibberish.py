"""Keyboard mashing ("asdf qwerty zxcv") gets a confident but meaningless intent from any
softmax classifier. A message whose Latin-script words are all unknown to the training
data, and in which NLU found no entity, is treated as not understood (NLU fallback).
Messages in other scripts (Chinese…) are left to the model."""
from __future__ import annotations

import re

from core.message import Message
from core.training_data import TrainingData

WORD = re.compile(r"[a-z]+")
OTHER_LETTERS = re.compile(r"[^\W\da-z_]", re.IGNORECASE)
CONTENT = re.compile(r"[^\W_]")  # a letter (any script) or a digit


def known_words(data: TrainingData) -> frozenset[str]:
    words = set()
    for example in data.examples:
        words.update(WORD.findall(example.text.lower()))
    for table in data.lookups:
        for element in table.elements:
            words.update(WORD.findall(element.lower()))
    words.update(WORD.findall(" ".join(data.synonyms).lower()))
    return frozenset(words)


def has_content(text: str) -> bool:
    """A letter (any script) or a digit: something a customer could mean."""
    return bool(CONTENT.search(text))


def is_gibberish(message: Message, vocabulary: frozenset[str]) -> bool:
    """No word known from the training data, or nothing but spaces and punctuation ("",
    "?", "..."): any classifier would give such a message a confident, meaningless intent."""
    text = message.text.lower()
    if not has_content(text):
        return True
    if message.entities or not vocabulary or OTHER_LETTERS.search(re.sub(r"[a-z]", "", text)):
        return False
    words = WORD.findall(text)
    return bool(words) and not any(w in vocabulary for w in words)
