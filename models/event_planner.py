"""Partnering events: who meets whom, when, from the same scores POST /v1/match gives.

The scores of a company's pairs come from ranking its profile over the event's partners only
(``Recommender.rank`` with a mask), so a meeting's score is its match score, both sides' fit in it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from kbio_match.features.profile import Profile
from kbio_match.models.match import Match
from kbio_match.models.recommender import Recommender
from kbio_match.models.scheduling import EventProblem, Schedule, solve_schedule

__all__ = ["EventCompany", "EventPartner", "EventPlan", "plan_event"]


@dataclass(frozen=True)
class EventCompany:
    id: str
    profile: Profile
    max_meetings: int
    unavailable: frozenset[str] = frozenset()
    declined: frozenset[str] = frozenset()  # partner ids this company declined (never meet)


@dataclass(frozen=True)
class EventPartner:
    partner_id: str
    max_meetings: int
    unavailable: frozenset[str] = frozenset()


@dataclass
class EventPlan:
    schedule: Schedule
    meetings: list[dict]  # slot, company_id, partner_id, score, reasons; by slot then company id
    per_company: dict[str, int]
    per_partner: dict[str, int]


def plan_event(
    model: Recommender,
    slots: list[str],
    companies: list[EventCompany],
    partners: list[EventPartner],
    *,
    blocked: set[tuple[str, str]] = frozenset(),
    min_score: float = 0.0,
    balance: bool = False,
    time_limit_s: float = 10.0,
) -> EventPlan:
    """The meeting plan that maximises the summed match scores under every participant's limits."""
    index = model.index
    partner_rows = np.array([index.row_of[p.partner_id] for p in partners], dtype=int)
    profiles = [c.profile for c in companies]
    # the same formula that orders POST /v1/match, for every pair at once
    scores = np.round(model.ranker.decision_scores(profiles)[:, partner_rows].astype(np.float64), 4)
    allowed = scores >= min_score
    for i, company in enumerate(companies):
        filters = index.mask(company.profile.filters)
        if filters is not None:
            allowed[i] &= filters[partner_rows]
        for j, p in enumerate(partners):
            if p.partner_id in company.declined or (company.id, p.partner_id) in blocked:
                allowed[i, j] = False
    problem = EventProblem(
        scores=scores,
        allowed=allowed,
        company_capacity=np.array([c.max_meetings for c in companies]),
        partner_capacity=np.array([p.max_meetings for p in partners]),
        company_available=np.array([[s not in c.unavailable for s in slots] for c in companies], dtype=bool).reshape(
            len(companies), len(slots)
        ),
        partner_available=np.array([[s not in p.unavailable for s in slots] for p in partners], dtype=bool).reshape(
            len(partners), len(slots)
        ),
    )
    schedule = solve_schedule(problem, balance=balance, time_limit_s=time_limit_s)
    meetings = _explained(model, slots, companies, partners, partner_rows, schedule)
    per_company = {c.id: 0 for c in companies}
    per_partner = {p.partner_id: 0 for p in partners}
    for m in meetings:
        per_company[m["company_id"]] += 1
        per_partner[m["partner_id"]] += 1
    return EventPlan(schedule, meetings, per_company, per_partner)


def _explained(model, slots, companies, partners, partner_rows, schedule: Schedule) -> list[dict]:
    """The scheduled meetings with each pair's match (score, components, reasons): one small
    ranking per company over the partners it meets, as POST /v1/match would rank them."""
    met: dict[int, list[int]] = {}
    for _, i, j in schedule.meetings:
        met.setdefault(i, []).append(j)
    found: dict[tuple[int, int], Match] = {}
    column = {int(r): j for j, r in enumerate(partner_rows)}
    for i, js in met.items():
        mask = np.zeros(len(model.index), dtype=bool)
        mask[partner_rows[js]] = True
        [matches] = model.rank([companies[i].profile], len(js), masks_override=[mask])
        for m in matches:
            found[(i, column[model.index.row_of[m.partner_id]])] = m
    meetings = []
    for s, i, j in sorted(schedule.meetings, key=lambda t: (t[0], companies[t[1]].id)):
        match = found[(i, j)]
        meetings.append(
            {
                "slot": slots[s],
                "company_id": companies[i].id,
                "partner_id": partners[j].partner_id,
                "score": match.score,
                "reasons": match.reasons,
            }
        )
    return meetings
