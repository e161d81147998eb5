"""The figures: totals, per day and per channel, over a time window.

    report = analyse(store, since=time.time() - 30 * 86400)
    report.total.containment, report.days["2026-12-01"].fallback_rate, report.top_intents

What each figure counts is `analytics.conversations`' (what a conversation, a fallback, a
handoff is). Rates are fractions (0..1), None when nothing was there to count: the
containment and handoff rate are of conversations, the fallback and generated-answer
rates of the customer messages the bot answered (messages written while a human had the
conversation are not the bot's to fall back on). A conversation is in the window when
its first customer message is.
"""
from __future__ import annotations

import statistics
import time
from collections import Counter
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable

from analytics.conversations import FALLBACK_ACTIONS, Conversation, conversations, day_of, needed
from analytics.scan import stored_conversations

TOP = 10  # rows of the intent lists


@dataclass(frozen=True)
class Figures:
    """One row: the totals, one day or one channel."""

    conversations: int = 0
    messages: int = 0  # customer messages
    contained: int = 0  # conversations with no handoff
    containment: float | None = None
    handed_off: int = 0  # conversations with a handoff
    handoff_rate: float | None = None
    handoffs: int = 0  # handoff events (a conversation released and handed off again: 2)
    answered_by_bot: int = 0
    fallbacks: int = 0
    fallback_rate: float | None = None
    generated: int = 0
    generated_rate: float | None = None
    median_first_human_reply_s: float | None = None
    human_replies: int = 0  # handoffs an agent answered
    unanswered_handoffs: int = 0
    thumbs_up: int = 0
    thumbs_down: int = 0
    solved: int = 0  # "did that solve it?" answered yes
    not_solved: int = 0
    solved_rate: float | None = None


@dataclass(frozen=True)
class Count:
    name: str
    count: int


@dataclass(frozen=True)
class Followed:
    """An intent, how often the customer's next message fell back (or was handed off),
    of how many messages with that intent."""

    intent: str
    count: int
    messages: int
    rate: float | None


@dataclass(frozen=True)
class Report:
    since: float
    until: float
    channel: str | None  # the channel filter, if any
    total: Figures
    days: dict[str, Figures]  # YYYY-MM-DD (UTC) -> figures, every day from the first to the last
    channels: dict[str, Figures]
    top_intents: list[Count]
    before_fallback: list[Followed]
    before_handoff: list[Followed]
    handoff_reasons: list[Count]
    senders_read: int = 0
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["since_date"], data["until_date"] = day_of(self.since), day_of(self.until)
        return data


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass
class Tally:
    """Adds conversations up into one `Figures`."""

    conversations: int = 0
    messages: int = 0
    handed_off: int = 0
    handoffs: int = 0
    answered: int = 0
    fallbacks: int = 0
    generated: int = 0
    waits: list[float] = field(default_factory=list)
    unanswered: int = 0
    thumbs_up: int = 0
    thumbs_down: int = 0
    solved: int = 0
    not_solved: int = 0

    def add(self, c: Conversation) -> None:
        self.conversations += 1
        self.messages += c.messages
        self.handed_off += c.handed_off
        self.handoffs += len(c.handoff_reasons)
        self.answered += c.answered
        self.fallbacks += c.fallbacks
        self.generated += c.generated
        self.waits += c.human_waits
        self.unanswered += c.unanswered_handoffs
        self.thumbs_up += c.thumbs_up
        self.thumbs_down += c.thumbs_down
        self.solved += c.solved
        self.not_solved += c.not_solved

    def figures(self) -> Figures:
        contained = self.conversations - self.handed_off
        return Figures(
            conversations=self.conversations, messages=self.messages, contained=contained,
            containment=_rate(contained, self.conversations), handed_off=self.handed_off,
            handoff_rate=_rate(self.handed_off, self.conversations), handoffs=self.handoffs,
            answered_by_bot=self.answered, fallbacks=self.fallbacks,
            fallback_rate=_rate(self.fallbacks, self.answered), generated=self.generated,
            generated_rate=_rate(self.generated, self.answered),
            median_first_human_reply_s=statistics.median(self.waits) if self.waits else None,
            human_replies=len(self.waits), unanswered_handoffs=self.unanswered,
            thumbs_up=self.thumbs_up, thumbs_down=self.thumbs_down, solved=self.solved,
            not_solved=self.not_solved, solved_rate=_rate(self.solved, self.solved + self.not_solved))


