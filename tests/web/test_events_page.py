"""The Event page in Debian's Chromium: upload participants, read the grid and agendas, bad CSV lines."""

from __future__ import annotations

import csv
import io

import pytest

pytestmark = pytest.mark.browser
EVENTS = pytest.mark.parametrize("page", ["/events"], indirect=True)

COMPANIES = (
    "id,company_name,country,seeking,asset_name,modality,stage,therapeutic_areas,indication,max_meetings,unavailable\n"
    "acme,Acme Therapeutics,GB,license_out;manufacturing,AC-101,adc,phase1,oncology,HER2 breast cancer,2,\n"
    'beta,"Beta Bio, Inc.",US,co_development,BB-7,antibody,phase2,immunology,,2,d1-0900\n'
)
PARTNERS = "partner_id,max_meetings,unavailable\nsamsung-biologics,2,\nyuhan,2,\ncelltrion,1,d1-0930\n"
SLOTS = "d1-0900, 2026-05-12T09:00:00+09:00\nd1-0930, 2026-05-12T09:30:00+09:00"


def upload(page, companies=COMPANIES, partners=PARTNERS):
    page.get_by_label("Companies CSV").set_input_files(
        files=[{"name": "companies.csv", "mimeType": "text/csv", "buffer": companies.encode()}]
    )
    page.get_by_label("Korean partners CSV").set_input_files(
        files=[{"name": "partners.csv", "mimeType": "text/csv", "buffer": partners.encode()}]
    )
    page.locator("#slots").fill(SLOTS)
    page.get_by_label("Lowest fit that may meet (0-1)").fill("0")


@EVENTS
def test_upload_participants_and_read_the_grid_and_an_agenda(page, artifacts_dir):
    upload(page)
    page.get_by_role("button", name="Plan the meetings").click()
    page.wait_for_selector("table.grid")
    assert "meetings, total fit" in page.locator("#plan-summary").inner_text()
    grid = page.locator("table.grid")
    assert grid.locator("thead th").all_inner_texts() == ["Slot", "acme", "beta"]
    assert grid.locator("tbody th").all_inner_texts() == ["d1-0900", "d1-0930"]
    assert grid.locator("tbody tr").nth(0).locator("td").nth(1).inner_text() == ""  # beta is away at 09:00
    acme = page.get_by_role("region", name="Agenda of acme")
    assert acme.locator("ol > li").count() == 2 and acme.locator(".reasons li").count() >= 2
    assert acme.get_by_role("link", name="Calendar (.ics)").get_attribute("download") == "company-acme.ics"
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download the plan as CSV").click()
    rows = list(csv.DictReader(io.StringIO(open(download_info.value.path(), encoding="utf-8").read())))
    assert len(rows) == int(page.locator("#plan-summary").inner_text().split()[0])
    assert all(r["start"].startswith("2026-05-12") for r in rows)
    page.screenshot(path=str(artifacts_dir / "web-event.png"), full_page=True)


@EVENTS
def test_a_bad_csv_line_is_shown_next_to_its_file(page):
    upload(page, companies=COMPANIES.replace("adc,phase1", "teleportation,phase1"))
    page.get_by_role("button", name="Plan the meetings").click()
    error = page.locator("#err-companies")
    error.wait_for(state="visible")
    assert error.inner_text().startswith("companies CSV line 2: modality: unknown modality 'teleportation'")
    assert page.get_by_label("Companies CSV").get_attribute("aria-invalid") == "true"

    upload(page, partners=PARTNERS + "yuhan,many,\n")
    page.get_by_role("button", name="Plan the meetings").click()
    page.locator("#err-partners").wait_for(state="visible")
    assert (
        page.locator("#err-partners").inner_text() == "partners CSV line 5: max_meetings 'many' is not a whole number"
    )


@EVENTS
def test_templates_download(page):
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the template").first.click()
    header = open(download_info.value.path(), encoding="utf-8").readline().strip()
    assert header.startswith("id,company_name,country,seeking,asset_name,modality")
