"""Independent referee for the isolation verdicts (issue 11, "Sound verdicts").

This test knows nothing about how ``analysis.py`` decides: it uses only the public report of
``analyze(snapshot, catalog=...)`` and the plain policy engine (``sagemaker_isolation_ext.iam``)
in a *closed world* (``Request(..., open_world=False)``: a key not in the context is absent).

For each of ``ISOLATION_REFEREE_EXAMPLES`` random role policy sets (seed from the environment
variable ``ISOLATION_REFEREE_SEED``, else random; always printed) it

1. asks the product for the role's verdict, on a reduced catalog of ~25 actions;
2. enumerates requests inside issue 11's request space ("another domain's resource") and asks
   the plain engine whether any is allowed:

   * every ARN in our partition and account, in any Region of the partition (botocore's
     ``partitions.json`` ``regionRegex``; candidates: ours and two others);
   * (a) ``app``, ``space``, ``user-profile``, ``domain``: the ARN's domain (its Region and id,
     botocore's ``DomainId`` grammar) is another domain (our id in another Region is one); the
     resource's ``sagemaker:domain-arn`` tag is that domain's ARN or absent (e.g. the
     ``default`` app);
   * (b) the other tagged types: any name (botocore's grammar), tagged ``sagemaker:domain-arn``
     = the ARN of another domain of the same account, in any Region;
   * caller keys: ``aws:PrincipalArn`` / ``aws:PrincipalAccount`` fixed, ``sagemaker:DomainId``
     ours or absent, ``sagemaker:UserProfileName`` each profile using the role or absent;
     ``aws:RequestTag/*`` and ``aws:TagKeys`` absent; other tags absent;
   * candidate values: every glob in the policies filled with "", a fresh character and each
     literal piece, each ``?`` with each character of a small alphabet (the policies'
     characters plus a fresh one), filtered by botocore's grammar; values that no pattern or
     condition value can tell apart are merged (one representative each);

3. checks the product against that:

   * the product never says ``isolated`` when the referee found an allowed request (the
     failure message is a ready bug report: seed, policies, request);
   * every non-accepted ``cross_domain`` entry carries a ``witness``; one without
     ``conditional_on`` is allowed by the closed-world engine and lies in the request space;
   * the generator only writes conditions on keys the request space fixes (the exact
     fragment), so the product never says ``unknown`` and no witness is ``conditional_on``;
   * the generator is balanced: at least 25 % of the role sets come out isolated (the
     referee finds nothing) and at least 25 % not.

The referee is incomplete by design (it samples a finite, representative part of an infinite
space), so it can only catch false ``isolated`` verdicts, never prove one right.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import json
import os
import random
import re
import time

import pytest

from sagemaker_isolation_ext.iam import PolicySet, Request, evaluate, parse_policy
from sagemaker_isolation_ext.sagemaker.analysis import analyze
from sagemaker_isolation_ext.sagemaker.catalog import load_catalog
from sagemaker_isolation_ext.sagemaker.snapshot import load_snapshot

EXAMPLES = int(os.environ.get("ISOLATION_REFEREE_EXAMPLES", "300"))

PARTITION, REGION, ACCOUNT = "aws", "us-east-1", "111122223333"
#: Region candidates: ours, one the policies' ``us-*`` matches, one it does not.
REGIONS = (REGION, "us-west-2", "eu-west-1")
OUR_ID = "d-ownabc12345"
SECOND_ID = "d-xyz123abc456"
OTHER_ID = "d-other99"  # a third id the policies may name
ARN_PREFIX = f"arn:{PARTITION}:sagemaker:{REGION}:{ACCOUNT}:"
OUR_ARN = f"{ARN_PREFIX}domain/{OUR_ID}"
SECOND_ARN = f"{ARN_PREFIX}domain/{SECOND_ID}"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/RefereeRole"
TAG = "sagemaker:domain-arn"
TAG_KEYS = (f"aws:ResourceTag/{TAG}", f"sagemaker:ResourceTag/{TAG}")

#: issue 11: the AWS procedure's accepted exceptions (DeleteApp on *our* jupyterserver/default
#: apps is accepted too, but our domain is outside the request space anyway).
ACCEPTED_ACTIONS = {
    "sagemaker:describeimageversion",
    "sagemaker:updateimageversion",
    "sagemaker:deleteimageversion",
    "sagemaker:describemodelcardexportjob",
    "sagemaker:describeaction",
}
DOMAIN_TYPES = ("app", "space", "user-profile", "domain")  # class (a)
OTHER_TYPES = ("training-job", "endpoint", "model", "notebook-instance")  # class (b) here
ACTIONS = (
    "DescribeApp", "DeleteApp", "CreateApp",
    "DescribeSpace", "UpdateSpace", "DeleteSpace",
    "DescribeUserProfile", "UpdateUserProfile", "DeleteUserProfile", "CreatePresignedDomainUrl",
    "DescribeDomain",
    "DescribeTrainingJob", "StopTrainingJob",
    "DeleteEndpoint", "UpdateEndpoint", "DescribeEndpoint",
    "DeleteModel", "DescribeModel",
    "DeleteNotebookInstance", "StopNotebookInstance", "StartNotebookInstance",
    "CreatePresignedNotebookInstanceUrl",
    "AddTags",
    "ListApps", "ListTrainingJobs",  # no resource type: outside the verdict
)  # fmt: skip


# ------------------------------------------------------------------------------------------
# botocore's grammar (SageMaker service model)


@functools.lru_cache(maxsize=1)
def grammar() -> dict:
    """``{placeholder: callable(str) -> bool}`` from botocore's SageMaker shapes, and
    ``"AppType"`` -> the enum in both spellings."""
    import botocore.session

    model = botocore.session.get_session().get_service_model("sagemaker")
    out: dict = {}
    for name in (
        "DomainId", "UserProfileName", "SpaceName", "AppName", "TrainingJobName",
        "EndpointName", "ModelName", "NotebookInstanceName",
    ):  # fmt: skip
        meta = model.shape_for(name).metadata
        rx = re.compile(meta["pattern"])
        lo, hi = max(1, meta.get("min", 1)), meta.get("max", 10**6)

        def ok(v, rx=rx, lo=lo, hi=hi):
            return lo <= len(v) <= hi and rx.fullmatch(v) is not None

        out[name] = ok
    # Reading (README): app types appear in either spelling (AWS's docs show both).
    enum = model.shape_for("AppType").enum
    out["AppType"] = tuple(v.lower() for v in enum) + tuple(enum)
    return out


@functools.lru_cache(maxsize=1)
def _region_rx():
    import botocore.loaders

    parts = botocore.loaders.Loader().load_data("partitions")["partitions"]
    (rx,) = [p["regionRegex"] for p in parts if p["id"] == PARTITION]
    return re.compile(rx, re.ASCII)


def region_ok(region: str) -> bool:
    """True when ``region`` is a Region name of our partition (botocore ``partitions.json``)."""
    return _region_rx().fullmatch(region) is not None


# ------------------------------------------------------------------------------------------
# The reduced catalog


@functools.lru_cache(maxsize=1)
def reduced_catalog():
    """The real catalog cut down to :data:`ACTIONS` over the types in scope."""
    cat = load_catalog()
    keep = set(DOMAIN_TYPES) | set(OTHER_TYPES)
    actions = {}
    for short in ACTIONS:
        info = cat.actions[f"sagemaker:{short}"]
        refs = tuple(r for r in info.resource_types if r.key in keep)
        actions[info.name] = dataclasses.replace(info, resource_types=refs)
    types = {k: v for k, v in cat.resource_types.items() if k in keep}
    return dataclasses.replace(cat, actions=actions, resource_types=types)


def test_reduced_catalog_is_accepted_by_analyze():
    cat = reduced_catalog()
    assert len(cat.actions) == len(ACTIONS)
    assert all(cat.resource_types[t].taggable for t in DOMAIN_TYPES + OTHER_TYPES)
    report = analyze(
        _snapshot(
            [_doc([{"Effect": "Allow", "Action": "sagemaker:ListApps", "Resource": "*"}])],
            None,
            ["alice"],
        ),
        catalog=cat,
    )
    (role,) = report["roles"]
    assert role["verdict"] in ("isolated", "not_isolated", "unknown")
    assert report["verdict"] == role["verdict"]


# ------------------------------------------------------------------------------------------
# Random policy sets


def _doc(statements):
    return {"Version": "2012-10-17", "Statement": statements}


DOMAIN_SEGS = [
    OUR_ID,
    OUR_ID,
    SECOND_ID,
    OTHER_ID,
    "*",
    "d-own*",
    OUR_ID[:-1] + "?",
    "d-*",
    "d-xyz*",
    "*" + OUR_ID[4:],
]
PROFILE_SEGS = ["alice", "*", "bob", "a*", "carol", "?lice"]
APPTYPE_SEGS = ["jupyterserver", "codeeditor", "*", "jupyter*", "kernelgateway", "*lab", "?anvas"]
APPNAME_SEGS = ["default", "*", "data-*", "?efault", "my-app"]
SPACE_SEGS = ["*", "shared-*", "s1", "s?"]
NAME_SEGS = ["*", "prod-*", "exp?", "train1", "*-v2"]


def _arn_pattern(rnd: random.Random) -> str:
    kind = rnd.random()
    if kind < 0.07:
        return "*"
    part = rnd.choice(["aws", "aws", "*", "a?s"])
    region = rnd.choice([REGION, REGION, "*", "*", "us-*", "us-west-2"])
    account = rnd.choice([ACCOUNT, "*", "*", "1111*"])
    head = f"arn:{part}:sagemaker:{region}:{account}:"
    if kind < 0.17:
        return head + rnd.choice(["*/" + rnd.choice(DOMAIN_SEGS) + "/*", "*"])
    rtype = rnd.choice(DOMAIN_TYPES + DOMAIN_TYPES + OTHER_TYPES + ("*",))
    dom = rnd.choice(DOMAIN_SEGS)
    if rnd.random() < 0.2 and rtype != "*":
        return head + f"{rtype}/{dom}/*" if rtype in DOMAIN_TYPES else head + f"{rtype}/*"
    if rtype == "app":
        segs = (rnd.choice(PROFILE_SEGS), rnd.choice(APPTYPE_SEGS), rnd.choice(APPNAME_SEGS))
        return head + "/".join(("app", dom) + segs)
    if rtype == "space":
        return head + f"space/{dom}/{rnd.choice(SPACE_SEGS)}"
    if rtype == "user-profile":
        return head + f"user-profile/{dom}/{rnd.choice(PROFILE_SEGS)}"
    if rtype == "domain":
        return head + f"domain/{dom}"
    if rtype == "*":
        return head + f"*/{dom}/*"
    return head + f"{rtype}/{rnd.choice(NAME_SEGS)}"


ACTION_PATTERNS = [
    "sagemaker:*",
    "sagemaker:Describe*",
    "sagemaker:Delete*",
    "sagemaker:Update*",
    "sagemaker:Stop*",
    "sagemaker:*App",
    "sagemaker:*Space",
    "sagemaker:Describe?pace",
    "sagemaker:Create*",
    "sagemaker:CreatePresigned*",
    "sagemaker:AddTags",
    "sagemaker:List*",
    "sagemaker:*Endpoint",
    "sagemaker:*TrainingJob",
    "sagemaker:Start*",
    "sagemaker:*UserProfile",
] + [f"sagemaker:{a}" for a in ACTIONS]

WEST_OUR_ARN = OUR_ARN.replace(f":{REGION}:", ":us-west-2:")
TAG_VALUES_EXACT = [
    OUR_ARN, OUR_ARN, SECOND_ARN, OUR_ARN.upper(), f"{ARN_PREFIX}domain/{OTHER_ID}", WEST_OUR_ARN
]  # fmt: skip
#: ArnEquals/ArnLike values must be ARN patterns (six colon-separated parts): the engine says
#: unknown otherwise, which would take the run out of the exact fragment.
TAG_VALUES_ARN_LIKE = [
    OUR_ARN,
    "arn:aws:sagemaker:*:*:domain/d-own*",
    "*",
    "arn:aws:sagemaker:*:*:domain/*",
    OUR_ARN[:-1] + "?",
    f"arn:aws:sagemaker:{REGION}:*:domain/{OUR_ID}",
    f"arn:*:*:*:*:*/{SECOND_ID}",
    f"arn:aws:sagemaker:us-*:{ACCOUNT}:domain/*",
]
TAG_VALUES_LIKE = [
    OUR_ARN,
    "*/" + OUR_ID,
    "arn:aws:sagemaker:*:*:domain/d-own*",
    "*",
    "*/" + SECOND_ID,
    OUR_ARN[:-1] + "?",
    "arn:aws:sagemaker:*:*:domain/*",
    f"arn:aws:sagemaker:{REGION}:*:domain/{OUR_ID}",
    f"arn:aws:sagemaker:us-*:{ACCOUNT}:domain/{OUR_ID}",
]


def _tag_condition(rnd: random.Random, negate: bool) -> dict:
    """A condition on the resource's domain tag, in any exact operator family.

    ``negate`` biases toward the NotEquals/NotLike family (for Deny guards)."""
    key = rnd.choice(TAG_KEYS)
    if rnd.random() < 0.1:
        return {"Null": {key: rnd.choice(["true", "false"])}}
    if negate:
        base = rnd.choice(
            [
                "StringNotEquals",
                "StringNotEqualsIgnoreCase",
                "StringNotLike",
                "ArnNotEquals",
                "ArnNotLike",
                "StringEquals",
                "ArnLike",
            ]
        )
    else:
        base = rnd.choice(
            [
                "StringEquals",
                "StringEqualsIgnoreCase",
                "StringLike",
                "ArnEquals",
                "ArnLike",
                "StringEquals",
                "StringLike",
                "StringNotEquals",
                "ArnNotLike",
            ]
        )
    like = "Like" in base
    n = rnd.choice([1, 1, 1, 2])
    pool = TAG_VALUES_EXACT
    if like:
        pool = TAG_VALUES_ARN_LIKE if base.startswith("Arn") else TAG_VALUES_LIKE
    values = rnd.sample(pool, n)
    if rnd.random() < 0.25:
        base += "IfExists"
    if rnd.random() < 0.12:
        base = rnd.choice(["ForAnyValue:", "ForAllValues:"]) + base
    return {base: {key: values if n > 1 else values[0]}}


def _caller_condition(rnd: random.Random) -> dict:
    return rnd.choice([
        {"StringEquals": {"sagemaker:DomainId": OUR_ID}},
        {"StringNotEquals": {"sagemaker:DomainId": OUR_ID}},
        {"StringEqualsIfExists": {"sagemaker:DomainId": OUR_ID}},
        {"StringLike": {"sagemaker:UserProfileName": rnd.choice(["alice", "a*", "carol", "b?b"])}},
        {"StringNotEquals": {"sagemaker:UserProfileName": "alice"}},
        {"ArnLike": {"aws:PrincipalArn": rnd.choice([ROLE, "arn:aws:iam::*:role/Other*"])}},
        {"ArnNotEquals": {"aws:PrincipalArn": ROLE}},
        {"Null": {"sagemaker:DomainId": rnd.choice(["true", "false"])}},
        {"Null": {"sagemaker:UserProfileName": "false"}},
    ])  # fmt: skip


def _one_or_list(rnd, items):
    return items[0] if len(items) == 1 and rnd.random() < 0.5 else items


def _finish_statement(rnd, st, cuts, not_counts, tag_p, negate) -> dict:
    """Add Resource/NotResource (``"*"`` below ``cuts[0]``, NotResource below ``cuts[1]``,
    else Resource patterns) and a Condition (tag with probability ``tag_p``, caller 0.2)."""
    r = rnd.random()
    if r < cuts[0]:
        st["Resource"] = "*"
    elif r < cuts[1]:
        st["NotResource"] = _one_or_list(
            rnd, [_arn_pattern(rnd) for _ in range(rnd.choice(not_counts))]
        )
    else:
        st["Resource"] = _one_or_list(rnd, [_arn_pattern(rnd) for _ in range(rnd.choice([1, 2]))])
    cond: dict = {}
    if rnd.random() < tag_p:
        cond.update(_tag_condition(rnd, negate=negate))
    if rnd.random() < 0.2:
        for op, kv in _caller_condition(rnd).items():
            cond.setdefault(op, {}).update(kv)
    if cond:
        st["Condition"] = cond
    return st


def _allow_statement(rnd: random.Random) -> dict:
    st: dict = {"Effect": "Allow"}
    acts = rnd.sample(ACTION_PATTERNS, rnd.choice([1, 1, 2, 3]))
    if rnd.random() < 0.08:
        st["NotAction"] = _one_or_list(rnd, acts)
    else:
        st["Action"] = _one_or_list(rnd, acts)
    return _finish_statement(rnd, st, (0.35, 0.45), [1, 2, 3], 0.55, negate=False)


def _deny_statement(rnd: random.Random) -> dict:
    st: dict = {"Effect": "Deny"}
    if rnd.random() < 0.25:
        st["NotAction"] = _one_or_list(rnd, rnd.sample(ACTION_PATTERNS, rnd.choice([1, 2])))
    else:
        st["Action"] = _one_or_list(
            rnd, rnd.sample(ACTION_PATTERNS[:8], 1) + ["sagemaker:*"] * (rnd.random() < 0.6)
        )
    return _finish_statement(rnd, st, (0.5, 0.75), [1, 2], 0.8, negate=True)


def generate(rnd: random.Random):
    """One role: ``(identity documents, boundary document or None, profile names)``."""
    docs = []
    for _ in range(rnd.choice([1, 1, 2])):
        sts = [_allow_statement(rnd) for _ in range(rnd.choice([1, 1, 2, 3]))]
        if rnd.random() < 0.45:
            sts.append(_deny_statement(rnd))
        rnd.shuffle(sts)
        docs.append(_doc(sts))
    boundary = None
    if rnd.random() < 0.25:
        sts = [_allow_statement(rnd)]
        if rnd.random() < 0.3:
            sts.append(_deny_statement(rnd))
        boundary = _doc(sts)
    profiles = ["alice"] + (["bob"] if rnd.random() < 0.5 else [])
    return docs, boundary, profiles


def _snapshot(docs, boundary, profiles, domain_id: str = OUR_ID) -> dict:
    policies = {}
    attached = []
    for i, d in enumerate(docs):
        arn = f"arn:aws:iam::{ACCOUNT}:policy/Referee{i}"
        policies[arn] = {"arn": arn, "name": f"Referee{i}", "version_id": "v1", "document": d}
        attached.append(arn)
    pb = None
    if boundary is not None:
        pb = f"arn:aws:iam::{ACCOUNT}:policy/RefereeBoundary"
        policies[pb] = {
            "arn": pb,
            "name": "RefereeBoundary",
            "version_id": "v1",
            "document": boundary,
        }
    return load_snapshot({
        "schema_version": 1, "source": "fixture", "collected_at": "2026-12-01T07:00:00Z",
        "partition": PARTITION, "region": REGION, "account_id": ACCOUNT,
        "context": {"source": "offline", "detail": "isolation referee"},
        "domain": {"id": domain_id, "arn": f"{ARN_PREFIX}domain/{domain_id}", "name": "referee",
                   "default_user_execution_role": ROLE, "default_space_execution_role": ROLE,
                   "studio_web_portal": "ENABLED", "default_landing_uri": "studio::"},
        "user_profiles": [{"name": p, "execution_role": ROLE} for p in profiles],
        "roles": {ROLE: {"arn": ROLE, "name": "RefereeRole", "attached_policies": attached,
                         "inline_policies": [], "permissions_boundary": pb, "complete": True}},
        "policies": policies, "errors": [],
    })  # fmt: skip


# ------------------------------------------------------------------------------------------
# The referee


@functools.lru_cache(maxsize=4096)
def _glob(pattern: str, ci: bool):
    rx = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(rx, re.S | (re.I if ci else 0)).fullmatch


def _strings(doc) -> tuple[list, list, list]:
    """(resource patterns, action patterns, condition values) of one document."""
    res, acts, vals = [], [], []
    sts = doc["Statement"] if isinstance(doc["Statement"], list) else [doc["Statement"]]
    for st in sts:
        for f in ("Resource", "NotResource"):
            v = st.get(f)
            res.extend([v] if isinstance(v, str) else v or [])
        for f in ("Action", "NotAction"):
            v = st.get(f)
            acts.extend([v] if isinstance(v, str) else v or [])
        for kv in (st.get("Condition") or {}).values():
            for v in kv.values():
                vals.extend([v] if isinstance(v, str) else v)
    return res, acts, vals


def _statement_action_matches(doc_i, st_i, st, action) -> bool:
    if "Action" in st:
        pats = [st["Action"]] if isinstance(st["Action"], str) else st["Action"]
        return any(_glob(p, True)(action) for p in pats)
    pats = [st["NotAction"]] if isinstance(st["NotAction"], str) else st["NotAction"]
    return not any(_glob(p, True)(action) for p in pats)


class Referee:
    """Enumerates requests of issue 11's request space for one policy set."""

    MAX_FILLS = 400  # instantiations per glob token
    MAX_PRODUCT = 4000  # ARN combinations per resource type
    engine_unknown: str | None = None  # the engine's reason, when it could not decide a request

    def __init__(self, docs, boundary, profiles, rnd: random.Random):
        self.docs, self.boundary, self.profiles, self.rnd = docs, boundary, profiles, rnd
        self.policies = PolicySet(
            identity=[parse_policy(d, f"Referee{i}") for i, d in enumerate(docs)],
            boundary=parse_policy(boundary, "RefereeBoundary") if boundary else None,
        )
        all_docs = list(docs) + ([boundary] if boundary else [])
        res, acts, vals = [], [], []
        for d in all_docs:
            r, a, v = _strings(d)
            res += r
            acts += a
            vals += v
        self.resource_patterns = sorted(set(res))
        self.cond_values = sorted(set(vals))
        text = "".join(self.resource_patterns + self.cond_values)
        self.fresh = next(c for c in "qjzkvwxyg0123456789" if c not in text.lower())
        tokens = set()
        for s in self.resource_patterns + self.cond_values:
            tokens.update(t for t in re.split(r"[:/]", s) if t)
        self.tokens = sorted(tokens)
        pieces = set()
        for t in self.tokens:
            pieces.update(p for p in re.split(r"[*?]", t) if p)
        self.pieces = sorted(pieces)
        alphabet = {c for c in text if c.isalnum() or c == "-"} | {self.fresh}
        self.alphabet = sorted(alphabet)
        self.statements = []
        for di, d in enumerate(all_docs):
            sts = d["Statement"] if isinstance(d["Statement"], list) else [d["Statement"]]
            for si, st in enumerate(sts):
                self.statements.append((di, si, st))
        self.callers_mentioned = {
            k.lower()
            for d in all_docs
            for st in (d["Statement"] if isinstance(d["Statement"], list) else [d["Statement"]])
            for kv in (st.get("Condition") or {}).values()
            for k in kv
        }

    # -- candidate values --------------------------------------------------------------

    def _fills(self, token: str):
        """The token with each ``*`` filled ("", fresh, each piece) and each ``?`` with each
        alphabet character (at most MAX_FILLS results)."""
        star = ["", self.fresh] + self.pieces
        choices = [star if c == "*" else self.alphabet if c == "?" else [c] for c in token]
        return {"".join(x) for x in itertools.islice(itertools.product(*choices), self.MAX_FILLS)}

    @functools.cached_property
    def _instances(self) -> set:
        out = set()
        for t in self.tokens:
            out |= self._fills(t)
        return out

    def _signature(self, value: str) -> tuple:
        return tuple(
            (_glob(t, False)(value) is not None, _glob(t, True)(value) is not None)
            for t in self.tokens
        )

    def candidates(self, placeholder: str, region: str = REGION) -> list:
        """Grammar-valid values for ``placeholder``, one per signature (a domain id: of a domain
        other than ours in ``region``)."""
        if placeholder == "AppType":
            pool = list(grammar()["AppType"])
            ok = lambda v: True  # noqa: E731
        else:
            ok = grammar()[placeholder]
            f = self.fresh
            base = {
                "DomainId": [SECOND_ID, f"d-{f}", f"d-{f}{f}"],
                "UserProfileName": ["alice", "bob", f],
                "AppName": ["default", f],
            }.get(placeholder, [f, f"{f}-{f}"])
            pool = base + sorted(self._instances)
        out, seen = [], set()
        for v in pool:
            if not ok(v) or (placeholder == "DomainId" and v == OUR_ID and region == REGION):
                continue
            sig = (v == "default", v in self.profiles, self._signature(v))
            if sig not in seen:
                seen.add(sig)
                out.append(v)
        return out

    def resources(self, rtype: str, arn_format: str) -> list:
        """``[(arn, tag value or None, {placeholder: value})]`` of type ``rtype`` in the space,
        one per distinguishable combination."""
        names = re.findall(r"\$\{(\w+)\}", arn_format)[3:]  # after Partition, Region, Account
        combos = []
        for region in REGIONS:
            cands = [self.candidates(n, region) for n in names]
            here = list(itertools.product(*cands))
            if len(here) > self.MAX_PRODUCT:
                here = self.rnd.sample(here, self.MAX_PRODUCT)
            combos += [(region, c) for c in here]
        other_domains = [
            f"arn:{PARTITION}:sagemaker:{r}:{ACCOUNT}:domain/{d}"
            for r in REGIONS
            for d in self.candidates("DomainId", r)
        ]
        out, seen = [], set()
        for region, combo in combos:
            values = dict(zip(names, combo))
            arn = arn_format.replace("${Partition}", PARTITION).replace("${Region}", region)
            arn = arn.replace("${Account}", ACCOUNT)
            for n, v in values.items():
                arn = arn.replace("${" + n + "}", v, 1)
            if rtype in DOMAIN_TYPES:
                # Reading (issue 11, definition (a)): the tag is that domain's ARN or absent; the
                # untagged default app is the usual case, but any (a) resource may lack it.
                tags = [f"arn:{PARTITION}:sagemaker:{region}:{ACCOUNT}:domain/{values['DomainId']}"]
                tags.append(None)
            else:
                tags = other_domains
            for tag in tags:
                sig = (
                    tuple(_glob(p, False)(arn) is not None for p in self.resource_patterns),
                    tag is None,
                    tuple(
                        (
                            _glob(v, False)(tag) is not None,
                            _glob(v, True)(tag) is not None,
                            v == tag,
                            v.lower() == tag.lower(),
                        )
                        for v in self.cond_values
                    )
                    if tag
                    else (),
                )
                if sig not in seen:
                    seen.add(sig)
                    out.append((arn, tag, values))
        return out

    def callers(self) -> list:
        """Caller contexts: PrincipalArn/Account fixed, DomainId ours or absent, UserProfileName
        each profile of the role or absent (only the keys some condition names vary)."""
        doms = [OUR_ID, None] if "sagemaker:domainid" in self.callers_mentioned else [None]
        profs = (
            (self.profiles + [None])
            if "sagemaker:userprofilename" in self.callers_mentioned
            else [None]
        )
        out = []
        for d, p in itertools.product(doms, profs):
            ctx = {"aws:PrincipalArn": ROLE, "aws:PrincipalAccount": ACCOUNT}
            if d:
                ctx["sagemaker:DomainId"] = d
            if p:
                ctx["sagemaker:UserProfileName"] = p
            out.append(ctx)
        return out

    # -- the search --------------------------------------------------------------------

    def find_allowed(self, catalog):
        """The first allowed request of the space as ``{"action", "resource", "context"}``,
        or None; also returns the number of requests evaluated."""
        groups: dict = {}
        for name, info in catalog.actions.items():
            if name.lower() in ACCEPTED_ACTIONS:
                continue
            for ref in info.resource_types:
                if ref.key not in DOMAIN_TYPES + OTHER_TYPES:
                    continue
                sig = tuple(
                    _statement_action_matches(di, si, st, name) for di, si, st in self.statements
                )
                groups.setdefault((ref.key, sig), name)
        callers = self.callers()
        n = 0
        for (rtype, sig), action in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[1])):
            if not any(
                m and st["Effect"] == "Allow" for m, (_, _, st) in zip(sig, self.statements)
            ):
                continue  # no Allow names this action
            for arn, tag, _ in self.resources(rtype, catalog.resource_types[rtype].arn_format):
                for caller in callers:
                    ctx = dict(caller)
                    if tag is not None:
                        ctx.update({k: tag for k in TAG_KEYS})
                    n += 1
                    d = evaluate(Request(ROLE, action, arn, ctx, open_world=False), self.policies)
                    if d.decision == "unknown":
                        self.engine_unknown = d.reason
                    if d.decision == "allow":
                        return {"action": action, "resource": arn, "context": ctx}, n
        return None, n


