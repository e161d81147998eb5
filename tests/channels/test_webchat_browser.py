"""The web chat page renders Rasa's REST items in a real headless Chromium: a reply's
text with its buttons, then its image as an <img> (tests/server/test_browser.py has the
rest of the page: streaming, sources, handoff)."""
from tests.server.test_browser import browser, pytestmark  # noqa: F401 - fixture and skip


def test_the_chat_page_shows_a_replys_image(serve, browser) -> None:  # noqa: F811
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, 15)
    with serve() as server:
        browser.get(server.url + "/")
        wait.until(EC.presence_of_element_located((By.ID, "text"))).send_keys("thanks\n")
        image = wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".msg.bot.image img")))
        text = browser.find_elements(By.CSS_SELECTOR, ".msg.bot")[0]
    assert image.get_attribute("src") == "https://example.com/shop.png"
    assert text.text.startswith("Here is our shop.")
    assert [b.text for b in text.find_elements(By.CSS_SELECTOR, ".buttons button")] == ["Say hello"]
