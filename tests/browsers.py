"""Real headless Chromium for the page tests (Debian's chromium + chromedriver, driven by
selenium): `needs_chromium` skips a module without them, `chromium()` starts one browser."""
from __future__ import annotations

import shutil

import pytest

CHROMEDRIVER = shutil.which("chromedriver")
needs_chromium = pytest.mark.skipif(
    CHROMEDRIVER is None or shutil.which("chromium") is None,
    reason="chromium / chromedriver not installed (make test installs them where it can)")


def chromium(window: str | None = None):
    """A new headless Chromium (its own storage: one per person in a test)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
        options.add_argument(flag)
    if window:
        options.add_argument(f"--window-size={window}")
    options.binary_location = shutil.which("chromium")
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
