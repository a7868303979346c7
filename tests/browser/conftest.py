"""A real headless Chromium (Debian's chromium and chromium-driver, installed by
deploy/local/install.sh) driven by Selenium, against the console `make test` started.
Set CONSOLE_SCREENSHOTS=docs/console to keep a PNG of each page (docs/console.md shows them)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from shared import tls
from shared.settings import get_settings
from tests.helpers import TEST_PASSWORD, user_token

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


def console_url(path: str) -> str:
    return tls.url(get_settings().console_port, path, host="127.0.0.1")


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[webdriver.Chrome]:
    options = Options()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1366,900"):
        options.add_argument(arg)  # a laptop screen
    if not tls.http_enabled_insecure():
        # Trust exactly the console's key (its certificate from the local CA), not every
        # certificate as --ignore-certificate-errors would: Chromium reads no CA file on the
        # command line, and adding one means writing an NSS database (certutil) the machine may
        # lack. Chromium honours the SPKI list only with a profile directory of its own.
        options.add_argument(f"--ignore-certificate-errors-spki-list={tls.spki_sha256('console')}")
        options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.implicitly_wait(0)
    try:
        log_in(driver)
        yield driver
    finally:
        driver.quit()


CONSOLE_USER = "test-console"


def log_in(driver: webdriver.Chrome) -> None:
    """Through the log-in form, as a person who codes and bills (docs/security.md)."""
    user_token("coder,biller", CONSOLE_USER)  # the person exists
    driver.get(console_url("/"))
    assert "/login" in driver.current_url, "the console showed a page without a log-in"
    driver.find_element(By.ID, "username").send_keys(CONSOLE_USER)
    driver.find_element(By.ID, "password").send_keys(TEST_PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    # the form's answer sets the session cookie: wait for it before the tests navigate away
    WebDriverWait(driver, 30).until(lambda d: "/login" not in d.current_url)
    assert driver.get_cookie("rcm_session"), "no session after logging in"


def screenshot(driver: webdriver.Chrome, name: str) -> None:
    folder = os.environ.get("CONSOLE_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        height = driver.execute_script("return document.body.scrollHeight")
        driver.set_window_size(1366, min(max(int(height), 900), 2400))
        driver.save_screenshot(str(Path(folder) / f"{name}.png"))
        driver.set_window_size(1366, 900)