# ------------------------------------------------------------------------------------------
# Checking a witness against the request space


def _parse_in_space(resource: str, catalog) -> tuple[str | None, str]:
    """``(resource type, "")`` when ``resource`` is an ARN of a type in scope whose names match
    botocore's grammar, else ``(None, why)``."""
    for key in DOMAIN_TYPES + OTHER_TYPES:
        fmt = catalog.resource_types[key].arn_format
        names = re.findall(r"\$\{(\w+)\}", fmt)
        rx = re.escape(fmt)
        for n in names:
            stop = ":" if n in ("Partition", "Region", "Account") else "/"
            rx = rx.replace(re.escape("${" + n + "}"), f"(?P<{n}>[^{stop}]*)")
        # Reading "arn-extra-segments": an ARN may go on with "/" and text without ":".
        m = re.fullmatch(rx + r"(?:/[^:]+)*", resource)
        if not m:
            continue
        g = m.groupdict()
        if (g["Partition"], g["Account"]) != (PARTITION, ACCOUNT):
            return None, "partition/account are not ours"
        if not region_ok(g["Region"]):
            return None, f"Region {g['Region']!r} is not a Region of the partition"
        for n, v in g.items():
            if n in ("Partition", "Region", "Account"):
                continue
            if n == "AppType":
                if v not in grammar()["AppType"]:
                    return None, f"app type {v!r} is not in botocore's AppType enum"
            elif not grammar()[n](v):
                return None, f"{n} {v!r} does not match botocore's grammar"
        if g.get("DomainId") == OUR_ID and g["Region"] == REGION:
            return None, "the ARN's domain is ours"
        return key, ""
    return None, "not an ARN of a resource type in scope"


