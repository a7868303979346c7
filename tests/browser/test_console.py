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
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By

from bench.synthetic import VisitFactory
from console.entrypoints.format import FIGURES, figure
from tests.browser.conftest import CONSOLE_USER, console_url, screenshot
from tests.integration.test_intake_http import post


def until(check: Callable[[], Any], timeout: float = 90, every: float = 0.5) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = check()
        except StaleElementReferenceException:  # the page swapped the element between finding and reading it
            value = None
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
    # the engine's draft, with what each code came from and how sure it was
    draft = [
        row.text
        for row in browser.find_elements(By.XPATH, "//table[caption[contains(., 'Diagnoses the engine')]]//tbody/tr")
    ]
    assert any("G43.009" in row and "migraine without aura" in row and "%" in row for row in draft), draft

    type_into(browser, "coder", "Browser Coder")
    type_into(browser, "dx1", "M54.5")
    type_into(browser, "cpt1", "99213")
    type_into(browser, "ptr1", "1,2")

    # checked on the server while typing: a category is not billable, a pointer past the list is refused
    # (the check answers each keystroke; wait for the answer to the last one, which names both)
    def both_refused() -> bool:
        text = browser.find_element(By.ID, "check").text
        return "not billable" in text and "ptr1" in text

    until(both_refused, timeout=20)
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
    story = [td.text for td in browser.find_elements(By.XPATH, '//h2[.="The visit\'s story"]/following::table[1]//td')]
    assert {"visit received", "sent to a person", "coded by person", "submitted"} <= set(story), story
    screenshot(browser, "claim")


def test_a_biller_corrects_a_denial_resubmits_and_sees_it_paid(
    browser: webdriver.Chrome, factory: VisitFactory
) -> None:
    """CO-197: the knee injection needed the plan's prior authorization. The biller finds the
    claim in the denial queue, types the authorization number, resubmits, and the payer pays."""
    visit = orjson.loads(factory.visit(1).model_dump_json())
    visit["coverage"] = (visit["coverage"] or {}) | {"payer_id": "BLUEPEAK", "plan_id": "BP-PPO"}
    visit |= {"visit_type": "office", "patient_status": "established", "total_minutes": 30, "mdm": "moderate",
              "diagnoses": [{"code": "M17.11"}, {"code": "I10"}], "procedures": [{"code": "20610", "units": 1}],
              "prior_authorization": None}  # fmt: skip
    assert post(orjson.dumps(visit)).status_code == 202

    def queued() -> bool:
        browser.get(console_url("/denials?carc=197"))
        return visit["patient"]["last_name"] in browser.page_source and bool(
            [a for a in browser.find_elements(By.CSS_SELECTOR, "tbody a") if a.text]
        )

    def open_claim() -> str:
        browser.get(console_url(f"/search?q={visit['visit_id']}"))
        links = browser.find_elements(By.CSS_SELECTOR, "a[href^='/claims/']")
        return links[0].text if links else ""

    until(queued)
    screenshot(browser, "denials-queue")
    claim_id = until(open_claim)
    browser.get(console_url("/denials?carc=197"))
    browser.find_element(By.LINK_TEXT, claim_id).click()
    assert "Work this denial" in browser.page_source and "CO-197" in browser.page_source
    type_into(browser, "reason", "authorization was on file")
    type_into(browser, "prior_authorization", "AUTH-BROWSER-1")
    screenshot(browser, "denial-work")
    browser.find_element(By.CSS_SELECTOR, "button[value=correct]").click()
    # the click navigates (POST, then the redirect): wait for the answer page, taken or refused
    until(lambda: "was taken by the biller" in browser.page_source or "Not done:" in browser.page_source, timeout=60)
    assert "was taken by the biller" in browser.page_source, "the biller refused the correction"

    def paid() -> bool:
        browser.get(console_url(f"/claims/{claim_id}"))
        statuses = [td.text for td in browser.find_elements(By.CSS_SELECTOR, "tbody td")]
        return "paid" in statuses and "Work this denial" not in browser.page_source

    until(paid)
    assert "corrected by a person" in browser.page_source and "REF*G1*AUTH-BROWSER-1" in browser.page_source
    assert f"{CONSOLE_USER}: authorization was on file" in browser.page_source  # booked under who logged in
    screenshot(browser, "claim-corrected")


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
