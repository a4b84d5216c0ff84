"""Meeting scheduling: schedule rules on random events, optimality against independent MILPs."""

from __future__ import annotations

import numpy as np
import pytest
from kbio_match.models import scheduling
from kbio_match.models.scheduling import EventProblem, solve_schedule
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp


def random_event(seed, n_c, n_p, n_s, *, unavailable=0.0, blocked=0.2, cap=(1, 4)):
    rng = np.random.default_rng(seed)
    return EventProblem(
        scores=rng.uniform(0.01, 1.0, (n_c, n_p)),
        allowed=rng.random((n_c, n_p)) >= blocked,
        company_capacity=rng.integers(cap[0], cap[1] + 1, n_c),
        partner_capacity=rng.integers(cap[0], cap[1] + 1, n_p),
        company_available=rng.random((n_c, n_s)) >= unavailable,
        partner_available=rng.random((n_p, n_s)) >= unavailable,
    )


def assert_valid(problem, schedule):
    """Every rule of a schedule, checked from the meetings alone."""
    pairs, busy = set(), set()
    deg_c = np.zeros(problem.scores.shape[0], int)
    deg_p = np.zeros(problem.scores.shape[1], int)
    for s, c, p in schedule.meetings:
        assert problem.allowed[c, p], f"pair ({c}, {p}) is not allowed"
        assert (c, p) not in pairs, f"pair ({c}, {p}) meets twice"
        assert ("c", c, s) not in busy and ("p", p, s) not in busy, f"double booking in slot {s}"
        assert problem.company_available[c, s] and problem.partner_available[p, s], f"unavailable in slot {s}"
        pairs.add((c, p))
        busy |= {("c", c, s), ("p", p, s)}
        deg_c[c] += 1
        deg_p[p] += 1
    assert (deg_c <= problem.company_capacity).all() and (deg_p <= problem.partner_capacity).all()
    assert schedule.meetings == sorted(schedule.meetings, key=lambda m: (m[0], m[1]))
    assert schedule.total_score == pytest.approx(sum(problem.scores[c, p] for _, c, p in schedule.meetings))
    assert schedule.total_score <= schedule.upper_bound + 1e-9 * max(1.0, schedule.upper_bound)
    if schedule.optimal:
        assert schedule.upper_bound == schedule.total_score
    return deg_c


def solve_reference_pairs(problem):
    """Optimum without availability limits: x[c, p] binary, degrees <= min(capacity, n_slots)."""
    S = problem.n_slots
    ci, pi = np.nonzero(problem.allowed & (problem.scores > 0))
    if ci.size == 0:
        return 0.0
    n_c, n_p = problem.scores.shape
    A = sparse.vstack(
        [
            sparse.csr_matrix((np.ones(ci.size), (ci, np.arange(ci.size))), shape=(n_c, ci.size)),
            sparse.csr_matrix((np.ones(ci.size), (pi, np.arange(ci.size))), shape=(n_p, ci.size)),
        ]
    )
    caps = np.minimum(np.r_[problem.company_capacity, problem.partner_capacity], S)
    res = milp(
        -problem.scores[ci, pi],
        integrality=np.ones(ci.size),
        bounds=Bounds(0, 1),
        constraints=LinearConstraint(A, -np.inf, caps),
        options={"mip_rel_gap": 1e-9},
    )
    return -res.fun


def solve_reference_slots(problem, floors=None, weights=None):
    """Time-indexed optimum with every rule written out row by row (small events only).

    Returns the best objective, or None when the company floors are infeasible.
    """
    weights = problem.scores if weights is None else weights
    n_c, n_p = problem.scores.shape
    S = problem.n_slots
    var = [
        (c, p, s)
        for c in range(n_c)
        for p in range(n_p)
        for s in range(S)
        if problem.allowed[c, p]
        and problem.scores[c, p] > 0
        and problem.company_available[c, s]
        and problem.partner_available[p, s]
    ]
    if not var:
        return 0.0 if floors is None or not np.any(floors) else None
    groups = {}  # row key -> variable indices
    for j, (c, p, s) in enumerate(var):
        for key in (("pair", c, p), ("cslot", c, s), ("pslot", p, s), ("ccap", c), ("pcap", p)):
            groups.setdefault(key, []).append(j)
    keys = list(groups)
    A = np.zeros((len(keys), len(var)))
    lb, ub = np.zeros(len(keys)), np.ones(len(keys))
    for i, key in enumerate(keys):
        A[i, groups[key]] = 1
        if key[0] == "ccap":
            ub[i] = problem.company_capacity[key[1]]
            lb[i] = 0 if floors is None else floors[key[1]]
        elif key[0] == "pcap":
            ub[i] = problem.partner_capacity[key[1]]
    if floors is not None and any(floors[c] > 0 and ("ccap", c) not in groups for c in range(n_c)):
        return None
    res = milp(
        -np.array([weights[v[:2]] for v in var]),
        integrality=np.ones(len(var)),
        bounds=Bounds(0, 1),
        constraints=LinearConstraint(A, lb, ub),
        options={"mip_rel_gap": 1e-9},
    )
    return None if res.status == 2 else -res.fun


