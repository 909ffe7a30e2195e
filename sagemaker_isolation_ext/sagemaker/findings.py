"""Findings of the isolation report, as a registry of rules; the verdict's aggregation.

Each finding is ``{"id", "severity", "title", "detail", "fix", "evidence", "role"}`` with a stable
``id`` (the panel, the CLI's SARIF output and the README key on it). Every id is one :class:`Rule`
in :data:`RULES`, declared once with :func:`rule` above the small function that finds it: its
severity, its one-line title (also the SARIF rule's short and full description, see ``sarif.py``)
and when it fires. ``rules_table()`` lists them.

A rule's function reads the analysis's typed results (``analysis.RoleInput`` and
``analysis.RoleResult`` through :class:`RoleCheck`; :class:`DomainCheck` for the domain) and
returns a :class:`Found` (the finding's words and evidence) or None. The registry adds the id,
the severity and the role. Rules run in the order they are defined here; within one severity that
is the report's order.

Scopes (how a rule is called):

- ``problem``: once per input problem of a role whose ``kind`` is in the rule's ``problem_kinds``,
  in the order of ``RoleInput.problems``;
- ``statement``: once per statement that allows non-accepted actions on another domain's
  resources; the first ``statement`` rule that finds something takes the statement;
- ``role``: once per role; a role's ``problem``, ``statement`` and ``role`` findings are sorted
  most severe first;
- ``shared-role``: once per role other domains of the account use too, after the role's others;
- ``domain``: once per report, after every role.

A rule declared ``caps_verdict`` means part of the domain was not judged: a report with one of
its findings is never ``isolated`` (:func:`domain_verdict`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..iam import parse_policy
from .catalog import Catalog
from .templates import DomainArn, doc_literal, doc_narrowed, policy_name, render

if TYPE_CHECKING:  # the analysis imports this module
    from .analysis import RoleInput, RoleResult

_SAMPLE = 10

#: Finding severities, most severe first.
SEVERITIES = ("high", "medium", "low", "info")
_SEVERITY_ORDER = {s: i for i, s in enumerate(SEVERITIES)}
#: How a rule is called (see the module docstring).
SCOPES = ("problem", "statement", "role", "shared-role", "domain")


# -- the registry -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    """What a rule found: ``title``, ``detail`` and ``fix`` (sentences for people),
    ``evidence`` (JSON-ready dict), and ``severity`` when lower than the rule's (one of its
    ``lower``), else None."""

    title: str
    detail: str
    fix: str
    evidence: dict
    severity: str | None = None


@dataclass(frozen=True)
class Rule:
    """One finding id of the report.

    Attributes:
        id: the stable finding id (``"broad-allow-defeats-isolation"``).
        severity: the finding's severity (``"high" | "medium" | "low" | "info"``).
        title: one line saying what the rule means; the SARIF rule's shortDescription and
            fullDescription (the SARIF ``help`` is the first finding's ``fix``, which names the
            domain and its policy).
        when: when it fires (for people reading the registry).
        scope: one of :data:`SCOPES`.
        check: the function that finds it (arguments by scope; returns a Found or None).
        lower: severities a finding may take instead of ``severity`` (``("info",)``).
        problem_kinds: for scope ``problem``, the ``RoleInput.problems`` kinds it reads.
        caps_verdict: a finding of this rule makes an ``isolated`` report ``unknown``.
    """

    id: str
    severity: str
    title: str
    when: str
    scope: str
    check: Callable[..., Found | None]
    lower: tuple[str, ...] = ()
    problem_kinds: tuple[str, ...] = ()
    caps_verdict: bool = False

    def finding(self, found: Found, role: str | None) -> dict:
        """The report's finding dict for ``found`` (``role``: the role ARN or name, or None).

        Raises:
            ValueError: ``found.severity`` is neither the rule's severity nor one of ``lower``.
        """
        severity = found.severity or self.severity
        if severity != self.severity and severity not in self.lower:
            raise ValueError(f"rule {self.id}: severity {severity!r} is not declared")
        return {
            "id": self.id,
            "severity": severity,
            "title": found.title,
            "detail": found.detail,
            "fix": found.fix,
            "evidence": found.evidence,
            "role": role,
        }


#: Every rule, by id, in definition order (the order rules run in).
RULES: dict[str, Rule] = {}


def rule(
    *,
    id: str,  # the finding's field is called id
    severity: str,
    title: str,
    when: str,
    scope: str,
    lower: tuple[str, ...] = (),
    problem_kinds: tuple[str, ...] = (),
    caps_verdict: bool = False,
) -> Callable:
    """Register the decorated function as the check of rule ``id`` (see :class:`Rule`).

    Returns the function unchanged.

    Raises:
        ValueError: ``id`` is registered twice, or an unknown severity or scope.
    """

    def register(fn: Callable) -> Callable:
        if id in RULES:
            raise ValueError(f"rule {id} is registered twice")
        if severity not in SEVERITIES or not set(lower) <= set(SEVERITIES):
            raise ValueError(f"rule {id}: unknown severity")
        if scope not in SCOPES:
            raise ValueError(f"rule {id}: unknown scope {scope!r}")
        RULES[id] = Rule(id, severity, title, when, scope, fn, lower, problem_kinds, caps_verdict)
        return fn

    return register


def _rules(scope: str) -> list[Rule]:
    return [r for r in RULES.values() if r.scope == scope]


def rules_table() -> list[dict]:
    """``[{"id", "severity", "lower", "title", "when", "scope", "caps_verdict"}]``, one per rule
    in definition order (for documentation and tests)."""
    return [
        {
            "id": r.id,
            "severity": r.severity,
            "lower": list(r.lower),
            "title": r.title,
            "when": r.when,
            "scope": r.scope,
            "caps_verdict": r.caps_verdict,
        }
        for r in RULES.values()
    ]


# -- what the rules read ----------------------------------------------------------------------


@dataclass(frozen=True)
class StatementAllow:
    """One statement allowing non-accepted actions on another domain's resources.

    ``entries`` are the analysis's cross-domain accumulators (``action``, ``access_level``,
    ``conditional_on``) of the actions it allows, in the report's order."""

    policy: str
    sid: str | None
    index: int
    entries: list


