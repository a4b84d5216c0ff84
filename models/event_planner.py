"""Partnering events: who meets whom, when, from the same scores POST /v1/match gives.

The scores of a company's pairs come from ranking its profile over the event's partners only
(``Recommender.rank`` with a mask), so a meeting's score is its match score, both sides' fit in it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
    pair_scores: dict[tuple[str, str], float] = field(default_factory=dict)


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
    at_event = np.zeros(len(index), dtype=bool)
    at_event[partner_rows] = True
    column = {p.partner_id: j for j, p in enumerate(partners)}
    scores = np.zeros((len(companies), len(partners)))
    allowed = np.zeros((len(companies), len(partners)), dtype=bool)
    matches: dict[tuple[int, int], Match] = {}
    masks = []
    for company in companies:
        mask = at_event.copy()
        filters = index.mask(company.profile.filters)
        if filters is not None:
            mask &= filters
        masks.append(mask)
    ranked = model.matcher.rank([c.profile for c in companies], len(partners), masks=masks)
    for i, (company, found) in enumerate(zip(companies, ranked, strict=True)):
        for m in found:
            j = column[m.partner_id]
            scores[i, j] = m.score
            matches[(i, j)] = m
            allowed[i, j] = (
                m.score >= min_score
                and m.partner_id not in company.declined
                and (company.id, m.partner_id) not in blocked
            )
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
    meetings = []
    for s, i, j in sorted(schedule.meetings, key=lambda t: (t[0], companies[t[1]].id)):
        match = matches[(i, j)]
        meetings.append(
            {
                "slot": slots[s],
                "company_id": companies[i].id,
                "partner_id": partners[j].partner_id,
                "score": match.score,
                "reasons": model.explainer.explain(match, companies[i].profile),
            }
        )
    per_company = {c.id: 0 for c in companies}
    per_partner = {p.partner_id: 0 for p in partners}
    for m in meetings:
        per_company[m["company_id"]] += 1
        per_partner[m["partner_id"]] += 1
    return EventPlan(schedule, meetings, per_company, per_partner)
