"""Order look-ups for the example assistant, from data/orders.json only.

Every fact the bot states about an order comes from that file; an order that is not
there is reported as not found, never guessed. Order details go only to the customer who
owns the order: the `email` slot (a logged-in customer's, from actions/customers.py, or
the one the customer gave) must be the order's; otherwise the bot asks for the email on
the order first and answers once it matches (`action_verify_order_email`, run by the rule
in data/rules.yml while `awaiting_order_email` is set). Without an order number, a
logged-in customer gets their latest order, or buttons to pick one when several are open.

Guessing is bounded: after MAX_FAILED_LOOKUPS order numbers that do not exist or emails
that do not match in one conversation (the `failed_lookups` slot), the bot looks up no
more orders there and hands the customer to a human, who can check who they are. (New
conversations per address are limited by the server: server.limits, `session`.)
"""
from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

from core.events import Followup, SlotSet
from actions.texts import language, text
from dialogue.registry import action, forget, say

ORDERS = Path(__file__).resolve().parent.parent / "data" / "orders.json"


def find_order(order_id: str | None) -> dict | None:
    if not order_id:
        return None
    orders = json.loads(ORDERS.read_text(encoding="utf-8"))["orders"]
    key = str(order_id).strip().upper()
    return orders.get(key) or orders.get(key.replace("NW-", "")) or orders.get(f"NW-{key}")


def _items(order: dict, lang: str = "en") -> str:
    return ("、" if lang == "zh" else ", ").join(order.get("items", [])) or "your items"


MAX_FAILED_LOOKUPS = 5


def _failures(tracker) -> float:
    return float(tracker.slots.get("failed_lookups") or 0)


def failed(tracker) -> list:
    """Count one failed look-up (an unknown number, a wrong email)."""
    return [SlotSet(slot="failed_lookups", value=_failures(tracker) + 1)]


def too_many(tracker, lang: str) -> list | None:
    """The refusal and handoff once the conversation has used up its failed look-ups."""
    if _failures(tracker) < MAX_FAILED_LOOKUPS:
        return None
    return [say(text(lang, "too_many")), SlotSet(slot="awaiting_order_email", value=None),
            SlotSet(slot="order_lookup", value=None), Followup(action="action_handoff")]


def _not_found(order_id: str | None, lang: str = "en", tracker=None):
    if not order_id:
        return [say(text(lang, "need_number"))]
    return ([say(text(lang, "not_found", order_id=order_id)), SlotSet(slot="order_id", value=None)]
            + (failed(tracker) if tracker is not None else []))


def status_sentence(order_id: str, order: dict, lang: str = "en") -> str:
    status = order["status"]
    key = status if status in ("processing", "shipped", "delivered", "cancelled") else "other_status"
    return text(lang, key, **{**order, "order_id": order_id, "items": _items(order, lang)})


OPEN = ("processing", "shipped")
ORDER_INTENTS = ("order_status", "track_delivery", "cancel_order")
LOOKUPS: dict = {}  # action name -> (order_id, order, lang) -> sentence


def owns(tracker, order: dict) -> bool:
    return str(tracker.slots.get("email") or "").strip().lower() == order.get("email", "").lower()


def _ask_email(order_id: str, action_name: str, email, lang: str) -> list:
    said = text(lang, "private", order_id=order_id)
    if email:
        said = text(lang, "not_under", order_id=order_id, email=email) + said
    return [say(said), SlotSet(slot="awaiting_order_email", value=True),
            SlotSet(slot="order_lookup", value=action_name)]


def _customer_orders(tracker) -> list[tuple[str, dict]]:
    from actions.customers import find_customer

    profile = find_customer(tracker.slots.get("customer_id"))
    found = [(oid, find_order(oid)) for oid in (profile or {}).get("orders", [])]
    return sorted(((oid, o) for oid, o in found if o), key=lambda p: p[1]["placed"], reverse=True)


def _which_order(tracker, fn, lang: str) -> list:
    """No order number: a logged-in customer's latest order, or buttons if several are open."""
    orders = _customer_orders(tracker)
    if not orders:
        return _not_found(None, lang)
    open_orders = [(oid, o) for oid, o in orders if o["status"] in OPEN]
    if len(open_orders) > 1:
        user = tracker.latest_message
        intent = user.intent if user is not None and user.intent in ORDER_INTENTS else "order_status"
        buttons = tuple((f"{oid} ({_items(o, lang)})", f'/{intent}{{"order_id": "{oid}"}}')
                        for oid, o in open_orders)
        return [say(text(lang, "which_order"), buttons)]
    order_id, order = orders[0]
    return [SlotSet(slot="order_id", value=order_id), say(fn(order_id, order, lang))]