def _ranked(counts: Counter, top: int | None = TOP) -> list[tuple[str, int]]:
    """Most common first, ties by name (the same order whatever order the store reads in)."""
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:top]


def _followed(before: Counter, intents: Counter) -> list[Followed]:
    return [Followed(name, count, intents.get(name, 0), _rate(count, intents.get(name, 0)))
            for name, count in _ranked(before)]


def _every_day(days: dict[str, Tally]) -> dict[str, Figures]:
    """Each day from the first to the last with a conversation (none: zeros), in order."""
    if not days:
        return {}
    first, last = (datetime.strptime(d, "%Y-%m-%d") for d in (min(days), max(days)))
    out = {}
    while first <= last:
        name = first.strftime("%Y-%m-%d")
        out[name] = (days.get(name) or Tally()).figures()
        first += timedelta(days=1)
    return out


def report(found: Iterable[Conversation], since: float, until: float,
           channel: str | None = None) -> Report:
    """The figures of the conversations in [since, until) (and on `channel`, if given)."""
    total, days, channels = Tally(), {}, {}
    intents, before_fallback, before_handoff, reasons = Counter(), Counter(), Counter(), Counter()
    for c in found:
        if not since <= c.started < until or (channel is not None and c.channel != channel):
            continue
        for tally in (total, days.setdefault(c.day, Tally()), channels.setdefault(c.channel, Tally())):
            tally.add(c)
        intents.update(c.intents)
        before_fallback.update(c.before_fallback)
        before_handoff.update(c.before_handoff)
        reasons.update(c.handoff_reasons)
    return Report(since, until, channel, total.figures(), _every_day(days),
                  {name: channels[name].figures() for name in sorted(channels)},
                  [Count(n, k) for n, k in _ranked(intents)],
                  _followed(before_fallback, intents), _followed(before_handoff, intents),
                  [Count(n, k) for n, k in _ranked(reasons, None)])


def window(days: int | None = 30, since_date: str | None = None,
           now: float | None = None) -> tuple[float, float]:
    """(since, until) epoch seconds: from `since_date` (YYYY-MM-DD, UTC midnight) or the
    start of the UTC day `days - 1` days ago (so `days=1` is today), until now."""
    now = time.time() if now is None else now
    if since_date is not None:
        start = datetime.strptime(since_date, "%Y-%m-%d").replace(tzinfo=timezone.utc)
    else:
        today = datetime.fromtimestamp(now, timezone.utc).replace(hour=0, minute=0, second=0,
                                                                   microsecond=0)
        start = today - timedelta(days=max(1, days or 1) - 1)
    return start.timestamp(), now + 1e-6  # a conversation that began this instant is in


def analyse(store, since: float, until: float | None = None, channel: str | None = None,
            fallbacks: frozenset[str] = FALLBACK_ACTIONS) -> Report:
    """Read every conversation of `store` with events since `since` and add them up (the
    stored rows the figures never use are not parsed: analytics.conversations.needed)."""
    started = time.perf_counter()
    until = time.time() + 1e-6 if until is None else until
    senders = 0

    def counted():
        nonlocal senders
        for sender_id, events in stored_conversations(store, since, needed):
            senders += 1
            yield sender_id, events

    result = report(conversations(counted(), fallbacks), since, until, channel)
    return replace(result, senders_read=senders, seconds=time.perf_counter() - started)


def fallback_actions(project) -> frozenset[str]:
    """The actions that ask to rephrase in `project` (a project.loader.Project):
    FALLBACK_ACTIONS, and RulePolicy's `core_fallback_action_name` in config.yml."""
    named = {spec.options.get("core_fallback_action_name") for spec in project.config.policies
             if spec.name == "RulePolicy"}
    return FALLBACK_ACTIONS | {n for n in named if isinstance(n, str) and n}
