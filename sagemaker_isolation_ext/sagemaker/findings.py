"""Findings, assumptions and readings of the isolation report.

Each finding is ``{"id", "severity", "title", "detail", "fix", "evidence", "role"}`` with a stable
``id`` (the panel, the CLI's SARIF output and the README key on it):

========================================  ========  ============================================
id                                        severity  when
========================================  ========  ============================================
``broad-allow-defeats-isolation``         high      a statement allows non-accepted actions on
                                                    another domain's tagged resources (one
                                                    finding per allowing statement)
``aws-policy-gap``                        high      a statement of AWS's own isolation policy
                                                    (e.g. ``CreateAPIs``) lets the role reach
                                                    another domain's resources
``analysis-budget-exceeded``              medium    the search stopped at its work budget: the
                                                    role's verdict is unknown
``role-unreadable``                       medium    the role's policies were not all read
``policy-unreadable``                     medium    a policy document was not read
``policy-invalid``                        medium    a policy document does not parse
``undecidable-requests``                  medium    the engine answered ``unknown``
``isolation-policy-missing``              med/info  no ``StudioDomainResourceIsolationPolicy-<id>``
``isolation-statements-missing``          medium    that policy lacks the doc's statements
``tag-on-create-blocked``                 medium    Studio's ``sagemaker:AddTags`` on create
                                                    would be denied
``default-experience-not-classic``        med/low   the doc's policy "only works in domains
                                                    that use Studio Classic"
``no-execution-role``                     medium    no execution role of the domain is known
``uncovered-actions-allowed``             low       actions tags cannot isolate are allowed
``list-actions-allowed``                  info      ``List*`` actions (never isolated) allowed
``user-profiles-unreadable``              medium    user profiles (and so their roles) not read
``search-not-narrowed``                   low       ``sagemaker:Search`` allowed without a
                                                    ``sagemaker:SearchVisibilityCondition/...``
``untagged-resources-reachable``          info      actions allowed on untagged resources
``role-shared-between-domains``           high      another domain of the account uses the role
========================================  ========  ============================================
"""

from __future__ import annotations

from ..iam import parse_policy
from .catalog import Catalog
from .templates import DomainArn, doc_literal, doc_narrowed, policy_name, render

_SAMPLE = 10

_SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2, "info": 3}


def _f(fid, severity, title, detail, fix, evidence, role) -> dict:
    return {
        "id": fid,
        "severity": severity,
        "title": title,
        "detail": detail,
        "fix": fix,
        "evidence": evidence,
        "role": role,
    }


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


def _role_label(ri) -> str:
    return ri.arn or ri.name


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


def _aws_doc_statements(dom: DomainArn) -> set:
    """Normal forms of the statements of AWS's policy for ``dom`` (both ARN forms)."""
    out = set()
    for doc in (doc_narrowed(dom.arn), doc_literal(dom.arn)):
        out.update(_normal(st) for st in parse_policy(doc, "aws-doc").statements)
    return out


def _aws_gap_finding(ri, role, policy, sid, index, entries, dom: DomainArn) -> dict:
    """``aws-policy-gap``: a statement of AWS's own isolation policy reaches other domains."""
    actions = [e["action"] for e in entries]
    label = _statement_label(policy, sid, index)
    return _f(
        "aws-policy-gap",
        "high",
        f"AWS's isolation policy itself lets {_who(ri)} reach other domains ({label})",
        f"{label} is a statement of the policy the AWS doc \"Isolate domain resources\" "
        f"publishes, and it allows {len(actions)} "
        f"{'action' if len(actions) == 1 else 'actions'} on another domain's resources, e.g. "
        f"{', '.join(actions[:5])}: Create* calls that open or act inside an existing resource "
        "(an app inside another domain's user profile or space, a presigned URL into another "
        "domain's resource). The doc's policy excludes only domain, user-profile and space ARNs "
        "from Create*.",
        "Replace the policy with sagemaker-isolation policy --domain-arn "
        f"{dom.arn} --variant allow (AWS's policy with these gaps closed), or attach "
        "--variant deny beside it.",
        {"policy": policy, "sid": sid, "index": index, "actions": actions[:50],
         "count": len(actions)},
        role,
    )


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


