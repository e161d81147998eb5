"""Who the customer is: the REST metadata of a logged-in customer fills their profile at the
start of a session (the example's action_session_start, data/customers.json); order details
go only to the order's owner."""
import time

from tests.support import say


def texts(result) -> list[str]:
    return [r.text for r in result.replies]


def logged_in(agent, customer_id: str, text: str, sender: str = "web-1"):
    return agent.handle(sender, text, "rest", {"customer_id": customer_id})


def test_a_logged_in_customer_is_greeted_by_name_and_known(agent) -> None:
    result = logged_in(agent, "c-1001", "hi")
    assert result.actions == ["utter_greet"]
    assert texts(result)[0].startswith("Hi Sam!")
    tracker = agent.tracker("web-1")
    assert tracker.slots["email"] == "sam.lee@example.org"
    assert tracker.slots["session_started_metadata"] == {"customer_id": "c-1001"}
    assert tracker.latest_message.metadata == {"customer_id": "c-1001"}


def test_an_unknown_customer_id_is_a_stranger(agent) -> None:
    result = logged_in(agent, "c-9999", "hi")
    assert "Sam" not in texts(result)[0] and "welcome back" not in texts(result)[0].lower()
    assert agent.tracker("web-1").slots["email"] is None


def test_where_is_my_order_answers_for_the_latest_order(agent) -> None:
    logged_in(agent, "c-1001", "hi")
    result = say(agent, "where is my order?", sender="web-1")
    assert result.actions == ["action_check_order_status"]
    assert texts(result) == ["Order 48213 (wireless earbuds, USB-C cable) was delivered on 2026-11-06."]
    assert agent.tracker("web-1").slots["order_id"] == "48213"


def test_several_open_orders_are_offered_as_buttons(agent) -> None:
    logged_in(agent, "c-1002", "hi")
    result = say(agent, "where is my order?", sender="web-1")
    assert result.actions == ["action_check_order_status"]
    (reply,) = result.replies
    assert "Which one" in reply.text
    payloads = [payload for _, payload in reply.buttons]
    assert payloads == ['/order_status{"order_id": "NW-70812"}', '/order_status{"order_id": "NW-55871"}']
    picked = say(agent, payloads[1], sender="web-1")
    assert picked.actions == ["action_check_order_status"]
    assert "NW-55871" in texts(picked)[0] and "being prepared" in texts(picked)[0]


def test_a_stranger_is_asked_for_the_email_on_the_order_before_any_detail(agent) -> None:
    ask = say(agent, "where is my order 12345")
    assert ask.actions == ["action_check_order_status"]
    assert "email address on order 12345" in texts(ask)[0]
    assert "JD014600006281" not in " ".join(texts(ask)) and "DHL" not in " ".join(texts(ask))
    wrong = say(agent, "sam.lee@example.org")
    assert wrong.actions == ["action_verify_order_email"]
    assert "doesn't match order 12345" in texts(wrong)[0] and "DHL" not in texts(wrong)[0]
    again = say(agent, "where is my order 12345")
    assert "email address on order 12345" in texts(again)[0]
    right = say(agent, "alex@example.com")
    assert right.actions == ["action_verify_order_email"]
    assert "shipped on 2026-11-16 with DHL" in texts(right)[0]


def test_the_owner_asking_to_track_gets_the_tracking_number_after_the_email(agent) -> None:
    say(agent, "can you track order 12345?")
    right = say(agent, "it's alex@example.com")
    assert right.actions == ["action_verify_order_email"]
    assert "tracking number JD014600006281" in texts(right)[0]


def test_a_logged_in_customer_asking_about_someone_elses_order_is_asked_for_its_email(agent) -> None:
    logged_in(agent, "c-1001", "hi")
    result = say(agent, "where is my order 12345", sender="web-1")
    assert "isn't under sam.lee@example.org" in texts(result)[0]
    assert "DHL" not in texts(result)[0]


def test_a_returning_customer_gets_welcome_back(agent, monkeypatch) -> None:
    logged_in(agent, "c-1001", "hi")
    later = time.time() + 2 * 3600  # past the example's 60-minute session expiry
    monkeypatch.setattr("dialogue.agent.time.time", lambda: later)
    result = logged_in(agent, "c-1001", "hi again")
    assert texts(result)[0].startswith("Welcome back, Sam!")
    anonymous = say(agent, "hello")  # first conversation of c1
    assert "welcome back" not in texts(anonymous)[0].lower()


def test_order_answers_are_in_the_customers_language() -> None:
    import json

    from actions.orders import LOOKUPS, status_sentence
    from actions.texts import TEXTS
    from tests.support import ROOT

    orders = json.loads((ROOT / "data" / "orders.json").read_text())["orders"]
    assert status_sentence("12345", orders["12345"], "zh") == \
        "订单 12345（corduroy jacket）已于 2026-11-16 由 DHL 发出，预计 2026-11-24 送达。"
    assert status_sentence("12345", orders["12345"], "de").startswith("Order 12345")  # no German: English
    assert all(set(sentences) == {"en", "zh"} for sentences in TEXTS.values())
    assert "可以免费取消" in LOOKUPS["action_cancel_order"]("NW-55871", orders["NW-55871"], "zh")


def test_guessing_emails_and_order_numbers_is_bounded_then_a_human_takes_over(agent) -> None:
    from actions.orders import MAX_FAILED_LOOKUPS

    tries = 0
    while tries < MAX_FAILED_LOOKUPS:
        say(agent, "where is my order 12345")
        wrong = say(agent, f"guess{tries}@example.org")
        assert "doesn't match order 12345" in texts(wrong)[0]
        tries += 1
    stopped = say(agent, "where is my order 12345")
    assert "can't look up any more orders" in texts(stopped)[0]
    assert stopped.actions[:2] == ["action_check_order_status", "action_handoff"]
    assert agent.tracker("c1").handed_off
    assert all("DHL" not in t for t in texts(stopped))
