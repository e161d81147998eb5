"""The agent inbox (GET /inbox) in real headless Chromium (Debian's chromium + chromedriver,
driven by selenium), end to end: one customer on the chat page asks for a human; agent Ann
claims the ticket and Bob's inbox shows it taken by her; Ann picks a suggested reply and
sends it, and the customer's page shows it without a reload; Ann releases the conversation,
the ticket leaves both inboxes, and the bot answers the customer's next message.
Set SWITCHBOARD_SCREENSHOTS to a folder to keep a screenshot of Ann's inbox."""
import os
from pathlib import Path

import pytest

from server.auth import Auth, new_staff_token
from tests.browsers import chromium, needs_chromium

pytestmark = needs_chromium
WAIT_S = 20


@pytest.fixture
def browsers():
    """A new headless Chromium per call (each its own sessionStorage: one per person)."""
    started = []

    def start():
        driver = chromium("1400,900")
        started.append(driver)
        return driver

    yield start
    for driver in started:
        driver.quit()


def wait(driver):
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    # the inbox redraws its queue every 2 s: an element found just before may be gone
    return WebDriverWait(driver, WAIT_S, ignored_exceptions=(StaleElementReferenceException,))


def click(driver, css: str) -> None:
    """Click the first element matching `css`, again if the page redrew it meanwhile."""
    from selenium.webdriver.common.by import By

    def clicked(d) -> bool:
        found = d.find_elements(By.CSS_SELECTOR, css)
        if not found or not found[0].is_displayed():
            return False
        found[0].click()
        return True
    wait(driver).until(clicked)


def texts(driver, css: str) -> list[str]:
    from selenium.webdriver.common.by import By

    return [e.text for e in driver.find_elements(By.CSS_SELECTOR, css)]


def open_inbox(driver, url: str, token: str) -> None:
    """The inbox page, with the agent's staff token typed in (Enter uses it)."""
    from selenium.webdriver.common.by import By

    driver.get(url + "/inbox")
    box = wait(driver).until(lambda d: d.find_element(By.ID, "token"))
    box.send_keys(token + "\n")
    wait(driver).until(lambda d: d.find_element(By.ID, "me").text.startswith("— "))


def test_a_handoff_worked_end_to_end_in_the_inbox(make_server, browsers, tmp_path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    tokens = tmp_path / "tokens.yml"
    ann_token, bob_token = (new_staff_token(tokens, name, ["agent"]) for name in ("ann", "bob"))
    question = "how long until my refund shows up after you get the parcel back?"
    with make_server(knowledge=True, auth=Auth(tokens_file=tokens, secret=b"k")) as server:
        customer, ann, bob = browsers(), browsers(), browsers()
        # the customer asks for a human, then asks their question
        customer.get(server.url + "/")
        chat = wait(customer).until(lambda d: d.find_element(By.ID, "text"))
        chat.send_keys("can I talk to a human\n")
        wait(customer).until(lambda d: d.find_element(By.ID, "status").is_displayed())
        bot_messages = len(texts(customer, ".msg.bot"))
        chat.send_keys(question + "\n")

        # without a token the inbox asks for one
        ann.get(server.url + "/inbox")
        wait(ann).until(lambda d: "staff token" in d.find_element(By.ID, "error").text)
        # Ann sees the ticket, opens it and claims it
        open_inbox(ann, server.url, ann_token)
        wait(ann).until(lambda d: texts(d, ".ticket .reason"))
        assert "asked for a human" in texts(ann, ".ticket .reason")[0]
        assert texts(ann, ".ticket .assignee") == ["unclaimed"]
        assert texts(ann, ".ticket .waiting")[0].startswith("waiting ")
        click(ann, ".ticket")
        wait(ann).until(lambda d: question in d.find_element(By.ID, "transcript").text)
        assert "human_handoff" in ann.find_element(By.ID, "summary").text
        click(ann, "#claim")
        wait(ann).until(lambda d: d.find_element(By.ID, "ticket-assignee").text == "taken by you (ann)")

        # Bob's inbox shows it taken by Ann; his claim is refused, naming her
        open_inbox(bob, server.url, bob_token)
        wait(bob).until(lambda d: texts(d, ".ticket .assignee") == ["taken by ann"])
        click(bob, ".ticket")
        click(bob, "#claim")
        wait(bob).until(lambda d: d.find_element(By.ID, "error").text.startswith("Taken by ann"))

        # Ann takes a suggested reply (the project's own response, with the passage beside it)
        suggested = '#suggestions .suggestion[data-source="utter_refund_status"]'
        wait(ann).until(lambda d: d.find_elements(By.CSS_SELECTOR, suggested))
        assert ann.find_elements(By.CSS_SELECTOR, '#passages .suggestion[data-source="returns#refunds"]')
        click(ann, suggested)
        reply = ann.find_element(By.ID, "reply")
        text = reply.get_attribute("value")
        assert "5–7 business days" in text
        reply.send_keys(Keys.ENTER)
        wait(ann).until(lambda d: any(text in line for line in texts(d, "#transcript .line.agent")))
        if os.environ.get("SWITCHBOARD_SCREENSHOTS"):
            Path(os.environ["SWITCHBOARD_SCREENSHOTS"]).mkdir(parents=True, exist_ok=True)
            ann.save_screenshot(str(Path(os.environ["SWITCHBOARD_SCREENSHOTS"]) / "inbox.png"))

        # the customer's page shows it, no reload
        wait(customer).until(lambda d: texts(d, ".msg.agent"))
        assert texts(customer, ".msg.agent") == [text]

        # Ann releases: the ticket leaves both inboxes
        click(ann, "#release")
        for agent in (ann, bob):
            wait(agent).until(lambda d: not d.find_elements(By.CSS_SELECTOR, ".ticket")
                              and d.find_element(By.ID, "empty").is_displayed())
        assert not ann.find_element(By.ID, "ticket").is_displayed()

        # the bot answers the customer again
        chat.send_keys("thanks a lot\n")
        wait(customer).until(lambda d: len(texts(d, ".msg.bot")) > bot_messages)
        assert "anything else" in texts(customer, ".msg.bot")[-1]
        assert ann_token not in customer.page_source and ann_token not in ann.page_source
