"""Isolation analysis: judge each execution role of a domain with our IAM policy engine.

``analyze(snapshot)`` takes the Snapshot dict (docs/ARCHITECTURE.md §3) and returns the report
(§7). It is pure: no I/O, deterministic for a given snapshot, catalog and ``now``.

The verdict rests on :mod:`.cross_domain`: for every ``sagemaker:`` action and resource type that
tags or domain ids can isolate, it decides over *every* request on another domain's resource
(any name, app type, other domain id, tag value; caller keys as defined there) whether the role's
policies allow one, with automata over the policies' patterns (:mod:`.request_space`), and keeps
one witness request per action (``cross_domain[i].witness``). "isolated" is therefore a proof over
the whole request space, never the outcome of a sample.

Sample requests (``_probes``) are still evaluated for what lies *outside* the verdict: resources
of this domain, untagged resources (the ``untagged-resources-reachable`` finding), types without
tag keys and actions without a resource type (``uncovered_allowed``), and creation of new
resources (``create_rights``; which ``Create*`` rows create something new is
:mod:`.create_reach`'s table).

Definitions: ``cross_domain`` = actions with an allowed request on another domain's resource
(``Create*`` rows that reach an existing resource or act inside one included);
``create_rights`` = ``Create*`` rows that create a new resource; ``uncovered_allowed`` = actions
allowed on a resource type without tag keys or with no resource type (plus the AWS doc's
pipeline-execution list, evaluated untagged as the doc describes). Accepted exceptions: the five
actions of the doc's ``AllowActionsThatDontSupportTagging`` statement.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as _dt
import json
from dataclasses import dataclass, field

from ..iam import Decision, PolicyError, PolicySet, Request, evaluate, parse_policy
from . import experience as X
from . import findings as F
from . import flows as FL
from . import symmetry as SY
from . import templates
from .catalog import DOC_UNCOVERED_ACTIONS, Catalog, example_arn, load_catalog
from .create_reach import create_reach
from .cross_domain import role_reach, worlds_for
from .request_space import Budget
from .within_domain import within_domain

#: Actions the AWS procedure grants on purpose without the tag condition (its
#: ``AllowActionsThatDontSupportTagging`` statement; data/isolate-domain-resources.txt).
ACCEPTED_ACTIONS = frozenset(
    {
        "sagemaker:DescribeImageVersion",
        "sagemaker:UpdateImageVersion",
        "sagemaker:DeleteImageVersion",
        "sagemaker:DescribeModelCardExportJob",
        "sagemaker:DescribeAction",
    }
)

_ACCEPTED_REASON = (
    "granted on purpose by the AWS procedure's AllowActionsThatDontSupportTagging statement "
    "(Studio does not tag these resources)"
)

#: Create actions Studio runs with tags, and the resource type each creates (tag-on-create check).
TAG_ON_CREATE_ACTIONS = (
    ("sagemaker:CreateSpace", "space"),
    ("sagemaker:CreateApp", "app"),
    ("sagemaker:CreateTrainingJob", "training-job"),
    ("sagemaker:CreateProcessingJob", "processing-job"),
    ("sagemaker:CreateTransformJob", "transform-job"),
    ("sagemaker:CreateHyperParameterTuningJob", "hyper-parameter-tuning-job"),
    ("sagemaker:CreateModel", "model"),
    ("sagemaker:CreateEndpointConfig", "endpoint-config"),
    ("sagemaker:CreateEndpoint", "endpoint"),
    ("sagemaker:CreatePipeline", "pipeline"),
    ("sagemaker:CreateExperiment", "experiment"),
)

_ABSENT_TAGS = ("aws:ResourceTag/*", "sagemaker:ResourceTag/*")
_EXISTING_ABSENT = ("sagemaker:TaggingAction",)
_STUDIO_TYPES = frozenset({"domain", "user-profile", "space", "app"})
_CASES = ("this", "untagged")

SCHEMA_VERSION = 2


def _tool_version() -> str:
    from .. import __version__

    return __version__


# --------------------------------------------------------------------------------------------
# Probes: the requests evaluated for every role (built once per domain and catalog)


@dataclass(frozen=True)
class _Probe:
    action: str
    rt: str | None  # resource type key, None for actions without one
    case: str  # "this" | "untagged" | "any" (no resource type)
    resource: str
    tags: tuple[tuple[str, str], ...]
    absent: tuple[str, ...]
    taggable: bool


def _arn_values(case: str) -> dict[str, str]:
    return {
        "UserProfileName": "example-user",
        "SpaceName": "example-space",
        "AppType": "jupyterlab",
        "AppName": "example-app",
    }


def _build_probes(catalog: Catalog, dom: templates.DomainArn) -> list[_Probe]:
    """The sample requests still used for what is *outside* the verdict: resources of this domain
    (``this``), untagged resources (``untagged``: the ``untagged-resources-reachable`` finding),
    types without tag keys and actions without a resource type (``uncovered_allowed``), and
    creation rights. Requests on other domains' resources are decided over every request by
    :mod:`.cross_domain`, never by a sample."""
    probes: list[_Probe] = []
    for name, info in catalog.actions.items():
        if not info.resource_types:
            probes.append(_Probe(name, None, "any", "*", (), _ABSENT_TAGS, False))
            continue
        for ref in info.resource_types:
            rt = catalog.resource_types[ref.key]
            for case in _CASES:
                arn = example_arn(
                    rt, dom.region, dom.account, dom.domain_id, dom.partition, _arn_values(case)
                )
                if rt.taggable and case == "this":
                    tags = (
                        ("aws:ResourceTag/sagemaker:domain-arn", dom.arn),
                        ("sagemaker:ResourceTag/sagemaker:domain-arn", dom.arn),
                    )
                    # sagemaker:TaggingAction is set only while a Create* call tags the
                    # resource it creates (which carries no tags yet): on an existing, tagged
                    # resource it is absent (reading "tagging-action-absent-on-existing").
                    absent: tuple[str, ...] = _EXISTING_ABSENT
                else:
                    tags, absent = (), _ABSENT_TAGS
                probes.append(_Probe(name, ref.key, case, arn, tags, absent, rt.taggable))
    return probes


_PROBE_CACHE: dict[tuple, list[_Probe]] = {}


def _probes(catalog: Catalog, dom: templates.DomainArn) -> list[_Probe]:
    key = (id(catalog), dom.arn)
    if key not in _PROBE_CACHE:
        if len(_PROBE_CACHE) > 16:
            _PROBE_CACHE.clear()
        _PROBE_CACHE[key] = _build_probes(catalog, dom)
    return _PROBE_CACHE[key]


# --------------------------------------------------------------------------------------------
# Role inputs


@dataclass
class RoleInput:
    """What the analysis knows about one execution role.

    Attributes:
        key: the role's key in ``snapshot["roles"]`` (usually its ARN).
        arn: the role ARN, or None (offline policy files).
        name: the role name.
        used_by: ``["domain-default", "default-space", "user-profile:<name>", ...]``.
        identity: parsed identity policies (managed and inline).
        boundary: the parsed permissions boundary, or None.
        policies: ``[{"name", "arn", "kind"}]`` for the report.
        problems: ``[{"kind": "role-unreadable"|"policy-unreadable"|"policy-invalid"|
            "role-missing", "target", "detail", "errors": [...]}]``: inputs that are missing or
            broken; any problem makes the role's verdict ``unknown``.
        user_profile_name: the caller's user profile name when the role serves exactly one.
    """

    key: str
    arn: str | None
    name: str
    used_by: list[str]
    identity: list = field(default_factory=list)
    boundary: object | None = None
    policies: list[dict] = field(default_factory=list)
    problems: list[dict] = field(default_factory=list)
    user_profile_name: str | None = None


def _errors_for(snapshot: dict, target: str | None) -> list[dict]:
    if target is None:
        return []
    return [
        e for e in snapshot.get("errors") or () if isinstance(e, dict) and e.get("target") == target
    ]


def _policy_name_from_arn(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


def _execution_roles(snapshot: dict) -> dict[str, list[str]]:
    """Ordered ``{role arn: used_by}`` from the domain and its user profiles."""
    dom = snapshot.get("domain") or {}
    used: dict[str, list[str]] = {}

    def add(arn, who):
        if isinstance(arn, str) and arn:
            used.setdefault(arn, [])
            if who not in used[arn]:
                used[arn].append(who)

    default_user = dom.get("default_user_execution_role")
    add(default_user, "domain-default")
    add(dom.get("default_space_execution_role"), "default-space")
    for up in snapshot.get("user_profiles") or ():
        if not isinstance(up, dict) or not up.get("name"):
            continue
        # A profile without its own role runs with the domain default (SageMaker API reference,
        # UserSettings.ExecutionRole: "defaults to the domain's").
        add(up.get("execution_role") or default_user, f"user-profile:{up['name']}")
    return used


def _parse_cached(cache: dict, key: str, document, name: str):
    if key not in cache:
        try:
            cache[key] = parse_policy(document, name)
        except PolicyError as exc:
            cache[key] = exc
    return cache[key]


def _managed(ri, parn: str, kind: str, snapshot: dict, policies: dict, cache: dict):
    """Record managed policy ``parn`` on ``ri`` and return it parsed, or None (problem noted)."""
    pentry = policies.get(parn)
    pname = (pentry or {}).get("name") or _policy_name_from_arn(parn)
    ri.policies.append({"name": pname, "arn": parn, "kind": kind})
    if not isinstance(pentry, dict) or "document" not in pentry:
        ri.problems.append(
            {
                "kind": "policy-unreadable",
                "target": parn,
                "detail": f"the document of {kind} policy {pname} was not read",
                "errors": _errors_for(snapshot, parn),
            }
        )
        return None
    p = _parse_cached(cache, parn, pentry["document"], pname)
    if isinstance(p, PolicyError):
        ri.problems.append(
            {"kind": "policy-invalid", "target": parn, "detail": str(p), "errors": []}
        )
        return None
    return p


def _role_inputs(snapshot: dict) -> list[RoleInput]:
    roles = snapshot.get("roles") or {}
    if not isinstance(roles, dict):
        raise ValueError("snapshot 'roles' must be an object keyed by role ARN")
    policies = snapshot.get("policies") or {}
    if not isinstance(policies, dict):
        raise ValueError("snapshot 'policies' must be an object keyed by policy ARN")
    used = _execution_roles(snapshot)
    keys = list(used) + [k for k in roles if k not in used]
    cache: dict = {}
    out: list[RoleInput] = []
    for key in keys:
        entry = roles.get(key)
        used_by = used.get(key, [])
        profiles = [u.split(":", 1)[1] for u in used_by if u.startswith("user-profile:")]
        upn = profiles[0] if len(profiles) == 1 and len(used_by) == 1 else None
        if not isinstance(entry, dict):
            name = _policy_name_from_arn(key)
            out.append(
                RoleInput(
                    key=key,
                    arn=key,
                    name=name,
                    used_by=used_by,
                    user_profile_name=upn,
                    problems=[
                        {
                            "kind": "role-missing",
                            "target": key,
                            "detail": "the role is used by the domain but was not read "
                            "(absent from the snapshot)",
                            "errors": _errors_for(snapshot, key),
                        }
                    ],
                )
            )
            continue
        arn = entry.get("arn")
        ri = RoleInput(
            key=key,
            arn=arn,
            name=entry.get("name") or _policy_name_from_arn(arn or key),
            used_by=used_by,
            user_profile_name=upn,
        )
        role_errors = _errors_for(snapshot, arn or key)
        if entry.get("complete") is not True or role_errors:
            # An error naming the role counts even when the snapshot says complete: true.
            ri.problems.append(
                {
                    "kind": "role-unreadable",
                    "target": arn or key,
                    "detail": "the role's policies could not all be read (complete: false)",
                    "errors": _errors_for(snapshot, arn or key),
                }
            )

        for parn in entry.get("attached_policies") or ():
            p = _managed(ri, parn, "managed", snapshot, policies, cache)
            if p is not None:
                ri.identity.append(p)
        for inline in entry.get("inline_policies") or ():
            iname = (inline or {}).get("name") or "inline"
            ri.policies.append({"name": iname, "arn": None, "kind": "inline"})
            try:
                ri.identity.append(parse_policy((inline or {}).get("document"), iname))
            except PolicyError as exc:
                ri.problems.append(
                    {"kind": "policy-invalid", "target": iname, "detail": str(exc), "errors": []}
                )
        if entry.get("permissions_boundary"):
            ri.boundary = _managed(
                ri, entry["permissions_boundary"], "boundary", snapshot, policies, cache
            )
            if ri.boundary is None:
                ri.boundary = False  # marker: a boundary exists but is unreadable
        out.append(ri)
    return out


# --------------------------------------------------------------------------------------------
# Evaluation of one role


@dataclass
class _Acc:
    """Accumulates one report entry (one action) over its resource types."""

    action: str
    access_level: str
    resource_types: list[str] = field(default_factory=list)
    allowed_by: dict = field(default_factory=dict)
    conditional_on: set = field(default_factory=set)
    accepted: bool = True
    accepted_reason: str | None = None
    extra: dict = field(default_factory=dict)

    def add(self, rt: str | None, d: Decision) -> None:
        if rt is not None and rt not in self.resource_types:
            self.resource_types.append(rt)
        for s in d.statements:
            self.allowed_by.setdefault((s.policy, s.sid, s.index), None)
        self.conditional_on.update(d.conditional_on)

    def to_json(self, with_accepted: bool) -> dict:
        out = {
            "action": self.action,
            "resource_types": self.resource_types,
            "access_level": self.access_level,
            "allowed_by": [{"policy": p, "sid": s, "index": i} for (p, s, i) in self.allowed_by],
        }
        if with_accepted:
            out["accepted"] = self.accepted
            if self.accepted:
                out["accepted_reason"] = self.accepted_reason
        if self.conditional_on:
            out["conditional_on"] = sorted(self.conditional_on)
        out.update(self.extra)
        return out


@dataclass
class RoleResult:
    """The evaluated permissions of one role (internal; ``to_json`` gives the report's role)."""

    cross_domain: dict = field(default_factory=dict)
    uncovered: dict = field(default_factory=dict)
    create_rights: dict = field(default_factory=dict)
    untagged: dict = field(default_factory=dict)
    unknown: list = field(default_factory=list)
    # (action, rt, case) -> the sample's outcome ("allow", ...); no domain-specific text, so
    # symmetry.Renamer leaves it as it is.
    decisions: dict = field(default_factory=dict, metadata={"rename": False})
    requests: int = 0
    uncredited_deny_keys: set = field(default_factory=set)
    states: int = 0  # automaton states the cross-domain search used
    budget_exceeded: str | None = None  # why the search stopped early (role then unknown)
    inexact: set = field(default_factory=set)  # where the search left the exact fragment
    # True for a result renamed from another domain without its entries' details (witnesses,
    # allowing statements): verdict, counts and action names only (RoleResultCache, detail=False).
    summary: bool = False
    # The domain ARN whose analysis this result was renamed from (None: computed here); its
    # ``states`` and ``requests`` are that analysis' counts.
    renamed_from: str | None = None


def _is_create(action: str) -> bool:
    return action.startswith("sagemaker:Create")


def _base_context(dom: templates.DomainArn, ri: RoleInput) -> dict:
    ctx: dict = {
        "aws:PrincipalAccount": dom.account,
        "aws:ResourceAccount": dom.account,
        "sagemaker:DomainId": dom.domain_id,
    }
    if ri.arn:
        ctx["aws:PrincipalArn"] = ri.arn
    if ri.user_profile_name:
        ctx["sagemaker:UserProfileName"] = ri.user_profile_name
    return ctx


def _principal(ri: RoleInput, dom: templates.DomainArn) -> str:
    return ri.arn or f"arn:{dom.partition}:iam::{dom.account}:role/{ri.name}"


# What differs between two roles' probe requests: the principal, aws:PrincipalArn and
# sagemaker:UserProfileName (every other key is the same for all roles, or unknown for all in the
# open world). A policy whose text names neither key, nor a Principal element (only resource
# policies have one), decides the same for every role; the analysis then evaluates it once.
_PRINCIPAL_SENSITIVE = (
    "aws:principalarn",
    '"principal"',
    '"notprincipal"',
)
_PROFILE_SENSITIVE = "sagemaker:userprofilename"


class RoleResultCache:
    """Shares ``evaluate_role`` results between roles, and between domains, whose decisions
    cannot differ.

    Within a domain the key is the names and digests of the role's identity policies and
    boundary, plus the caller context (principal ARN, user profile name) when any of those
    documents names a key that differs between roles. A domain with 50 user profiles that each
    carry their own copy of the same role set-up is then analysed in the time of one.

    Across domains (one cache serves a whole account overview) a result is reused for another
    domain when :mod:`.symmetry` proves that renaming the domain id (and the profile names, when
    a policy reads them) maps one analysis onto the other; the mapped witnesses are evaluated
    again with the plain engine, and any disagreement means a fresh analysis.

    Attributes:
        hits: results reused within a domain.
        shared: results reused from another domain (renamed).
        share_refused: candidates from another domain that a check refused.
        computed: results computed by ``evaluate_role``.
    """

    def __init__(self, share_between_domains: bool = True) -> None:
        self._results: dict = {}
        self._by_shape: dict = {}
        self._probe_ok: dict = {}
        self._flows: dict = {}
        self._studio: dict = {}
        self._texts: dict = {}
        self._canon: dict = {}
        self.share_between_domains = share_between_domains
        self.hits = 0
        self.shared = 0
        self.share_refused = 0
        self.computed = 0

    def stats(self) -> dict:
        """``{"computed", "reused", "renamed", "refused"}``: role analyses run, reused within a
        domain, renamed from another domain, and renamings a check refused (counts)."""
        return {"computed": self.computed, "reused": self.hits, "renamed": self.shared,
                "refused": self.share_refused}  # fmt: skip

    def evaluate(
        self,
        ri: RoleInput,
        policy_set: PolicySet,
        dom: templates.DomainArn,
        catalog: Catalog,
        *,
        detail: bool = True,
    ) -> RoleResult:
        """``evaluate_role(ri, policy_set, dom, catalog)``, reusing an equal earlier result.

        With ``detail=False`` the caller reads only the verdict, the counts and the action
        names (a template's "verdict after"): a result renamed from another domain then keeps
        its entries' witnesses and statements unrenamed (``RoleResult.summary``)."""
        docs = list(policy_set.identity) + ([policy_set.boundary] if policy_set.boundary else [])
        text = " ".join(self._lower_text(p) for p in docs)
        by_principal = any(marker in text for marker in _PRINCIPAL_SENSITIVE)
        by_profile = _PROFILE_SENSITIVE in text
        key = (
            dom.arn,
            # Names too: decisions name the allowing policy.
            tuple(sorted((p.name, p.digest) for p in policy_set.identity)),
            (policy_set.boundary.name, policy_set.boundary.digest) if policy_set.boundary else None,
            (ri.arn, ri.name, ri.user_profile_name, tuple(_profiles(ri)))
            if by_principal or by_profile
            else None,
        )
        got = self._results.get(key)
        if got is not None and not (detail and got.summary):
            self.hits += 1
            return _rebase(got, ri, dom, by_principal, by_profile) if detail else got
        inst = SY.Instance(dom.domain_id, tuple(sorted(set(_profiles(ri)))), by_profile)
        shape = self._shape(policy_set, ri, dom, catalog, inst, by_principal)
        res = None
        for cand in self._by_shape.get(shape, ())[:3] if shape else ():
            res = self._transfer(
                cand, ri, policy_set, dom, catalog, inst, (by_principal, by_profile, detail)
            )
            if res is not None:
                self.shared += 1
                break
            self.share_refused += 1
        if res is None:
            self.computed += 1
            res = evaluate_role(ri, policy_set, dom, catalog)
            if shape and not res.budget_exceeded:
                self._by_shape.setdefault(shape, []).append((inst, dom, res))
        self._results[key] = res
        return res

    def flows(self, ri: RoleInput, pset: PolicySet, dom, profiles, catalog: Catalog) -> list:
        """``_role_flows(ri, pset, dom, profiles, catalog)``, reused for another role of the
        same domain with the same policies, principal, profile name and read problems (the
        flows' requests and context are built from exactly these). Read-only results."""
        key = (
            dom.arn, _pset_key(pset), _principal(ri, dom), ri.user_profile_name,
            tuple(profiles), bool(ri.problems), id(catalog),
        )  # fmt: skip
        got = self._flows.get(key)
        if got is None:
            got = self._flows[key] = _role_flows(ri, pset, dom, profiles, catalog)
        return got

    def studio_fields(self, ri: RoleInput, dom, catalog: Catalog, exps: dict) -> dict:
        """The Studio fields of a role's report entry (``experience``, ``experience_profiles``,
        ``flows``, ``flows_summary``, ``within_domain``: see ``_studio_fields``), reused (as a
        copy) for a role of the same domain with the same policies, principal, profile name,
        uses, experience and read problems: exactly what they are computed from. The overview's
        fix evaluation re-analyses domains whose other roles did not change."""
        role_exp = X.role_experience(ri.used_by, exps["by_use"]) if ri.used_by else "unknown"
        key = (
            dom.arn, _pset_key(_policy_set(ri)), _principal(ri, dom), ri.user_profile_name,
            tuple(ri.used_by), role_exp, bool(ri.problems), id(catalog),
        )  # fmt: skip
        got = self._studio.get(key)
        if got is None:
            got = {}
            _studio_fields(ri, got, dom, catalog, role_exp)
            self._studio[key] = got
        return copy.deepcopy(got)

    def _lower_text(self, p) -> str:
        """A policy's document as lower-case JSON (memoised by digest: one role set-up's
        policies recur in every role and template combination)."""
        got = self._texts.get(p.digest)
        if got is None:
            got = self._texts[p.digest] = json.dumps(p.document, sort_keys=True).lower()
        return got

    def _canonical(self, p, inst) -> tuple | None:
        """``symmetry.canonical_texts`` of one policy for ``inst`` (memoised)."""
        k = (p.name, p.digest, inst)
        if k not in self._canon:
            got = SY.canonical_texts([(p.name, p.document)], inst)
            self._canon[k] = got[0] if got else None
        return self._canon[k]

    def _shape(self, policy_set, ri, dom, catalog, inst, by_principal) -> tuple | None:
        """The key under which results of other domains may be renamed into this one."""
        if not self.share_between_domains:
            return None
        ident = tuple(self._canonical(p, inst) for p in policy_set.identity)
        bound = (self._canonical(policy_set.boundary, inst),) if policy_set.boundary else ()
        if None in ident or None in bound:
            return None
        upn = ri.user_profile_name
        if inst.profile_sensitive:
            # The worlds enumerate the profiles; the probes carry the one profile's name.
            profiles = (len(inst.profiles), None if upn is None else
                        inst.profiles.index(upn) if upn in inst.profiles else upn)  # fmt: skip
        else:
            profiles = None  # no policy reads the name: it changes no decision (_rebase)
        return (
            dom.partition, dom.account, dom.region, id(catalog), ident, bound,
            ri.arn if by_principal else None, profiles,
        )  # fmt: skip

    def _transfer(self, cand, ri, policy_set, dom, catalog, inst, flags):
        """Rename another domain's result into this one when :mod:`.symmetry` proves it maps
        (module docstring there), re-checking the witnesses (every one with ``detail``, else
        the first 20); None when refused."""
        by_principal, by_profile, detail = flags
        inst0, dom0, res0 = cand
        pairs = SY.pairs_between(inst0, inst)
        if pairs is None:
            return None
        values = [v for v, _s in inst0.values()] + [v for v, _s in inst.values()]
        renamed = [x for pair in pairs for x in pair]
        fixed = [dom.account, dom.region, dom.partition] + ([ri.arn or ""] if by_principal else [])
        if not (
            SY.involutive(pairs)
            and SY.occurrences_disjoint(values)
            and SY.fixed_text_clean(renamed, catalog, dom.partition, dom.account, fixed)
            and SY.grammars_congruent(pairs, catalog, dom.partition, dom.account)
            and SY.patterns_congruent(_docs(policy_set), inst, pairs, dom.account)
            and self._probes_map(dom0, dom, catalog, pairs)
            and SY.vocabulary_clean(renamed, _vocabulary(res0))
        ):
            return None
        ren = SY.Renamer(pairs)
        if not detail:
            sample = [ren(a.extra["witness"]) for a in res0.cross_domain.values()
                      if a.extra.get("witness")][:20]  # fmt: skip
            if not _witnesses_hold(sample, policy_set):
                return None
            return dataclasses.replace(res0, unknown=ren(res0.unknown), summary=True)
        res = _rebase(ren(res0), ri, dom, by_principal, by_profile)
        res = dataclasses.replace(res, renamed_from=res0.renamed_from or dom0.arn)
        witnesses = [
            a.extra["witness"] for a in res.cross_domain.values() if a.extra.get("witness")
        ]
        return res if _witnesses_hold(witnesses, policy_set) else None

    def _probes_map(self, dom0, dom, catalog, pairs) -> bool:
        """The sample probes of ``dom`` are the renamed probes of ``dom0``."""
        k = (dom0.arn, dom.arn, id(catalog), tuple(pairs))
        if k not in self._probe_ok:
            ren = SY.Renamer(pairs)
            mine = _probes(catalog, dom)
            theirs = _probes(catalog, dom0)
            self._probe_ok[k] = len(mine) == len(theirs) and all(
                (p.action, p.rt, p.case, ren.text(p.resource), ren(p.tags))
                == (q.action, q.rt, q.case, q.resource, q.tags)
                for p, q in zip(theirs, mine)
            )
        return self._probe_ok[k]


def _pset_key(pset: PolicySet) -> tuple:
    """Names and digests of a policy set's identity policies and boundary."""
    return (
        tuple((p.name, p.digest) for p in pset.identity),
        (pset.boundary.name, pset.boundary.digest) if pset.boundary is not None else None,
    )


def _docs(policy_set: PolicySet) -> list:
    return list(policy_set.identity) + ([policy_set.boundary] if policy_set.boundary else [])


def _rebase(res: RoleResult, ri: RoleInput, dom, by_principal: bool, by_profile: bool):
    """``res`` with its witnesses made by ``ri`` (principal, ``aws:PrincipalArn``, and the user
    profile name of its one world) where no policy reads those keys, so the decisions stand."""
    principal = _principal(ri, dom)
    profiles = _profiles(ri)
    upn = profiles[0] if len(profiles) == 1 else None
    changed = {}
    for action, acc in res.cross_domain.items():
        w = acc.extra.get("witness")
        if not w:
            continue
        ctx = dict(w["context"])
        if not by_principal:
            if "aws:PrincipalArn" in ctx or ri.arn:
                ctx.pop("aws:PrincipalArn", None)
                if ri.arn:
                    ctx["aws:PrincipalArn"] = ri.arn
        if not by_profile:
            ctx.pop("sagemaker:UserProfileName", None)
            if upn:
                ctx["sagemaker:UserProfileName"] = upn
        nw = dict(w, principal=principal if not by_principal else w["principal"],
                  context=dict(sorted(ctx.items())))  # fmt: skip
        if nw != w:
            changed[action] = dataclasses.replace(acc, extra=dict(acc.extra, witness=nw))
    if not changed:
        return res
    return dataclasses.replace(res, cross_domain={**res.cross_domain, **changed})


def _vocabulary(res: RoleResult) -> list[str]:
    """The strings of ``res`` that name no domain, profile, principal or resource (actions,
    access levels, resource types, cases, context-key names, reasons): the renaming must leave
    them alone (``symmetry.vocabulary_clean``). Policy names and Sids (``allowed_by``) and the
    witnesses' principal, resource and context values are left out: they carry renamed values
    by design and are checked by the lemma (canonical texts) and the runtime referee."""
    out: list[str] = []

    def strings(obj) -> None:
        if isinstance(obj, str):
            out.append(obj)
        elif isinstance(obj, dict):
            for k, v in obj.items():
                strings(k)
                strings(v)
        elif isinstance(obj, (list, tuple, set, frozenset)):
            for v in obj:
                strings(v)

    for table in (res.cross_domain, res.uncovered, res.create_rights, res.untagged):
        for name, acc in table.items():
            strings([name, acc.action, acc.access_level, acc.resource_types, acc.accepted_reason,
                     acc.conditional_on])  # fmt: skip
            for k, v in acc.extra.items():
                strings(k)
                if k != "witness":
                    strings(v)
                elif v:
                    strings([v.get("action"), list(v.get("context", {})),
                             v.get("conditional_on")])  # fmt: skip
    strings(res.unknown)
    strings(res.uncredited_deny_keys)
    strings(res.inexact)
    strings(res.budget_exceeded)
    return out


def _witnesses_hold(witnesses: list, policy_set: PolicySet) -> bool:
    """Runtime referee of a renamed result: each witness request is allowed by the plain engine
    (in a closed world when it depends on no unknown key)."""
    for w in witnesses:
        conditional = bool(w["conditional_on"])
        d = evaluate(
            Request(w["principal"], w["action"], w["resource"], w["context"],
                    open_world=conditional), policy_set)  # fmt: skip
        if d.decision != "allow":
            return False
    return True


def evaluate_role(
    ri: RoleInput, policy_set: PolicySet, dom: templates.DomainArn, catalog: Catalog
) -> RoleResult:
    """Evaluate every probe request for one role.

    Args:
        ri: the role (for principal and context).
        policy_set: the role's policies (identity + boundary).
        dom: the domain.
        catalog: the action catalog.

    Returns:
        RoleResult with the raw entries (accumulators) and decisions.
    """
    base = _base_context(dom, ri)
    principal = _principal(ri, dom)
    res = RoleResult()
    for pr in _probes(catalog, dom):
        ctx = dict(base)
        ctx.update(pr.tags)
        req = Request(
            principal, pr.action, pr.resource, ctx, open_world=True, absent_keys=pr.absent
        )
        d = evaluate(req, policy_set)
        res.requests += 1
        res.decisions[(pr.action, pr.rt, pr.case)] = d.decision
        res.uncredited_deny_keys.update(d.uncredited_deny_keys)
        if d.decision == "unknown":
            res.unknown.append(
                {"action": pr.action, "resource_type": pr.rt, "case": pr.case, "reason": d.reason}
            )
            continue
        if d.decision != "allow":
            continue
        level = catalog.actions[pr.action].access_level
        if pr.rt is not None and _is_create(pr.action):
            if create_reach(pr.action, pr.rt).kind == "new":
                res.create_rights.setdefault(pr.action, _Acc(pr.action, level)).add(pr.rt, d)
                continue
        if pr.rt is None or not pr.taggable:
            acc = res.uncovered.setdefault(pr.action, _Acc(pr.action, level))
            acc.extra["reason"] = (
                "no-resource-type" if pr.rt is None else "resource-type-not-taggable"
            )
            acc.add(pr.rt, d)
            continue
        if pr.case == "untagged":
            res.untagged.setdefault(pr.action, _Acc(pr.action, level)).add(pr.rt, d)
            if pr.action in DOC_UNCOVERED_ACTIONS:
                # The doc's reading: pipeline-execution carries no tags at authorisation time.
                acc = res.uncovered.setdefault(pr.action, _Acc(pr.action, level))
                acc.extra["reason"] = "resource-type-not-taggable"
                acc.extra["doc_listed"] = True
                acc.add(pr.rt, d)
    docs = list(policy_set.identity) + ([policy_set.boundary] if policy_set.boundary else [])
    worlds = worlds_for(docs, _caller_context(dom, ri), dom.domain_id, _profiles(ri))
    reach = role_reach(principal, policy_set, dom, catalog, worlds, Budget(**budget_limits()))
    res.requests += reach.evaluations
    res.states = reach.states
    res.budget_exceeded = reach.budget_exceeded
    res.inexact = reach.inexact
    res.uncredited_deny_keys.update(reach.uncredited_deny_keys)
    res.unknown.extend(reach.unknown)
    for action, r in reach.reach.items():
        acc = res.cross_domain[action] = _Acc(action, catalog.actions[action].access_level)
        acc.resource_types = list(r.resource_types)
        acc.allowed_by = dict(r.allowed_by)
        acc.accepted = action in ACCEPTED_ACTIONS
        acc.accepted_reason = _ACCEPTED_REASON if acc.accepted else None
        acc.conditional_on = set(r.witness["conditional_on"]) if r.witness else set()
        acc.extra["witness"] = r.witness
        if r.create_kind:
            acc.extra["create_kind"] = r.create_kind
    return res


#: Default work budget of the cross-domain search, per role; see :func:`set_budget_limits`.
_BUDGET = {"states": 2_000_000, "seconds": 30.0}


def budget_limits() -> dict:
    """The cross-domain search budget per role: ``{"states": int, "seconds": float}``."""
    return dict(_BUDGET)


def set_budget_limits(states: int | None = None, seconds: float | None = None) -> None:
    """Change the per-role search budget (CLI ``--analysis-budget``, tests).

    Args:
        states: automaton states per role (positive int), or None to keep.
        seconds: wall seconds per role (positive), or None to keep.

    Raises:
        ValueError: a limit that is not positive.
    """
    if states is not None:
        if states <= 0:
            raise ValueError("the analysis budget's states must be positive")
        _BUDGET["states"] = int(states)
    if seconds is not None:
        if seconds <= 0:
            raise ValueError("the analysis budget's seconds must be positive")
        _BUDGET["seconds"] = float(seconds)


def _caller_context(dom: templates.DomainArn, ri: RoleInput) -> dict:
    ctx: dict = {"aws:PrincipalAccount": dom.account, "aws:ResourceAccount": dom.account}
    if ri.arn:
        ctx["aws:PrincipalArn"] = ri.arn
    return ctx


def _profiles(ri: RoleInput) -> list[str]:
    return [u.split(":", 1)[1] for u in ri.used_by if u.startswith("user-profile:")]


def _verdict(ri: RoleInput, res: RoleResult) -> tuple[str, str]:
    leaking = [a for a in res.cross_domain.values() if not a.accepted]
    if ri.problems:
        what = "; ".join(p["detail"] for p in ri.problems)
        extra = (
            f" ({len(leaking)} cross-domain allows were found in the readable policies, but a "
            "policy that could not be read might deny them)"
            if leaking
            else ""
        )
        return "unknown", f"an input is missing: {what}{extra}"
    if leaking:
        names = ", ".join(a.action for a in leaking[:3])
        more = f" and {len(leaking) - 3} more" if len(leaking) > 3 else ""
        return (
            "not_isolated",
            f"{len(leaking)} {'action is' if len(leaking) == 1 else 'actions are'} allowed on "
            f"another domain's resources ({names}{more})",
        )
    if res.budget_exceeded:
        return (
            "unknown",
            f"the analysis stopped at its work budget ({res.budget_exceeded}) before every "
            "request on other domains' resources was decided",
        )
    if res.unknown:
        return (
            "unknown",
            f"{len(res.unknown)} requests could not be decided by the policy engine "
            f"(first: {res.unknown[0]['action']}: {res.unknown[0]['reason']})",
        )
    acc = sum(1 for a in res.cross_domain.values() if a.accepted)
    return (
        "isolated",
        "no request on another domain's resources is allowed, for any action, name, app type, "
        "other domain id or tag value"
        + (f" except {acc} accepted exceptions of the AWS procedure" if acc else ""),
    )


def policy_sets(snapshot: dict) -> dict:
    """The policy set of every readable role of a snapshot, keyed as in ``snapshot["roles"]``.

    Args:
        snapshot: a validated snapshot.

    Returns:
        ``{role key: PolicySet}`` (roles whose boundary could not be read are left out).
    """
    return {
        ri.key: _policy_set(ri) for ri in _role_inputs(snapshot) if ri.boundary is not False
    }


def _policy_set(ri: RoleInput, extra=None, replace_name: str | None = None) -> PolicySet:
    identity = [p for p in ri.identity if replace_name is None or p.name != replace_name]
    if extra is not None:
        identity.append(extra)
    boundary = ri.boundary if ri.boundary not in (None, False) else None
    return PolicySet(identity=identity, boundary=boundary)


def _role_json(ri: RoleInput, res: RoleResult, catalog: Catalog, verdict: tuple) -> dict:
    verdict, reason = verdict
    cross = [a.to_json(True) for a in res.cross_domain.values()]
    unc = [a.to_json(False) for a in res.uncovered.values()]
    creates = [a.to_json(False) for a in res.create_rights.values()]
    return {
        "arn": ri.arn,
        "name": ri.name,
        "used_by": ri.used_by,
        "verdict": verdict,
        "verdict_reason": reason,
        "policies": ri.policies,
        "cross_domain": cross,
        "uncovered_allowed": unc,
        "create_rights": creates,
        "unknown": res.unknown,
        "problems": ri.problems,
        "analysis": {
            "method": "automata",
            "evaluations": res.requests,
            "states": res.states,
            "budget_exceeded": res.budget_exceeded,
            **({"renamed_from": res.renamed_from} if res.renamed_from else {}),
        },
        "counts": {
            "actions": len(catalog.actions),
            "requests": res.requests,
            "cross_domain": sum(1 for a in cross if not a["accepted"]),
            "accepted": sum(1 for a in cross if a["accepted"]),
            "uncovered_allowed": len(unc),
            "create_rights": len(creates),
            "untagged_allowed": len(res.untagged),
            "unknown": len(res.unknown),
        },
    }


# --------------------------------------------------------------------------------------------
# Domain


def _domain_arn(snapshot: dict) -> templates.DomainArn:
    dom = snapshot.get("domain")
    if not isinstance(dom, dict):
        raise ValueError("snapshot has no 'domain' object")
    arn = dom.get("arn")
    if not arn:
        did, region, account = dom.get("id"), snapshot.get("region"), snapshot.get("account_id")
        if not (did and region and account):
            raise ValueError(
                "snapshot domain needs 'arn' (or 'id' with top-level 'region' and 'account_id')"
            )
        arn = f"arn:{snapshot.get('partition') or 'aws'}:sagemaker:{region}:{account}:domain/{did}"
    d = templates.parse_domain_arn(arn)
    if dom.get("id") and dom["id"] != d.domain_id:
        raise ValueError(f"snapshot domain id {dom['id']!r} does not match its ARN {arn!r}")
    return d


def default_experience(domain: dict) -> tuple[str, str]:
    """Which experience the domain opens by default.

    Source: SageMaker API reference, ``UserSettings.DefaultLandingUri`` (``"studio::"`` opens
    Studio, ``"app:JupyterServer:"`` opens Studio Classic) and ``StudioWebPortal`` (``DISABLED``
    leaves only Studio Classic).

    Args:
        domain: the snapshot's ``domain`` object.

    Returns:
        ``("studio-classic" | "studio" | "unknown", detail)``.
    """
    uri = domain.get("default_landing_uri")
    portal = domain.get("studio_web_portal")
    if uri == "studio::":
        return "studio", "DefaultLandingUri is 'studio::' (Studio)"
    if isinstance(uri, str) and uri.startswith("app:JupyterServer"):
        return "studio-classic", f"DefaultLandingUri is {uri!r} (Studio Classic)"
    if portal == "DISABLED":
        return "studio-classic", "StudioWebPortal is DISABLED: only Studio Classic is available"
    if portal == "ENABLED":
        return "studio", "StudioWebPortal is ENABLED and DefaultLandingUri is not Studio Classic"
    return "unknown", "the domain's DefaultLandingUri and StudioWebPortal were not read"


def _unseen_profiles(snapshot: dict, domain_arn: str) -> list[dict]:
    """User profiles whose execution role may exist but was not read.

    Returns ``[{"what": str, "errors": [...]}]``: one entry when the profile listing failed
    (an ``errors`` entry targets the domain ARN), one per profile with ``complete: false``.
    """
    out = []
    dom_errors = [
        e for e in _errors_for(snapshot, domain_arn) if "UserProfile" in str(e.get("operation"))
    ]
    if dom_errors:
        out.append({"what": "the domain's user profiles could not be listed", "errors": dom_errors})
    for up in snapshot.get("user_profiles") or ():
        if isinstance(up, dict) and up.get("complete") is False:
            out.append(
                {
                    "what": f"user profile {up.get('name')!r} could not be read",
                    "errors": [
                        e
                        for e in snapshot.get("errors") or ()
                        if isinstance(e, dict)
                        and str(e.get("target", "")).endswith(f"/{up.get('name')}")
                    ],
                }
            )
    return out


def _catalog_fields(catalog: Catalog) -> dict:
    """The report's ``catalog``, ``coverage`` and ``coverage_summary`` (what tags can isolate,
    from the catalog's data; docs/ARCHITECTURE.md §7)."""
    coverage = catalog.coverage()
    keys = ("doc_uncovered", "data_uncovered", "only_in_doc", "only_in_data", "explanation")
    return {
        "catalog": {
            "source": catalog.source,
            "version": catalog.version,
            "package_version": catalog.package_version,
        },
        "coverage": {k: coverage[k] for k in keys},
        "coverage_summary": {
            "actions": len(catalog.actions),
            "uncovered_actions": len(coverage["data_uncovered"]),
            "resource_types": len(catalog.resource_types),
            "untaggable_resource_types": coverage["untaggable_resource_types"],
        },
    }


def analyze(
    snapshot: dict, catalog: Catalog | None = None, now: _dt.datetime | None = None,
    role_cache: RoleResultCache | None = None, *, with_templates: bool = True,
) -> dict:
    """Analyse a Snapshot and return the report (docs/ARCHITECTURE.md §7).

    Args:
        snapshot: the Snapshot dict (§3), already validated by ``snapshot.load_snapshot``.
        catalog: the action catalog (``load_catalog()`` when None).
        now: the report's ``generated_at`` (UTC now when None).
        role_cache: a :class:`RoleResultCache` shared with related analyses (a plan's states).
        with_templates: False leaves ``templates`` empty (roles judged once, not per variant;
            the overview's what-if runs): verdicts and findings do not depend on it.

    Returns:
        the report dict (JSON-serialisable).

    Raises:
        ValueError: the snapshot has no usable domain ARN/id (clear message), or a structural
            field has the wrong type.
    """
    if not isinstance(snapshot, dict):
        raise ValueError("snapshot must be a JSON object")
    catalog = catalog or load_catalog()
    dom = _domain_arn(snapshot)
    sdom = snapshot["domain"]
    experience, experience_detail = default_experience(sdom)
    inputs = _role_inputs(snapshot)
    exps = X.snapshot_experiences(snapshot)
    roles_json = []
    findings: list[dict] = []
    results = []
    cache = role_cache if role_cache is not None else RoleResultCache()
    shared = _shared_roles(snapshot, dom)
    role_verdicts = []
    for ri in inputs:
        res = cache.evaluate(ri, _policy_set(ri), dom, catalog)
        verdict_reason = _verdict(ri, res)
        role_verdicts.append(verdict_reason[0])
        rj = _role_json(ri, res, catalog, verdict_reason)
        rj.update(cache.studio_fields(ri, dom, catalog, exps))
        roles_json.append(rj)
        results.append((ri, res, rj))
        check = _role_check(ri, res, verdict_reason[0], dom, catalog, rj)
        findings.extend(F.role_findings(check))
        others = shared.get(ri.arn or "")
        if others:
            # A role several domains use is judged with each of them as "this domain".
            rj["judged_for"] = []
            for other in others:
                ores = cache.evaluate(ri, _policy_set(ri), other["dom"], catalog, detail=False)
                over, _why = _verdict(ri, ores)
                rj["judged_for"].append(
                    {"domain": other["dom"].arn, "name": other.get("name"), "verdict": over}
                )
            findings.extend(
                F.shared_role_findings(dataclasses.replace(check, judged_for=rj["judged_for"]))
            )
    findings.extend(
        F.domain_findings(
            F.DomainCheck(
                dom,
                experience,
                experience_detail,
                inputs,
                list(snapshot.get("errors") or ()),
                _unseen_profiles(snapshot, dom.arn),
            )
        )
    )
    # Roles of profiles that were not read, and what a listing stopped by a paging bound would
    # have returned, are not judged: the verdict is then never "isolated".
    verdict = F.domain_verdict(role_verdicts, findings)
    tmpl = (_templates_section(dom, results, catalog, cache, _profiles_needed(roles_json, exps))
            if with_templates else [])
    readings = F.readings(inputs, any(res.uncredited_deny_keys for _, res, _ in results))
    generated = (now or _dt.datetime.now(_dt.timezone.utc)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "schema_version": SCHEMA_VERSION,
        "tool_version": _tool_version(),
        "generated_at": generated,
        "verdict": verdict,
        "verdict_reason": _domain_reason(verdict, roles_json),
        "domain": {
            "id": dom.domain_id,
            "arn": dom.arn,
            "name": sdom.get("name"),
            "region": dom.region,
            "account_id": dom.account,
            "default_experience": experience,
            "default_experience_detail": experience_detail,
            **_domain_experience(exps),
        },
        "context": snapshot.get("context") or {"source": snapshot.get("source"), "detail": ""},
        "roles": roles_json,
        "findings": findings,
        **_catalog_fields(catalog),
        "templates": tmpl,
        "assumptions": F.assumptions(),
        "readings": readings,
        "errors": list(snapshot.get("errors") or ()),
    }


def _shared_roles(snapshot: dict, dom: templates.DomainArn) -> dict:
    """``{role arn: [{"dom": DomainArn, "name"}]}`` for roles other domains of the account also
    use, from the snapshot's optional ``account_domains`` (``[{"arn", "name",
    "execution_roles": [role arn, ...]}]``, collected with ListDomains/DescribeDomain)."""
    out: dict = {}
    for d in snapshot.get("account_domains") or ():
        if not isinstance(d, dict) or d.get("arn") == dom.arn:
            continue
        try:
            other = templates.parse_domain_arn(d.get("arn"))
        except (ValueError, TypeError):
            continue
        if other.account != dom.account:  # any Region (reading "any-region-same-account")
            continue
        for role in d.get("execution_roles") or ():
            if isinstance(role, str):
                out.setdefault(role, []).append({"dom": other, "name": d.get("name")})
    return out


def _domain_reason(verdict: str, roles: list[dict]) -> str:
    if not roles:
        return (
            "no execution role of the domain is known (domain and user profile settings not read)"
        )
    by = {v: [r["name"] for r in roles if r["verdict"] == v] for v in ("not_isolated", "unknown")}
    if verdict == "not_isolated":
        return "not isolated through role(s): " + ", ".join(by["not_isolated"])
    if verdict == "unknown":
        return "could not decide for role(s): " + ", ".join(by["unknown"])
    return f"all {len(roles)} execution role(s) are isolated"


def _tag_on_create(
    ri: RoleInput, res: RoleResult, dom: templates.DomainArn, catalog: Catalog
) -> list[dict]:
    """For each Create the role may run (untagged probe allowed), evaluate Studio's AddTags."""
    out = []
    if "sagemaker:AddTags" not in catalog.actions:
        return out
    principal = _principal(ri, dom)
    base = _base_context(dom, ri)
    creator_key = "sagemaker:user-profile-arn"
    creator = (
        f"arn:{dom.partition}:sagemaker:{dom.region}:{dom.account}:user-profile/"
        f"{dom.domain_id}/{ri.user_profile_name or 'example-user'}"
    )
    pset = _policy_set(ri)
    for create, rtkey in TAG_ON_CREATE_ACTIONS:
        if create not in catalog.actions or rtkey not in catalog.resource_types:
            continue
        if res.decisions.get((create, rtkey, "untagged")) != "allow":
            continue
        arn = example_arn(
            catalog.resource_types[rtkey],
            dom.region,
            dom.account,
            dom.domain_id,
            dom.partition,
            _arn_values("this"),
        )
        ctx = dict(base)
        ctx.update(
            {
                "sagemaker:TaggingAction": create.split(":", 1)[1],
                "aws:RequestTag/sagemaker:domain-arn": dom.arn,
                f"aws:RequestTag/{creator_key}": creator,
                "aws:TagKeys": ["sagemaker:domain-arn", creator_key],
            }
        )
        req = Request(
            principal,
            "sagemaker:AddTags",
            arn,
            ctx,
            open_world=True,
            absent_keys=_ABSENT_TAGS + ("aws:RequestTag/*",),
        )
        dd = evaluate(req, pset)  # not counted in res.requests: res may be a shared result
        out.append({"create": create, "resource_type": rtkey, "resource": arn, "decision": dd})
    return out


def _role_check(ri, res, verdict: str, dom, catalog: Catalog, rj: dict) -> F.RoleCheck:
    """The role rules' input, with the role's within-domain result and profiles."""
    return F.RoleCheck(
        ri,
        res,
        verdict,
        dom,
        catalog,
        _tag_on_create(ri, res, dom, catalog),
        within_domain=rj["within_domain"],
        experience_profiles=tuple(rj["experience_profiles"]),
    )


def _profiles_needed(roles_json: list[dict], exps: dict) -> tuple:
    """``("classic",)``, plus ``"studio"`` when a role or the domain may open the new Studio."""
    studio = exps["domain"] != "classic" or any(
        "studio" in r["experience_profiles"] for r in roles_json
    )
    return ("classic", "studio") if studio else ("classic",)


def _domain_experience(exps: dict) -> dict:
    """The report's ``domain.experience``, ``experience_detail``, ``experience_by_profile``."""
    return {
        "experience": exps["domain"],
        "experience_detail": exps["domain_detail"],
        "experience_by_profile": {
            name: v["experience"] for name, v in sorted(exps["profiles"].items())
        },
    }


def _studio_fields(
    ri: RoleInput, rj: dict, dom: templates.DomainArn, catalog: Catalog, role_exp: str
) -> None:
    """Add ``experience`` (``role_exp``), ``experience_profiles``, ``flows`` (the "Studio still
    works" table for the role now), ``flows_summary`` and ``within_domain`` to ``rj``."""
    profiles = X.profiles_for(role_exp)
    pset = _policy_set(ri)
    rj["experience"] = role_exp
    rj["experience_profiles"] = list(profiles)
    rj["flows"] = _role_flows(ri, pset, dom, profiles, catalog)
    rj["flows_summary"] = FL.summary(rj["flows"])
    # The caller is one of the role's profiles only when nothing but those profiles uses it
    # (a domain's default role serves any profile, later ones too): then any name.
    only = bool(ri.used_by) and all(u.startswith("user-profile:") for u in ri.used_by)
    wd = within_domain(
        _principal(ri, dom),
        pset,
        dom,
        ri.user_profile_name,
        catalog,
        profiles=_profiles(ri) if only else None,
    )
    if ri.problems and wd["verdict"] != "not_isolated":
        wd["verdict"] = "unknown"
        wd["detail"] = "the role's policies could not all be read: " + wd["detail"]
    rj["within_domain"] = wd


def _role_flows(ri: RoleInput, pset: PolicySet, dom, profiles, catalog: Catalog) -> list[dict]:
    """The flows of ``profiles`` judged on ``pset``; a role whose policies were not all read
    has no flow that ``works`` (a policy not read might deny it) and no flow that ``breaks``
    except by an explicit Deny (a policy not read might allow it)."""
    out = FL.evaluate_flows(profiles, pset, dom, _principal(ri, dom), ri.user_profile_name, catalog)
    if ri.problems:
        for f in out:
            certain = f["status"] == "breaks" and all(
                b["decision"] == "explicit_deny" for b in f["breaks"]
            )
            if not certain:
                # A policy not read might allow what is missing, or deny what is allowed.
                f["status"] = "depends"
                f["depends_on"] = sorted(
                    set(f["depends_on"]) | {"the role's policies that were not read"}
                )
    return out


def _flow_brief(flows: list[dict]) -> list[dict]:
    return [{"id": f["id"], "status": f["status"]} for f in flows]


def _templates_section(
    dom: templates.DomainArn,
    results: list,
    catalog: Catalog,
    cache: RoleResultCache | None = None,
    profiles: tuple = ("classic",),
) -> list[dict]:
    """Each template variant of each profile needed (``classic`` always, ``studio`` when a role
    or the domain may use the new Studio), with the verdict each role would get with it attached
    (beside its current policies, replacing a policy of the same name) and, for ``allow``, as the
    role's only identity policy (``verdict_alone``: how that variant is meant to be used); with
    the role's flows after it (``flows_after``, ``flows_broken``: the flows that work now and
    would not; for ``allow`` also ``flows_alone``/``flows_broken_alone``, the role keeping only
    its non-SageMaker grants beside the template)."""
    cache = cache or RoleResultCache()
    out = []
    name = templates.policy_name(dom.domain_id)
    for profile in profiles:
        for variant in templates.VARIANTS:
            out.append(_template_entry(dom, results, catalog, cache, name, variant, profile))
    return out


def _template_entry(dom, results, catalog, cache, name, variant, profile) -> dict:
    """One ``templates[i]`` entry (see :func:`_templates_section`)."""
    doc = templates.render(dom.arn, variant, profile)
    pol = parse_policy(doc, name)
    roles = []
    for ri, _res, rj in results:
        after_res = cache.evaluate(
            ri, _policy_set(ri, extra=pol, replace_name=name), dom, catalog, detail=False
        )
        after, reason = _verdict(ri, after_res)
        entry = {
            "arn": ri.arn,
            "name": ri.name,
            "verdict_before": rj["verdict"],
            "verdict_after": after,
            "verdict_after_reason": reason,
            "cross_domain_after": sum(
                1 for a in after_res.cross_domain.values() if not a.accepted
            ),
            # What stays open where tags cannot isolate (types without tag keys, actions
            # without a resource type): outside the verdict, listed.
            "open_on_untaggable_after": sorted(after_res.uncovered),
        }
        profiles = tuple(rj["experience_profiles"])
        after_flows = cache.flows(
            ri, _policy_set(ri, extra=pol, replace_name=name), dom, profiles, catalog
        )
        entry["flows_after"] = _flow_brief(after_flows)
        entry["flows_broken"] = FL.newly_broken(rj["flows"], after_flows)
        if variant == "allow":
            alone_set = PolicySet(identity=[pol], boundary=_policy_set(ri).boundary)
            alone_res = cache.evaluate(ri, alone_set, dom, catalog, detail=False)
            entry["verdict_alone"], entry["verdict_alone_reason"] = _verdict(ri, alone_res)
            kept = FL.strip_sagemaker_grants(_policy_set(ri, replace_name=name), parse_policy)
            alone_flows = cache.flows(
                ri,
                PolicySet(identity=list(kept.identity) + [pol], boundary=kept.boundary),
                dom,
                profiles,
                catalog,
            )
            entry["flows_alone"] = _flow_brief(alone_flows)
            entry["flows_broken_alone"] = FL.newly_broken(rj["flows"], alone_flows)
        roles.append(entry)
    return {
        "variant": variant,
        "experience": profile,
        "name": name,
        "arn": templates.policy_arn(dom.account, dom.domain_id, dom.partition),
        "document": doc,
        "citations": templates.citations(dom.arn, variant, profile),
        "roles": roles,
    }