def reference_balance(problem):
    """Lexicographic reference: own maxima M_c, largest feasible m, then the best total."""
    n_c = problem.scores.shape[0]
    own = []
    for c in range(n_c):  # company c alone (others' capacity 0), counting meetings
        cap = np.where(np.arange(n_c) == c, problem.company_capacity, 0)
        alone = EventProblem(
            problem.scores,
            problem.allowed,
            cap,
            problem.partner_capacity,
            problem.company_available,
            problem.partner_available,
        )
        own.append(round(solve_reference_slots(alone, weights=np.ones_like(problem.scores))))
    own = np.array(own)
    m = max(m for m in range(own.max() + 1) if solve_reference_slots(problem, floors=np.minimum(m, own)) is not None)
    return np.minimum(m, own), solve_reference_slots(problem, floors=np.minimum(m, own))


SIZES = [(6, 7, 3), (12, 15, 4), (30, 40, 6), (80, 90, 8)]


@pytest.mark.parametrize("unavailable", [0.0, 0.3])
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("seed", [0, 1])
def test_random_events_follow_every_rule(seed, size, unavailable):
    problem = random_event(seed, *size, unavailable=unavailable, blocked=0.3)
    for balance in (False, True):
        schedule = solve_schedule(problem, balance=balance)
        assert_valid(problem, schedule)
        assert schedule.meetings, "a random event with free pairs should get meetings"


@pytest.mark.parametrize("seed", range(6))
def test_without_availability_limits_total_is_the_pair_milp_optimum(seed):
    rng = np.random.default_rng(100 + seed)
    size = (int(rng.integers(3, 40)), int(rng.integers(3, 40)), int(rng.integers(1, 7)))
    problem = random_event(seed, *size, blocked=0.3, cap=(1, 8))
    schedule = solve_schedule(problem)
    assert_valid(problem, schedule)
    assert schedule.method == "bmatching+coloring" and schedule.optimal
    assert schedule.total_score == pytest.approx(solve_reference_pairs(problem), rel=1e-9)


@pytest.mark.parametrize("unavailable", [0.0, 0.3])
def test_pricing_recovers_the_optimum_from_a_starved_candidate_set(monkeypatch, unavailable):
    """Seed the b-matching LP with one pair per row: only the dual pricing loop can find the rest."""
    real_add_top = scheduling._add_top
    monkeypatch.setattr(scheduling, "_add_top", lambda mask, values, k: real_add_top(mask, values, np.minimum(k, 1)))
    problem = random_event(7, 25, 30, 5, unavailable=unavailable, blocked=0.2, cap=(2, 5))
    schedule = solve_schedule(problem)
    assert_valid(problem, schedule)
    best = solve_reference_pairs(problem) if unavailable == 0 else solve_reference_slots(problem)
    assert schedule.optimal and schedule.total_score == pytest.approx(best, rel=1e-6)


@pytest.mark.parametrize("seed", range(6))
def test_with_availability_limits_total_is_the_time_indexed_optimum(seed):
    problem = random_event(seed, 7, 8, 4, unavailable=0.35, blocked=0.25, cap=(1, 3))
    schedule = solve_schedule(problem)
    assert_valid(problem, schedule)
    best = solve_reference_slots(problem)
    assert schedule.upper_bound >= best - 1e-6
    assert schedule.optimal, "small events should be solved to proven optimality"
    assert schedule.total_score == pytest.approx(best, rel=1e-6)