def role_findings(
    ri, res, rj: dict, dom: DomainArn, catalog: Catalog, tag_checks: list
) -> list[dict]:
    """All findings for one role.

    Args:
        ri: the ``analysis.RoleInput``.
        res: the ``analysis.RoleResult``.
        rj: the role's report entry (for verdict and entries).
        dom: the domain.
        catalog: the catalog.
        tag_checks: ``[{"create", "resource_type", "resource", "decision"}]`` from the
            tag-on-create evaluation.

    Returns:
        a list of finding dicts, most severe first.
    """
    role = _role_label(ri)
    out: list[dict] = []
    for p in ri.problems:
        if p["kind"] in ("role-unreadable", "role-missing"):
            calls = (
                ", ".join(f"{e.get('operation')} ({e.get('code')})" for e in p["errors"])
                or "no failed call was recorded"
            )
            out.append(
                _f(
                    "role-unreadable",
                    "medium",
                    f"{_who(ri, True)} could not be fully read",
                    f"{p['detail']}; failed calls: {calls}. The role's verdict is unknown.",
                    "Run the check with credentials that may call iam:GetRole, "
                    "iam:ListAttachedRolePolicies, iam:ListRolePolicies, iam:GetRolePolicy, "
                    "iam:GetPolicy and iam:GetPolicyVersion on this role (a Studio execution role "
                    "usually cannot), or check offline with --policy-file.",
                    {"target": p["target"], "errors": p["errors"]},
                    role,
                )
            )
        elif p["kind"] == "policy-unreadable":
            calls = (
                ", ".join(f"{e.get('operation')} ({e.get('code')})" for e in p["errors"])
                or "no failed call was recorded"
            )
            out.append(
                _f(
                    "policy-unreadable",
                    "medium",
                    f"A policy of {_who(ri)} could not be read",
                    f"{p['detail']} (ARN {p['target']}); failed calls: {calls}. It might allow or "
                    "deny anything, so the role's verdict is unknown.",
                    "Allow iam:GetPolicy and iam:GetPolicyVersion on this policy for the checking "
                    "identity, or pass its document with --policy-file.",
                    {"target": p["target"], "errors": p["errors"]},
                    role,
                )
            )
        elif p["kind"] == "policy-invalid":
            out.append(
                _f(
                    "policy-invalid",
                    "medium",
                    f"A policy of {_who(ri)} is not a valid IAM policy",
                    f"{p['detail']}. IAM would reject this document; the role's verdict is "
                    "unknown.",
                    "Fix the document (the message names the statement and field) and check again.",
                    {"target": p["target"]},
                    role,
                )
            )

    # broad allows, one finding per allowing statement
    by_stmt: dict = {}
    for entry in rj["cross_domain"]:
        if entry["accepted"]:
            continue
        for ref in entry["allowed_by"]:
            by_stmt.setdefault((ref["policy"], ref["sid"], ref["index"]), []).append(entry)
    pname = policy_name(dom.domain_id)
    doc_statements = _aws_doc_statements(dom)
    for (policy, sid, index), entries in by_stmt.items():
        st = _find_statement(ri, policy, index)
        if st is not None and _normal(st) in doc_statements:
            out.append(_aws_gap_finding(ri, role, policy, sid, index, entries, dom))
            continue
        levels: dict = {}
        for e in entries:
            levels[e["access_level"]] = levels.get(e["access_level"], 0) + 1
        actions = [e["action"] for e in entries]
        # Only the keys of this statement's own conditions (an entry's conditional_on also
        # holds keys of the other statements deciding it).
        st = _find_statement(ri, policy, index)
        own = {key.lower() for _op, key, _v in (st.conditions if st is not None else ())}
        every = sorted({k for e in entries for k in e.get("conditional_on", ())})
        cond = [k for k in every if k.lower() in own]
        elsewhere = len(cond) < len(every)
        label = _statement_label(policy, sid, index)
        out.append(
            _f(
                "broad-allow-defeats-isolation",
                "high",
                f"{label} lets {_who(ri)} act on other domains' resources",
                f"{label} allows {_plural(len(actions), 'action')} on resources tagged with "
                "another domain's ARN (by access level: "
                f"{'; '.join(_level_count(k, v) for k, v in sorted(levels.items()))}), "
                f"e.g. {', '.join(actions[:5])}. The AWS isolation policy only adds Allows, so it "
                "cannot take these away."
                + (
                    f" Some depend on keys of this statement the analysis cannot see: "
                    f"{', '.join(cond)}."
                    if cond
                    else ""
                )
                + (" Some also depend on conditions of other statements." if elsewhere else ""),
                f"Attach the deny variant of {pname} (sagemaker-isolation policy --variant deny), "
                f"or replace {policy} with a policy that does not allow these actions on every "
                "resource.",
                {
                    "policy": policy,
                    "sid": sid,
                    "index": index,
                    "actions": actions[:50],
                    "count": len(actions),
                    "access_levels": levels,
                    "conditional_on": cond,
                },
                role,
            )
        )

    if res.budget_exceeded:
        out.append(
            _f(
                "analysis-budget-exceeded",
                "medium",
                f"The analysis of {_who(ri)} stopped at its work budget",
                f"Deciding every request on other domains' resources took more than the budget "
                f"({res.budget_exceeded}); the role's verdict is unknown, never isolated.",
                "Raise the budget (sagemaker-isolation check --analysis-budget STATES,SECONDS) or "
                "simplify the role's resource patterns (hundreds of overlapping wildcards).",
                {"reason": res.budget_exceeded, "states": res.states},
                role,
            )
        )

    if res.unknown:
        reasons = sorted({u["reason"] or "" for u in res.unknown})
        out.append(
            _f(
                "undecidable-requests",
                "medium",
                f"{_plural(len(res.unknown), 'request')} for {_who(ri)} could not be decided",
                "The policy engine could not evaluate some statements (reasons: "
                + "; ".join(reasons[:5])
                + "). The role's verdict is unknown unless it already leaks.",
                "Check the named statements; rewrite conditions the engine does not support.",
                {"requests": res.unknown[:_SAMPLE], "count": len(res.unknown)},
                role,
            )
        )

    # isolation policy present / complete
    names = {p["name"] for p in ri.policies}
    if pname not in names and not ri.problems:  # unread roles: we cannot say what they hold
        isolated = rj["verdict"] == "isolated"
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
        out.append(
            _f(
                "isolation-policy-missing",
                "info" if isolated or holder is not None else "medium",
                title,
                detail,
                f"Create {pname} (sagemaker-isolation policy --domain-arn {dom.arn} --variant "
                "deny|allow) and attach it to the role.",
                {"policies": sorted(names), "holds_isolation_statements": holder},
                role,
            )
        )
    else:
        pol = next((p for p in ri.identity if p.name == pname), None)
        if pol is not None:
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
            if missing["allow"] and missing["deny"] and missing["allow-isolating"]:
                out.append(
                    _f(
                        "isolation-statements-missing",
                        "medium",
                        f"{pname} on {_who(ri)} lacks isolation statements",
                        f"The attached {pname} does not hold the statements of either template for "
                        "this domain: missing from the doc's policy: "
                        f"{', '.join(missing['allow'])}; "
                        f"from the deny variant: {', '.join(missing['deny'])}. (A statement "
                        "written for another domain's ARN or id counts as missing.)",
                        "Replace its document with sagemaker-isolation policy --domain-arn "
                        f"{dom.arn} "
                        "--variant deny (or allow).",
                        {"missing_allow": missing["allow"], "missing_deny": missing["deny"]},
                        role,
                    )
                )

    # tag on create
    blocked = [t for t in tag_checks if t["decision"].decision != "allow"]
    if blocked:
        out.append(
            _f(
                "tag-on-create-blocked",
                "medium",
                f"Studio's tagging on create is denied for {_who(ri)}",
                "Studio tags what it creates with sagemaker:domain-arn, which needs "
                "sagemaker:AddTags "
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
                role,
            )
        )

    # uncovered, List*, Search
    unc = rj["uncovered_allowed"]
    lists = [e for e in unc if e["access_level"] == "List"]
    others = [e for e in unc if e["access_level"] != "List"]
    if others:
        out.append(
            _f(
                "uncovered-actions-allowed",
                "low",
                f"{_who(ri, True)} may run {_plural(len(others), 'action')} "
                "that tags cannot isolate",
                "These actions act on resource types without tag condition keys, or on no resource "
                "type, so no tag-based policy can confine them to the domain: "
                + ", ".join(e["action"] for e in others[:_SAMPLE])
                + (" ..." if len(others) > _SAMPLE else "."),
                "Accept them knowingly, or remove them from the role's policies where not needed.",
                {"actions": [e["action"] for e in others], "count": len(others)},
                role,
            )
        )
    if lists:
        out.append(
            _f(
                "list-actions-allowed",
                "info",
                f"{_who(ri, True)} may run {len(lists)} List* action"
                + ("" if len(lists) == 1 else "s"),
                "List* calls take no resource type and are never isolated by tags: users see the "
                "names of other domains' resources (e.g. "
                + ", ".join(e["action"] for e in lists[:5])
                + ").",
                "Expected for Studio; remove List* you do not need.",
                {"actions": [e["action"] for e in lists], "count": len(lists)},
                role,
            )
        )
    search = next((e for e in unc if e["action"] == "sagemaker:Search"), None)
    if search is not None:
        unnarrowed = []
        for ref in search["allowed_by"]:
            st = _find_statement(ri, ref["policy"], ref["index"])
            keys = [k.lower() for (_op, k, _v) in (st.conditions if st else ())]
            if not any(k.startswith("sagemaker:searchvisibilitycondition/") for k in keys):
                unnarrowed.append(ref)
        if unnarrowed:
            out.append(
                _f(
                    "search-not-narrowed",
                    "low",
                    f"sagemaker:Search is not narrowed for {_who(ri)}",
                    "sagemaker:Search takes no resource type; without a "
                    "sagemaker:SearchVisibilityCondition/... condition it returns other domains' "
                    "resources. Allowed without it by: "
                    + ", ".join(
                        _statement_label(r["policy"], r["sid"], r["index"]) for r in unnarrowed
                    ),
                    "Add a condition on "
                    "sagemaker:SearchVisibilityCondition/Tags.sagemaker:domain-arn/"
                    "EqualsIfExists (or similar) to the statements that allow sagemaker:Search.",
                    {"allowed_by": unnarrowed},
                    role,
                )
            )

    if res.untagged:
        acts = sorted(res.untagged)
        out.append(
            _f(
                "untagged-resources-reachable",
                "info",
                f"{_who(ri, True)} may act on untagged resources ({_plural(len(acts), 'action')})",
                "Resources without the sagemaker:domain-arn tag (created outside Studio or before "
                "2022-11-30) are not isolated by any tag condition: e.g. "
                + ", ".join(acts[:5])
                + ".",
                "Backfill the sagemaker:domain-arn tag on existing resources.",
                {"actions": acts[:50], "count": len(acts)},
                role,
            )
        )
    out.sort(key=lambda f: _SEVERITY_ORDER[f["severity"]])
    return out