@dataclass(frozen=True)
class RoleCheck:
    """What the role rules read about one execution role.

    Attributes:
        ri: the ``analysis.RoleInput``.
        res: the ``analysis.RoleResult``.
        verdict: the role's verdict (``"isolated" | "not_isolated" | "unknown"``).
        dom: the domain.
        catalog: the action catalog.
        tag_checks: ``[{"create", "resource_type", "resource", "decision"}]`` from the
            tag-on-create evaluation.
        judged_for: for scope ``shared-role``, ``[{"domain", "name", "verdict"}]``: the role
            judged with each other domain that uses it as "this domain".
        within_domain: the role's ``within_domain`` entry (:mod:`.within_domain`), or ``{}``.
        experience_profiles: the template profiles the role is judged with
            (``("studio",)``, ``("classic",)`` or both).
    """

    ri: RoleInput
    res: RoleResult
    verdict: str
    dom: DomainArn
    catalog: Catalog
    tag_checks: list = field(default_factory=list)
    judged_for: list = field(default_factory=list)
    within_domain: dict = field(default_factory=dict)
    experience_profiles: tuple = ()

    @property
    def role(self) -> str:
        """The finding's ``role``: the role ARN, else its name."""
        return self.ri.arn or self.ri.name

    @property
    def pname(self) -> str:
        """The isolation policy's name for this domain."""
        return policy_name(self.dom.domain_id)


@dataclass(frozen=True)
class DomainCheck:
    """What the domain rules read.

    Attributes:
        dom: the domain.
        experience: ``"studio-classic" | "studio" | "unknown"``.
        experience_detail: why (from ``analysis.default_experience``).
        inputs: the role inputs (a domain without any known role is a finding).
        errors: the snapshot's ``errors`` list.
        unseen: ``[{"what", "errors"}]``: user profiles whose execution role was not read.
    """

    dom: DomainArn | None = None
    experience: str = "unknown"
    experience_detail: str = ""
    inputs: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    unseen: list = field(default_factory=list)


# -- running the rules ------------------------------------------------------------------------


def _statement_allows(res: RoleResult) -> list[StatementAllow]:
    """The statements allowing non-accepted cross-domain actions, in order of first use."""
    by_stmt: dict = {}
    for acc in res.cross_domain.values():
        if acc.accepted:
            continue
        for key in acc.allowed_by:  # (policy, sid, index)
            by_stmt.setdefault(key, []).append(acc)
    return [StatementAllow(p, s, i, entries) for (p, s, i), entries in by_stmt.items()]


def role_findings(check: RoleCheck) -> list[dict]:
    """Every ``problem``, ``statement`` and ``role`` finding for one role, most severe first.

    Args:
        check: the role's typed results.

    Returns:
        a list of finding dicts (stable order within a severity).
    """
    out: list[dict] = []
    for p in check.ri.problems:
        for r in _rules("problem"):
            if p["kind"] in r.problem_kinds:
                found = r.check(check, p)
                if found is not None:
                    out.append(r.finding(found, check.role))
    for stmt in _statement_allows(check.res):
        for r in _rules("statement"):
            found = r.check(check, stmt)
            if found is not None:
                out.append(r.finding(found, check.role))
                break
    for r in _rules("role"):
        found = r.check(check)
        if found is not None:
            out.append(r.finding(found, check.role))
    out.sort(key=lambda f: _SEVERITY_ORDER[f["severity"]])
    return out


def shared_role_findings(check: RoleCheck) -> list[dict]:
    """The ``shared-role`` findings for a role other domains use too (``check.judged_for``)."""
    out = []
    for r in _rules("shared-role"):
        found = r.check(check)
        if found is not None:
            out.append(r.finding(found, check.role))
    return out


def domain_findings(check: DomainCheck) -> list[dict]:
    """The ``domain`` findings (``role`` None), in definition order."""
    out = []
    for r in _rules("domain"):
        found = r.check(check)
        if found is not None:
            out.append(r.finding(found, None))
    return out


def aggregate_verdicts(verdicts: list[str]) -> str:
    """The verdict of several roles: ``not_isolated`` if any is, else ``unknown`` if any is or
    there is none, else ``isolated``.

    Args:
        verdicts: ``"isolated" | "not_isolated" | "unknown"`` each.
    """
    if not verdicts:
        return "unknown"
    if "not_isolated" in verdicts:
        return "not_isolated"
    if "unknown" in verdicts:
        return "unknown"
    return "isolated"


def domain_verdict(role_verdicts: list[str], findings: list[dict]) -> str:
    """The report's verdict: the roles' verdicts aggregated (:func:`aggregate_verdicts`), and
    ``unknown`` instead of ``isolated`` when a finding's rule is ``caps_verdict`` (part of the
    domain was not judged).

    Args:
        role_verdicts: each execution role's verdict.
        findings: the report's findings (ids not in :data:`RULES` are ignored).
    """
    verdict = aggregate_verdicts(role_verdicts)
    if verdict == "isolated" and any(
        RULES[f["id"]].caps_verdict for f in findings if f.get("id") in RULES
    ):
        return "unknown"
    return verdict


