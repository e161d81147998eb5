"""`DucklingEntityExtractor`: emails, phone numbers, numbers, amounts of money, times,
durations and URLs, with Duckling's dimension names, as Rasa's component extracts them.

    pipeline:
      - name: DucklingEntityExtractor
        url: http://localhost:8000     # a Duckling server, when one answers
        dimensions: [time, number, amount-of-money, email, phone-number, duration, url]
        locale: en_US
        timezone: Europe/Berlin

With a `url` that answers, the server parses (POST /parse, as Rasa calls it). Without one,
or while it does not answer, a built-in offline extractor does the same dimensions with
well-kept libraries: `phonenumbers` (Google's libphonenumber), `dateparser` (times),
`price-parser` (amounts), `text2num` (numbers written as words); emails, URLs and durations
are patterns. Values follow Duckling's: a time is an ISO 8601 string, a number its numeric
value, a duration its length in seconds, an amount its value and currency in one string
("12.5 EUR": an entity carries one value). A server that stops answering is asked again
after `RETRY_AFTER_S`, so a message meanwhile never waits for its timeout.
"""
from __future__ import annotations

import json
import logging
import re
import time
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from core.message import Entity, Message

log = logging.getLogger("switchboard.duckling")

DIMENSIONS = ("email", "phone-number", "number", "amount-of-money", "time", "duration", "url")
EXTRACTOR = "DucklingEntityExtractor"
RETRY_AFTER_S = 30.0

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w-])")
URL = re.compile(r"(?<![\w@])(?:https?://|www\.)[^\s<>\"']+[^\s<>\"'.,;:!?)]", re.IGNORECASE)
CURRENCY = r"(?:[$€£¥₹]|dollars?|euros?|pounds?|yuan|usd|eur|gbp|jpy|cny|rmb|chf|元|块)"
AMOUNT = re.compile(rf"(?:{CURRENCY}\s?\d[\d,.]*(?:\s?(?:k|million))?|\d[\d,.]*\s?{CURRENCY})",
                    re.IGNORECASE)
NUMBER_WORDS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen "
                "fourteen fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty "
                "sixty seventy eighty ninety hundred thousand million").split()
WORD_NUMBER = re.compile(r"\b(?:" + "|".join(NUMBER_WORDS) + r")(?:[\s-]+(?:and\s+)?(?:"
                         + "|".join(NUMBER_WORDS) + r"))*\b", re.IGNORECASE)
DIGITS = re.compile(r"(?<![A-Za-z0-9_.])[-+]?\d+(?:[.,]\d+)?(?![A-Za-z0-9_])")  # CJK around is fine
UNITS = {"second": 1, "sec": 1, "minute": 60, "min": 60, "hour": 3600, "hr": 3600,
         "day": 86400, "week": 604800, "month": 2592000, "year": 31536000}
DURATION = re.compile(r"\b(\d+(?:\.\d+)?|an?|" + "|".join(NUMBER_WORDS[:21]) + r")\s*("
                      + "|".join(UNITS) + r")s?\b", re.IGNORECASE)


@dataclass(frozen=True)
class DucklingOptions:
    url: str | None = None
    dimensions: Any = None  # a list of DIMENSIONS; None: all
    locale: str | None = None  # e.g. en_US (the region of phone numbers, the date order)
    timezone: str | None = None
    timeout: float = field(default=3.0, metadata={"must": "a number of seconds"})

    def problems(self) -> list[tuple[str, str]]:
        out = []
        if self.dimensions is not None:
            if not isinstance(self.dimensions, list) or not all(isinstance(d, str) for d in self.dimensions):
                out.append(("dimensions", f"must be a list of dimension names, got {self.dimensions!r}"))
            else:
                out += [("dimensions", f"unknown dimension '{d}' (known: {', '.join(DIMENSIONS)})")
                        for d in self.dimensions if d not in DIMENSIONS]
        if self.timeout <= 0:
            out.append(("timeout", f"must be above 0 seconds, got {self.timeout!r}"))
        return out