def domain_findings(dom: DomainArn, experience: str, detail: str, inputs: list) -> list[dict]:
    """Findings about the domain as a whole (``role`` is None).

    Args:
        dom: the domain.
        experience: ``"studio-classic" | "studio" | "unknown"``.
        detail: why (from ``analysis.default_experience``).
        inputs: the role inputs (to report a domain without any known role).
    """
    out = []
    if experience != "studio-classic":
        out.append(
            _f(
                "default-experience-not-classic",
                "medium" if experience == "studio" else "low",
                "The domain's default experience is not Studio Classic"
                if experience == "studio"
                else "The domain's default experience is not known",
                f'{detail}. The AWS doc says its isolation policy "only works in domains that use '
                'Amazon SageMaker Studio Classic as the default experience".',
                "Judge the Studio flows (spaces, apps, jobs) in the report's flows, and use the "
                "studio templates (sagemaker-isolation policy --experience studio), which keep "
                "them working.",
                {"default_experience": experience, "detail": detail},
                None,
            )
        )
    if not inputs:
        out.append(
            _f(
                "no-execution-role",
                "medium",
                "No execution role of the domain is known",
                "Neither the domain's default settings nor any user profile named an execution "
                "role "
                "that was read, so nothing could be checked.",
                "Allow sagemaker:DescribeDomain, sagemaker:ListUserProfiles and "
                "sagemaker:DescribeUserProfile for the checking identity, or pass --policy-file.",
                {},
                None,
            )
        )
    return out


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
            "text": "Another domain's resource is any resource of the same account and Region "
            "whose ARN names a domain id other than this one (domain, user-profile, space, app) "
            "or that is tagged sagemaker:domain-arn with another domain's ARN: every name, app "
            "type, other domain id and tag value is covered, by automata over the policies' "
            "patterns, not by samples. Names range over botocore's grammar for each ARN "
            "placeholder; a placeholder with no known grammar is any non-empty string; app types "
            "in either spelling (jupyterlab, JupyterLab); and every ARN may go on with further "
            "'/' segments without ':' (private workteams, hub content and model package "
            "versions carry segments the published ARN formats omit).",
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