# -- words ------------------------------------------------------------------------------------


def _plural(n: int, word: str) -> str:
    """``"1 action"``, ``"2 actions"``."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _level_count(level: str, n: int) -> str:
    """One access level and its count; a combined level reads as one (``"Tagging/Write: 2"``,
    not ``"Tagging, Write 2"``, which reads as two levels)."""
    return f"{level.replace(', ', '/')}: {n}"


#: The synthetic role of an offline check (``snapshot_from_policy_files``) is named this.
_OFFLINE_ROLE_NAME = "policy-files"


def _who(ri, capital: bool = False) -> str:
    """``"role NAME"``, or ``"the policy files' role"`` for an offline check's synthetic role
    (its name ``policy-files`` is an id, not words)."""
    if ri.arn is None and ri.name == _OFFLINE_ROLE_NAME:
        return "The policy files' role" if capital else "the policy files' role"
    return f"{'Role' if capital else 'role'} {ri.name}"


def _statement_label(policy: str, sid, index: int) -> str:
    return f"{policy} statement {sid!r}" if sid else f"{policy} statement #{index}"


def _find_statement(ri, policy: str, index: int):
    for p in ri.identity:
        if p.name == policy and 0 <= index < len(p.statements):
            return p.statements[index]
    return None


def _normal(st) -> tuple:
    """A Sid-free, order-free form of a statement for comparing with a template."""
    low = lambda xs: None if xs is None else tuple(sorted(x.lower() for x in xs))  # noqa: E731
    srt = lambda xs: None if xs is None else tuple(sorted(xs))  # noqa: E731
    conds = tuple(sorted((op, key.lower(), tuple(sorted(v))) for op, key, v in st.conditions))
    return (
        st.effect,
        low(st.actions),
        low(st.not_actions),
        srt(st.resources),
        srt(st.not_resources),
        conds,
    )


def _template_docs(dom: DomainArn) -> tuple:
    return (
        doc_narrowed(dom.arn),
        doc_literal(dom.arn),
        render(dom.arn, "allow"),
        render(dom.arn, "deny"),
    )


@functools.lru_cache(maxsize=32)
def _aws_doc_statements(dom: DomainArn) -> frozenset:
    """Normal forms of the statements of AWS's policy for ``dom`` (both ARN forms)."""
    out = set()
    for doc in (doc_narrowed(dom.arn), doc_literal(dom.arn)):
        out.update(_normal(st) for st in parse_policy(doc, "aws-doc").statements)
    return frozenset(out)


def _holds_isolation_statement(policy, dom: DomainArn) -> bool:
    """Whether ``policy`` holds the tag-conditioned statement of either template for ``dom``.

    That is the doc's ``ResourceAccessRequireDomainTag`` Allow or our deny variant's Deny,
    compared by meaning (Sid, order and case of actions ignored).
    """
    have = {_normal(s) for s in policy.statements}
    for doc in _template_docs(dom):
        for st in parse_policy(doc, "template").statements:
            if st.conditions and _normal(st) in have:
                return True
    return False


def _failed_calls(errors: list) -> str:
    return (
        ", ".join(f"{e.get('operation')} ({e.get('code')})" for e in errors)
        or "no failed call was recorded"
    )


# -- problem rules: inputs the analysis could not read ----------------------------------------


@rule(
    id="role-unreadable",
    severity="medium",
    title="An execution role's policies could not all be read",
    when="the role, or the listing of its policies, could not be read",
    scope="problem",
    problem_kinds=("role-unreadable", "role-missing"),
    caps_verdict=True,
)
def _role_unreadable(check: RoleCheck, p: dict) -> Found:
    return Found(
        f"{_who(check.ri, True)} could not be fully read",
        f"{p['detail']}; failed calls: {_failed_calls(p['errors'])}. The role's verdict is "
        "unknown.",
        "Run the check with credentials that may call iam:GetRole, "
        "iam:ListAttachedRolePolicies, iam:ListRolePolicies, iam:GetRolePolicy, "
        "iam:GetPolicy and iam:GetPolicyVersion on this role (a Studio execution role "
        "usually cannot), or check offline with --policy-file.",
        {"target": p["target"], "errors": p["errors"]},
    )


@rule(
    id="policy-unreadable",
    severity="medium",
    title="A policy document could not be read",
    when="a policy document of the role was not read",
    scope="problem",
    problem_kinds=("policy-unreadable",),
    caps_verdict=True,
)
def _policy_unreadable(check: RoleCheck, p: dict) -> Found:
    return Found(
        f"A policy of {_who(check.ri)} could not be read",
        f"{p['detail']} (ARN {p['target']}); failed calls: {_failed_calls(p['errors'])}. It "
        "might allow or deny anything, so the role's verdict is unknown.",
        "Allow iam:GetPolicy and iam:GetPolicyVersion on this policy for the checking "
        "identity, or pass its document with --policy-file.",
        {"target": p["target"], "errors": p["errors"]},
    )


@rule(
    id="policy-invalid",
    severity="medium",
    title="A policy document does not parse",
    when="a policy document of the role is not a valid IAM policy",
    scope="problem",
    problem_kinds=("policy-invalid",),
    caps_verdict=True,
)
def _policy_invalid(check: RoleCheck, p: dict) -> Found:
    return Found(
        f"A policy of {_who(check.ri)} is not a valid IAM policy",
        f"{p['detail']}. IAM would reject this document; the role's verdict is unknown.",
        "Fix the document (the message names the statement and field) and check again.",
        {"target": p["target"]},
    )


# -- statement rules: who allows cross-domain actions ------------------------------------------