def witness_problems(entry: dict, profiles: list, policies: PolicySet, catalog) -> list:
    """Why the entry's witness is not a closed-world-allowed request of the space ([] if it is)."""
    w = entry.get("witness")
    if not isinstance(w, dict):
        return ["non-accepted cross_domain entry without a witness"]
    if w.get("conditional_on"):
        return [f"witness conditional_on {w['conditional_on']} in the exact fragment"]
    out = []
    ctx = w.get("context") or {}
    low = {k.lower(): v for k, v in ctx.items()}
    if w.get("action", "").lower() != entry["action"].lower():
        out.append("witness action differs from the entry's action")
    if w.get("principal") != ROLE:
        out.append(f"principal {w.get('principal')!r} is not the role")
    rtype, why = _parse_in_space(w.get("resource", ""), catalog)
    if rtype is None:
        out.append(why)
    if low.get("aws:principalarn") != ROLE or low.get("aws:principalaccount") != ACCOUNT:
        out.append("aws:PrincipalArn / aws:PrincipalAccount missing or wrong")
    if low.get("sagemaker:domainid", OUR_ID) != OUR_ID:
        out.append("sagemaker:DomainId is not ours")
    if "sagemaker:userprofilename" in low and low["sagemaker:userprofilename"] not in profiles:
        out.append("sagemaker:UserProfileName is not a profile of the role")
    if any(k.startswith("aws:requesttag/") or k == "aws:tagkeys" for k in low):
        out.append("aws:RequestTag/* or aws:TagKeys present")
    tags = {low.get(k.lower()) for k in TAG_KEYS}
    if len(tags) != 1:
        out.append("aws:ResourceTag and sagemaker:ResourceTag domain tags differ")
    tag = tags.pop() if len(tags) == 1 else None
    if rtype is not None:
        m = re.fullmatch(rf"arn:{PARTITION}:sagemaker:([^:]*):{ACCOUNT}:domain/(.*)", tag or "")
        if tag == OUR_ARN:
            out.append("the resource's domain tag is ours")
        elif rtype in DOMAIN_TYPES:
            region = w["resource"].split(":")[3]
            dom = re.search(r":[a-z-]+/([^/]+)", w["resource"]).group(1)
            own_tag = f"arn:{PARTITION}:sagemaker:{region}:{ACCOUNT}:domain/{dom}"
            if tag is not None and tag != own_tag:
                out.append("domain tag is not the ARN of the domain in the resource ARN")
        elif not m or not region_ok(m.group(1)) or not grammar()["DomainId"](m.group(2)):
            out.append("domain tag is not another domain's ARN of our account")
    if not out:
        d = evaluate(Request(ROLE, w["action"], w["resource"], ctx, open_world=False), policies)
        if d.decision != "allow":
            out.append(f"the closed-world engine says {d.decision} ({d.reason})")
    return out