def role_shared_finding(ri, dom: DomainArn, judged_for: list[dict]) -> dict:
    """``role-shared-between-domains``: other domains of the account use this execution role too.

    Args:
        ri: the role input.
        dom: this domain.
        judged_for: ``[{"domain", "name", "verdict"}]``: the role judged with each other domain
            as "this domain".
    """
    names = ", ".join(f"{j.get('name') or j['domain']} ({j['verdict']})" for j in judged_for)
    return _f(
        "role-shared-between-domains",
        "high",
        f"Role {ri.name} is also an execution role of another domain",
        f"Domain(s) {names} use role {ri.name} too (verdict for each in parentheses). One role "
        "cannot be isolated for two domains: whatever one domain's users may do, the other's may "
        "do as well, and a grant the other domain needs reaches its resources from this one.",
        "Give each domain its own execution role (DefaultUserSettings.ExecutionRole, "
        "DefaultSpaceSettings.ExecutionRole and each user profile's), each with the isolation "
        "policy of its own domain.",
        {"role": ri.arn, "domains": judged_for},
        _role_label(ri),
    )


def within_domain_finding(ri, dom: DomainArn, wd: dict) -> dict:
    """``private-spaces-reachable`` (medium; it does not change the exit code): the role can
    use another user's private space or its apps in the same domain.

    Args:
        ri: the role input.
        dom: the domain.
        wd: the role's ``within_domain`` entry (:func:`.within_domain.within_domain`).
    """
    reach = [r["action"] for r in wd.get("reachable") or ()]
    covered = [r["action"] for r in wd.get("reachable") or () if r.get("coverable")]
    what = {
        "not_isolated": "can act on another user's private space or its apps",
        "partial": "can still reach other users' private spaces through actions no policy "
        "can restrict to the owner",
        "unknown": "may reach other users' private spaces (not decided)",
    }.get(wd.get("verdict"), "may reach other users' private spaces")
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
    return _f(
        "private-spaces-reachable",
        "medium",
        f"{_who(ri, capital=True)} {what} in this domain",
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
        _role_label(ri),
    )


