"""How the terminal chat prints replies: buttons, an image's URL, a custom payload as
compact JSON, a grounded answer's sources (and only those) dimmed."""
from assistant.shell import print_turn
from channels.shell import Line, ShellOutput
from core.events import BotUttered


def test_the_shell_prints_buttons_custom_json_and_the_image_url(shop_agent, capsys) -> None:
    print_turn(shop_agent.handle("shell", "thanks", "shell"), debug=False)
    printed = capsys.readouterr().out.splitlines()
    assert printed[-4:] == ["Bot: Here is our shop.",
                            "     [1] Say hello  (/greet)",
                            '     custom: {"blocks":[{"type":"divider"}]}',
                            "     image: https://example.com/shop.png"]


def test_a_grounded_answer_shows_its_sources_not_its_metadata() -> None:
    reply = BotUttered(text="Refunds take 5–7 business days.", custom={
        "citations": ["returns#refunds"], "backend": "extractive", "total_ms": 3.0,
        "sources": [{"id": "returns#refunds", "source": "returns.md", "score": 0.8}]})
    assert ShellOutput().render("shell", reply) == [
        Line("Bot: Refunds take 5–7 business days."),
        Line("     sources: returns#refunds (returns.md)", dim=True)]


def test_an_image_without_text_is_just_its_url() -> None:
    assert ShellOutput().render("shell", BotUttered(image="https://example.com/map.png")) == [
        Line("     image: https://example.com/map.png")]