def order_action(name: str):
    """Register an action that needs the order in the `order_id` slot: the function gets
    (order_id, order, lang) and is only called for the order's owner (an unknown order is
    said instead; a stranger is asked for the email on the order)."""
    def register(fn):
        def run(tracker, domain):
            lang = language(tracker)
            order_id = tracker.slots.get("order_id")
            if not order_id:
                return _which_order(tracker, fn, lang)
            refused = too_many(tracker, lang)
            if refused is not None:
                return refused
            order = find_order(order_id)
            if order is None:
                return _not_found(order_id, lang, tracker)
            if not owns(tracker, order):
                return _ask_email(order_id, name, tracker.slots.get("email"), lang)
            return [say(fn(order_id, order, lang))]
        LOOKUPS[name] = fn
        return action(name)(run)
    return register


@action("action_verify_order_email")
def verify_order_email(tracker, domain):
    """The customer gave an email after being asked for the one on the order: answer what
    they asked if it matches; otherwise say so (and forget the email)."""
    lang = language(tracker)
    order_id = tracker.slots.get("order_id")
    lookup = LOOKUPS.get(tracker.slots.get("order_lookup")) or LOOKUPS["action_check_order_status"]
    done = [SlotSet(slot="awaiting_order_email", value=None), SlotSet(slot="order_lookup", value=None)]
    refused = too_many(tracker, lang)
    if refused is not None:
        return refused
    order = find_order(order_id)
    if order is None:
        return done + _not_found(order_id, lang, tracker)
    if not tracker.slots.get("email"):
        return [say(text(lang, "need_email", order_id=order_id))]
    if not owns(tracker, order):
        return done + failed(tracker) + [SlotSet(slot="email", value=None),
                                         say(text(lang, "email_mismatch", order_id=order_id))]
    return done + [say(lookup(order_id, order, lang))]


@order_action("action_check_order_status")
def check_order_status(order_id: str, order: dict, lang: str = "en") -> str:
    return status_sentence(order_id, order, lang)


@order_action("action_track_delivery")
def track_delivery(order_id: str, order: dict, lang: str = "en", today: date | None = None) -> str:
    if order["status"] != "shipped":
        return status_sentence(order_id, order, lang)
    said = text(lang, "tracking", **{**order, "order_id": order_id})
    late = ((today or date.today()) - date.fromisoformat(order["estimated_delivery"])).days
    if late > 0:
        said += text(lang, "late", late=late, plural="s" if late > 1 else "")
    return said


@order_action("action_cancel_order")
def cancel_order(order_id: str, order: dict, lang: str = "en") -> str:
    status = order["status"]
    if status == "processing":
        return text(lang, "can_cancel", order_id=order_id)
    if status == "cancelled":
        return status_sentence(order_id, order, lang)
    return status_sentence(order_id, order, lang) + text(lang, "cannot_cancel")


def returns_log() -> Path:
    """Where return requests are recorded (the example's own NORTHWIND_RETURNS_LOG overrides,
    e.g. in tests)."""
    default = Path(__file__).resolve().parent.parent / ".switchboard" / "return_requests.jsonl"
    return Path(os.environ.get("NORTHWIND_RETURNS_LOG", default))


@forget
def forget_return_requests(sender_id: str) -> int:
    """A deleted conversation's return requests go too (they hold the customer's email)."""
    path = returns_log()
    if not path.exists():
        return 0
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if _sender_of(line) != sender_id]
    if len(kept) < len(lines):
        tmp = path.with_suffix(".tmp")
        tmp.write_text("".join(kept), encoding="utf-8")
        tmp.replace(path)
    return len(lines) - len(kept)


def _sender_of(line: str) -> str | None:
    try:
        return json.loads(line).get("sender_id")
    except ValueError:
        return None


@action("action_start_return")
def start_return(tracker, domain):
    """Record a return request, only for an order in data/orders.json whose email matches."""
    from datetime import datetime, timezone

    from dialogue.registry import utter

    order_id, email = tracker.slots.get("order_id"), tracker.slots.get("email")
    order = find_order(order_id)
    if order is None or str(email or "").lower() != order.get("email", "").lower():
        return [utter(domain, tracker, "utter_return_not_matched")]
    path = returns_log()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as log:
        log.write(json.dumps({"order_id": order_id, "email": email, "items": order.get("items", []),
                              "sender_id": tracker.sender_id,
                              "requested_at": datetime.now(timezone.utc).isoformat()}) + "\n")
    return [utter(domain, tracker, "utter_return_started")]
