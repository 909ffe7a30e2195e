"""The 400 shared IAM evaluation cases (tests/cases/iam_eval_cases.jsonl).

Each case carries the decision of an independent simulator (cloud-copilot iam-simulate 0.1.173)
in ``expected``. Where the AWS documentation settles a label differently, the case is listed in
tests/cases/relabelled.json as ``{"id", "expected_by_simulator", "ours", "passage"}`` and the test
uses ``ours``. (Currently none: all 400 agree.)
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sagemaker_isolation_ext.iam.simulate import run_case, run_cases

CASES = Path(__file__).parent / "cases"
LINES = (CASES / "iam_eval_cases.jsonl").read_text().splitlines()
RELABELLED = {r["id"]: r for r in json.loads((CASES / "relabelled.json").read_text())}


def test_there_are_400_cases():
    assert len(LINES) == 400


def test_relabelled_entries_are_well_formed():
    ids = {json.loads(line)["id"]: json.loads(line)["expected"] for line in LINES}
    for rid, r in RELABELLED.items():
        assert rid in ids
        assert r["expected_by_simulator"] == ids[rid]
        assert r["ours"] != r["expected_by_simulator"]
        assert len(r["passage"]) > 40


@pytest.mark.parametrize("line", LINES, ids=[json.loads(line)["id"] for line in LINES])
def test_shared_case(line):
    case = json.loads(line)
    expected = RELABELLED[case["id"]]["ours"] if case["id"] in RELABELLED else case["expected"]
    out = run_case(case)
    assert out["id"] == case["id"]
    assert out["decision"] == expected, out
    if out["decision"] in ("allow", "explicit_deny"):
        assert out["statements"], "the deciding statements must be named"
        wanted = "Allow" if out["decision"] == "allow" else "Deny"
        assert {s["effect"] for s in out["statements"]} == {wanted}
        names = {p["name"] for p in case["identity_policies"]}
        if case.get("permissions_boundary") and out["decision"] == "explicit_deny":
            # Allows name identity statements only; denies may come from the boundary.
            names.add(case["permissions_boundary"]["name"])
        assert {s["policy"] for s in out["statements"]} <= names
    else:
        assert out["statements"] == []


def test_run_cases_streams_all_lines_in_order():
    outs = list(run_cases(LINES))
    assert [o["id"] for o in outs] == [json.loads(line)["id"] for line in LINES]
