"""Does the message ask for a human, whatever else it says? English and Chinese, offline.

"太差了，我要投诉，转人工" is a complaint to the intent classifier (one intent per message),
yet the customer asked for a person in so many words; so did "this is broken, let me talk
to a human". `asks_for_human` finds such requests (the `HumanRequestDetector` component
sets `Message.asks_for_human`; the handoff policy hands over). Not a request: a negated one
("no need for a human", "不用转人工") or a question about the bot ("are you a real person?").
Measured on tests/fixtures/human_requests.yml (tests/nlu/test_human_request.py).
"""
from __future__ import annotations

import re

_WHO = (r"(a |an |some |your |one of your )?(real |actual |live |proper )?"
        r"(human|person|people|agent|someone|somebody|representative|rep|operator|manager|"
        r"supervisor|staff( member)?|member of (your |the )?(staff|team)|customer service)s?")
ENGLISH = re.compile(
    r"\b((talk|speak|chat) (to|with) " + _WHO
    + r"|(get|give|put|transfer|connect|pass|escalate|send) (me |this |it )?(to |through to |over to |with )?"
    + _WHO
    + r"|(i|we) (want|need|would like|'d like|demand) (to (talk|speak) (to|with) )?" + _WHO
    + r"|human (agent|support|help|being|please)|real (human|person)|live (agent|chat|support))\b",
    re.IGNORECASE)
CHINESE = re.compile(
    r"(转人工|人工客服|人工服务|找人工|要人工|接人工|叫人工|有人工|人工吗|人工人工|人工[！!]|"
    r"真人|活人|(找|叫|让|换)(个|一个)?(你们)?(的)?(经理|主管|领导|负责人|店长|售后|客服)|"
    r"转(接|一下)?(客服|经理|主管|售后))")
# "人工客服几点上班": a question about the people, not a request to reach them
_ABOUT_THE_PEOPLE = re.compile(r"^.{0,4}(几点|上班|下班|时间|在线吗|电话|号码|是谁|说过|说了)")
_NEGATED = re.compile(
    r"(\b(don'?t|do not|no need (to|for)|not|never|without|no)\b[\w' ]{0,12}$|"
    r"(不用|不需要|不要|别|无需|没必要)(再)?(麻烦)?(帮我|给我)?$)", re.IGNORECASE)
_ABOUT_THE_BOT = re.compile(r"\b(are|r) (you|u) (a |an )?$|你是不是$|你是$|是$|是不是$", re.IGNORECASE)


def asks_for_human(text: str) -> bool:
    """True if the text asks to be put through to a person (see the module docstring)."""
    for pattern in (ENGLISH, CHINESE):
        for match in pattern.finditer(text):
            before = text[max(0, match.start() - 24):match.start()]
            if match.group().startswith("要"):  # 不要人工, 不需要人工: the 要 is the negation's
                before += "要"
            after = text[match.end():match.end() + 12]
            if _NEGATED.search(before) or _ABOUT_THE_BOT.search(before) \
                    or (pattern is CHINESE and _ABOUT_THE_PEOPLE.search(after)):
                continue
            return True
    return False
