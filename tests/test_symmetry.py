"""Sharing a role's analysis between domains (``sagemaker/symmetry.py``), refereed.

The referee is the analysis itself, run fresh: for random role policy sets (the isolation
referee's generator: patterns that name our domain, other domains, prefixes of our id with ``*``
and ``?``, profile names, policy variables) the report of domain ``D2`` computed with a cache
warmed by domain ``D1`` must equal the report computed from scratch, for ids chosen to trouble
the renaming (one character apart, different lengths, an id the policies name, an id matched by
a policy's ``d-own*`` / ``d-ownabc1234?``). Witnesses may legitimately differ in tie-breaks; the
renamed ones must be allowed by the plain engine. The test also counts how often the cache
shared (it must, or the test would prove nothing) and how often it refused.

Seed: ``SYMMETRY_SEED`` (else random, printed); examples: ``SYMMETRY_EXAMPLES`` (default 60).
"""

from __future__ import annotations

import copy
import json
import os
import random

import pytest
from test_isolation_referee import ACCOUNT, OUR_ID, REGION, generate, reduced_catalog
from test_isolation_referee import _snapshot as referee_snapshot

from sagemaker_isolation_ext.iam import PolicySet, Request, evaluate, parse_policy
from sagemaker_isolation_ext.iam.automata import glob_nfa, regex_nfa
from sagemaker_isolation_ext.sagemaker import symmetry as SY
from sagemaker_isolation_ext.sagemaker.analysis import RoleResultCache, analyze

EXAMPLES = int(os.environ.get("SYMMETRY_EXAMPLES", "60"))
#: Second domains: same length one character apart (matched by the generator's ``d-own*`` and
#: ``d-ownabc1234?``), a fresh id of the same length, longer and shorter ids, an id the
#: generated policies name (``SECOND_ID`` of the referee), a prefix of ours.
SECOND_IDS = ("d-ownabc12346", "d-qqqqqqqqqqq", "d-xyz123abc456", "d-other99", "d-ownabc1234")


def _snapshot(domain_id: str, docs, boundary, profiles) -> dict:
    return referee_snapshot(docs, boundary, profiles, domain_id)


def _renamed(obj, old: str, new: str):
    return json.loads(json.dumps(obj).replace(old, new))


def _comparable(report: dict) -> tuple[dict, list]:
    """The report without ``generated_at`` and with witnesses taken out (returned apart)."""
    r = copy.deepcopy(report)
    r.pop("generated_at", None)
    witnesses = []
    for role in r.get("roles", []):
        # Counts of the search that ran (a renamed result reports the other domain's run).
        role["analysis"].pop("states", None)
        role["analysis"].pop("renamed_from", None)
        for e in role.get("cross_domain", []):
            w = e.pop("witness", None)
            if w:
                witnesses.append(w)
    return r, witnesses


def _policy_set(docs, boundary) -> PolicySet:
    return PolicySet(
        identity=[parse_policy(d, f"Referee{i}") for i, d in enumerate(docs)],
        boundary=parse_policy(boundary, "RefereeBoundary") if boundary else None,
    )


@pytest.fixture(scope="module")
def run():
    seed = int(os.environ.get("SYMMETRY_SEED") or random.SystemRandom().randrange(10**9))
    print(f"\nSYMMETRY_SEED={seed} ({EXAMPLES} examples)")
    rnd = random.Random(seed)
    catalog = reduced_catalog()
    out = []
    for i in range(EXAMPLES):
        docs, boundary, profiles = generate(rnd)
        d2 = rnd.choice(SECOND_IDS)
        # Half the time the role's policies follow the domain (a template names its domain),
        # else the same documents serve both domains (a shared role).
        follow = rnd.random() < 0.5
        docs2, boundary2 = (_renamed(docs, OUR_ID, d2), _renamed(boundary, OUR_ID, d2)) \
            if follow else (docs, boundary)  # fmt: skip
        cache = RoleResultCache()
        analyze(_snapshot(OUR_ID, docs, boundary, profiles), catalog=catalog, role_cache=cache)
        shared = analyze(_snapshot(d2, docs2, boundary2, profiles), catalog=catalog,
                         role_cache=cache)  # fmt: skip
        fresh = analyze(_snapshot(d2, docs2, boundary2, profiles), catalog=catalog)
        out.append({"i": i, "d2": d2, "docs": docs2, "boundary": boundary2,
                    "profiles": profiles, "shared": shared, "fresh": fresh,
                    "renamed": cache.shared, "refused": cache.share_refused})  # fmt: skip
    n = sum(1 for r in out if r["renamed"])
    print(f"symmetry: {EXAMPLES} role sets; a result renamed from the first domain in {n}, "
          f"refused in {sum(1 for r in out if r['refused'])}")  # fmt: skip
    return {"seed": seed, "results": out}


