"""The analytics page in a real headless Chromium: a staff token typed in, the charts drawn
(inline SVG) and the figures shown; a token without the scope is told so."""
import pytest

from server.auth import Auth, new_staff_token
from stores.sqlite import SQLiteStore
from tests.analytics.story import fill
from tests.browsers import chromium, needs_chromium

pytestmark = needs_chromium


@pytest.fixture
def browser():
    driver = chromium("1300,1800")
    yield driver
    driver.quit()


def test_the_page_draws_the_figures(make_server, browser, tmp_path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    tokens = tmp_path / "tokens.yml"
    sam = new_staff_token(tokens, "sam", ["agent"])
    backend = new_staff_token(tokens, "shop-backend", ["channel"])
    store = tmp_path / "conversations.sqlite"
    fill(SQLiteStore(store))
    wait = WebDriverWait(browser, 15)
    with make_server(auth=Auth(tokens_file=tokens, secret=b"k"), store_path=store) as server:
        browser.get(server.url + "/analytics")
        wait.until(lambda d: "staff token" in d.find_element(By.ID, "error").text)
        browser.find_element(By.ID, "token").send_keys(backend + "\n")
        wait.until(lambda d: "scope 'agent' or 'metrics'" in d.find_element(By.ID, "error").text)
        browser.find_element(By.ID, "token").send_keys(sam + "\n")
        Select(browser.find_element(By.ID, "days")).select_by_value("365")
        browser.find_element(By.CSS_SELECTOR, "#filters button").click()
        wait.until(lambda d: "2026-12-02" in d.find_element(By.ID, "scope").text
                   or d.find_elements(By.CSS_SELECTOR, "#per-day svg rect"))
        cards = browser.find_element(By.ID, "cards").text
        assert "Containment" in cards and "Conversations" in cards
        assert browser.find_elements(By.CSS_SELECTOR, "#per-day svg rect")
        assert browser.find_elements(By.CSS_SELECTOR, "#rates svg path")
        assert "order_status" in browser.find_element(By.ID, "before-fallback").text
        assert "3 frustrated messages in a row" in browser.find_element(By.ID, "reasons").text
        assert browser.find_element(By.ID, "error").is_displayed() is False
        browser.save_screenshot(str(tmp_path / "analytics.png"))