# ------------------------------------------------------------------------------------------
# The run (once per session; each test asserts one property)


@pytest.fixture(scope="module")
def run():
    seed = int(os.environ.get("ISOLATION_REFEREE_SEED") or random.SystemRandom().randrange(10**9))
    print(f"\nISOLATION_REFEREE_SEED={seed} ({EXAMPLES} examples)")
    catalog = reduced_catalog()
    rnd = random.Random(seed)
    results = []
    t0 = time.perf_counter()
    evaluated = 0
    for i in range(EXAMPLES):
        docs, boundary, profiles = generate(rnd)
        report = analyze(_snapshot(docs, boundary, profiles), catalog=catalog)
        (role,) = report["roles"]
        ref = Referee(docs, boundary, profiles, random.Random(seed * 1000 + i))
        allowed, n = ref.find_allowed(catalog)
        evaluated += n
        own = []
        if allowed is not None:  # the referee's own request must lie in the space (self-check)
            entry = {"action": allowed["action"], "witness": dict(allowed, principal=ROLE)}
            own = witness_problems(entry, profiles, ref.policies, catalog)
        wit = []
        for entry in role.get("cross_domain", []):
            if entry.get("accepted"):
                # only the AWS procedure's exceptions may be accepted (DeleteApp: on our
                # domain's jupyterserver/default apps, outside the request space anyway)
                act = entry["action"].lower()
                if act not in ACCEPTED_ACTIONS and act != "sagemaker:deleteapp":
                    wit.append((entry, "accepted: true on an action that is no AWS exception"))
                continue
            for p in witness_problems(entry, profiles, ref.policies, catalog):
                wit.append((entry, p))
        results.append(
            {
                "i": i,
                "docs": docs,
                "boundary": boundary,
                "profiles": profiles,
                "verdict": role["verdict"],
                "allowed": allowed,
                "witness": wit,
                "engine_unknown": ref.engine_unknown,
                "referee_outside": own,
            }
        )
    secs = time.perf_counter() - t0
    iso = sum(r["allowed"] is None for r in results)
    counts = {
        v: sum(r["verdict"] == v for r in results) for v in ("isolated", "not_isolated", "unknown")
    }
    unproven = sum(r["allowed"] is None and r["verdict"] == "not_isolated" for r in results)
    print(
        f"referee: {EXAMPLES} role sets in {secs:.1f} s, {evaluated} engine requests; "
        f"referee found no allowed request for {iso} ({iso / EXAMPLES:.0%}); product verdicts "
        f"{counts}; product not_isolated where the referee found nothing: {unproven}"
    )
    return {"seed": seed, "results": results}


