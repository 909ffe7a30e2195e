"""Adversarial cases for sharing a role's analysis between domains (``sagemaker/symmetry.py``).

Each test builds two one-role domains, warms a :class:`RoleResultCache` with the first, and
requires the second domain's report computed with that cache to equal a fresh analysis of the
second domain (witnesses apart; renamed witnesses must be allowed requests on another domain).
The names chosen here are the ones the renaming could confuse with the product's own
vocabulary (action names, access levels, context keys) or with each other.
"""

from __future__ import annotations

import pytest
from test_isolation_referee import OUR_ID, REGION, reduced_catalog
from test_symmetry import _comparable, _policy_set, _snapshot

from sagemaker_isolation_ext.iam import Request, evaluate
from sagemaker_isolation_ext.sagemaker.analysis import RoleResultCache, analyze

D2 = "d-qqqqqqqqqqq"


@pytest.fixture(scope="module")
def catalog():
    return reduced_catalog()


def _pair(catalog, docs, boundary, prof1, prof2, d1=OUR_ID, d2=D2, docs2=None):
    """(report of D2 with a cache warmed by D1, fresh report of D2, the cache)."""
    docs2 = docs if docs2 is None else docs2
    cache = RoleResultCache()
    analyze(_snapshot(d1, docs, boundary, prof1), catalog=catalog, role_cache=cache)
    shared = analyze(_snapshot(d2, docs2, boundary, prof2), catalog=catalog, role_cache=cache)
    fresh = analyze(_snapshot(d2, docs2, boundary, prof2), catalog=catalog)
    return shared, fresh, cache


def _assert_same(shared, fresh, docs, boundary, d2=D2):
    a, witnesses = _comparable(shared)
    b, _ = _comparable(fresh)
    assert a == b
    pset = _policy_set(docs, boundary)
    for w in witnesses:
        d = evaluate(Request(w["principal"], w["action"], w["resource"], w["context"],
                             open_world=bool(w["conditional_on"])), pset)  # fmt: skip
        assert d.decision == "allow", w
        assert f":{REGION}:" not in w["resource"] or f"/{d2}" not in w["resource"], w


