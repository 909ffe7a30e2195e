"""Property tests (hypothesis) of the evaluation logic on random policies and requests.

Invariants (IAM User Guide, "Policy evaluation logic"):
- adding a Deny statement never turns a non-allow into an allow;
- an ``Allow * on *`` without condition allows unless something denies;
- ``NotAction X`` covers exactly the catalog actions ``Action X`` does not (every sagemaker action
  from :func:`~sagemaker_isolation_ext.sagemaker.catalog.load_catalog`);
- permuting statements, policies, OU levels' SCPs never changes the decision or the set of
  deciding statements;
- open world with every key declared absent equals closed world;
- a permissions boundary, session policy or SCP can only remove allows (intersection);
- a same-account resource-policy grant can only add allows, never remove them.
"""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs

from sagemaker_isolation_ext.iam import PolicySet, Request, evaluate, parse_policy
from sagemaker_isolation_ext.sagemaker.catalog import load_catalog

SESSION = "arn:aws:sts::111122223333:assumed-role/StudioExecutionRole/SageMaker"
ACTIONS = [
    "sagemaker:DescribeDomain",
    "sagemaker:DeleteApp",
    "sagemaker:ListDomains",
    "sagemaker:CreateTrainingJob",
    "s3:GetObject",
    "iam:PassRole",
]
PATTERNS = [
    "*",
    "sagemaker:*",
    "sagemaker:Describe*",
    "SageMaker:delete?pp",
    "sagemaker:*Domain*",
    "s3:*",
    "iam:Pass*",
    "sagemaker:List???ains",
]
RESOURCES = [
    "*",
    "arn:aws:sagemaker:us-east-1:111122223333:domain/d-aaaaaaaaaaaa",
    "arn:aws:sagemaker:us-east-1:111122223333:app/d-aaaaaaaaaaaa/alice/jupyterserver/default",
    "arn:aws:sagemaker:us-east-1:111122223333:training-job/job-1",
]
RPATTERNS = [
    "*",
    "arn:aws:sagemaker:*:*:domain/*",
    "arn:aws:sagemaker:us-east-1:111122223333:*/*",
    "arn:aws:sagemaker:*:*:app/${sagemaker:DomainId}/*",
    "arn:aws:sagemaker:*:*:training-job/job-?",
]
CONDS = [
    None,
    {"StringEquals": {"aws:ResourceTag/team": "blue"}},
    {"StringNotEquals": {"aws:ResourceTag/team": "blue"}},
    {"StringLike": {"aws:ResourceTag/team": "b*"}},
    {"Null": {"aws:ResourceTag/team": "true"}},
    {"ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}},
    {"ForAnyValue:StringEquals": {"aws:TagKeys": ["x"]}},
    {"StringEqualsIfExists": {"sagemaker:DomainId": "d-aaaaaaaaaaaa"}},
    {"NumericLessThan": {"sagemaker:MaxRuntimeInSeconds": "3600"}},
    {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
    {"Bool": {"aws:SecureTransport": "true"}},
    {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/Studio*"}},
]


@hs.composite
def statement(draw, effect=None):
    s = {
        "Effect": effect or draw(hs.sampled_from(["Allow", "Deny"])),
        draw(hs.sampled_from(["Action", "NotAction"])): draw(
            hs.lists(hs.sampled_from(PATTERNS), min_size=1, max_size=3)
        ),
        draw(hs.sampled_from(["Resource", "NotResource"])): draw(
            hs.lists(hs.sampled_from(RPATTERNS), min_size=1, max_size=2)
        ),
    }
    cond = draw(hs.sampled_from(CONDS))
    if cond:
        s["Condition"] = cond
    return s


policy_docs = hs.lists(statement(), min_size=0, max_size=4).map(
    lambda sts: {"Version": "2012-10-17", "Statement": sts}
)
contexts = hs.fixed_dictionaries(
    {},
    optional={
        "aws:ResourceTag/team": hs.sampled_from(["blue", "red", "b"]),
        "aws:TagKeys": hs.lists(hs.sampled_from(["team", "x"]), max_size=2),
        "sagemaker:DomainId": hs.sampled_from(["d-aaaaaaaaaaaa", "d-bbbbbbbbbbbb"]),
        "sagemaker:MaxRuntimeInSeconds": hs.sampled_from([60, 7200]),
        "aws:SourceIp": hs.sampled_from(["10.1.2.3", "203.0.113.9", "2001:db8::1"]),
        "aws:SecureTransport": hs.booleans(),
        "aws:PrincipalArn": hs.just("arn:aws:iam::111122223333:role/StudioExecutionRole"),
    },
)
requests = hs.builds(
    lambda a, r, ctx: Request(SESSION, a, r, ctx),
    hs.sampled_from(ACTIONS),
    hs.sampled_from(RESOURCES),
    contexts,
)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _ps(docs, **kw):
    return PolicySet([parse_policy(d, f"p{i}") for i, d in enumerate(docs)], **kw)


def _doc(*sts):
    return {"Version": "2012-10-17", "Statement": list(sts)}


@FAST
@given(hs.lists(policy_docs, min_size=1, max_size=3), requests, statement(effect="Deny"))
def test_adding_a_deny_never_turns_a_deny_into_allow(docs, request, deny):
    before = evaluate(request, _ps(docs)).decision
    after = evaluate(request, _ps(docs + [_doc(deny)])).decision
    if before != "allow":
        assert after != "allow"
    if before == "explicit_deny":
        assert after == "explicit_deny"
    assert after in ("allow", "explicit_deny", "implicit_deny")


@FAST
@given(hs.lists(policy_docs, min_size=0, max_size=3), requests)
def test_allow_star_without_condition_allows_unless_denied(docs, request):
    star = _doc({"Effect": "Allow", "Action": "*", "Resource": "*"})
    d = evaluate(request, _ps(docs + [star]))
    assert d.decision in ("allow", "explicit_deny")
    no_deny = [_doc(*[s for s in d0["Statement"] if s["Effect"] == "Allow"]) for d0 in docs]
    assert evaluate(request, _ps(no_deny + [star])).decision == "allow"


@settings(max_examples=40, deadline=None)
@given(
    hs.lists(
        hs.sampled_from(PATTERNS + ["sagemaker:Create*", "sagemaker:*App", "sagemaker:List*"]),
        min_size=1,
        max_size=3,
    )
)
def test_notaction_is_the_complement_of_action_on_the_catalog(patterns):
    actions = sorted(load_catalog().actions)
    assert len(actions) > 400
    act = _ps([_doc({"Effect": "Allow", "Action": patterns, "Resource": "*"})])
    nact = _ps([_doc({"Effect": "Allow", "NotAction": patterns, "Resource": "*"})])
    for a in actions:
        req = Request(SESSION, a, "*", {})
        x = evaluate(req, act).decision == "allow"
        y = evaluate(req, nact).decision == "allow"
        assert x != y, (a, patterns)


@FAST
@given(hs.lists(policy_docs, min_size=1, max_size=3), requests, hs.randoms(use_true_random=False))
def test_permuting_statements_and_policies_keeps_the_decision(docs, request, rnd):
    base = evaluate(request, _ps(docs))
    order = list(range(len(docs)))
    rnd.shuffle(order)
    shuffled = []
    for i in order:
        d = docs[i]
        perm = list(range(len(d["Statement"])))
        rnd.shuffle(perm)
        shuffled.append((i, perm, _doc(*[d["Statement"][j] for j in perm])))
    ps = PolicySet([parse_policy(d, f"p{i}") for i, _perm, d in shuffled])
    again = evaluate(request, ps)
    assert again.decision == base.decision
    # the same statements (mapped back to their original positions) decide
    back = {}
    for i, perm, _d in shuffled:
        for new_idx, old_idx in enumerate(perm):
            back[(f"p{i}", new_idx)] = (f"p{i}", old_idx)
    assert sorted(back[(s.policy, s.index)] for s in again.statements) == sorted(
        (s.policy, s.index) for s in base.statements
    )


@FAST
@given(
    hs.lists(policy_docs, min_size=1, max_size=3),
    hs.lists(policy_docs, min_size=1, max_size=3),
    requests,
    hs.randoms(use_true_random=False),
)
def test_permuting_scps_within_and_across_levels(identity, scps, request, rnd):
    levels = [[parse_policy(d, f"s{i}")] for i, d in enumerate(scps)]
    base = evaluate(request, _ps(identity, scps=levels)).decision
    flipped = [list(reversed(lv)) for lv in reversed(levels)]
    assert evaluate(request, _ps(identity, scps=flipped)).decision == base
    one_level = [sum(levels, [])]
    rnd.shuffle(one_level[0])
    # merging levels into one can only allow more (union within a level)
    merged = evaluate(request, _ps(identity, scps=one_level)).decision
    if base == "allow":
        assert merged == "allow"


@FAST
@given(hs.lists(policy_docs, min_size=1, max_size=2), requests)
def test_open_world_with_full_context_equals_closed_world(docs, request):
    """With every key declared absent, open world equals closed world — except for the
    documented reading on unresolvable variables (ARCHITECTURE.md §1): in open world a NotResource
    or negated operator holding one depends on the variable's key (an Allow counts as met, a Deny
    is not credited), so there open world may only be *more* allowing."""
    closed = evaluate(request, _ps(docs))
    ow = Request(
        request.principal,
        request.action,
        request.resource,
        request.context,
        open_world=True,
        absent_keys=("*",),
    )
    opened = evaluate(ow, _ps(docs))
    if "${" not in repr(docs):
        assert (opened.decision, opened.statements) == (closed.decision, closed.statements)
        assert opened.conditional_on == () and opened.uncredited_deny_keys == ()
        return
    if closed.decision == "allow":
        assert opened.decision == "allow"
    keys = {k.lower() for k in opened.conditional_on + opened.uncredited_deny_keys}
    assert keys <= {"sagemaker:domainid"}
    if opened.decision != closed.decision:
        assert opened.decision == "allow" and opened.conditional_on


@FAST
@given(hs.lists(policy_docs, min_size=1, max_size=2), requests)
def test_open_world_never_less_allowing_than_closed(docs, request):
    """With unknown keys an Allow counts as met and a Deny is not credited: open world can only
    turn a closed-world deny into an allow (or unknown), never an allow into a deny."""
    closed = evaluate(request, _ps(docs)).decision
    ow = Request(request.principal, request.action, request.resource, {}, open_world=True)
    if closed == "allow" and not request.context:
        assert evaluate(ow, _ps(docs)).decision in ("allow", "unknown")


@FAST
@given(
    hs.lists(policy_docs, min_size=1, max_size=2),
    policy_docs,
    hs.sampled_from(["boundary", "session", "scp"]),
    requests,
)
def test_gates_only_remove_allows(docs, gate, which, request):
    base = evaluate(request, _ps(docs)).decision
    g = parse_policy(gate, "gate")
    kw = (
        {"boundary": g}
        if which == "boundary"
        else {"session": g}
        if which == "session"
        else {"scps": [[g]]}
    )
    gated = evaluate(request, _ps(docs, **kw)).decision
    if base != "allow":
        assert gated != "allow"
    if base == "explicit_deny":
        assert gated == "explicit_deny"


@FAST
@given(
    hs.lists(policy_docs, min_size=1, max_size=2),
    hs.lists(statement(effect="Allow"), min_size=1, max_size=3),
    hs.sampled_from(
        [
            "*",
            {"AWS": SESSION},
            {"AWS": "arn:aws:iam::111122223333:role/StudioExecutionRole"},
            {"AWS": "111122223333"},
        ]
    ),
    requests,
)
def test_same_account_resource_grant_only_adds_allows(docs, allows, principal, request):
    base = evaluate(request, _ps(docs)).decision
    rp_doc = _doc(*[dict(s, Principal=principal) for s in allows])
    rp = parse_policy(rp_doc, "rp", kind="resource")
    with_rp = evaluate(request, _ps(docs, resource=rp)).decision
    if base == "allow":
        assert with_rp == "allow"
    if base == "explicit_deny":
        assert with_rp == "explicit_deny"


def test_seeded_random_policies_agree_with_a_reference_reading():
    """A brute-force reference for conditions-free policies: allow iff some Allow statement
    covers the (action, resource) and no Deny does."""
    import fnmatch

    rnd = random.Random(7)
    for _ in range(400):
        sts = []
        for _ in range(rnd.randint(1, 5)):
            s = {
                "Effect": rnd.choice(["Allow", "Deny"]),
                rnd.choice(["Action", "NotAction"]): rnd.sample(PATTERNS, rnd.randint(1, 3)),
                rnd.choice(["Resource", "NotResource"]): rnd.sample(
                    RPATTERNS[:3] + RPATTERNS[4:], 2
                ),
            }
            sts.append(s)
        a, r = rnd.choice(ACTIONS), rnd.choice(RESOURCES)

        def covers(s, a=a, r=r):
            pats = s.get("Action") or s.get("NotAction")
            hit = any(fnmatch.fnmatchcase(a.lower(), p.lower()) for p in pats)
            act = hit if "Action" in s else not hit
            rp = s.get("Resource") or s.get("NotResource")
            rhit = any(fnmatch.fnmatchcase(r, p) for p in rp)
            res = rhit if "Resource" in s else not rhit
            return act and res

        deny = any(covers(s) for s in sts if s["Effect"] == "Deny")
        allow = any(covers(s) for s in sts if s["Effect"] == "Allow")
        expect = "explicit_deny" if deny else "allow" if allow else "implicit_deny"
        assert evaluate(Request(SESSION, a, r, {}), _ps([_doc(*sts)])).decision == expect, (
            sts,
            a,
            r,
        )
