"""Order look-ups for the example assistant, from data/orders.json only.

Every fact the bot states about an order comes from that file; an order that is not
there is reported as not found, never guessed. Order details go only to the customer who
owns the order: the `email` slot (a logged-in customer's, from actions/customers.py, or
the one the customer gave) must be the order's; otherwise the bot asks for the email on
the order first and answers once it matches (`action_verify_order_email`, run by the rule
in data/rules.yml while `awaiting_order_email` is set). Without an order number, a
logged-in customer gets their latest order, or buttons to pick one when several are open.
"""
from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

from core.events import SlotSet
from dialogue.registry import action, say

ORDERS = Path(__file__).resolve().parent.parent / "data" / "orders.json"


def find_order(order_id: str | None) -> dict | None:
    if not order_id:
        return None
    orders = json.loads(ORDERS.read_text(encoding="utf-8"))["orders"]
    key = str(order_id).strip().upper()
    return orders.get(key) or orders.get(key.replace("NW-", "")) or orders.get(f"NW-{key}")


def _items(order: dict) -> str:
    return ", ".join(order.get("items", [])) or "your items"


def _not_found(order_id: str | None):
    if not order_id:
        return [say("I need your order number to look that up. It's in your confirmation "
                    "email and looks like 12345 or NW-12345.")]
    return [say(f"I couldn't find an order with the number {order_id}. Could you check it? "
                "It's in your confirmation email and looks like 12345 or NW-12345."),
            SlotSet(slot="order_id", value=None)]


def status_sentence(order_id: str, order: dict) -> str:
    status = order["status"]
    if status == "processing":
        return (f"Order {order_id} ({_items(order)}) was placed on {order['placed']} and is being "
                "prepared in our warehouse; it hasn't shipped yet.")
    if status == "shipped":
        return (f"Order {order_id} ({_items(order)}) shipped on {order['shipped']} with "
                f"{order['carrier']} and is expected on {order['estimated_delivery']}.")
    if status == "delivered":
        return (f"Order {order_id} ({_items(order)}) was delivered on {order['delivered']}.")
    if status == "cancelled":
        return f"Order {order_id} was cancelled on {order['cancelled']}."
    return f"Order {order_id} has the status '{status}'."


OPEN = ("processing", "shipped")
LOOKUPS: dict = {}  # action name -> (order_id, order) -> sentence


def owns(tracker, order: dict) -> bool:
    return str(tracker.slots.get("email") or "").strip().lower() == order.get("email", "").lower()


def _ask_email(order_id: str, action_name: str, email) -> list:
    text = (f"To keep order details private, I can only share them with the person who placed "
            f"the order. Could you tell me the email address on order {order_id}?")
    if email:
        text = f"Order {order_id} isn't under {email}. " + text
    return [say(text), SlotSet(slot="awaiting_order_email", value=True),
            SlotSet(slot="order_lookup", value=action_name)]


def _customer_orders(tracker) -> list[tuple[str, dict]]:
    from actions.customers import find_customer

    profile = find_customer(tracker.slots.get("customer_id"))
    found = [(oid, find_order(oid)) for oid in (profile or {}).get("orders", [])]
    return sorted(((oid, o) for oid, o in found if o), key=lambda p: p[1]["placed"], reverse=True)


def _which_order(tracker, action_name: str, fn) -> list:
    """No order number: a logged-in customer's latest order, or buttons if several are open."""
    orders = _customer_orders(tracker)
    if not orders:
        return _not_found(None)
    open_orders = [(oid, o) for oid, o in orders if o["status"] in OPEN]
    if len(open_orders) > 1:
        user = tracker.latest_message
        intent = user.intent if user is not None and user.intent in ORDER_INTENTS else "order_status"
        buttons = tuple((f"{oid} ({_items(o)})", f'/{intent}{{"order_id": "{oid}"}}')
                        for oid, o in open_orders)
        return [say("You have more than one open order. Which one do you mean?", buttons)]
    order_id, order = orders[0]
    return [SlotSet(slot="order_id", value=order_id), say(fn(order_id, order))]


ORDER_INTENTS = ("order_status", "track_delivery", "cancel_order")


def order_action(name: str):
    """Register an action that needs the order in the `order_id` slot: the function gets
    (order_id, order) and is only called for the order's owner (an unknown order is said
    instead; a stranger is asked for the email on the order)."""
    def register(fn):
        def run(tracker, domain):
            order_id = tracker.slots.get("order_id")
            if not order_id:
                return _which_order(tracker, name, fn)
            order = find_order(order_id)
            if order is None:
                return _not_found(order_id)
            if not owns(tracker, order):
                return _ask_email(order_id, name, tracker.slots.get("email"))
            return [say(fn(order_id, order))]
        LOOKUPS[name] = fn
        return action(name)(run)
    return register


@action("action_verify_order_email")
def verify_order_email(tracker, domain):
    """The customer gave an email after being asked for the one on the order: answer what
    they asked if it matches; otherwise say so (and forget the email)."""
    order_id = tracker.slots.get("order_id")
    lookup = LOOKUPS.get(tracker.slots.get("order_lookup")) or LOOKUPS["action_check_order_status"]
    done = [SlotSet(slot="awaiting_order_email", value=None), SlotSet(slot="order_lookup", value=None)]
    order = find_order(order_id)
    email = tracker.slots.get("email")
    if order is None:
        return done + _not_found(order_id)
    if not email:
        return [say(f"I need the email address on order {order_id} to share its details, "
                    "for example name@example.com.")]
    if not owns(tracker, order):
        return done + [SlotSet(slot="email", value=None),
                       say(f"That email doesn't match order {order_id}, so I can't share its "
                           "details. Please check the email in your order confirmation, or ask "
                           "for an agent.")]
    return done + [say(lookup(order_id, order))]


@order_action("action_check_order_status")
def check_order_status(order_id: str, order: dict) -> str:
    return status_sentence(order_id, order)


@order_action("action_track_delivery")
def track_delivery(order_id: str, order: dict, today: date | None = None) -> str:
    if order["status"] != "shipped":
        return status_sentence(order_id, order)
    text = (f"Order {order_id} is with {order['carrier']}, tracking number {order['tracking']}, "
            f"expected on {order['estimated_delivery']}.")
    late = ((today or date.today()) - date.fromisoformat(order["estimated_delivery"])).days
    if late > 0:
        text += (f" That is {late} day{'s' if late > 1 else ''} past the estimate; if a parcel is "
                 "more than 5 business days late, we open an investigation with the carrier "
                 "(ask for an agent to start one).")
    return text


@order_action("action_cancel_order")
def cancel_order(order_id: str, order: dict) -> str:
    status = order["status"]
    if status == "processing":
        return (f"Order {order_id} hasn't left our warehouse yet, so it can still be cancelled "
                "free of charge. Ask for an agent and they'll cancel it for you.")
    if status == "cancelled":
        return status_sentence(order_id, order)
    return (f"{status_sentence(order_id, order)} It can no longer be cancelled, but you can "
            "return it within 30 days of delivery.")


def returns_log() -> Path:
    """Where return requests are recorded (the example's own NORTHWIND_RETURNS_LOG overrides,
    e.g. in tests)."""
    default = Path(__file__).resolve().parent.parent / ".switchboard" / "return_requests.jsonl"
    return Path(os.environ.get("NORTHWIND_RETURNS_LOG", default))


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