class DucklingEntityExtractor:
    """The component (see the module docstring)."""

    name = EXTRACTOR

    def __init__(self, options: DucklingOptions | None = None, context: Any = None) -> None:
        options = options or DucklingOptions()
        self.dimensions = tuple(options.dimensions or DIMENSIONS)
        self.locale = options.locale or "en_US"
        self.region = self.locale.split("_")[-1].upper() if "_" in self.locale else "US"
        self.timezone = options.timezone
        self.url = options.url.rstrip("/") if options.url else None
        self.timeout = options.timeout
        self._down_until = 0.0  # time.monotonic() before which the server is not asked
        self._session = None  # one pooled HTTP session, made on first use

    def _post(self, data: dict):
        import requests

        if self._session is None:
            self._session = requests.Session()
        return self._session.post(f"{self.url}/parse", data=data, timeout=self.timeout)

    def process(self, message: Message) -> Message:
        found = self.from_server(message.text) if self.url else None
        if found is None:
            found = extract(message.text, self.dimensions, self.region, self.timezone)
        if not found:
            return message
        return replace(message, entities=message.entities + tuple(found))

    def from_server(self, text: str) -> list[Entity] | None:
        """The Duckling server's entities; None when it does not answer (said once, then
        not asked again for RETRY_AFTER_S)."""
        import requests

        if time.monotonic() < self._down_until:
            return None
        data = {"text": text, "locale": self.locale, "dims": json.dumps(list(self.dimensions))}
        if self.timezone:
            data["tz"] = self.timezone
        try:
            reply = self._post(data)
            reply.raise_for_status()
            matches = reply.json()
        except (requests.RequestException, ValueError) as exc:
            reason = "connection refused" if isinstance(exc, requests.ConnectionError) \
                else type(exc).__name__
            log.warning("the Duckling server at %s does not answer (%s): the built-in "
                        "extractor parses for the next %g s", self.url, reason, RETRY_AFTER_S)
            self._down_until = time.monotonic() + RETRY_AFTER_S
            return None
        return [_from_duckling(m, text) for m in matches if isinstance(m, dict) and "dim" in m]


def _from_duckling(match: dict, text: str) -> Entity:
    start, end = int(match.get("start", 0)), int(match.get("end", 0))
    value = match.get("value", {})
    if isinstance(value, dict):
        unit = value.get("unit")
        value = value.get("value", value.get("from", {}).get("value") if isinstance(
            value.get("from"), dict) else None)
        if unit and match.get("dim") == "amount-of-money":
            value = f"{value} {unit}"
    return Entity(match["dim"], start, end, text[start:end], str(value), extractor=EXTRACTOR)


# ----- offline ------------------------------------------------------------------------------

def extract(text: str, dimensions=DIMENSIONS, region: str = "US",
            timezone: str | None = None) -> list[Entity]:
    """The entities of `dimensions` in `text`, earlier and longer matches first; one span
    belongs to one dimension (an amount's digits are not also a number)."""
    found: list[Entity] = []
    for dimension in ("email", "url", "phone-number", "amount-of-money", "duration", "time", "number"):
        if dimension in dimensions:
            for entity in FINDERS[dimension](text, region, timezone):
                if not any(entity.start < e.end and e.start < entity.end for e in found):
                    found.append(entity)
    return sorted(found, key=lambda e: e.start)


def _entity(dimension: str, text: str, start: int, end: int, value: object) -> Entity:
    return Entity(dimension, start, end, text[start:end], str(value), extractor=EXTRACTOR)


def _emails(text: str, region: str, timezone) -> list[Entity]:
    return [_entity("email", text, m.start(), m.end(), m.group()) for m in EMAIL.finditer(text)]


def _urls(text: str, region: str, timezone) -> list[Entity]:
    return [_entity("url", text, m.start(), m.end(), m.group()) for m in URL.finditer(text)]


def _phones(text: str, region: str, timezone) -> list[Entity]:
    import phonenumbers

    out = []
    for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.POSSIBLE):
        value = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        out.append(_entity("phone-number", text, match.start, match.end, value))
    return out


