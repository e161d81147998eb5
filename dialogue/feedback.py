"""Customer feedback: the end-of-conversation question and its answers.

After an action named in domain.yml `feedback.ask_after` (say utter_goodbye) the bot asks,
once per session, whether that solved it: the `feedback.question` response, or a built-in
question in the customer's language, with two buttons whose payloads are

    /feedback{"solved": true}      /feedback{"solved": false}

A message that is one of those payloads is an answer, not a turn: it is stored as a
`Feedback` event (kind "conversation", score 1 or -1), the bot thanks the customer
(`feedback.thanks`, or a built-in text) and NLU and the policies never see it. Thumbs on a
bot message (the chat page's) are `Agent.feedback(…, kind="message")`.
"""
from __future__ import annotations

import json
import re

from core.domain import Domain
from core.events import BotUttered, Event, Feedback
from core.tracker import Tracker

QUESTION = "feedback_question"  # BotUttered.response of the built-in question
THANKS = "feedback_thanks"
ANSWER = re.compile(r'^/feedback\s*(\{.*\})\s*$', re.DOTALL)

QUESTION_TEXT = {"en": "Did that solve it?", "zh": "这解决您的问题了吗？"}
YES_NO = {"en": ("Yes, thanks", "No"), "zh": ("解决了，谢谢", "没有")}
THANKS_TEXT = {"en": "Thanks for telling us.", "zh": "谢谢您的反馈。"}


def answer_score(text: str) -> int | None:
    """1 or -1 when `text` is the answer to the question's buttons; None for anything else."""
    match = ANSWER.match(text.strip())
    if not match:
        return None
    try:
        solved = json.loads(match.group(1)).get("solved")
    except (ValueError, AttributeError):
        return None
    return {True: 1, False: -1}.get(solved) if isinstance(solved, bool) else None


def payload(solved: bool) -> str:
    return '/feedback{"solved": %s}' % ("true" if solved else "false")


def should_ask(domain: Domain, tracker: Tracker, action: str) -> bool:
    """After `action`, the question is due: it is one of `ask_after` and this session has
    not been asked yet (nor answered)."""
    if action not in domain.feedback.ask_after:
        return False
    asked = {QUESTION, domain.feedback.question} - {None}  # (an action's own text has no response)
    return not any((isinstance(e, BotUttered) and e.response in asked)
                   or (isinstance(e, Feedback) and e.kind == "conversation")
                   for e in tracker.current)


def language(tracker: Tracker) -> str:
    return ((tracker.language or "en").split("-")[0]) if tracker.language else "en"


def built_in(texts: dict[str, str], tracker: Tracker) -> str:
    return texts.get(language(tracker), texts["en"])


def question(tracker: Tracker) -> BotUttered:
    """The built-in question, with its two buttons."""
    yes, no = YES_NO.get(language(tracker), YES_NO["en"])
    return BotUttered(text=built_in(QUESTION_TEXT, tracker), response=QUESTION,
                      buttons=((yes, payload(True)), (no, payload(False))))


def answered(score: int) -> list[Event]:
    return [Feedback(score=score, kind="conversation")]
