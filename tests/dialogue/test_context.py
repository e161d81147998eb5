"""What the example remembers: an order named earlier answers "can you track it?", survives
a restart of the server, and starts the return form (confirmed, not asked again)."""
from tests.support import say


def texts(result) -> list[str]:
    return [r.text for r in result.replies]


def test_track_it_resolves_to_the_order_already_in_the_conversation(agent) -> None:
    say(agent, "where is my order 48213, my email is sam.lee@example.org")
    result = say(agent, "can you track it?")
    assert result.actions == ["action_track_delivery"]
    assert "Order 48213" in texts(result)[0] and "order number" not in texts(result)[0]
    assert agent.tracker("c1").slots["order_id"] == "48213"


def test_a_new_order_number_replaces_the_remembered_one(agent) -> None:
    say(agent, "where is my order 48213, my email is sam.lee@example.org")
    result = say(agent, "where is my order 12345")
    assert agent.tracker("c1").slots["order_id"] == "12345"
    assert "email address on order 12345" in texts(result)[0]  # not Sam's order


def test_the_order_is_remembered_across_a_restart(example, tmp_path) -> None:
    from dialogue.agent import Agent
    from stores.handoffs import HandoffQueue
    from stores.sqlite import SQLiteStore
    from tests.support import KeywordParser

    project, policies = example
    path = tmp_path / "conversations.sqlite"
    before = Agent(project, KeywordParser(), policies, HandoffQueue(), seed=0, store=SQLiteStore(path))
    say(before, "where is my order 48213, my email is sam.lee@example.org")
    after = Agent(project, KeywordParser(), policies, HandoffQueue(), seed=0, store=SQLiteStore(path))
    result = say(after, "where is my order? is it delivered yet?")
    assert result.actions == ["action_check_order_status"]
    assert "Order 48213" in texts(result)[0] and "delivered on" in texts(result)[0]


def test_the_return_form_confirms_a_remembered_order_and_uses_the_known_email(agent, returns_log) -> None:
    say(agent, "where is my order NW-55871, my email is maria.lopez@gmail.com")
    ask = say(agent, "I want to return it")
    assert ask.actions == ["return_form"]
    assert texts(ask) == ["Is this about order NW-55871?"]
    assert [title for title, _ in ask.replies[0].buttons] == ["Yes", "No, another order"]
    assert agent.tracker("c1").slots["order_id"] == "NW-55871"  # not cleared
    done = say(agent, "yes")  # the email is known too: nothing left to ask
    assert done.actions == ["return_form", "action_start_return"]
    assert "NW-55871" in texts(done)[0] and returns_log.exists()


def test_no_to_the_confirmation_asks_for_the_order_and_does_not_cancel_the_return(agent) -> None:
    say(agent, "where is my order NW-55871, my email is maria.lopez@gmail.com", "I want to return it")
    result = say(agent, "no")
    assert result.actions == ["return_form"]
    assert agent.tracker("c1").active_loop == "return_form"
    assert agent.tracker("c1").slots["order_id"] is None
    assert "order number" in texts(result)[0]
    done = say(agent, "it's 3087716")  # Maria's other order; the email is still known
    assert done.actions == ["return_form", "action_start_return"]


def test_a_new_number_instead_of_yes_replaces_the_remembered_one(agent) -> None:
    say(agent, "where is my order NW-55871, my email is maria.lopez@gmail.com", "I want to return it")
    done = say(agent, "3087716")
    assert agent.tracker("c1").slots["order_id"] == "3087716"
    assert done.actions == ["return_form", "action_start_return"]


def test_an_order_named_when_starting_the_return_is_not_confirmed(agent) -> None:
    say(agent, "where is my order NW-55871, my email is maria.lopez@gmail.com")
    done = say(agent, "I want to return order 3087716")
    assert done.actions == ["return_form", "action_start_return"]