@rule(
    id="aws-policy-gap",
    severity="high",
    title="A statement of AWS's own isolation policy lets the role reach another domain's "
    "resources",
    when="a statement of the policy the AWS doc publishes (e.g. CreateAPIs) allows actions on "
    "another domain's resources",
    scope="statement",
)
def _aws_policy_gap(check: RoleCheck, stmt: StatementAllow) -> Found | None:
    st = _find_statement(check.ri, stmt.policy, stmt.index)
    if st is None or _normal(st) not in _aws_doc_statements(check.dom):
        return None
    actions = [e.action for e in stmt.entries]
    label = _statement_label(stmt.policy, stmt.sid, stmt.index)
    return Found(
        f"AWS's isolation policy itself lets {_who(check.ri)} reach other domains ({label})",
        f"{label} is a statement of the policy the AWS doc \"Isolate domain resources\" "
        f"publishes, and it allows {len(actions)} "
        f"{'action' if len(actions) == 1 else 'actions'} on another domain's resources, e.g. "
        f"{', '.join(actions[:5])}: Create* calls that open or act inside an existing resource "
        "(an app inside another domain's user profile or space, a presigned URL into another "
        "domain's resource). The doc's policy excludes only domain, user-profile and space ARNs "
        "from Create*.",
        "Replace the policy with sagemaker-isolation policy --domain-arn "
        f"{check.dom.arn} --variant allow (AWS's policy with these gaps closed), or attach "
        "--variant deny beside it.",
        {"policy": stmt.policy, "sid": stmt.sid, "index": stmt.index, "actions": actions[:50],
         "count": len(actions)},
    )


@rule(
    id="broad-allow-defeats-isolation",
    severity="high",
    title="A statement allows actions on another domain's tagged resources, which the isolation "
    "policy cannot take away",
    when="a statement allows non-accepted actions on another domain's tagged resources (one "
    "finding per allowing statement)",
    scope="statement",
)
def _broad_allow(check: RoleCheck, stmt: StatementAllow) -> Found:
    ri, entries, policy = check.ri, stmt.entries, stmt.policy
    levels: dict = {}
    for e in entries:
        levels[e.access_level] = levels.get(e.access_level, 0) + 1
    actions = [e.action for e in entries]
    # Only the keys of this statement's own conditions (an entry's conditional_on also
    # holds keys of the other statements deciding it).
    st = _find_statement(ri, policy, stmt.index)
    own = {key.lower() for _op, key, _v in (st.conditions if st is not None else ())}
    every = sorted({k for e in entries for k in e.conditional_on})
    cond = [k for k in every if k.lower() in own]
    elsewhere = len(cond) < len(every)
    label = _statement_label(policy, stmt.sid, stmt.index)
    return Found(
        f"{label} lets {_who(ri)} act on other domains' resources",
        f"{label} allows {_plural(len(actions), 'action')} on resources tagged with "
        "another domain's ARN (by access level: "
        f"{'; '.join(_level_count(k, v) for k, v in sorted(levels.items()))}), "
        f"e.g. {', '.join(actions[:5])}. The AWS isolation policy only adds Allows, so it "
        "cannot take these away."
        + (
            f" Some depend on keys of this statement the analysis cannot see: {', '.join(cond)}."
            if cond
            else ""
        )
        + (" Some also depend on conditions of other statements." if elsewhere else ""),
        f"Attach the deny variant of {check.pname} (sagemaker-isolation policy --variant deny), "
        f"or replace {policy} with a policy that does not allow these actions on every "
        "resource.",
        {
            "policy": policy,
            "sid": stmt.sid,
            "index": stmt.index,
            "actions": actions[:50],
            "count": len(actions),
            "access_levels": levels,
            "conditional_on": cond,
        },
    )


# -- role rules -------------------------------------------------------------------------------


@rule(
    id="analysis-budget-exceeded",
    severity="medium",
    title="The analysis stopped at its work budget: the role's verdict is unknown",
    when="the cross-domain search stopped at its work budget",
    scope="role",
    caps_verdict=True,
)
def _budget_exceeded(check: RoleCheck) -> Found | None:
    res = check.res
    if not res.budget_exceeded:
        return None
    return Found(
        f"The analysis of {_who(check.ri)} stopped at its work budget",
        f"Deciding every request on other domains' resources took more than the budget "
        f"({res.budget_exceeded}); the role's verdict is unknown, never isolated.",
        "Raise the budget (sagemaker-isolation check --analysis-budget STATES,SECONDS) or "
        "simplify the role's resource patterns (hundreds of overlapping wildcards).",
        {"reason": res.budget_exceeded, "states": res.states},
    )


@rule(
    id="undecidable-requests",
    severity="medium",
    title="The policy engine could not decide some requests",
    when="the engine answered unknown",
    scope="role",
    caps_verdict=True,
)
def _undecidable(check: RoleCheck) -> Found | None:
    unknown = check.res.unknown
    if not unknown:
        return None
    reasons = sorted({u["reason"] or "" for u in unknown})
    return Found(
        f"{_plural(len(unknown), 'request')} for {_who(check.ri)} could not be decided",
        "The policy engine could not evaluate some statements (reasons: "
        + "; ".join(reasons[:5])
        + "). The role's verdict is unknown unless it already leaks.",
        "Check the named statements; rewrite conditions the engine does not support.",
        {"requests": unknown[:_SAMPLE], "count": len(unknown)},
    )