@pytest.mark.parametrize("max_vars", [0, 25, 60])
@pytest.mark.parametrize("seed", range(4))
def test_pruned_and_greedy_regimes_keep_a_valid_bound(monkeypatch, seed, max_vars):
    """With the MILP budget squeezed, the pruned MILP or the greedy must still bound the optimum."""
    monkeypatch.setattr(scheduling, "MILP_MAX_VARS", max_vars)
    problem = random_event(seed, 7, 8, 4, unavailable=0.35, blocked=0.1, cap=(1, 3))
    best = solve_reference_slots(problem)
    for balance in (False, True):
        schedule = solve_schedule(problem, balance=balance)
        assert_valid(problem, schedule)
        assert schedule.upper_bound >= best - 1e-6  # floors only lower the best, so this holds too
    schedule = solve_schedule(problem)
    assert schedule.total_score <= best + 1e-6
    if schedule.optimal:
        assert schedule.total_score == pytest.approx(best, rel=1e-6)
    if max_vars == 0:
        assert schedule.method == "lp-bound+greedy"


def test_pruned_milp_sees_fewer_pairs_and_still_proves_the_optimum(monkeypatch):
    problem = random_event(3, 10, 12, 4, unavailable=0.3, blocked=0.0, cap=(1, 2))
    seen = []
    real_milp = scheduling._milp
    monkeypatch.setattr(
        scheduling, "_milp", lambda prob, pairs, *a: seen.append(pairs.sum()) or real_milp(prob, pairs, *a)
    )
    monkeypatch.setattr(scheduling, "_greedy", lambda *a: [])  # force the MILP to do the work
    monkeypatch.setattr(scheduling, "MILP_MAX_VARS", 150)
    schedule = solve_schedule(problem)
    assert_valid(problem, schedule)
    assert seen and min(seen) < (problem.allowed & problem.scores.astype(bool)).sum()
    best = solve_reference_slots(problem)
    assert schedule.upper_bound >= best - 1e-6 and schedule.total_score <= best + 1e-6
    if schedule.optimal:
        assert schedule.total_score == pytest.approx(best, rel=1e-6)


def trap_event():
    """Partners 0 and 1 score best but are only free in slot 0, so company 0 meets one of them; the
    optimum (1.0) needs the weak partner 2 (slot 1), which the slot-free relaxation (1.7) ignores."""
    return EventProblem(
        scores=np.array([[0.9, 0.8, 0.1]]),
        allowed=np.ones((1, 3), bool),
        company_capacity=np.array([2]),
        partner_capacity=np.array([1, 1, 1]),
        company_available=np.array([[True, True]]),
        partner_available=np.array([[True, False], [True, False], [False, True]]),
    )


def test_trap_event_is_solved_optimally():
    schedule = solve_schedule(trap_event())
    assert_valid(trap_event(), schedule)
    assert schedule.optimal and schedule.total_score == pytest.approx(1.0)
    assert [(c, p) for _, c, p in schedule.meetings] == [(0, 0), (0, 2)]


def test_pruning_away_the_needed_pair_keeps_the_bound_and_drops_the_optimal_claim(monkeypatch):
    """MILP budget of 2 variables: only the relaxed pairs (0, 0) and (0, 1) stay, the MILP on them
    finds 0.9, and the bound must still cover the dropped pair's 1.0."""
    monkeypatch.setattr(scheduling, "MILP_MAX_VARS", 2)
    monkeypatch.setattr(scheduling, "_greedy", lambda *a: [])  # force the MILP to do the work
    schedule = solve_schedule(trap_event())
    assert_valid(trap_event(), schedule)
    assert schedule.total_score == pytest.approx(0.9)
    assert schedule.upper_bound >= 1.0 - 1e-9 and not schedule.optimal


def starving_event(n_slots=2):
    """Company 0 outscores company 1 on the only partner company 1 may meet."""
    return EventProblem(
        scores=np.array([[0.9, 0.8], [0.3, 0.7]]),
        allowed=np.array([[True, True], [True, False]]),
        company_capacity=np.array([2, 2]),
        partner_capacity=np.array([1, 1]),
        company_available=np.ones((2, n_slots), bool),
        partner_available=np.ones((2, n_slots), bool),
    )


def without_greedy(monkeypatch, mode):
    """'none': no greedy schedule, so the MILP search must work; 'no floors': a plain best-score-first
    greedy over all pairs, which starves companies, so its total must not be trusted as balanced."""
    real = scheduling._greedy
    if mode == "none":
        monkeypatch.setattr(scheduling, "_greedy", lambda *a: [])
    elif mode == "no floors":
        monkeypatch.setattr(scheduling, "_greedy", lambda prob, pairs, *_: real(prob, pairs, *np.nonzero(pairs), None))


