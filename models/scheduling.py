"""Partnering-event scheduling: one-to-one meetings in time slots, maximising total fit (numpy + scipy).

* no availability limits: exact bipartite b-matching (LP, integral since the matrix is totally
  unimodular), then a König edge colouring turns the chosen pairs into slots -> optimal;
* availability limits: the same b-matching without slots is a relaxation (bound + pairs); a greedy
  slot assignment often meets that bound. Otherwise a time-indexed MILP x[c,p,s] runs on the pairs
  with the smallest reduced-cost slack; the LP duals keep the bound valid for the dropped pairs.
  When even the relaxed pairs exceed MILP_MAX_VARS variables, the greedy schedule is returned.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse.csgraph import maximum_bipartite_matching, maximum_flow

# Largest time-indexed MILP handed to HiGHS. Pruned models of 10-20k variables typically solve in
# about a second; around 60-90k the same events take ~10 s or time out (bench/bench_scheduling.py).
MILP_MAX_VARS = 50_000
_INT_TOL = 1e-6  # how far an LP value may sit from 0/1 and still count as integral
_RC_TOL = 1e-9  # reduced cost above this prices a pair back into the b-matching LP
_MIP_GAP = 1e-6  # relative gap accepted as optimal: with float scores an exact 0 is noise


@dataclass(frozen=True, eq=False)  # eq=False: field-wise == on arrays would raise, not compare
class EventProblem:
    scores: np.ndarray  # (n_companies, n_partners) float in [0, 1]
    allowed: np.ndarray  # (n_companies, n_partners) bool: False = may never meet
    company_capacity: np.ndarray  # (n_companies,) int >= 1 (max meetings)
    partner_capacity: np.ndarray  # (n_partners,) int >= 1
    company_available: np.ndarray  # (n_companies, n_slots) bool
    partner_available: np.ndarray  # (n_partners, n_slots) bool

    def __post_init__(self) -> None:
        names = ("scores", "allowed", "company_capacity", "partner_capacity", "company_available", "partner_available")
        for name, dtype in zip(names, (float, bool, np.int64, np.int64, bool, bool), strict=True):
            object.__setattr__(self, name, np.asarray(getattr(self, name), dtype=dtype))  # frozen
        (n_c, n_p), n_s = self.scores.shape, self.company_available.shape[-1]
        shapes = tuple(getattr(self, name).shape for name in names[1:])
        if shapes != ((n_c, n_p), (n_c,), (n_p,), (n_c, n_s), (n_p, n_s)):
            raise ValueError(f"EventProblem arrays have inconsistent shapes: {self.scores.shape}, {shapes}")
        if not np.isfinite(self.scores).all():
            raise ValueError("scores must be finite")
        if (self.company_capacity < 0).any() or (self.partner_capacity < 0).any():
            raise ValueError("capacities must be >= 0")

    @property
    def n_slots(self) -> int:
        return self.company_available.shape[1]


@dataclass(frozen=True)
class Schedule:
    meetings: list[tuple[int, int, int]]  # (slot, company, partner), sorted by slot then company
    total_score: float
    upper_bound: float  # proven upper bound on the optimum (== total_score when optimal)
    optimal: bool
    method: str  # "bmatching+coloring", "lp-bound+greedy", "milp", "milp-timelimit" or "empty"
    solve_ms: float


def solve_schedule(problem: EventProblem, *, balance: bool = False, time_limit_s: float = 10.0) -> Schedule:
    """Plan meetings maximising the summed score of the pairs that meet.

    Each allowed pair meets at most once, nobody is double-booked or booked in a slot where it is
    unavailable, capacities hold, and pairs with score <= 0 never meet (they cannot add anything).

    balance=True is lexicographic. Let M_c be company c's own maximum: the most meetings c could
    hold if it were the only company (capacity, its available slots, its allowed partners with
    score > 0 and capacity >= 1 free in those slots, one meeting per partner). Phase 1 finds the
    largest m such that every company c can get at least min(m, M_c) meetings at once; phase 2
    maximises the total score subject to those floors. In the greedy regime they are only targets.

    upper_bound is a proven bound on the optimum (for balance: the phase-2 optimum). optimal is
    exact without availability limits, within a relative 1e-6 with them. time_limit_s bounds the
    MILP work (soft: HiGHS may stop late); results are deterministic unless it cuts a MILP short.
    """
    t0 = time.perf_counter()
    eligible = problem.allowed & (problem.scores > 0)
    if problem.n_slots == 0 or not eligible.any():
        meetings, ub, optimal, method = [], 0.0, True, "empty"
    elif problem.company_available.all() and problem.partner_available.all():
        meetings, ub, optimal, method = _solve_unlimited(problem, eligible, balance)
    else:
        meetings, ub, optimal, method = _solve_limited(problem, eligible, balance, t0 + time_limit_s)
    meetings = sorted(meetings)
    total = _total(problem, meetings)
    ub = total if optimal else max(ub, total)  # keep the bound consistent under float noise
    return Schedule(meetings, total, float(ub), optimal, method, (time.perf_counter() - t0) * 1e3)


def _total(problem, meetings):
    return float(sum(problem.scores[c, p] for _, c, p in meetings))


def _solve_unlimited(problem, eligible, balance):
    S = problem.n_slots
    # Nobody can meet more often than there are slots, so capping at S loses nothing.
    cap_c, cap_p = np.minimum(problem.company_capacity, S), np.minimum(problem.partner_capacity, S)
    floors = seed = None
    if balance:
        solo = np.minimum(cap_c, (eligible & (cap_p > 0)).sum(axis=1))
        floors, seed, _ = _best_floors(eligible, cap_p, solo)
    match = _bmatching(problem.scores, eligible, cap_c, cap_p, floors, seed)
    # Max degree <= S, so König guarantees an S-edge-colouring: colours are slots.
    slots = _edge_colouring(match.ci, match.pi, eligible.shape, S)
    meetings = list(zip(slots, match.ci.tolist(), match.pi.tolist(), strict=True))
    return meetings, match.ub, match.exact, "bmatching+coloring"


def _best_floors(edges, cap_p, solo):
    """Largest m letting every company c meet min(m, solo[c]) distinct partners within partner
    capacities (max-flow check, binary search: monotone in m). Returns (floors, flow pairs, m)."""
    n_c, n_p = edges.shape
    ci, pi = np.nonzero(edges)
    sink = n_c + n_p + 1  # node 0 is the source, then companies, then partners
    rows = np.concatenate([np.zeros(n_c, int), 1 + ci, 1 + n_c + np.arange(n_p)])
    cols = np.concatenate([1 + np.arange(n_c), 1 + n_c + pi, np.full(n_p, sink)])
    lo, hi, witness = 0, int(solo.max(initial=0)), np.zeros_like(edges)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        need = np.minimum(mid, solo)
        caps = np.concatenate([need, np.ones(ci.size, int), cap_p]).astype(np.int32)
        res = maximum_flow(sparse.csr_matrix((caps, (rows, cols)), shape=(sink + 1, sink + 1)), 0, sink)
        if res.flow_value < need.sum():
            hi = mid - 1
        else:
            lo, witness = mid, res.flow.tocsr()[1 : n_c + 1, n_c + 1 : sink].toarray() > 0
    return np.minimum(lo, solo), witness, lo


class _Match(NamedTuple):
    ci: np.ndarray  # chosen pairs: companies
    pi: np.ndarray  # chosen pairs: partners
    ub: float  # dual bound, valid over every eligible pair
    exact: bool  # the chosen pairs are an optimal b-matching
    slack: np.ndarray  # (n_c, n_p): a solution using pair e scores <= ub - slack[e]


def _bmatching(w, eligible, cap_c, cap_p, floors=None, seed=None) -> _Match:
    """Max-weight bipartite b-matching, each pair at most once, optional company floors.

    The LP is integral (bipartite incidence rows + box bounds are totally unimodular). Column
    generation keeps it small: start from every vertex's top pairs, price all eligible pairs with
    the duals, add the violators, repeat. The duals (u, v, floor duals l, z = max(0, w - u + l - v)
    on every pair) are feasible for the full LP, so the bound and slacks cover all pairs.
    """
    n_c, n_p = w.shape
    floors = np.zeros(n_c, np.int64) if floors is None else floors
    masked = np.where(eligible, w, -np.inf)
    cand = np.zeros_like(eligible)
    # Twice the capacity plus a margin nearly always contains the optimum; pricing fixes the rest.
    _add_top(cand, masked, 2 * cap_c + 3)
    _add_top(cand.T, masked.T, 2 * cap_p + 3)
    if seed is not None:
        cand |= seed  # a pair set meeting the floors keeps the restricted LP feasible
    while True:
        ci, pi = np.nonzero(cand)
        A, b = _degree_rows(ci, pi, n_c, n_p, cap_c, cap_p, floors)
        res = linprog(-w[ci, pi], A_ub=A, b_ub=b, bounds=(0, 1), method="highs-ds")
        if res.status != 0:
            raise RuntimeError(f"b-matching LP failed: {res.message}")
        duals = -res.ineqlin.marginals  # linprog minimises -w: flip sign for the max-problem duals
        u, v, lo = duals[:n_c], duals[n_c : n_c + n_p], np.zeros(n_c)
        lo[floors > 0] = duals[n_c + n_p :]
        rc = masked - (u - lo)[:, None] - v[None, :]
        violators = ~cand & (rc > _RC_TOL)
        if not violators.any():
            break
        _add_top(cand, np.where(violators, rc, -np.inf), np.full(n_c, 10))
    ub = cap_c @ u - floors @ lo + cap_p @ v + np.maximum(rc[eligible], 0).sum()
    x, exact = res.x, bool(np.all(np.abs(res.x - np.round(res.x)) < _INT_TOL))
    if not exact:  # simplex should return a vertex; if numerics say otherwise, force integrality
        out = milp(-w[ci, pi], integrality=np.ones(ci.size), bounds=Bounds(0, 1), constraints=LinearConstraint(A, ub=b))
        x = out.x if out.x is not None else np.zeros(ci.size)
    take = x > 0.5
    return _Match(ci[take], pi[take], float(ub), exact, np.where(eligible, np.maximum(-rc, 0), np.inf))


def _add_top(mask, values, k):
    """Set mask[r, j] for the k[r] largest finite values of each row r."""
    order = np.argsort(-values, axis=1, kind="stable")
    rows = np.broadcast_to(np.arange(values.shape[0])[:, None], order.shape)
    sel = (np.arange(values.shape[1]) < k[:, None]) & np.isfinite(np.take_along_axis(values, order, axis=1))
    mask[rows[sel], order[sel]] = True


def _degree_rows(ci, pi, n_c, n_p, cap_c, cap_p, floors):
    """A x <= b: degree caps per company and partner, and -deg_c <= -floor_c where floor_c > 0."""
    cols = np.arange(ci.size)
    fl_row = np.full(n_c, -1)
    fl_row[floors > 0] = n_c + n_p + np.arange((floors > 0).sum())
    in_fl = fl_row[ci] >= 0
    rows = np.concatenate([ci, n_c + pi, fl_row[ci][in_fl]])
    data = np.concatenate([np.ones(2 * ci.size), -np.ones(in_fl.sum())])
    shape = (n_c + n_p + (floors > 0).sum(), ci.size)
    A = sparse.csr_matrix((data, (rows, np.concatenate([cols, cols, cols[in_fl]]))), shape=shape)
    return A, np.concatenate([cap_c, cap_p, -floors[floors > 0]]).astype(float)


def _edge_colouring(ci, pi, shape, n_colours):
    """Proper edge colouring of a bipartite graph with max degree <= n_colours (König).

    Colour edge (c, p) with a colour a free at c; if a is taken at p, swap a and b (b free at p)
    along the a/b alternating path from p. Bipartite: the path can't reach c, so a is then free.
    """
    at_c = [[-1] * n_colours for _ in range(shape[0])]  # at_c[c][k] = partner met in colour k
    at_p = [[-1] * n_colours for _ in range(shape[1])]
    for c, p in zip(ci.tolist(), pi.tolist(), strict=True):
        a = at_c[c].index(-1)
        if at_p[p][a] != -1:
            b = at_p[p].index(-1)
            path, v, on_partner, k = [], p, True, a
            while (nxt := (at_p if on_partner else at_c)[v][k]) != -1:
                path.append((nxt, v, k) if on_partner else (v, nxt, k))
                v, on_partner, k = nxt, not on_partner, (b if k == a else a)
            for cc, pp, k in path:
                at_c[cc][k] = at_p[pp][k] = -1
            for cc, pp, k in path:
                k2 = b if k == a else a
                at_c[cc][k2], at_p[pp][k2] = pp, cc
        at_c[c][a], at_p[p][a] = p, c
    colour = {(c, p): k for c, row in enumerate(at_c) for k, p in enumerate(row) if p != -1}
    return [colour[(c, p)] for c, p in zip(ci.tolist(), pi.tolist(), strict=True)]


def _solve_limited(problem, eligible, balance, deadline):
    """Relaxed b-matching (bound + pairs) -> greedy slots; if that leaves a gap, a pruned MILP."""
    ca, pa = problem.company_available, problem.partner_available
    n_common = ca.astype(np.int32) @ pa.T.astype(np.int32)  # common free slots per pair
    # A pair without a common free slot can never meet: dropping it tightens the relaxation.
    pairs = eligible & (n_common > 0)
    if not pairs.any():
        return [], 0.0, True, "lp-bound+greedy"
    cap_c, cap_p = np.minimum(problem.company_capacity, ca.sum(1)), np.minimum(problem.partner_capacity, pa.sum(1))
    # Relaxation: forget which slot, keep "at most #available slots". Floors only restrict, so
    # its bound also holds for the balanced optimum.
    relax = target = _bmatching(problem.scores, pairs, cap_c, cap_p)
    solo, floors, m_hi = None, None, 0
    if balance:
        solo = np.array([_solo_max(problem, eligible, c) for c in range(eligible.shape[0])])
        floors, witness, m_hi = _best_floors(pairs, cap_p, solo)  # relaxed: an upper limit on m
        target = _bmatching(problem.scores, pairs, cap_c, cap_p, floors, witness)
    meetings = _greedy(problem, pairs, target.ci, target.pi, floors)
    total, level = _total(problem, meetings), m_hi
    if floors is not None and (np.bincount([c for _, c, _ in meetings], minlength=floors.size) < floors).any():
        level = -1  # greedy missed the relaxed floors: any MILP level beats it
    # Greedy at the relaxed floors => those floors are optimal for phase 1, and the floored
    # relaxation bounds phase 2: a greedy total at that bound is provably optimal.
    if level == m_hi and total >= target.ub - _MIP_GAP * max(1.0, target.ub):
        return meetings, total, True, "lp-bound+greedy"
    # Reduced-cost pruning: MILP on the lowest-slack pairs only. A schedule using a dropped pair
    # scores <= ub - slack, so max(MILP bound, ub - min dropped slack) bounds the full problem.
    # Small models solve fastest (measured), so start near the relaxed pairs and widen only while
    # the pruned optimum is proven but the dropped pairs still leave a gap.
    order = np.argsort(np.where(pairs, target.slack, np.inf), axis=None, kind="stable")[: pairs.sum()]
    cum_vars = np.cumsum(n_common.ravel()[order])
    budget = 2 * int(n_common[target.ci, target.pi].sum()) + 1000
    ub, optimal, method = relax.ub, False, "lp-bound+greedy"
    while True:
        budget = min(budget, MILP_MAX_VARS)
        keep = np.zeros_like(pairs)
        keep.ravel()[order[: np.searchsorted(cum_vars, budget, side="right")]] = True
        keep[target.ci, target.pi] = True
        if n_common[keep].sum() > MILP_MAX_VARS:  # not even the relaxed pairs fit: stay greedy
            break
        dropped = pairs & ~keep
        sol, bound, proven, sol_level, exact_m = _milp_search(problem, keep, solo, m_hi, dropped.any(), deadline)
        # The floored relaxation bounds phase 2 only if phase 1 reached its (upper-limit) level.
        for basis in (relax, target) if sol_level == m_hi else (relax,):
            ub = min(ub, basis.ub, max(bound, basis.ub - basis.slack[dropped].min(initial=np.inf)))
        if sol is not None and (sol_level, _total(problem, sol)) >= (level, total):  # floors first
            meetings, total, level = sol, _total(problem, sol), sol_level
        optimal = exact_m and total >= ub - _MIP_GAP * max(1.0, ub)
        method = "milp" if proven else "milp-timelimit"
        if optimal or not proven or not dropped.any() or budget == MILP_MAX_VARS:
            break
        budget *= 4
    return meetings, ub, optimal, method


def _solo_max(problem, eligible, c):
    """Meetings company c could hold alone: matching of its free slots to eligible free partners."""
    partners = np.flatnonzero(eligible[c] & (problem.partner_capacity > 0))
    slots_x_partners = problem.company_available[c][:, None] & problem.partner_available[partners].T
    size = (maximum_bipartite_matching(sparse.csr_matrix(slots_x_partners)) >= 0).sum()
    return min(int(problem.company_capacity[c]), int(size))


def _milp_search(problem, pairs, solo, m_hi, pruned, deadline):
    """Plain MILP, or for balance a binary search on m with one MILP per floor level.

    Each balance MILP maximises the total under its floors, so the highest feasible level is the
    phase-2 answer. The relaxed maximum m_hi goes first: usually feasible, it ends the search. On
    a pruned pair set infeasibility proves nothing. Returns (meetings, bound, proven, level, exact m).
    """
    if solo is None:
        return *_milp(problem, pairs, None, deadline)[:3], 0, True
    trials, exact_m = {}, True
    lo, hi, mid = 0, m_hi, m_hi
    while True:
        trials[mid] = out = _milp(problem, pairs, np.minimum(mid, solo), deadline)
        if out[0] is not None:
            lo = mid
        else:
            exact_m &= out[3] and not pruned
            hi = mid - 1
        if lo >= hi:
            break
        mid = (lo + hi + 1) // 2
    if lo not in trials:  # m = 0 (no floors) is always feasible; solve it if never tried
        trials[lo] = _milp(problem, pairs, None, deadline)
    sol, bound, proven, _ = trials[lo]
    return sol, bound, proven, lo, exact_m


def _milp(problem, pairs, floors, deadline):
    """Time-indexed MILP on `pairs`. Returns (meetings or None, bound, proven, proven infeasible)."""
    (n_c, n_p), S = pairs.shape, problem.n_slots
    pc, pp = np.nonzero(pairs)
    e, s = np.nonzero(problem.company_available[pc] & problem.partner_available[pp])
    c, p, n = pc[e], pp[e], e.size
    # Rows: company-slot, partner-slot, pair-once, company capacity (+floor), partner capacity.
    offs = np.cumsum([0, n_c * S, n_p * S, pc.size, n_c, n_p])
    rows = np.concatenate([c * S + s, offs[1] + p * S + s, offs[2] + e, offs[3] + c, offs[4] + p])
    A = sparse.csr_matrix((np.ones(5 * n), (rows, np.tile(np.arange(n), 5))), shape=(offs[5], n))
    lb = np.concatenate([np.zeros(offs[3]), np.zeros(n_c) if floors is None else floors, np.zeros(n_p)])
    ub = np.concatenate([np.ones(offs[3]), problem.company_capacity, problem.partner_capacity]).astype(float)
    # presolve=False: on these set-packing models HiGHS's MIP presolve can run for a minute without
    # checking the time limit (measured), while the root LP alone is fast and nearly tight.
    options = {"time_limit": max(deadline - time.perf_counter(), 0.01), "mip_rel_gap": _MIP_GAP, "presolve": False}
    model = dict(integrality=np.ones(n), bounds=Bounds(0, 1), constraints=LinearConstraint(A, lb, ub))
    res = milp(-problem.scores[c, p], options=options, **model)
    dual = res.mip_dual_bound
    bound = -dual if dual is not None and np.isfinite(dual) else np.inf
    if res.x is None:
        return None, bound, False, res.status == 2
    take = np.flatnonzero(res.x > 0.5)
    return list(zip(s[take].tolist(), c[take].tolist(), p[take].tolist(), strict=True)), bound, res.status == 0, False


def _greedy(problem, pairs, ci, pi, floors):
    """Slot assignment for the relaxed pairs, then fill freed capacity with the best other pairs.

    Order: floor-critical pairs round-robin first (balance), then by score, so a pair that fails
    is a cheap one. Fill candidates are each company's top pairs (enough to replace failures).
    """
    w = problem.scores
    order = np.lexsort((pi, ci, -w[ci, pi]))
    ci, pi = ci[order], pi[order]
    if floors is not None:  # each company's best floor[c] pairs go first, round-robin by rank
        by_c = np.argsort(ci, kind="stable")
        rank = np.empty(ci.size, int)
        rank[by_c] = np.arange(ci.size) - np.searchsorted(ci[by_c], ci[by_c])
        first = rank < floors[ci]
        order = np.lexsort((np.arange(ci.size), np.where(first, rank, 0), ~first))
        ci, pi = ci[order], pi[order]
    fill = np.zeros_like(pairs)
    _add_top(fill, np.where(pairs, w, -np.inf), 3 * problem.company_capacity + 5)
    fc, fp = np.nonzero(fill)
    extra = np.lexsort((fp, fc, -w[fc, fp]))
    at_c = np.where(problem.company_available, -1, -2)  # -1 free, -2 unavailable, >= 0 partner
    at_p = np.where(problem.partner_available, -1, -2)  # -1 free, -2 unavailable, >= 0 company
    deg_c, deg_p = np.zeros(pairs.shape[0], int), np.zeros(pairs.shape[1], int)
    met: dict[tuple[int, int], int] = {}
    for c, p in zip(np.r_[ci, fc[extra]].tolist(), np.r_[pi, fp[extra]].tolist(), strict=True):
        if deg_c[c] >= problem.company_capacity[c] or deg_p[p] >= problem.partner_capacity[p] or (c, p) in met:
            continue
        slot = _free_slot(at_c, at_p, met, c, p)
        if slot is not None:
            at_c[c, slot], at_p[p, slot], met[(c, p)] = p, c, slot
            deg_c[c], deg_p[p] = deg_c[c] + 1, deg_p[p] + 1
    return [(s, c, p) for (c, p), s in met.items()]


def _free_slot(at_c, at_p, met, c, p):
    """A slot where c and p are both free, if need be after moving one meeting that blocks it."""
    both = np.flatnonzero((at_c[c] == -1) & (at_p[p] == -1))
    if both.size:
        return int(both[0])
    # One side (a) is free in slot s but the other (b) meets a2 there: move (a2, b) to a slot t
    # where both a2 and b are free. Tried with a = company, then with a = partner.
    for mine, theirs, a, b in ((at_c, at_p, c, p), (at_p, at_c, p, c)):
        for s in np.flatnonzero((mine[a] == -1) & (theirs[b] >= 0)):
            a2 = theirs[b, s]
            t = np.flatnonzero((mine[a2] == -1) & (theirs[b] == -1))
            if t.size:
                t = int(t[0])
                mine[a2, s], theirs[b, s], mine[a2, t], theirs[b, t] = -1, -1, b, a2
                met[(a2, b) if mine is at_c else (b, a2)] = t
                return int(s)
    return None
