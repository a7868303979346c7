"""The console as people use it, in a real browser: a coder clears a review item and the
encounter is billed; the dashboard shows the numbers `rcm kpis` prints."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import orjson
from selenium import webdriver
from selenium.webdriver.common.by import By

from bench.synthetic import VisitFactory
from console.entrypoints.format import FIGURES, figure
from tests.browser.conftest import console_url, screenshot
from tests.integration.test_intake_http import post


def until(check: Callable[[], Any], timeout: float = 90, every: float = 0.5) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {getattr(check, '__name__', check)}")
        time.sleep(every)


def type_into(driver: webdriver.Chrome, field: str, text: str) -> None:
    element = driver.find_element(By.ID, field)
    element.clear()
    if text:
        element.send_keys(text)


def test_a_coder_clears_a_review_item_and_the_encounter_is_billed(
    browser: webdriver.Chrome, factory: VisitFactory
) -> None:
    visit = orjson.loads(factory.visit(0).model_dump_json())
    visit["diagnoses"] = [{"code": "M54.5"}, {"text": "migraine without aura"}]  # a category, and a weak match
    visit["procedures"] = []
    visit_id = visit["visit_id"]
    assert post(orjson.dumps(visit)).status_code == 202

    def queued() -> bool:
        browser.get(console_url("/review-queue"))
        return bool(browser.find_elements(By.LINK_TEXT, visit_id))

    until(queued)
    screenshot(browser, "review-queue")
    browser.find_element(By.LINK_TEXT, visit_id).click()
    assert "Documentation" in browser.page_source and "icd-not-billable" in browser.page_source

    type_into(browser, "coder", "Browser Coder")
    type_into(browser, "dx1", "M54.5")
    type_into(browser, "cpt1", "99213")
    type_into(browser, "ptr1", "1,2")
    # checked on the server while typing: a category is not billable, a pointer past the list is refused
    until(lambda: "not billable" in browser.find_element(By.ID, "check").text, timeout=10)
    until(lambda: "ptr1" in browser.find_element(By.ID, "check").text, timeout=10)  # the check of ptr1 may come later
    screenshot(browser, "review-item")
    type_into(browser, "dx1", "M54.50")
    type_into(browser, "dx2", "G43.009")
    for n in range(2, 7):
        type_into(browser, f"cpt{n}", "")
    until(lambda: "ready to submit" in browser.find_element(By.ID, "check").text, timeout=10)
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    until(lambda: f"/review-queue/{visit_id}" not in browser.current_url, timeout=45)

    def billed() -> str:
        browser.get(console_url(f"/search?q={visit_id}"))
        cells = [td.text for td in browser.find_elements(By.CSS_SELECTOR, "tbody td")]
        return next((s for s in cells if s in ("paid", "partially paid", "denied")), "")

    assert until(billed)
    screenshot(browser, "search")
    browser.find_element(By.CSS_SELECTOR, "a[href^='/claims/']").click()
    assert "99213" in browser.page_source and "Payer's answers" in browser.page_source
    screenshot(browser, "claim")


def kpis_json() -> dict[str, Any]:
    out = subprocess.run([sys.executable, "-m", "shared.cli.root", "kpis", "--json"], capture_output=True,
                         text=True, check=True, timeout=60)  # fmt: skip
    report: dict[str, Any] = json.loads(out.stdout)
    return report


def test_the_dashboard_shows_the_numbers_rcm_kpis_prints(browser: webdriver.Chrome) -> None:
    def page_figures() -> dict[str, str]:
        browser.get(console_url("/"))
        rows = browser.find_elements(By.CSS_SELECTOR, "#kpis tbody tr")
        return {r.get_attribute("data-kpi") or "": r.find_elements(By.TAG_NAME, "td")[0].text for r in rows}

    for _ in range(10):  # other tests' claims may land between the two reads: read until both agree
        before = kpis_json()
        shown = page_figures()
        if kpis_json()["total"] == before["total"]:
            break
    expected = {key: figure(before["total"][key], kind) for key, _, kind in FIGURES}
    assert shown == expected
    assert before["total"]["claims"] > 0  # the figures compared are of a real book, not of nothing
    screenshot(browser, "dashboard")
    for path, name in (("/denials", "denials"), ("/balances", "balances"), ("/?by=payer", "dashboard-by-payer")):
        browser.get(console_url(path))
        assert "recorded in the access log" in browser.page_source
        screenshot(browser, name)