def _amounts(text: str, region: str, timezone) -> list[Entity]:
    from price_parser import Price

    out = []
    for match in AMOUNT.finditer(text):
        price = Price.fromstring(match.group())
        if price.amount is None:
            continue
        amount = float(price.amount)
        if re.search(r"\d\s?k\b", match.group(), re.IGNORECASE):
            amount *= 1000
        elif "million" in match.group().lower():
            amount *= 1_000_000
        value = f"{amount:g} {_currency(price.currency or match.group())}".strip()
        out.append(_entity("amount-of-money", text, match.start(), match.end(), value))
    return out


def _currency(symbol: str) -> str:
    symbol = symbol.strip().lower()
    for code, marks in (("USD", ("$", "usd", "dollar")), ("EUR", ("€", "eur", "euro")),
                        ("GBP", ("£", "gbp", "pound")), ("CNY", ("¥", "cny", "rmb", "yuan", "元", "块")),
                        ("JPY", ("jpy",)), ("INR", ("₹",)), ("CHF", ("chf",))):
        if any(mark in symbol for mark in marks):
            return code
    return ""


def _durations(text: str, region: str, timezone) -> list[Entity]:
    out = []
    for match in DURATION.finditer(text):
        amount, unit = match.group(1).lower(), match.group(2).lower()
        count = 1.0 if amount in ("a", "an") else _number(amount)
        if count is None:
            continue
        out.append(_entity("duration", text, match.start(), match.end(), f"{count * UNITS[unit]:g}"))
    return out


def _times(text: str, region: str, timezone) -> list[Entity]:
    from dateparser.search import search_dates

    settings = {"PREFER_DATES_FROM": "future", "RETURN_AS_TIMEZONE_AWARE": True,
                "DATE_ORDER": "MDY" if region == "US" else "DMY"}
    if timezone:
        settings["TIMEZONE"] = settings["TO_TIMEZONE"] = timezone
    try:
        found = search_dates(text, languages=["en"], settings=settings) or []
    except Exception:  # noqa: BLE001 - a parser failure means no time, never a lost message
        log.debug("dateparser failed on %r", text, exc_info=True)
        return []
    out, offset = [], 0
    for phrase, moment in found:
        if not _looks_like_time(phrase):
            continue
        start = text.find(phrase, offset)
        if start < 0:
            continue
        offset = start + len(phrase)
        out.append(_entity("time", text, start, offset, _iso(moment)))
    return out


def _looks_like_time(phrase: str) -> bool:
    """dateparser reads a bare number ("2", "12345") or a short word ("me", "second") as a
    date; Duckling would not. A time has a date's shape or a word of time in it."""
    stripped = phrase.strip().lower()
    if re.fullmatch(r"[\d\s.,-]+", stripped):
        return bool(re.fullmatch(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}", stripped))
    return bool(TIME_WORDS.search(stripped) or re.search(r"\d", stripped))


TIME_WORDS = re.compile(
    r"\b(today|tonight|tomorrow|yesterday|now|noon|midnight|morning|afternoon|evening|night|"
    r"next|last|this|ago|week|weekend|month|year|day|hour|minute|"
    r"mon(day)?|tue(s|sday)?|wed(nesday)?|thu(rs|rsday)?|fri(day)?|sat(urday)?|sun(day)?|"
    r"jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sep(t|tember)?|"
    r"oct(ober)?|nov(ember)?|dec(ember)?)\b")


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds")


def _numbers(text: str, region: str, timezone) -> list[Entity]:
    out = []
    for match in WORD_NUMBER.finditer(text):
        value = _number(match.group())
        if value is not None:
            out.append(_entity("number", text, match.start(), match.end(), f"{value:g}"))
    for match in DIGITS.finditer(text):
        raw = match.group().replace(",", ".") if match.group().count(",") == 1 and "." not in match.group() \
            else match.group().replace(",", "")
        try:
            out.append(_entity("number", text, match.start(), match.end(), f"{float(raw):g}"))
        except ValueError:
            continue
    return out


def _number(words: str) -> float | None:
    from text_to_num import text2num

    try:
        return float(words)
    except ValueError:
        pass
    try:
        return float(text2num(re.sub(r"[\s-]+(?:and\s+)?", " ", words.lower()).strip(), "en"))
    except ValueError:
        return None


FINDERS = {"email": _emails, "url": _urls, "phone-number": _phones, "amount-of-money": _amounts,
           "duration": _durations, "time": _times, "number": _numbers}