@rule(
    id="isolation-policy-missing",
    severity="medium",
    lower=("info",),
    title="The role has no StudioDomainResourceIsolationPolicy-<domain-id>",
    when="no StudioDomainResourceIsolationPolicy-<id> is attached to a readable role (info when "
    "the role is isolated anyway or holds the statements under another name)",
    scope="role",
)
def _isolation_policy_missing(check: RoleCheck) -> Found | None:
    ri, pname, dom = check.ri, check.pname, check.dom
    names = {p["name"] for p in ri.policies}
    if pname in names or ri.problems:  # unread roles: we cannot say what they hold
        return None
    isolated = check.verdict == "isolated"
    # Offline checks name a policy after its file: recognise the procedure by its statements.
    holder = next((p.name for p in ri.identity if _holds_isolation_statement(p, dom)), None)
    if holder is not None:
        title = f"{_who(ri, True)} holds the isolation statements in {holder}, not {pname}"
        detail = (
            f"Policy {holder} holds the tag-conditioned isolation statement for this domain; "
            f"the AWS procedure names the policy {pname}, which is how admins and this tool "
            "find it later."
        )
    else:
        title = f"{_who(ri, True)} has no {pname} policy"
        detail = (
            f"The AWS procedure attaches {pname} to each execution role of the domain; role "
            f"{ri.name} has none"
            + (" (it is isolated by its other policies)." if isolated else ".")
        )
    return Found(
        title,
        detail,
        f"Create {pname} (sagemaker-isolation policy --domain-arn {dom.arn} --variant "
        "deny|allow) and attach it to the role.",
        {"policies": sorted(names), "holds_isolation_statements": holder},
        "info" if isolated or holder is not None else None,
    )


def _missing_statements(pol, dom: DomainArn, pname: str) -> dict:
    """``{"allow", "allow-isolating", "deny"}`` -> Sids of that template ``pol`` lacks."""
    have = {_normal(s) for s in pol.statements}
    missing = {}
    for variant, tmpl in (
        ("allow", doc_narrowed(dom.arn)),
        ("allow-isolating", render(dom.arn, "allow")),
        ("deny", render(dom.arn, "deny")),
    ):
        tp = parse_policy(tmpl, f"{pname}-{variant}")
        missing[variant] = [s.sid for s in tp.statements if _normal(s) not in have]
    # The doc's own text (wildcard Region/account ARNs) is the procedure too.
    lit = parse_policy(doc_literal(dom.arn), f"{pname}-doc")
    lit_missing = [s.sid for s in lit.statements if _normal(s) not in have]
    if len(lit_missing) < len(missing["allow"]):
        missing["allow"] = lit_missing
    return missing


@rule(
    id="isolation-statements-missing",
    severity="medium",
    title="The isolation policy lacks statements of the AWS procedure",
    when="the attached StudioDomainResourceIsolationPolicy-<id> holds neither template's "
    "statements",
    scope="role",
)
def _isolation_statements_missing(check: RoleCheck) -> Found | None:
    ri, pname, dom = check.ri, check.pname, check.dom
    if pname not in {p["name"] for p in ri.policies} and not ri.problems:
        return None  # isolation-policy-missing speaks for it
    pol = next((p for p in ri.identity if p.name == pname), None)
    if pol is None:
        return None
    missing = _missing_statements(pol, dom, pname)
    if not (missing["allow"] and missing["deny"] and missing["allow-isolating"]):
        return None
    return Found(
        f"{pname} on {_who(ri)} lacks isolation statements",
        f"The attached {pname} does not hold the statements of either template for "
        "this domain: missing from the doc's policy: "
        f"{', '.join(missing['allow'])}; "
        f"from the deny variant: {', '.join(missing['deny'])}. (A statement "
        "written for another domain's ARN or id counts as missing.)",
        f"Replace its document with sagemaker-isolation policy --domain-arn {dom.arn} "
        "--variant deny (or allow).",
        {"missing_allow": missing["allow"], "missing_deny": missing["deny"]},
    )


@rule(
    id="tag-on-create-blocked",
    severity="medium",
    title="Studio's sagemaker:AddTags on create would be denied",
    when="Studio's sagemaker:AddTags on a create the role may run would be denied",
    scope="role",
)
def _tag_on_create_blocked(check: RoleCheck) -> Found | None:
    blocked = [t for t in check.tag_checks if t["decision"].decision != "allow"]
    if not blocked:
        return None
    return Found(
        f"Studio's tagging on create is denied for {_who(check.ri)}",
        "Studio tags what it creates with sagemaker:domain-arn, which needs sagemaker:AddTags "
        "with sagemaker:TaggingAction set; for these creates it would be "
        + ", ".join(f"{t['create']} ({t['decision'].decision})" for t in blocked)
        + ", so they fail with AccessDenied on sagemaker:AddTags.",
        'Allow sagemaker:AddTags on these resource types with Condition {"Null": '
        '{"sagemaker:TaggingAction": "false"}} (AWS doc "Provide permissions for tagging '
        'SageMaker AI resources").',
        {
            "blocked": [
                {
                    "create": t["create"],
                    "resource": t["resource"],
                    "decision": t["decision"].decision,
                    "reason": t["decision"].reason,
                }
                for t in blocked
            ]
        },
    )


@rule(
    id="uncovered-actions-allowed",
    severity="low",
    title="Actions that tags cannot isolate are allowed",
    when="actions on resource types without tag keys, or on no resource type, are allowed",
    scope="role",
)
def _uncovered_allowed(check: RoleCheck) -> Found | None:
    others = [a for a in check.res.uncovered.values() if a.access_level != "List"]
    if not others:
        return None
    return Found(
        f"{_who(check.ri, True)} may run {_plural(len(others), 'action')} "
        "that tags cannot isolate",
        "These actions act on resource types without tag condition keys, or on no resource "
        "type, so no tag-based policy can confine them to the domain: "
        + ", ".join(a.action for a in others[:_SAMPLE])
        + (" ..." if len(others) > _SAMPLE else "."),
        "Accept them knowingly, or remove them from the role's policies where not needed.",
        {"actions": [a.action for a in others], "count": len(others)},
    )