def profiles_unreadable_finding(unseen: list[dict]) -> dict:
    """``user-profiles-unreadable``: execution roles of user profiles were not seen.

    Args: unseen: ``[{"what", "errors"}]`` from the analysis. Returns one finding dict.
    """
    calls = sorted({str(e.get("operation")) for u in unseen for e in u["errors"]})
    return _f(
        "user-profiles-unreadable",
        "medium",
        "Some user profiles could not be read, so their execution roles were not judged",
        "; ".join(u["what"] for u in unseen)
        + ". A user profile can carry its own execution role (UserSettings.ExecutionRole); an "
        "unread one could leak, so the domain cannot be called isolated.",
        "Run the check with a principal allowed sagemaker:ListUserProfiles and "
        "sagemaker:DescribeUserProfile on this domain"
        + (f" (failed: {', '.join(calls)})" if calls else "")
        + ".",
        {"unseen": unseen},
        None,
    )


# -- listing-incomplete (issue 13: paging that never ends) -----------------------------------
# Kept apart from the rest on purpose: analysis.analyze() adds it with
#     f = F.listing_incomplete_finding(snapshot.get("errors") or ())
#     if f: findings.append(f); verdict = "unknown" if verdict == "isolated" else verdict

#: The snapshot ``errors`` code the collector records for a listing stopped by a paging bound
#: (equal to ``aws.paging.INCOMPLETE_CODE``; the pure core does not import the AWS layer).
LISTING_INCOMPLETE_CODE = "ListingIncomplete"


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
        ``isolated`` (the caller makes an ``isolated`` verdict ``unknown``).
    """
    hits = [e for e in errors or () if isinstance(e, dict)
            and e.get("code") == LISTING_INCOMPLETE_CODE]
    if not hits:
        return None
    ops = sorted({str(e.get("operation")) for e in hits})
    return _f(
        "listing-incomplete",
        "medium",
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
        None,
    )