def _fail_on(run, pick, headline, detail=lambda r: "") -> None:
    """Fail naming how many results ``pick`` selects, then the first as a ready bug report:
    ``headline(first)``, the seed, example number, policies, profiles, ``detail(first)``."""
    bad = [r for r in run["results"] if pick(r)]
    if bad:
        r = bad[0]
        pytest.fail(
            f"{len(bad)} of {len(run['results'])} role sets: {headline(r)}. First:\n"
            f"ISOLATION_REFEREE_SEED={run['seed']} example {r['i']}\n"
            f"identity policies: {json.dumps(r['docs'])}\n"
            f"permissions boundary: {json.dumps(r['boundary'])}\n"
            f"profiles using the role: {r['profiles']}\n{detail(r)}"
        )


def test_no_false_isolated(run):
    _fail_on(
        run,
        lambda r: r["verdict"] == "isolated" and r["allowed"] is not None,
        lambda r: (
            "called isolated although the closed-world engine allows a request on "
            "another domain's resource"
        ),
        lambda r: f"allowed request: {json.dumps(r['allowed'])}",
    )


def test_witnesses_are_allowed_requests_of_the_space(run):
    _fail_on(
        run,
        lambda r: r["witness"],
        lambda r: f"a bad cross_domain entry ({r['witness'][0][1]})",
        lambda r: f"entry: {json.dumps(r['witness'][0][0])}",
    )


def test_no_unknown_in_the_exact_fragment(run):
    _fail_on(run, lambda r: r["verdict"] == "unknown", lambda r: "called unknown")


def test_referee_requests_lie_in_the_space(run):
    _fail_on(
        run,
        lambda r: r["referee_outside"],
        lambda r: f"the referee's own request is outside the space ({r['referee_outside']})",
        lambda r: f"request: {json.dumps(r['allowed'])}",
    )


def test_generator_stays_in_the_exact_fragment(run):
    _fail_on(
        run,
        lambda r: r["engine_unknown"],
        lambda r: (
            f"the plain engine could not decide a request ({r['engine_unknown']}): the "
            "generator left the exact fragment"
        ),
    )


def test_generator_is_balanced(run):
    n = len(run["results"])
    iso = sum(r["allowed"] is None for r in run["results"])
    seed = run["seed"]
    assert iso >= 0.25 * n, f"seed {seed}: only {iso}/{n} role sets isolated: tune the generator"
    assert n - iso >= 0.25 * n, f"seed {seed}: only {n - iso}/{n} not isolated: tune the generator"
