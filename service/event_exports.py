"""An event plan as files: a CSV of meetings and one iCalendar file per participant."""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

from icalendar import Calendar, Event

__all__ = ["write_csv", "write_calendars"]

CSV_COLUMNS = ["slot", "start", "end", "company_id", "partner_id", "partner_name", "score", "reasons"]


def write_csv(schedule: dict, names: dict[str, str], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        for m in schedule["meetings"]:
            writer.writerow(
                [m["slot"], m.get("start") or "", m.get("end") or "", m["company_id"], m["partner_id"],
                 names.get(m["partner_id"], m["partner_id"]), m["score"], " | ".join(m["reasons"])]
            )  # fmt: skip


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "participant"


def write_calendars(schedule: dict, names: dict[str, str], folder: Path) -> list[Path]:
    """One .ics per company and per partner with its meetings; needs slot times (start, end)."""
    folder.mkdir(parents=True, exist_ok=True)
    agendas: dict[str, list[tuple[dict, str]]] = {}
    for m in schedule["meetings"]:
        partner = names.get(m["partner_id"], m["partner_id"])
        agendas.setdefault(f"company-{m['company_id']}", []).append((m, f"Meeting with {partner}"))
        agendas.setdefault(f"partner-{m['partner_id']}", []).append((m, f"Meeting with {m['company_id']}"))
    written = []
    for owner, meetings in sorted(agendas.items()):
        calendar = Calendar()
        calendar.add("prodid", "-//kbio-match//event schedule//EN")
        calendar.add("version", "2.0")
        for m, title in meetings:
            event = Event()
            event.add("uid", f"{schedule['schedule_id']}-{m['slot']}-{m['company_id']}-{m['partner_id']}@kbio-match")
            event.add("summary", title)
            event.add("dtstart", dt.datetime.fromisoformat(m["start"]))
            if m.get("end"):
                event.add("dtend", dt.datetime.fromisoformat(m["end"]))
            event.add("description", f"Fit {m['score']:.2f}. " + " ".join(m["reasons"]))
            calendar.add_component(event)
        path = folder / f"{_slug(owner)}.ics"
        path.write_bytes(calendar.to_ical())
        written.append(path)
    return written
