"""A per-message frustration signal (0..1), offline: a weighted lexicon, English and Chinese.

Cues add up (strong words, complaints about waiting or repeating oneself, threats to
leave or complain publicly, shouting in capitals, piles of ?!) and the sum is squashed to
0..1 with 1 - exp(-sum). A cue right after a negation ("not angry", "没有生气") does not
count. Measured on tests/fixtures/frustration.yml by bench/frustration.py.
"""
from __future__ import annotations

import math
import re

# (pattern, weight). A weight of 1.2 alone crosses the default threshold of 0.7.
ENGLISH: tuple[tuple[str, float], ...] = (
    # strong words
    (r"\b(ridiculous|absurd|appalling|unacceptable|outrageous|disgraceful|pathetic|"
     r"useless|incompetent|terrible|horrible|awful|atrocious|worst|scam|scammers?|"
     r"rip-?off|joke|disgusting|shocking|fraud|liars?|lying|clowns?)\b", 1.3),
    (r"\b(furious|livid|angry|pissed|fuming|annoyed|frustrat\w*|irritat\w*|"
     r"exasperat\w*|disappointed|fed up|sick (and tired )?of|had enough|enough is enough|"
     r"done with (you|this)|i'?m done|over it|losing my patience|lost my patience|insane|"
     r"can'?t believe|talking to a wall|impossible to)\b", 1.3),
    (r"\b(wtf|ffs|damn|damned|hell|crap|crappy|bloody|freaking|fricking|fucking|fuck|shit\w*|"
     r"bs|bullshit)\b", 1.25),
    # threats: leaving, charging back, public reviews, authorities
    (r"\b(charge ?back|disput\w* (the|this|my) (charge|payment)|never (again|order\w*|buy\w*|shop\w*)|"
     r"last time i|"
     r"(take|taking) my (business|money|custom) elsewhere|avoid (this|your) (shop|store|company)|"
     r"lawyer|sue|legal action|trading standards|consumer (protection|rights)|my bank|"
     r"better business bureau|bbb|trustpilot|1[- ]star|one[- ]star|bad review|"
     r"(post|tell) (this )?(on|to) (twitter|facebook|everyone|social media))\b", 1.3),
    # waiting and repeating oneself
    (r"\b(still (waiting|nothing|no|not|haven'?t)|waiting for (weeks|days|ages|months|over)|"
     r"for (weeks|ages|months) now|(second|third|fourth|fifth|\d+(st|nd|rd|th)) time|"
     r"(again|already) (and again|told|asked|explained)|how many times|every time|"
     r"as usual|no one (answers|replies|responds|helps|cares)|nobody (answers|replies|helps|cares)|"
     r"keep (getting|telling|asking|saying)|in a row|thanks for nothing|"
     r"(are|r) you (kidding|serious|joking)|give me my money|i want my money|"
     r"real (human|person)|useless bot|stupid bot|wasted|wasting my|no way|"
     r"(given|told|sent|explained) (it|this|you) \w+ (times|already)|\w+ times already|"
     r"hello\?+|anyone (actually )?there|how hard is it|what kind of (company|shop|service))\b", 1.25),
    (r"\b(never (arrived|came|got|received)|not good enough|waste of (time|money)|"
     r"what is going on|what the|seriously|unbelievable|come on|why (is|does|can'?t|won'?t)|"
     r"supposed to|for no reason|nowhere to be found|nothing to show)\b", 0.6),
    (r"\b((great|wonderful|fantastic|brilliant|perfect|lovely),? (just|another|again|"
     r"third|second|so|now|thanks|the)|love that for me|makes (total|perfect) sense|"
     r"brilliant job|great job|well done)\b", 0.8),  # sarcasm: "great, another delay"
)
CHINESE: tuple[tuple[str, float], ...] = (
    (r"(垃圾|骗子|骗人|欺骗|坑人|太差|很差|差劲|恶心|无语|离谱|过分|气死|生气|愤怒|火大|"
     r"受够|失望|忍无可忍|烂透|糟糕|无能|废物|搞什么|什么鬼|有病|岂有此理|太坑|烦死|"
     r"凭什么|摆设|有意思吗|弄丢)", 1.3),
    (r"(投诉|举报|消协|差评|退款!|律师|起诉|曝光|再也不|再也不会|拉黑|12315|工商)", 1.3),
    (r"(还没(到|收到|发货|退|处理|回复)|等了(很久|好久|半天|\S{0,3}(天|周|星期|个月))|"
     r"第[二三四五六七八九十\d]+次|又(延迟|出错|错了|是这样|没)|一直(没|不|在等)|"
     r"到底|怎么回事|说了多少遍|好几遍|没人(理|管|回)|催了|能不能|有没有人|等等等|"
     r"找人工|要人工)", 1.25),
    (r"(真是太棒了|好棒啊|真行|呵呵)", 0.6),
)
NEGATION = re.compile(r"(\b(not|no|never|isn'?t|aren'?t|wasn'?t|don'?t|doesn'?t|am not|i'?m not)\s+"
                      r"(\w+\s+)?$|(没有|不是|并不|不)$)", re.IGNORECASE)
SHOUT = re.compile(r"\b[A-Z]{3,}\b")
PUNCT = re.compile(r"[?!？！]{3,}|[!！]{2,}[?？]|[?？]{2,}[!！]")

_COMPILED = [(re.compile(p, re.IGNORECASE), w) for p, w in ENGLISH + CHINESE]


def frustration(text: str) -> float:
    """How frustrated the message sounds, from 0 (calm) to 1 (furious)."""
    total = 0.0
    for pattern, weight in _COMPILED:
        for match in pattern.finditer(text):
            if NEGATION.search(text[max(0, match.start() - 20):match.start()]):
                continue
            total += weight
            break  # each cue family counts once
    words = re.findall(r"[A-Za-z]{3,}", text)
    shouted = SHOUT.findall(text)
    if len(words) >= 2 and len(shouted) >= max(2, len(words) * 0.6):
        total += 0.8
    if PUNCT.search(text):
        total += 0.6
    return round(1 - math.exp(-total), 3)
