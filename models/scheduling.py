"""Meeting scheduling for partnering events: one-to-one meetings in time slots, maximising total fit.

Pure optimisation (numpy + scipy/HiGHS). Three regimes, picked by structure and size:

* no availability limits: a bipartite b-matching (exact LP, integral because the constraint matrix
  is totally unimodular), then a König edge colouring turns the chosen pairs into slots -> optimal;
* availability limits, model small enough: a time-indexed MILP x[c, p, s] solved by HiGHS;
* availability limits, model too large: a relaxed b-matching gives a proven upper bound and the
  pairs; a greedy slot assignment with one-step repair turns them into a feasible schedule.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse.csgraph import maximum_bipartite_matching, maximum_flow

# Above this many x[c,p,s] variables HiGHS rarely even finishes the root LP within seconds
# (measured by bench/bench_scheduling.py), so the bounded heuristic takes over.
MILP_MAX_VARS = 150_000
_INT_TOL = 1e-6  # how far an LP value may sit from 0/1 and still count as integral
_RC_TOL = 1e-9  # reduced cost above this prices a pair back into the b-matching LP
_MIP_GAP = 1e-6  # HiGHS "optimal" = within this relative gap; float scores make 0 meaningless


@dataclass(frozen=True, eq=False)  # eq=False: field-wise == on arrays would raise, not compare
class EventProblem:
    scores: np.ndarray  # (n_companies, n_partners) float in [0, 1]
    allowed: np.ndarray  # (n_companies, n_partners) bool: False = may never meet
    company_capacity: np.ndarray  # (n_companies,) int >= 1 (max meetings)
    partner_capacity: np.ndarray  # (n_partners,) int >= 1
    company_available: np.ndarray  # (n_companies, n_slots) bool
    partner_available: np.ndarray  # (n_partners, n_slots) bool

    def __post_init__(self) -> None:
        def put(name, value):  # frozen: normalise dtypes once here so solvers can trust them
            object.__setattr__(self, name, value)

        put("scores", np.asarray(self.scores, dtype=float))
        put("allowed", np.asarray(self.allowed, dtype=bool))
        put("company_capacity", np.asarray(self.company_capacity, dtype=np.int64))
        put("partner_capacity", np.asarray(self.partner_capacity, dtype=np.int64))
        put("company_available", np.asarray(self.company_available, dtype=bool))
        put("partner_available", np.asarray(self.partner_available, dtype=bool))
        n_c, n_p = self.scores.shape
        n_s = self.company_available.shape[1] if self.company_available.ndim == 2 else -1
        if (self.allowed.shape != (n_c, n_p) or self.company_capacity.shape != (n_c,)
                or self.partner_capacity.shape != (n_p,) or self.company_available.shape != (n_c, n_s)
                or self.partner_available.shape != (n_p, n_s)):
            raise ValueError("EventProblem arrays have inconsistent shapes")
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
    method: str  # "bmatching+coloring", "milp", "milp-timelimit" or "lp-bound+greedy"
    solve_ms: float


def solve_schedule(problem: EventProblem, *, balance: bool = False, time_limit_s: float = 10.0) -> Schedule:
    """Plan meetings maximising the summed score of the pairs that meet.

    Every schedule meets each allowed pair at most once, never double-books anybody in a slot,
    only uses slots where both sides are available and respects both capacities. Pairs with
    score <= 0 are never scheduled (they cannot raise the total).

    balance=True is lexicographic. Let M_c be company c's own maximum: the most meetings c could
    hold if it were the only company (its capacity, its available slots, its allowed partners with
    score > 0 available in those slots, one meeting per partner). Phase 1 finds the largest m such
    that every company c can get at least min(m, M_c) meetings simultaneously; phase 2 maximises
    the total score subject to those floors. In the heuristic regime the floors are targets only.

    upper_bound is always a proven bound on the optimum of the problem solved (for balance: the
    phase-2 optimum). "optimal" is exact without availability limits, and within a relative gap of
    1e-6 for the MILP. Results are deterministic unless time_limit_s cuts a MILP short.
    """
    t0 = time.perf_counter()
    deadline = t0 + time_limit_s
    eligible = problem.allowed & (problem.scores > 0)
    n_c, n_p = eligible.shape
    if problem.n_slots == 0 or not eligible.any():
        return Schedule([], 0.0, 0.0, True, "empty", _ms(t0))
    if problem.company_available.all() and problem.partner_available.all():
        meetings, ub, optimal, method = _solve_unlimited(problem, eligible, balance)
    else:
        meetings, ub, optimal, method = _solve_limited(problem, eligible, balance, deadline)
    meetings.sort()
    total = float(sum(problem.scores[c, p] for _, c, p in meetings))
    ub = total if optimal else max(ub, total)  # keep the bound honest under float noise
    return Schedule(meetings, total, float(ub), optimal, method, _ms(t0))


def _ms(t0: float) -> float:
    return (time.perf_counter() - t0) * 1e3


# ---------------------------------------------------------------- no availability limits


def _solve_unlimited(problem, eligible, balance):
    S = problem.n_slots
    # Nobody can meet more often than there are slots, so capping at S loses nothing.
    cap_c = np.minimum(problem.company_capacity, S)
    cap_p = np.minimum(problem.partner_capacity, S)
    floors, seed = None, None
    if balance:
        solo = np.minimum(cap_c, (eligible & (cap_p > 0)[None, :]).sum(axis=1))
        floors, seed, _ = _best_floors(eligible, cap_p, solo)
    ci, pi, _, ub, exact = _bmatching(problem.scores, eligible, cap_c, cap_p, floors, seed)
    # Max degree <= S, so König guarantees an S-edge-colouring: colours are slots.
    slots = _edge_colouring(ci, pi, eligible.shape, S)
    meetings = [(s, c, p) for s, c, p in zip(slots, ci.tolist(), pi.tolist())]
    return meetings, ub, exact, "bmatching+coloring"


def _best_floors(edges, cap_p, solo):
    """Largest m such that every company c can get min(m, solo[c]) partners (max-flow check).

    Returns (floors, witness pair mask, m). Monotone in m, hence the binary search.
    """
    lo, hi = 0, int(solo.max(initial=0))
    witness = np.zeros_like(edges)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        found = _flow_witness(edges, np.minimum(mid, solo), cap_p)
        if found is None:
            hi = mid - 1
        else:
            lo, witness = mid, found
    return np.minimum(lo, solo), witness, lo


def _flow_witness(edges, need, cap_p):
    """Pairs giving company c `need[c]` partners within partner capacities, or None if impossible."""
    n_c, n_p = edges.shape
    ci, pi = np.nonzero(edges)
    src, sink = 0, n_c + n_p + 1
    rows = np.concatenate([np.zeros(n_c, int), 1 + ci, 1 + n_c + np.arange(n_p)])
    cols = np.concatenate([1 + np.arange(n_c), 1 + n_c + pi, np.full(n_p, sink)])
    caps = np.concatenate([need, np.ones(ci.size, int), cap_p]).astype(np.int32)
    graph = sparse.csr_matrix((caps, (rows, cols)), shape=(sink + 1, sink + 1))
    res = maximum_flow(graph, src, sink)
    if res.flow_value < need.sum():
        return None
    flow = res.flow.tocsr()[1 : n_c + 1, n_c + 1 : sink].toarray()
    return flow > 0


def _bmatching(w, eligible, cap_c, cap_p, floors=None, seed=None):
    """Max-weight bipartite b-matching, each pair at most once, optional company floors.

    The LP is integral (bipartite incidence rows + box bounds are totally unimodular). Column
    generation keeps it small: start from every vertex's top pairs, price all eligible pairs with
    the duals, add the violators, repeat. The dual solution (u, v, floor duals l, and slack z on
    every pair) is feasible for the full LP at any iteration, so the bound is valid for all pairs.
    Returns (companies, partners, value, upper_bound, exact).
    """
    n_c, n_p = w.shape
    floors = np.zeros(n_c, np.int64) if floors is None else floors
    masked = np.where(eligible, w, -np.inf)
    cand = np.zeros_like(eligible)
    # Twice the capacity plus a margin almost always contains the optimum; pricing fixes the rest.
    _add_top(cand, masked, 2 * cap_c + 3)
    _add_top(cand.T, masked.T, 2 * cap_p + 3)
    cand &= eligible
    if seed is not None:
        cand |= seed  # a feasible floor witness keeps the restricted LP feasible
    while True:
        ci, pi = np.nonzero(cand)
        x, u, v, lo = _bmatching_lp(w[ci, pi], ci, pi, n_c, n_p, cap_c, cap_p, floors)
        rc = masked - (u - lo)[:, None] - v[None, :]
        violators = ~cand & (rc > _RC_TOL)
        if not violators.any():
            break
        _add_top(cand, np.where(violators, rc, -np.inf), np.full(n_c, 10))
        cand &= eligible
    ub = cap_c @ u - floors @ lo + cap_p @ v + np.maximum(rc[eligible], 0).sum()
    take = x > 0.5
    exact = bool(np.all(np.abs(x - np.round(x)) < _INT_TOL))
    return ci[take], pi[take], float(w[ci[take], pi[take]].sum()), float(ub), exact


def _add_top(mask, values, k):
    """Set mask[r, j] for the k[r] largest finite values of each row r."""
    order = np.argsort(-values, axis=1, kind="stable")
    keep = np.arange(values.shape[1])[None, :] < k[:, None]
    rows = np.broadcast_to(np.arange(values.shape[0])[:, None], order.shape)
    sel = keep & np.isfinite(np.take_along_axis(values, order, axis=1))
    mask[rows[sel], order[sel]] = True


def _bmatching_lp(w, ci, pi, n_c, n_p, cap_c, cap_p, floors):
    m = ci.size
    cols = np.arange(m)
    has_floor = np.flatnonzero(floors > 0)
    fl_row = np.full(n_c, -1)
    fl_row[has_floor] = n_c + n_p + np.arange(has_floor.size)
    in_fl = fl_row[ci] >= 0
    rows = np.concatenate([ci, n_c + pi, fl_row[ci][in_fl]])
    data = np.concatenate([np.ones(2 * m), -np.ones(in_fl.sum())])  # -deg <= -floor
    A = sparse.csr_matrix((data, (rows, np.concatenate([cols, cols, cols[in_fl]]))),
                          shape=(n_c + n_p + has_floor.size, m))
    b = np.concatenate([cap_c, cap_p, -floors[has_floor]]).astype(float)
    res = linprog(-w, A_ub=A, b_ub=b, bounds=(0, 1), method="highs-ds")
    if res.status != 0:
        raise RuntimeError(f"b-matching LP failed: {res.message}")
    duals = -res.ineqlin.marginals  # linprog minimises -w: flip sign to get max-problem duals
    lo = np.zeros(n_c)
    lo[has_floor] = duals[n_c + n_p :]
    return res.x, duals[:n_c], duals[n_c : n_c + n_p], lo


def _edge_colouring(ci, pi, shape, n_colours):
    """Proper edge colouring of a bipartite graph with max degree <= n_colours (König).

    Colour each edge (c, p) with a colour a free at c; if a is taken at p, swap colours a and b
    (b free at p) along the a/b alternating path starting at p. In a bipartite graph that path
    can't reach c, so a becomes free at both ends.
    """
    at_c = [[-1] * n_colours for _ in range(shape[0])]  # at_c[c][k] = partner met in colour k
    at_p = [[-1] * n_colours for _ in range(shape[1])]
    for c, p in zip(ci.tolist(), pi.tolist()):
        a = at_c[c].index(-1)
        if at_p[p][a] != -1:
            b = at_p[p].index(-1)
            path, v, on_partner, k = [], p, True, a
            while True:
                nxt = at_p[v][k] if on_partner else at_c[v][k]
                if nxt == -1:
                    break
                path.append((nxt, v, k) if on_partner else (v, nxt, k))
                v, on_partner, k = nxt, not on_partner, (b if k == a else a)
            for cc, pp, k in path:
                at_c[cc][k] = at_p[pp][k] = -1
            for cc, pp, k in path:
                k2 = b if k == a else a
                at_c[cc][k2], at_p[pp][k2] = pp, cc
        at_c[c][a], at_p[p][a] = p, c
    colour = {(c, p): k for c, row in enumerate(at_c) for k, p in enumerate(row) if p != -1}
    return [colour[(c, p)] for c, p in zip(ci.tolist(), pi.tolist())]


# ---------------------------------------------------------------- availability limits


def _solve_limited(problem, eligible, balance, deadline):
    ca, pa = problem.company_available, problem.partner_available
    n_common = ca.astype(np.int32) @ pa.T.astype(np.int32)  # common free slots per pair
    # A pair without a common free slot can never meet: dropping it tightens the relaxation.
    pairs = eligible & (n_common > 0)
    if not pairs.any():
        return [], 0.0, True, "milp"
    cap_c = np.minimum(problem.company_capacity, ca.sum(axis=1))
    cap_p = np.minimum(problem.partner_capacity, pa.sum(axis=1))
    # Relaxation: forget which slot, keep "at most #available slots" -> b-matching upper bound.
    # Floors only restrict, so this bound also holds for the balanced optimum.
    ci, pi, _, ub_relax, _ = _bmatching(problem.scores, pairs, cap_c, cap_p)
    solo = floors = witness = None
    m_hi = 0
    if balance:
        solo = np.array([_solo_max(problem, eligible, c) for c in range(eligible.shape[0])])
        floors, witness, m_hi = _best_floors(pairs, cap_p, solo)  # relaxed check: upper limit on m
    if int(n_common[pairs].sum()) <= MILP_MAX_VARS:
        return _milp_regime(problem, pairs, ub_relax, (ci, pi), solo, m_hi, deadline)
    if balance:  # pairs that meet the relaxed floors, so the greedy has a chance to keep them
        ci, pi, *_ = _bmatching(problem.scores, pairs, cap_c, cap_p, floors, witness)
    return _greedy(problem, pairs, ci, pi, floors), ub_relax, False, "lp-bound+greedy"


def _solo_max(problem, eligible, c):
    """Meetings company c could hold alone: matching of its free slots to eligible free partners."""
    partners = np.flatnonzero(eligible[c] & (problem.partner_capacity > 0))
    slots_x_partners = problem.company_available[c][:, None] & problem.partner_available[partners].T
    size = (maximum_bipartite_matching(sparse.csr_matrix(slots_x_partners)) >= 0).sum()
    return min(int(problem.company_capacity[c]), int(size))


def _milp_regime(problem, pairs, ub_relax, relaxed_pairs, solo, m_hi, deadline):
    """Plain MILP, or for balance a binary search on m with one MILP per candidate floor level.

    Each balance MILP already maximises the total under its floors, so the last feasible one is
    the phase-2 answer. The relaxed m_hi is tried first: it is usually feasible, ending the search.
    """
    trials, exact_m = {}, True
    lo, hi, mid = 0, m_hi, m_hi
    while True:
        floors = None if solo is None else np.minimum(mid, solo)
        trials[mid] = out = _milp(problem, pairs, floors, deadline)
        if out[0] is not None:
            lo = mid
        else:
            exact_m &= out[3]  # an "infeasible" floor level only counts if HiGHS proved it
            hi = mid - 1
        if lo >= hi:
            break
        mid = (lo + hi + 1) // 2
    if lo not in trials:  # m = 0 (no floors) is always feasible; solve it if never tried
        trials[lo] = _milp(problem, pairs, None, deadline)
    meetings, bound, proven, _ = trials[lo]
    ub = min(ub_relax, bound) if bound is not None else ub_relax
    if meetings is not None and proven and exact_m:
        return meetings, ub, True, "milp"
    # Cut short: keep the better of incumbent and heuristic (heuristic only if floors don't apply).
    fallback = _greedy(problem, pairs, *relaxed_pairs, None)
    total = lambda ms: sum(problem.scores[c, p] for _, c, p in ms)  # noqa: E731
    if meetings is None or (solo is None and total(fallback) > total(meetings)):
        meetings = fallback
    return meetings, ub, False, "milp-timelimit"


def _milp(problem, pairs, floors, deadline):
    """Time-indexed MILP. Returns (meetings or None, upper bound or None, proven, infeasible_proven)."""
    n_c, n_p = pairs.shape
    S = problem.n_slots
    pc, pp = np.nonzero(pairs)
    e, s = np.nonzero(problem.company_available[pc] & problem.partner_available[pp])
    c, p, n = pc[e], pp[e], e.size
    # Rows: company-slot, partner-slot, pair-once, company capacity (+floor), partner capacity.
    offs = np.cumsum([0, n_c * S, n_p * S, pc.size, n_c, n_p])
    rows = np.concatenate([c * S + s, offs[1] + p * S + s, offs[2] + e, offs[3] + c, offs[4] + p])
    A = sparse.csr_matrix((np.ones(5 * n), (rows, np.tile(np.arange(n), 5))), shape=(offs[5], n))
    lb = np.zeros(offs[5])
    if floors is not None:
        lb[offs[3] : offs[4]] = floors
    ub = np.concatenate([np.ones(offs[3]), problem.company_capacity, problem.partner_capacity]).astype(float)
    remaining = max(deadline - time.perf_counter(), 0.01)
    res = milp(-problem.scores[c, p], integrality=np.ones(n), bounds=Bounds(0, 1),
               constraints=LinearConstraint(A, lb, ub),
               options={"time_limit": remaining, "mip_rel_gap": _MIP_GAP})
    bound = -res.mip_dual_bound if res.mip_dual_bound is not None and np.isfinite(res.mip_dual_bound) else None
    if res.x is None:
        return None, bound, False, res.status == 2
    take = np.flatnonzero(res.x > 0.5)
    meetings = list(zip(s[take].tolist(), c[take].tolist(), p[take].tolist()))
    return meetings, bound, res.status == 0, False


def _greedy(problem, pairs, ci, pi, floors):
    """Slot assignment for the relaxed pairs, then fill freed capacity with the best other pairs.

    Order: floor-critical pairs round-robin first (balance), then by score. A pair that finds no
    common free slot gets one repair step: move the meeting blocking it to another free slot.
    """
    w = problem.scores
    order = np.lexsort((pi, ci, -w[ci, pi]))
    ci, pi = ci[order], pi[order]
    if floors is not None:  # each company's best floor[c] pairs go first, round-robin by rank
        by_c = np.argsort(ci, kind="stable")
        starts = np.searchsorted(ci[by_c], ci[by_c])
        rank = np.empty(ci.size, int)
        rank[by_c] = np.arange(ci.size) - starts
        first = rank < floors[ci]
        order = np.lexsort((np.arange(ci.size), np.where(first, rank, 0), ~first))
        ci, pi = ci[order], pi[order]
    fill = np.zeros_like(pairs)
    _add_top(fill, np.where(pairs, w, -np.inf), 3 * problem.company_capacity + 5)
    fc, fp = np.nonzero(fill & pairs)
    o2 = np.lexsort((fp, fc, -w[fc, fp]))
    ci, pi = np.concatenate([ci, fc[o2]]), np.concatenate([pi, fp[o2]])

    at_c = np.where(problem.company_available, -1, -2)  # -1 free, -2 unavailable, >= 0 partner
    at_p = np.where(problem.partner_available, -1, -2)
    deg_c = np.zeros(pairs.shape[0], int)
    deg_p = np.zeros(pairs.shape[1], int)
    cap_c, cap_p = problem.company_capacity, problem.partner_capacity
    met: dict[tuple[int, int], int] = {}

    def move(c, p, s, t):
        at_c[c, s], at_p[p, s], at_c[c, t], at_p[p, t] = -1, -1, p, c
        met[(c, p)] = t

    for c, p in zip(ci.tolist(), pi.tolist()):
        if deg_c[c] >= cap_c[c] or deg_p[p] >= cap_p[p] or (c, p) in met:
            continue
        free_c, free_p = at_c[c] == -1, at_p[p] == -1
        both = np.flatnonzero(free_c & free_p)
        slot = int(both[0]) if both.size else None
        for s in np.flatnonzero(free_c & (at_p[p] >= 0)) if slot is None else ():
            c2 = at_p[p, s]  # p is busy with c2 in s: can that meeting move?
            t = np.flatnonzero((at_c[c2] == -1) & free_p)
            if t.size:
                move(c2, p, s, t[0])
                slot = int(s)
                break
        for s in np.flatnonzero(free_p & (at_c[c] >= 0)) if slot is None else ():
            p2 = at_c[c, s]
            t = np.flatnonzero(free_c & (at_p[p2] == -1))
            if t.size:
                move(c, p2, s, t[0])
                slot = int(s)
                break
        if slot is not None:
            at_c[c, slot], at_p[p, slot] = p, c
            met[(c, p)] = slot
            deg_c[c] += 1
            deg_p[p] += 1
    return [(s, c, p) for (c, p), s in met.items()]
