"""Custom actions: Python code your assistant runs when a rule or story says so.

Switchboard imports this file when it loads the project. Each function decorated with
@action("name") is the action `name`; list that name under `actions:` in domain.yml and
use it in data/rules.yml or data/stories.yml like any response.

An action receives the conversation so far (`tracker`) and the domain, and returns a
list of events: `say("text")` sends a message; `utter(domain, tracker, "utter_x")` sends
a response from domain.yml. Actions can call your own systems here (an order database,
a ticketing tool...).

To split actions over several files, put them next to this one (e.g. actions/orders.py)
and import them here: `from actions import orders` imports this project's own file.
"""
from __future__ import annotations

import random

from dialogue.registry import action, say

PICK_ME_UPS = (
    "Here's something to cheer you up: a group of flamingos is called a 'flamboyance'.",
    "Here's something to cheer you up: sea otters hold hands while they sleep so they "
    "don't drift apart.",
    "Here's something to cheer you up: a snail can sleep for three years.",
)


@action("action_cheer_up")
def cheer_up(tracker, domain):
    """Said when the customer feels down (data/stories.yml)."""
    times_sad = sum(1 for turn in tracker.user_turns() if turn.intent == "mood_unhappy")
    if times_sad > 1:
        return [say("I'm sorry you're still feeling down. Here's one more: "
                    + random.choice(PICK_ME_UPS).split(": ", 1)[1])]
    return [say(random.choice(PICK_ME_UPS))]