@rule(
    id="list-actions-allowed",
    severity="info",
    title="List* actions (never isolated by tags) are allowed",
    when="List* actions, which take no resource type, are allowed",
    scope="role",
)
def _list_allowed(check: RoleCheck) -> Found | None:
    lists = [a for a in check.res.uncovered.values() if a.access_level == "List"]
    if not lists:
        return None
    return Found(
        f"{_who(check.ri, True)} may run {len(lists)} List* action"
        + ("" if len(lists) == 1 else "s"),
        "List* calls take no resource type and are never isolated by tags: users see the "
        "names of other domains' resources (e.g. "
        + ", ".join(a.action for a in lists[:5])
        + ").",
        "Expected for Studio; remove List* you do not need.",
        {"actions": [a.action for a in lists], "count": len(lists)},
    )


@rule(
    id="search-not-narrowed",
    severity="low",
    title="sagemaker:Search is allowed without a SearchVisibilityCondition",
    when="sagemaker:Search is allowed without a sagemaker:SearchVisibilityCondition/... key",
    scope="role",
)
def _search_not_narrowed(check: RoleCheck) -> Found | None:
    search = check.res.uncovered.get("sagemaker:Search")
    if search is None:
        return None
    unnarrowed = []
    for policy, sid, index in search.allowed_by:
        st = _find_statement(check.ri, policy, index)
        keys = [k.lower() for (_op, k, _v) in (st.conditions if st else ())]
        if not any(k.startswith("sagemaker:searchvisibilitycondition/") for k in keys):
            unnarrowed.append({"policy": policy, "sid": sid, "index": index})
    if not unnarrowed:
        return None
    return Found(
        f"sagemaker:Search is not narrowed for {_who(check.ri)}",
        "sagemaker:Search takes no resource type; without a "
        "sagemaker:SearchVisibilityCondition/... condition it returns other domains' "
        "resources. Allowed without it by: "
        + ", ".join(_statement_label(r["policy"], r["sid"], r["index"]) for r in unnarrowed),
        "Add a condition on "
        "sagemaker:SearchVisibilityCondition/Tags.sagemaker:domain-arn/"
        "EqualsIfExists (or similar) to the statements that allow sagemaker:Search.",
        {"allowed_by": unnarrowed},
    )


@rule(
    id="untagged-resources-reachable",
    severity="info",
    title="Actions are allowed on resources without the domain tag",
    when="actions are allowed on resources without the sagemaker:domain-arn tag",
    scope="role",
)
def _untagged_reachable(check: RoleCheck) -> Found | None:
    if not check.res.untagged:
        return None
    acts = sorted(check.res.untagged)
    return Found(
        f"{_who(check.ri, True)} may act on untagged resources ({_plural(len(acts), 'action')})",
        "Resources without the sagemaker:domain-arn tag (created outside Studio or before "
        "2022-11-30) are not isolated by any tag condition: e.g. " + ", ".join(acts[:5]) + ".",
        "Backfill the sagemaker:domain-arn tag on existing resources.",
        {"actions": acts[:50], "count": len(acts)},
    )


# -- shared-role rule -------------------------------------------------------------------------


@rule(
    id="role-shared-between-domains",
    severity="high",
    title="Another domain of the account uses the same execution role",
    when="another domain of the account uses the role as an execution role",
    scope="shared-role",
)
def _role_shared(check: RoleCheck) -> Found | None:
    if not check.judged_for:
        return None
    ri = check.ri
    names = ", ".join(
        f"{j.get('name') or j['domain']} ({j['verdict']})" for j in check.judged_for
    )
    return Found(
        f"Role {ri.name} is also an execution role of another domain",
        f"Domain(s) {names} use role {ri.name} too (verdict for each in parentheses). One role "
        "cannot be isolated for two domains: whatever one domain's users may do, the other's may "
        "do as well, and a grant the other domain needs reaches its resources from this one.",
        "Give each domain its own execution role (DefaultUserSettings.ExecutionRole, "
        "DefaultSpaceSettings.ExecutionRole and each user profile's), each with the isolation "
        "policy of its own domain.",
        {"role": ri.arn, "domains": check.judged_for},
    )


@rule(
    id="private-spaces-reachable",
    severity="medium",
    title="A user's role can use another user's private space or its apps in the same domain",
    when="a role judged with the studio profile is not isolated inside the domain "
    "(within_domain verdict partial, not_isolated or unknown); it never changes the exit code",
    scope="role",
)
def _private_spaces(check: RoleCheck) -> Found | None:
    wd = check.within_domain
    if "studio" not in check.experience_profiles or not wd or wd.get("verdict") == "isolated":
        return None
    reach = [r["action"] for r in wd.get("reachable") or ()]
    covered = [r["action"] for r in wd.get("reachable") or () if r.get("coverable")]
    what = {
        "not_isolated": "can act on another user's private space or its apps",
        "partial": "can still reach other users' private spaces through actions no policy "
        "can restrict to the owner",
    }.get(wd.get("verdict"), "may reach other users' private spaces (not decided)")
    owner = (
        "Add the owner restriction: sagemaker-isolation policy --experience studio "
        "--variant deny --private-spaces (Deny statements on sagemaker:OwnerUserProfileArn and "
        "sagemaker:SpaceSharingType, and presigned URLs only into the caller's own profile)."
    )
    if wd.get("verdict") == "unknown":
        fix = "Let the check read every policy of the role, then check again. " + owner
    elif covered:
        fix = owner
    else:
        fix = (
            "Nothing a policy can add: the remaining actions carry no owner key and their ARN "
            "names the space, not its owner. Deny them outright if users can do without them."
        )
    return Found(
        f"{_who(check.ri, capital=True)} {what} in this domain",
        f"{wd.get('detail')}. Allowed on another user's private space: "
        f"{', '.join(reach) if reach else 'nothing decided'}. This is isolation *inside* the "
        "domain, reported apart from the cross-domain verdict.",
        fix,
        {
            "verdict": wd.get("verdict"),
            "reachable": reach,
            "coverable": covered,
            "uncoverable": wd.get("uncoverable"),
        },
    )