def _doc(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


READS_PROFILE = _doc({
    "Effect": "Allow", "Action": "sagemaker:*", "Resource": "*",
    "Condition": {"StringLike": {"sagemaker:UserProfileName": "*"}},
})  # fmt: skip


@pytest.mark.parametrize(
    "prof1, prof2",
    [
        (["Describe"], ["Alice"]),  # a profile name inside action names (sagemaker:DescribeApp)
        (["App"], ["Bob"]),  # ... at the end of action names
        (["Create"], ["Zebra"]),
        (["Write"], ["Bravo"]),  # an access level
        (["Alice"], ["Describe"]),  # the other way round: D2's name is in the vocabulary
    ],
)
def test_profile_names_inside_the_vocabulary_are_not_renamed(catalog, prof1, prof2):
    shared, fresh, _cache = _pair(catalog, [READS_PROFILE], None, prof1, prof2)
    _assert_same(shared, fresh, [READS_PROFILE], None)


def test_a_profile_named_like_the_other_domain_is_not_renamed_through_a_chain(catalog):
    """D1's profile is named like D2's id: the pairs (D1 -> D2) and (D2 -> D2's profile) do
    not make one involution (two strings would map onto D2's id), so the cache must refuse;
    the one consistent case (each domain's profile named like the other's id) may share."""
    for prof1, prof2, may_share in (
        (["d-qqqqqqqqqqq"], ["d-zzzzzzzzzzz"], False),
        (["d-zzzzzzzzzzz"], [OUR_ID], False),
        (["d-qqqqqqqqqqq"], [OUR_ID], True),
    ):
        shared, fresh, _cache = _pair(catalog, [READS_PROFILE], None, prof1, prof2)
        _assert_same(shared, fresh, [READS_PROFILE], None)
        renamed = shared["roles"][0]["analysis"].get("renamed_from")
        assert may_share or renamed is None, (prof1, prof2)


def _on_profile(op: str, value: str, effect: str = "Allow") -> dict:
    return _doc({"Effect": effect, "Action": "sagemaker:*", "Resource": "*",
                 "Condition": {op: {"sagemaker:UserProfileName": value}}})  # fmt: skip


@pytest.mark.parametrize(
    "docs1, prof1, docs2, prof2",
    [
        # Profile names that spell a condition operator's tail: the canonical texts of
        # StringEquals (profile "Equals") and StringLike (profile "Like") were equal, and D1's
        # "isolated" was renamed onto D2, which allows every sagemaker action.
        ([_on_profile("StringEquals", "*")], ["Equals"], [_on_profile("StringLike", "*")],
         ["Like"]),
        # ... an Effect
        ([_on_profile("StringLike", "*", "Deny"), READS_PROFILE], ["Deny"],
         [_on_profile("StringLike", "*", "Allow"), READS_PROFILE], ["Allow"]),
        # ... an action
        ([_doc({"Effect": "Allow", "Action": "sagemaker:ListTags", "Resource": "*",
                "Condition": {"StringLike": {"sagemaker:UserProfileName": "*"}}})], ["List"],
         [_doc({"Effect": "Allow", "Action": "sagemaker:DeleteTags", "Resource": "*",
                "Condition": {"StringLike": {"sagemaker:UserProfileName": "*"}}})], ["Delete"]),
    ],
)
def test_profile_names_spelling_policy_grammar_are_not_renamed(catalog, docs1, prof1, docs2,
                                                               prof2):
    """The renaming may only replace values where the checks look (Resource, NotResource,
    condition values, names): a name inside an operator, Effect or Action must stay literal."""
    shared, fresh, _cache = _pair(catalog, docs1, None, prof1, prof2, docs2=docs2)
    assert shared["roles"][0]["verdict"] == fresh["roles"][0]["verdict"]
    _assert_same(shared, fresh, docs2, None)


def test_profile_names_true_and_false_in_a_null_condition(catalog):
    """``Null`` reads its value as a flag, not as a string to compare: profiles named ``true``
    and ``false`` made ``Null: true`` (D1, never allows: the key is also required to match)
    and ``Null: false`` (D2, allows) canonically equal, and D1's "isolated" was renamed."""
    def doc(flag):
        return _doc({"Effect": "Allow", "Action": "sagemaker:*", "Resource": "*",
                     "Condition": {"Null": {"sagemaker:UserProfileName": flag},
                                   "StringLike": {"sagemaker:UserProfileName": "*"}}})  # fmt: skip

    shared, fresh, _cache = _pair(catalog, [doc("true")], None, ["true"], ["false"],
                                  docs2=[doc("false")])  # fmt: skip
    assert fresh["roles"][0]["verdict"] == "not_isolated"
    assert shared["roles"][0]["verdict"] == "not_isolated"
    _assert_same(shared, fresh, [doc("false")], None)


@pytest.mark.parametrize("op", ["NumericEquals", "DateEquals", "NumericLessThanIfExists"])
def test_profile_names_inside_numeric_and_date_values_are_not_renamed(catalog, op):
    """A Numeric/Date value that spells a profile name is a number or a date, not a name: it
    must stay literal (profiles ``10`` / ``99``, ``2024`` / ``1999``)."""
    p1, p2, key = (["10"], ["99"], "sagemaker:MaxRuntimeInSeconds") if "Numeric" in op else (
        ["2024"], ["1999"], "aws:CurrentTime")

    def doc(v):
        return _doc({"Effect": "Allow", "Action": "sagemaker:*", "Resource": "*",
                     "Condition": {op: {key: v},
                                   "StringLike": {"sagemaker:UserProfileName": "*"}}})  # fmt: skip

    v1, v2 = p1[0] + ("" if "Numeric" in op else "-01-01T00:00:00Z"), p2[0] + (
        "" if "Numeric" in op else "-01-01T00:00:00Z")
    shared, fresh, _cache = _pair(catalog, [doc(v1)], None, p1, p2, docs2=[doc(v2)])
    _assert_same(shared, fresh, [doc(v2)], None)
    assert shared["roles"][0]["analysis"].get("renamed_from") is None


def test_profile_names_spelling_the_policy_version(catalog):
    """Version 2008-10-17 turns policy variables off: profiles ``2012`` / ``2008`` must not make
    a 2012 policy and a 2008 policy one key (the Version stays literal)."""
    def doc(version):
        return {"Version": version, "Statement": [{
            "Effect": "Allow", "Action": "sagemaker:*",
            "NotResource": "arn:aws:sagemaker:*:*:*/${sagemaker:DomainId}*",
            "Condition": {"StringLike": {"sagemaker:UserProfileName": "*"}}}]}  # fmt: skip

    shared, fresh, _cache = _pair(catalog, [doc("2012-10-17")], None, ["2012"], ["2008"],
                                  docs2=[doc("2008-10-17")])  # fmt: skip
    _assert_same(shared, fresh, [doc("2008-10-17")], None)
    assert shared["roles"][0]["analysis"].get("renamed_from") is None


#: Profile names that spell parts of a policy or of the product's vocabulary.
_WORDS = ["Like", "Equals", "true", "false", "Allow", "Deny", "Describe", "List", "Not",
          "IfExists", "Exists", "carol", "Zed"]  # fmt: skip
_OPS = ["StringLike", "StringEquals", "StringNotEquals", "StringNotLike", "Null", "Bool",
        "StringLikeIfExists", "ForAnyValue:StringLike", "StringEqualsIgnoreCase"]  # fmt: skip


def test_random_policies_under_profiles_that_spell_policy_words(catalog):
    """Random referee policies plus a statement on ``sagemaker:UserProfileName``; D2's policies
    are D1's with every D1 name replaced by D2's (so an operator, Effect or Action can change
    with the name). Seed ``ATTACK_SEED`` (default 5), examples ``ATTACK_EXAMPLES`` (16;
    example 13 of seed 5, profiles ``Deny`` / ``Not``, failed before the fixes)."""
    import json
    import os
    import random

    from test_isolation_referee import generate

    seed = int(os.environ.get("ATTACK_SEED", "5"))
    rnd = random.Random(seed)
    for i in range(int(os.environ.get("ATTACK_EXAMPLES", "16"))):
        docs, boundary, _p = generate(rnd)
        docs = docs + [_doc({
            "Effect": rnd.choice(["Allow", "Deny"]),
            "Action": rnd.choice(["sagemaker:*", "sagemaker:Describe*", "sagemaker:List*"]),
            "Resource": "*",
            "Condition": {rnd.choice(_OPS): {"sagemaker:UserProfileName": rnd.choice(
                ["*", "true", "false", "Like", "Equals", "a*", "${sagemaker:DomainId}*"])}},
        })]  # fmt: skip
        p1, p2 = rnd.sample(_WORDS, 2)
        t = json.dumps([docs, boundary]).replace(OUR_ID, "\x00").replace(p1, "\x02")
        docs2, boundary2 = json.loads(t.replace("\x00", D2).replace("\x02", p2)
                                      .replace("\\u0000", D2).replace("\\u0002", p2))
        try:
            _snapshot(D2, docs2, boundary2, [p2])
        except ValueError:
            continue  # the renaming broke D2's policies (e.g. an unknown operator)
        cache = RoleResultCache()
        analyze(_snapshot(OUR_ID, docs, boundary, [p1]), catalog=catalog, role_cache=cache)
        shared = analyze(_snapshot(D2, docs2, boundary2, [p2]), catalog=catalog,
                         role_cache=cache)  # fmt: skip
        fresh = analyze(_snapshot(D2, docs2, boundary2, [p2]), catalog=catalog)
        assert _comparable(shared)[0] == _comparable(fresh)[0], (seed, i, p1, p2, docs2)