def test_shared_reports_equal_fresh_ones(run):
    bad = []
    for r in run["results"]:
        a, _wa = _comparable(r["shared"])
        b, _wb = _comparable(r["fresh"])
        if a != b:
            bad.append(r)
    if bad:
        r = bad[0]
        pytest.fail(
            f"{len(bad)} shared report(s) differ from a fresh analysis; first: "
            f"SYMMETRY_SEED={run['seed']} example {r['i']} second domain {r['d2']}\n"
            f"policies: {json.dumps(r['docs'])}\nboundary: {json.dumps(r['boundary'])}\n"
            f"profiles: {r['profiles']}"
        )


def test_renamed_witnesses_are_allowed(run):
    for r in run["results"]:
        if not r["renamed"]:
            continue
        pset = _policy_set(r["docs"], r["boundary"])
        _a, witnesses = _comparable(r["shared"])
        for w in witnesses:
            d = evaluate(
                Request(w["principal"], w["action"], w["resource"], w["context"],
                        open_world=bool(w["conditional_on"])), pset)  # fmt: skip
            assert d.decision == "allow", (run["seed"], r["i"], w)
            parts = w["resource"].split(":", 5)
            kind, _, rest = parts[5].partition("/")
            if kind in ("domain", "user-profile", "space", "app"):
                # never our own domain (the renaming must not map a witness onto it)
                assert (parts[3], rest.split("/")[0]) != (REGION, r["d2"]), w


def test_the_cache_actually_shares(run):
    # Without this the equality above could hold because nothing was ever renamed.
    renamed = sum(1 for r in run["results"] if r["renamed"])
    assert renamed >= len(run["results"]) // 5, renamed


# ------------------------------------------------------------------------------------------
# The pieces, against brute force


def test_occurrences_disjoint():
    assert SY.occurrences_disjoint(["d-abc", "d-xyz"])
    assert not SY.occurrences_disjoint(["d-ab", "d-abc"])  # one holds the other
    assert not SY.occurrences_disjoint(["d-aad", "d-xyz"])  # "d" ends one and starts the other
    assert not SY.occurrences_disjoint(["aba"])  # overlaps itself
    assert not SY.occurrences_disjoint([""])


def test_renamer_swaps_both_ways_and_shares_unchanged_parts():
    ren = SY.Renamer([("d-aaa", "d-bbb")])
    obj = {"k": ["x/d-aaa/y", "d-bbb", ("z",)], "same": ["no id here"]}
    out = ren(obj)
    assert out == {"k": ["x/d-bbb/y", "d-aaa", ("z",)], "same": ["no id here"]}
    assert out["same"] is obj["same"]
    assert obj["k"][0] == "x/d-aaa/y"  # the input is not changed


@pytest.mark.parametrize(
    "pattern",
    ["arn:aws:sagemaker:*:*:app/d-own*", "*abc1234?", "d-ownabc12345", "*-*", "d-?wn*5", "*"],
)
def test_indistinguishable_matches_brute_force(pattern):
    """When the automaton says two ids are congruent, no context tells them apart (brute force
    over short contexts); when it says they are not, some context does."""
    nfa = glob_nfa(pattern)
    ids = ["d-ownabc12345", "d-ownabc12346", "d-qqqqqqqqqqq", "d-own", "d-xyz"]
    ctx = ["", "a", "d-", "arn:aws:sagemaker:us-east-1:1:app/", "5", "/x", "-"]
    for a in ids:
        for b in ids:
            said = nfa.indistinguishable(a, b)
            differs = any(
                nfa.matches(u + a + v) != nfa.matches(u + b + v) for u in ctx for v in ctx
            )
            if said:
                assert not differs, (pattern, a, b)
    # The exact check finds the one-character difference that a ``?`` at the end cannot see
    # but a literal ``5`` can.
    assert glob_nfa("*5").indistinguishable("d-ownabc12345", "d-ownabc12346") is False
    assert glob_nfa("*?").indistinguishable("d-ownabc12345", "d-ownabc12346") is True
    # A grammar whose classes treat letters and digits alike reads them alike.
    g = regex_nfa("d-(-*[a-z0-9]){1,61}")
    assert g.indistinguishable("d-abc", "d-x1z")


def test_mixed_case_names_are_not_renamed_under_ignore_case_conditions():
    """A case variant of a renamed profile name ("ALICE") matches an IgnoreCase condition on the
    name but is not renamed itself: the renaming is refused (docs/ENGINE.md)."""
    doc = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "sagemaker:*", "Resource": "*",
        "Condition": {"StringEqualsIgnoreCase": {"sagemaker:UserProfileName": "Alice"}}}]}
    pol = [parse_policy(doc, "p")]
    inst = SY.Instance(OUR_ID, ("Alice",), True)
    assert not SY.patterns_congruent(pol, inst, [("Alice", "Carol")], ACCOUNT)
    # lower-case names have no case variant among the strings an IgnoreCase condition reads
    low = [parse_policy(json.loads(json.dumps(doc).replace("Alice", "alice")), "p")]
    inst = SY.Instance(OUR_ID, ("alice",), True)
    assert SY.patterns_congruent(low, inst, [("alice", "carol")], ACCOUNT)
    # and a fixed value holding a case variant refuses the renaming
    cat = reduced_catalog()
    assert not SY.fixed_text_clean(["alice"], cat, "aws", ACCOUNT, ["arn:aws:iam::1:role/ALICE"])