# -- domain rules -----------------------------------------------------------------------------


@rule(
    id="default-experience-not-classic",
    severity="medium",
    lower=("low",),
    title="The AWS isolation policy is documented for domains whose default experience is "
    "Studio Classic",
    when="the domain's default experience is Studio (medium) or not known (low)",
    scope="domain",
)
def _experience_not_classic(check: DomainCheck) -> Found | None:
    experience, detail = check.experience, check.experience_detail
    if experience == "studio-classic":
        return None
    return Found(
        "The domain's default experience is not Studio Classic"
        if experience == "studio"
        else "The domain's default experience is not known",
        f'{detail}. The AWS doc says its isolation policy "only works in domains that use '
        'Amazon SageMaker Studio Classic as the default experience".',
        "Judge the Studio flows (spaces, apps, jobs) in the report's flows, and use the "
        "studio templates (sagemaker-isolation policy --experience studio), which keep "
        "them working.",
        {"default_experience": experience, "detail": detail},
        None if experience == "studio" else "low",
    )


@rule(
    id="no-execution-role",
    severity="medium",
    title="No execution role of the domain is known",
    when="neither the domain's settings nor a user profile named a role that was read",
    scope="domain",
    caps_verdict=True,
)
def _no_execution_role(check: DomainCheck) -> Found | None:
    if check.inputs:
        return None
    return Found(
        "No execution role of the domain is known",
        "Neither the domain's default settings nor any user profile named an execution role "
        "that was read, so nothing could be checked.",
        "Allow sagemaker:DescribeDomain, sagemaker:ListUserProfiles and "
        "sagemaker:DescribeUserProfile for the checking identity, or pass --policy-file.",
        {},
    )


#: The snapshot ``errors`` code the collector records for a listing stopped by a paging bound
#: (equal to ``aws.paging.INCOMPLETE_CODE``; the pure core does not import the AWS layer).
LISTING_INCOMPLETE_CODE = "ListingIncomplete"


@rule(
    id="listing-incomplete",
    severity="medium",
    title="A listing stopped before its end (paging bound), so part of the domain was not "
    "judged",
    when="a listing (user profiles, a role's policies) was stopped by a paging bound (issue 13)",
    scope="domain",
    caps_verdict=True,
)
def _listing_incomplete(check: DomainCheck) -> Found | None:
    hits = [e for e in check.errors or () if isinstance(e, dict)
            and e.get("code") == LISTING_INCOMPLETE_CODE]
    if not hits:
        return None
    ops = sorted({str(e.get("operation")) for e in hits})
    return Found(
        "A listing stopped before its end, so part of the domain was not judged",
        f"{', '.join(ops)} did not end within the paging bounds ("
        + "; ".join(str(e.get("message")) for e in hits[:3])
        + "). What the rest of the listing would have returned (user profiles and their "
        "execution roles, or a role's policies) was not read, so the domain cannot be called "
        "isolated.",
        "Run the check again later. If the listing is really that long, raise the bounds with "
        "SAGEMAKER_ISOLATION_MAX_PAGES / SAGEMAKER_ISOLATION_MAX_LISTING_SECONDS.",
        {"listings": [{k: e.get(k) for k in ("operation", "target", "reason", "message")}
                      for e in hits]},
    )


@rule(
    id="user-profiles-unreadable",
    severity="medium",
    title="User profiles (and so their execution roles) could not be read",
    when="the user profiles (and so their execution roles) were not all read",
    scope="domain",
    caps_verdict=True,
)
def _profiles_unreadable(check: DomainCheck) -> Found | None:
    unseen = check.unseen
    if not unseen:
        return None
    calls = sorted({str(e.get("operation")) for u in unseen for e in u["errors"]})
    return Found(
        "Some user profiles could not be read, so their execution roles were not judged",
        "; ".join(u["what"] for u in unseen)
        + ". A user profile can carry its own execution role (UserSettings.ExecutionRole); an "
        "unread one could leak, so the domain cannot be called isolated.",
        "Run the check with a principal allowed sagemaker:ListUserProfiles and "
        "sagemaker:DescribeUserProfile on this domain"
        + (f" (failed: {', '.join(calls)})" if calls else "")
        + ".",
        {"unseen": unseen},
    )


def listing_incomplete_finding(errors) -> dict | None:
    """``listing-incomplete``: a listing of the check (user profiles, a role's policies) was
    stopped by a paging bound (a repeated token, too many empty pages, too many pages or too
    long), so what it would have returned was not judged.

    Args:
        errors: the snapshot's ``errors`` list (``[{"operation", "target", "code", "message",
            "reason"?}]``).

    Returns:
        one finding dict (severity medium, ``role`` None, evidence ``{"listings": [...]}``) or
        None when no entry has code ``ListingIncomplete``. A report with it is never
        ``isolated`` (:func:`domain_verdict`).
    """
    found = _listing_incomplete(DomainCheck(errors=list(errors or ())))
    return None if found is None else RULES["listing-incomplete"].finding(found, None)



