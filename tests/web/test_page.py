"""The business-development page in a real headless Chromium (Debian's), driven by Playwright."""

from __future__ import annotations

import csv
import io

import pytest

pytestmark = pytest.mark.browser


def fill_profile(page):
    page.get_by_label("Company name").fill("Example Cardio Ltd")
    page.get_by_label("Country (ISO code, e.g. GB)").fill("GB")
    page.locator("#asset-0-name").fill("EX-CV1")
    page.get_by_label("Modality *").select_option("small_molecule")
    page.get_by_label("Stage *").select_option("phase3")
    page.locator("#asset-0-area-cardiovascular").check()
    page.get_by_role("checkbox", name="License an asset to a Korean partner").check()


def test_submit_profile_read_ranked_partners_and_give_feedback(page, artifacts_dir):
    fill_profile(page)
    page.get_by_role("button", name="Find partners").click()
    page.wait_for_selector("#results li.match")
    matches = page.locator("#results li.match")
    assert matches.count() == 10
    first = matches.first
    assert first.locator(".reasons li").count() >= 1
    assert "Score" in first.locator(".score").inner_text()
    assert "best asset: EX-CV1" in first.locator(".meta").inner_text()
    assert page.evaluate("document.activeElement.id") == "results-heading"  # focus moves to the results
    assert not page.locator("#cluster-map").is_hidden()

    first.get_by_role("button", name="Relevant", exact=True).click()
    page.wait_for_selector("#results li.match >> nth=0 >> text=Saved: relevant")
    assert first.get_by_role("button", name="Relevant", exact=True).get_attribute("aria-pressed") == "true"

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Export as CSV").click()
    rows = list(csv.DictReader(io.StringIO(open(download_info.value.path(), encoding="utf-8").read())))
    assert len(rows) == 10 and rows[0]["partner_id"] == first.get_attribute("data-partner-id")

    first.locator("h3 button").click()
    dialog = page.locator("#partner-dialog")
    dialog.wait_for(state="visible")
    assert dialog.locator("a[href^='http']").count() >= 1  # the partner's sources
    page.screenshot(path=str(artifacts_dir / "web-results.png"), full_page=True)
    page.get_by_role("button", name="Close").click()


def test_api_validation_errors_appear_next_to_the_field(page):
    fill_profile(page)
    page.get_by_label("Country (ISO code, e.g. GB)").fill("Narnia")
    page.get_by_role("button", name="Find partners").click()
    error = page.locator("[id='err-company.country']")
    error.wait_for(state="visible")
    assert "ISO 3166-1 alpha-2" in error.inner_text()
    assert page.get_by_label("Country (ISO code, e.g. GB)").get_attribute("aria-invalid") == "true"
    assert page.locator("#results li.match").count() == 0


def test_keyboard_only_user_can_submit(page):
    fill_profile(page)
    page.get_by_role("button", name="Find partners").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#results li.match")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.tagName + ' ' + (document.activeElement.textContent || '')")
    assert focused.startswith("BUTTON") or focused.startswith("A"), focused


def test_every_form_control_has_a_label(page):
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('input, select, textarea')]
               .filter(e => e.type !== 'hidden' && !e.closest('template'))
               .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
               .map(e => e.id || e.name)"""
    )
    assert unlabelled == []


def test_decline_with_a_reason_hides_the_partner_next_time_and_can_show_it(page):
    fill_profile(page)
    page.get_by_label("Company name").fill("Decline Test Bio")
    page.get_by_role("button", name="Find partners").click()
    page.wait_for_selector("#results li.match")
    first = page.locator("#results li.match").first
    declined = first.get_attribute("data-partner-id")
    first.get_by_role("button", name="Not relevant").click()
    why = first.get_by_label("Why not relevant?")
    why.wait_for(state="visible")
    assert why.locator("option").count() == 8  # a short choice, not a free-text box
    why.select_option("wrong_stage")
    first.get_by_role("button", name="Send").click()
    page.wait_for_selector("#results li.match >> nth=0 >> text=Saved: not relevant (wrong stage)")

    page.get_by_role("button", name="Find partners").click()
    page.wait_for_selector("#declined-note:not([hidden])")
    assert page.locator("#declined-count").inner_text() == "1 declined partner hidden."
    ids = page.locator("#results li.match").evaluate_all("els => els.map(e => e.dataset.partnerId)")
    assert declined not in ids

    page.get_by_role("button", name="Show them").click()
    page.wait_for_selector(f"#results li.match[data-partner-id='{declined}']")
    back = page.locator(f"#results li.match[data-partner-id='{declined}']")
    assert "Marked earlier: not relevant" in back.locator(".status").inner_text()


def test_a_license_in_search_shows_the_partner_asset_and_the_dialog_lists_the_pipeline(page):
    page.get_by_label("Company name").fill("Asset Seeker Inc")
    page.locator("#asset-0-name").fill("OB-2")
    page.get_by_label("Modality *").select_option("small_molecule")
    page.get_by_label("Stage *").select_option("phase2")
    page.locator("#asset-0-area-metabolic").check()
    page.get_by_role("checkbox", name="In-license a Korean asset").check()
    page.get_by_role("button", name="Find partners").click()
    page.wait_for_selector("#results li.match .partner-asset")
    item = page.locator("#results li.match", has=page.locator(".partner-asset")).first
    assert item.locator(".partner-asset a[href^='http']").count() == 1
    item.locator("h3 button").click()
    dialog = page.locator("#partner-dialog")
    dialog.wait_for(state="visible")
    heading = dialog.locator("h3", has_text="Pipeline (")
    assert heading.count() == 1 and heading.inner_text() != "Pipeline (0)"
    name = item.locator(".partner-asset").inner_text().removeprefix("Their asset: ").split(" (")[0]
    assert dialog.locator("td", has_text=name).count() >= 1
    page.get_by_role("button", name="Close").click()
