"""Simulated users who ask a live service for matches and mark what they see (test data only).

A simulated user says yes to partners that fit the partnership and modality it asked for, and
no otherwise, with the reason of the weakest group. Real use needs real feedback.
"""

from __future__ import annotations

import random

from kbio_match.features.taxonomy import MODALITY, STAGE, THERAPEUTIC_AREA

from tests.live import call

REASON_OF = {
    "modality": "wrong_modality",
    "stage": "wrong_stage",
    "therapeutic": "wrong_area",
    "partnership": "wrong_partnership",
}
SEEKING = [
    "license_out",
    "license_in",
    "co_development",
    "manufacturing",
    "clinical_services",
    "research_collaboration",
]


def simulate(base_url: str, *, n_requests: int = 40, marks_per_request: int = 6, seed: int = 0) -> int:
    """Post ``n_requests`` match requests and mark the top partners; returns the marks given."""
    rng = random.Random(seed)
    given = 0
    for i in range(n_requests):
        body = {
            "company": {"name": f"Simulated Co {i % 12}"},
            "assets": [
                {
                    "name": f"SIM-{i}",
                    "modality": rng.choice(MODALITY.ids[:12]),
                    "stage": rng.choice(STAGE.ids),
                    "therapeutic_areas": rng.sample(THERAPEUTIC_AREA.ids[:12], 1),
                }
            ],
            "seeking": rng.sample(SEEKING, rng.randint(1, 2)),
            "top_k": 10,
        }
        status, answer = call(base_url + "/v1/match", body)
        assert status == 200, answer
        for match in answer["matches"][:marks_per_request]:
            comps = match["components"]
            good = comps["partnership"] >= 0.8 and comps["modality"] >= 0.5 and rng.random() > 0.15
            mark = {"request_id": answer["request_id"], "partner_id": match["partner"]["id"]}
            if good:
                mark["outcome"] = rng.choice(["relevant", "relevant", "contacted", "meeting"])
            else:
                weakest = min(REASON_OF, key=lambda g: comps[g])
                mark |= {"outcome": "not_relevant", "reason": REASON_OF[weakest]}
            status, _ = call(base_url + "/v1/feedback", mark)
            assert status == 201
            given += 1
    return given
