"""The web chat page in a real headless Chromium (Debian's chromium + chromedriver, driven by
selenium): type a message, read the streamed answer, click a button, see a grounded answer's
sources and the handoff state."""
import pytest

from tests.browsers import chromium, needs_chromium

pytestmark = needs_chromium


@pytest.fixture
def browser():
    driver = chromium()
    yield driver
    driver.quit()


def test_chat_page_answers_buttons_and_handoff(make_server, browser) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, 15)
    with make_server(knowledge=True) as server:
        browser.get(server.url + "/")
        box = wait.until(EC.presence_of_element_located((By.ID, "text")))
        box.send_keys("thanks a lot\n")
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".msg.bot")) >= 2)
        bots = [e.text for e in browser.find_elements(By.CSS_SELECTOR, ".msg.bot")]
        assert "anything else" in bots[-1]
        buttons = browser.find_elements(By.CSS_SELECTOR, ".msg.bot .buttons button")
        assert [b.text for b in buttons] == ["Yes", "No, that's all"]
        buttons[1].click()  # sends /deny
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".msg.bot")) >= 3)
        box.send_keys("how long until my refund shows up after you get the parcel back?\n")
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".msg.bot .sources"))
        answer = browser.find_elements(By.CSS_SELECTOR, ".msg.bot")[-1].text
        assert "5–7 business days" in answer and "Sources: returns#refunds" in answer
        box.send_keys("can I talk to a human\n")
        wait.until(EC.visibility_of_element_located((By.ID, "status")))
        assert "member of our team" in browser.find_element(By.ID, "status").text


def test_chat_page_needs_no_staff_secret_and_shows_the_agent(make_server, browser) -> None:
    """Staff tokens on: the page gets its own conversation token, the agent's reply (sent
    with the staff token) shows in it, and the page never holds the staff token."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, 15)
    with make_server(token="staff-s3cret") as server:
        browser.get(server.url + "/")
        box = wait.until(EC.presence_of_element_located((By.ID, "text")))
        box.send_keys("can I talk to a human\n")
        wait.until(EC.visibility_of_element_located((By.ID, "status")))
        session = browser.execute_script("return JSON.parse(localStorage.sbSession)")
        assert session["token"].startswith("c1.") and "staff-s3cret" not in browser.page_source
        status, _ = server.call("POST", f"/conversations/{session['sender']}/messages",
                                {"text": "Hi, this is Sam from support", "author": "agent"},
                                token="staff-s3cret")
        assert status == 200
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".msg.agent"))
        assert browser.find_elements(By.CSS_SELECTOR, ".msg.agent")[0].text == "Hi, this is Sam from support"


def test_thumbs_and_the_solved_question_are_stored(make_server, browser) -> None:
    """The customer rates a reply with a thumb, says goodbye, answers "Did that solve it?"
    with a button: both are Feedback events on their conversation."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    from core.events import Feedback

    wait = WebDriverWait(browser, 15)
    with make_server(token="staff-s3cret") as server:
        browser.get(server.url + "/")
        box = wait.until(EC.presence_of_element_located((By.ID, "text")))
        box.send_keys("hi\n")
        down = wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, ".msg.bot .thumbs .down")))
        down.click()
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".thumbs .down.chosen"))
        box.send_keys("ok bye\n")
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".msg.bot .buttons button"))
        question = browser.find_elements(By.CSS_SELECTOR, ".msg.bot")[-1]
        assert question.text.startswith("Did that solve it?")
        assert not question.find_elements(By.CSS_SELECTOR, ".thumbs")  # no thumbs on a question
        question.find_elements(By.CSS_SELECTOR, ".buttons button")[1].click()  # "No"
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".msg.bot")[-1].text.startswith("Thanks for telling us"))
        sender = browser.execute_script("return JSON.parse(localStorage.sbSession).sender")
        agent = server.server.config.app.state.agent
        rated = [(e.kind, e.score) for e in agent.tracker(sender).events if isinstance(e, Feedback)]
        assert rated == [("message", -1), ("conversation", -1)]


def test_chat_page_shows_the_answer_as_it_is_generated(make_server, example, browser) -> None:
    """A slow (fake, local) model: the page shows the checked beginning as a draft while
    the model writes, then the reply (with its sources) in its place."""
    from dataclasses import replace

    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    from tests.responses.fake_llm_server import FakeLLM
    from tests.server.test_stream_tokens import ANSWER, QUESTION

    wait = WebDriverWait(browser, 15, poll_frequency=0.05)
    with FakeLLM([f"stream:{ANSWER}"], token_delay=0.1, chunk=8) as llm:
        config = replace(example[0].domain.generation, backend="openai", base_url=llm.url, model="tiny")
        with make_server(generation=config) as server:
            browser.get(server.url + "/")
            wait.until(EC.presence_of_element_located((By.ID, "text"))).send_keys(QUESTION + "\n")
            draft = wait.until(lambda d: [e.text for e in d.find_elements(By.CSS_SELECTOR, ".msg.bot.draft")
                                          if e.text.startswith("Refunds")])[0]
            wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".msg.bot .sources"))
            bots = browser.find_elements(By.CSS_SELECTOR, ".msg.bot")
    answer = bots[-1].text
    assert not browser.find_elements(By.CSS_SELECTOR, ".msg.draft")
    assert len(draft) < len(ANSWER) - 40 and answer.startswith(draft) and "Sources: returns#refunds" in answer