def assumptions() -> list[dict]:
    """What the account cannot show the analysis (severity info, never an unknown)."""
    return [
        {
            "id": "scp-not-visible",
            "severity": "info",
            "title": "Service control policies are not read",
            "detail": "SCPs of the organization can only deny more; they are assumed to allow the "
            "analysed actions. A real SCP may make the role stricter, never looser.",
        },
        {
            "id": "rcp-not-visible",
            "severity": "info",
            "title": "Resource control policies are not read",
            "detail": "RCPs can only restrict; they are assumed not to deny.",
        },
        {
            "id": "resource-policies-not-read",
            "severity": "info",
            "title": "Resource-based policies are not read",
            "detail": "Resource-based policies on model package groups, hubs and lineage groups "
            "can "
            "grant other principals access; they are not part of this check.",
        },
        {
            "id": "session-policies-not-visible",
            "severity": "info",
            "title": "Session policies are not visible",
            "detail": "Studio does not pass session policies to the execution role; any that a "
            "caller passes can only restrict.",
        },
    ]


def readings(inputs: list, uncredited: bool) -> list[dict]:
    """The pessimistic readings the analysis took (each cannot produce a false "isolated").

    Args:
        inputs: the role inputs (to say where the user profile name was unknown).
        uncredited: whether some Deny depended on an unknown key and was not credited.
    """
    out = [
        {
            "id": "unknown-keys-pessimistic",
            "text": "Condition keys the analysis cannot know (aws:SourceIp, aws:RequestTag/..., "
            "tag keys other than sagemaker:domain-arn, ...) count as met in an Allow (the "
            "entry lists them in conditional_on) and as not met in a Deny (the deny is not "
            "credited).",
        },
        {
            "id": "untagged-tags-absent",
            "text": "For the untagged resource, for resource types without tag keys and for "
            "actions "
            "without a resource type, aws:ResourceTag/* and sagemaker:ResourceTag/* are "
            "known to be absent.",
        },
        {
            "id": "request-space-exact",
            "text": "Another domain's resource is any resource of the same account, in any "
            "Region, whose ARN names a domain other than this one (domain, user-profile, space, "
            "app) or that is tagged sagemaker:domain-arn with another domain's ARN: every name, "
            "app "
            "type, other domain id and tag value is covered, by automata over the policies' "
            "patterns, not by samples. Names range over botocore's grammar for each ARN "
            "placeholder; a placeholder with no known grammar is any non-empty string; app types "
            "in either spelling (jupyterlab, JupyterLab); and every ARN may go on with further "
            "'/' segments without ':' (private workteams, hub content and model package "
            "versions carry segments the published ARN formats omit).",
        },
        {
            "id": "any-region-same-account",
            "text": "An execution role can call every Region, and another domain of the account "
            "may live in any of them (names and domain ids are unique per account and Region "
            "only): every ARN and every other domain's ARN ranges over all Region names of the "
            "partition, this Region included, and this domain's id in another Region is another "
            "domain. Other accounts are outside: reaching them needs a resource-based policy, "
            "which SageMaker domains, user profiles, spaces and apps do not have.",
        },
        {
            "id": "studio-tag-may-be-absent",
            "text": "A domain, user profile, space or app of another domain may carry its "
            "sagemaker:domain-arn tag or none (the untagged default app); never this domain's.",
        },
        {
            "id": "caller-keys",
            "text": "sagemaker:DomainId is this domain or absent, sagemaker:UserProfileName each "
            "profile that uses the role or absent (the role also runs jobs and pipelines where "
            "they are absent); aws:PrincipalArn and aws:PrincipalAccount are the role's. "
            "aws:RequestTag/*, aws:TagKeys and sagemaker: keys the Service Authorization data "
            "does not list for the action or its resource type are absent.",
        },
        {
            "id": "create-reach",
            "text": "Create* rows are classified by a table with a citation per row (new "
            "resource, existing resource, or a new resource inside an existing one); rows not in "
            "the table count as reaching an existing resource. An 'inside' request carries the "
            "parent's tags, or none unless the action is also authorised against the parent's "
            "type.",
        },
        {
            "id": "long-names-not-bounded",
            "text": "Name length limits above 12 repetitions of a grammar's group are not "
            "enforced (the space is then wider, never narrower).",
        },
        {
            "id": "doc-uncovered-both-readings",
            "text": "The doc says the pipeline-execution actions are not isolated; the data now "
            "gives that type tag keys. Both readings are evaluated: tagged (cross_domain) "
            "and untagged (uncovered_allowed).",
        },
        {
            "id": "missing-input-unknown",
            "text": "A role with a policy or boundary that could not be read is unknown, even when "
            "its readable policies allow cross-domain actions (a missing Deny could deny "
            "them) and even when they allow nothing (a missing Allow could allow).",
        },
        {
            "id": "tagging-action-absent-on-existing",
            "text": "sagemaker:TaggingAction is set by SageMaker only while a Create* call tags "
            "the resource it creates; on an existing resource tagged for a domain it is "
            "taken as absent, so AddTags granted with Null {sagemaker:TaggingAction: false} "
            "(the AWS tag-on-create permission) does not count as cross-domain. On the "
            "untagged resource it stays unknown.",
        },
    ]
    unknown_upn = [ri.name for ri in inputs if not ri.user_profile_name]
    if unknown_upn:
        out.append(
            {
                "id": "user-profile-name-unknown",
                "text": "sagemaker:UserProfileName is unknown for role(s) used by several "
                "callers or by the domain default: " + ", ".join(unknown_upn) + ".",
            }
        )
    if uncredited:
        out.append(
            {
                "id": "deny-not-credited",
                "text": "At least one Deny statement depended on a key the analysis cannot "
                "know, and was not credited.",
            }
        )
    return out