@pytest.mark.parametrize(("limited", "greedy"), [(False, "real"), (True, "real"), (True, "none"), (True, "no floors")])
def test_balance_feeds_the_starved_company(monkeypatch, limited, greedy):
    without_greedy(monkeypatch, greedy)
    problem = starving_event(3 if limited else 2)
    if limited:  # availability limits route the same event through the MILP regime
        problem.company_available[0, 2] = False
    plain = solve_schedule(problem)
    assert_valid(problem, plain)
    assert plain.total_score == pytest.approx(1.7) and {c for _, c, _ in plain.meetings} == {0}
    assert plain.optimal
    fair = solve_schedule(problem, balance=True)
    deg = assert_valid(problem, fair)
    assert deg.min() == 1 and fair.optimal
    assert fair.total_score == pytest.approx(1.1)  # best total once company 1 meets partner 0


@pytest.mark.parametrize(("unavailable", "greedy"), [(0.0, "real"), (0.3, "real"), (0.3, "none"), (0.3, "no floors")])
@pytest.mark.parametrize("seed", range(3))
def test_balance_matches_an_independent_lexicographic_optimum(monkeypatch, seed, unavailable, greedy):
    without_greedy(monkeypatch, greedy)
    problem = random_event(seed, 6, 5, 3, unavailable=unavailable, blocked=0.4, cap=(1, 3))
    floors, best = reference_balance(problem)
    schedule = solve_schedule(problem, balance=True)
    deg = assert_valid(problem, schedule)
    assert schedule.optimal
    assert (deg >= floors).all(), f"meetings {deg} below floors {floors}"
    assert schedule.total_score == pytest.approx(best, rel=1e-6)


@pytest.mark.parametrize("n_slots", [0, 3])
def test_nobody_allowed_or_no_slots_gives_an_empty_schedule(n_slots):
    problem = random_event(0, 5, 6, n_slots, blocked=1.0 if n_slots else 0.0)
    schedule = solve_schedule(problem)
    assert schedule.meetings == [] and schedule.total_score == 0.0 and schedule.optimal


def test_zero_scores_never_meet():
    problem = random_event(1, 6, 6, 4)
    problem.scores[:, :3] = 0.0
    schedule = solve_schedule(problem)
    assert_valid(problem, schedule)
    assert all(p >= 3 for _, _, p in schedule.meetings)


@pytest.mark.parametrize("unavailable", [0.0, 0.3])
def test_single_slot(unavailable):
    problem = random_event(2, 9, 11, 1, unavailable=unavailable, cap=(1, 5))
    schedule = solve_schedule(problem)
    deg = assert_valid(problem, schedule)
    assert deg.max() <= 1
    assert schedule.optimal
    assert schedule.total_score == pytest.approx(solve_reference_slots(problem), rel=1e-6)


def test_capacity_larger_than_slots():
    problem = random_event(3, 8, 9, 3, blocked=0.0, cap=(10, 12))
    schedule = solve_schedule(problem)
    deg = assert_valid(problem, schedule)
    assert deg.max() == 3  # capped by the slots, not the capacity
    assert schedule.total_score == pytest.approx(solve_reference_pairs(problem), rel=1e-9)


def test_full_degree_colouring_uses_every_slot():
    """n x n, all allowed, capacity n, n slots: all n^2 pairs fit only as a Latin square."""
    n = 7
    problem = EventProblem(
        np.random.default_rng(0).random((n, n)) + 0.1,
        np.ones((n, n), bool),
        np.full(n, n),
        np.full(n, n),
        np.ones((n, n), bool),
        np.ones((n, n), bool),
    )
    schedule = solve_schedule(problem)
    assert_valid(problem, schedule)
    assert len(schedule.meetings) == n * n


@pytest.mark.parametrize("unavailable", [0.0, 0.25])
def test_same_input_same_meetings(unavailable):
    problem = random_event(4, 40, 45, 6, unavailable=unavailable)
    first, second = solve_schedule(problem), solve_schedule(problem)
    assert first.meetings == second.meetings and first.method == second.method


def test_inconsistent_shapes_are_rejected():
    with pytest.raises(ValueError, match="shapes"):
        EventProblem(np.zeros((2, 3)), np.ones((2, 3), bool), np.ones(2), np.ones(2), np.ones((2, 4)), np.ones((3, 4)))
