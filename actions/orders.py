"""Order look-ups for the example assistant, from data/orders.json only.

Every fact the bot states about an order comes from that file; an order that is not
there is reported as not found, never guessed.
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


def order_action(name: str):
    """Register an action that needs the order in the `order_id` slot: the function gets
    (order_id, order) and is not called when the order is unknown (that is said instead)."""
    def register(fn):
        def run(tracker, domain):
            order_id = tracker.slots.get("order_id")
            order = find_order(order_id)
            if order is None:
                return _not_found(order_id)
            return [say(fn(order_id, order))]
        return action(name)(run)
    return register


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
