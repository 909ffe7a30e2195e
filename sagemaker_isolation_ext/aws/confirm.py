"""A second opinion from AWS: confirm a report's witnesses with IAM's policy simulator.

For a live report, each ``cross_domain`` entry's witness (the request that proves it; issue #11)
is sent to ``iam:SimulatePrincipalPolicy`` on the role (IAM API reference,
``SimulatePrincipalPolicy``: it evaluates the role's identity policies, its permissions boundary
and, when the account is in an organization, the SCPs that apply). The answer is stored on the
witness::

    "aws": {"decision": "allowed" | "implicitDeny" | "explicitDeny",
            "matched": [{"policy_id", "policy_type", "line", "column"}],
            "checked_at": "2026-12-06T20:00:00Z", "agrees": bool,
            "cause"?: "scp-or-boundary" | "missing-context" | "policies-changed" | "other",
            "cause_text"?: str, "missing_context"?: [str]}

Our engine says every witness is allowed, so AWS agrees when it answers ``allowed``. A
disagreement is sorted by cause, first match wins:

- ``scp-or-boundary``: the answer's ``OrganizationsDecisionDetail.AllowedByOrganizations`` is
  false (an SCP denies), or ``PermissionsBoundaryDecisionDetail.AllowedByPermissionsBoundary``
  is false while the snapshot saw no boundary on the role;
- ``missing-context``: ``MissingContextValues`` is not empty (a key the simulator needed and we
  did not give);
- ``policies-changed``: the role's boundary, attached policies' default versions
  (``iam:GetPolicy`` ``DefaultVersionId``) or inline policies differ from the snapshot's;
- ``other``: none of these; shown as a product bug to report.

Limits: at most ``per_policy_set`` (20) calls per distinct policy set (roles with the same
policies share it) and ``per_report`` (100) per report, no new call once ``deadline`` (60 s)
has passed (so at most 60 s plus one call: 2 attempts of 3 s connect + 10 s read timeouts, and
3 failed calls stop it). The first
call decides whether the caller may simulate: ``AccessDenied`` stops the confirmation with one
report-level note (status ``not-allowed``) pointing at the commands to run as an admin; an
endpoint that does not implement the simulator (moto: HTTP 500 / NotImplemented) or cannot be
reached stops it quietly (status ``unavailable``). Never raises for an AWS failure.

Report-level block ``report["aws_confirmation"]``::

    {"status": "checked" | "partial" | "not-allowed" | "unavailable" | "offline" | "off"
               | "not-live" | "no-witnesses",
     "note": str, "calls": int, "confirmed": int, "disagreed": int, "not_checked": int,
     "witnesses": int, "errors": int,
     "limits": {"per_policy_set": 20, "per_report": 100, "deadline_seconds": 60.0},
     "commands"?: [str]  (not-allowed: the first commands to run as an admin)}

Blocking: call it from a worker thread (the server's report job), never on the event loop.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
)
from botocore.parsers import ResponseParserError

from sagemaker_isolation_ext.sagemaker.simulator_commands import (
    add_simulator_commands,
    mark_unconfirmed,
    principal_policy_request,
)

__all__ = [
    "DEFAULT_PER_POLICY_SET",
    "DEFAULT_PER_REPORT",
    "DEFAULT_DEADLINE",
    "CAUSE_TEXT",
    "confirm_report",
    "iam_client_for",
]

DEFAULT_PER_POLICY_SET = 20
"""Simulator calls per distinct policy set (roles with identical policies share it)."""
DEFAULT_PER_REPORT = 100
"""Simulator calls per report."""
DEFAULT_DEADLINE = 60.0
"""Seconds the whole confirmation may take; witnesses left when it passes are not checked."""
CONNECT_TIMEOUT = 3.0
READ_TIMEOUT = 10.0
MAX_ATTEMPTS = 2
_MAX_ERRORS = 3  # failed calls (after the first succeeded) before giving up
_MAX_REREAD_ROLES = 10  # roles whose policies are re-read for "policies-changed"
_MAX_ADMIN_COMMANDS = 5

CAUSE_TEXT = {
    "scp-or-boundary": (
        "AWS applied a service control policy or permissions boundary that the snapshot does "
        "not have, and it denies this request"
    ),
    "missing-context": "the simulator needed context keys we could not give",
    "policies-changed": "the role's policies changed since the snapshot was taken",
    "other": (
        "AWS and our engine disagree for no reason we can see: this is likely a product bug, "
        "please report it with this witness"
    ),
}

_DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"}
_NOT_IMPLEMENTED = {"NotImplemented", "InternalFailure", "ServiceUnavailable", "InternalError"}
_UNREACHABLE = (EndpointConnectionError, ConnectTimeoutError)


def iam_client_for(ctx: Any):
    """An IAM client for the check's context with this module's short timeouts.

    Args:
        ctx: an ``aws.context.AwsContext`` (profile, region, endpoint_url).

    Returns:
        ``botocore.client.IAM``.

    Raises:
        AwsUnreachable: the profile is not configured.
    """
    from sagemaker_isolation_ext.aws.session import client, make_session

    return client(
        make_session(ctx),
        "iam",
        getattr(ctx, "endpoint_url", None),
        max_attempts=MAX_ATTEMPTS,
        connect_timeout=CONNECT_TIMEOUT,
        read_timeout=READ_TIMEOUT,
    )


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _code(exc: BaseException) -> tuple[str, int | None]:
    if isinstance(exc, ClientError):
        err = exc.response.get("Error") or {}
        status = (exc.response.get("ResponseMetadata") or {}).get("HTTPStatusCode")
        return str(err.get("Code") or f"HTTP{status}"), status
    return type(exc).__name__, None


def _policy_set_key(snapshot: dict, role_arn: str) -> str:
    """A digest of the role's policies as the snapshot saw them (ARNs, versions, inline
    documents, boundary): roles with the same key decide every request the same way."""
    role = (snapshot.get("roles") or {}).get(role_arn)
    if not isinstance(role, dict):
        for r in (snapshot.get("roles") or {}).values():
            if isinstance(r, dict) and r.get("arn") == role_arn:
                role = r
                break
    if not isinstance(role, dict):
        return f"role:{role_arn}"
    pols = snapshot.get("policies") or {}
    blob = {
        "attached": sorted(
            (p, (pols.get(p) or {}).get("version_id")) for p in role.get("attached_policies") or ()
        ),
        "inline": sorted(
            json.dumps(i, sort_keys=True, default=str) for i in role.get("inline_policies") or ()
        ),
        "boundary": role.get("permissions_boundary"),
    }
    return hashlib.sha256(json.dumps(blob, sort_keys=True).encode()).hexdigest()


def _snapshot_role(snapshot: dict, role_arn: str) -> dict | None:
    for key, r in (snapshot.get("roles") or {}).items():
        if isinstance(r, dict) and (r.get("arn") == role_arn or key == role_arn):
            return r
    return None


class _TooManyPages(Exception):
    pass


def _items(iam, operation: str, key: str, role_name: str) -> list:
    """Every item under ``key`` of paginated ``operation`` for the role, at most 10 pages
    (raises _TooManyPages beyond: a role has at most 20 attached policies, IAM quotas)."""
    out: list = []
    pages = iam.get_paginator(operation).paginate(
        RoleName=role_name, PaginationConfig={"MaxItems": 1000}
    )
    for i, page in enumerate(pages):
        if i >= 10:
            raise _TooManyPages(operation)
        out.extend(page.get(key) or ())
    return out


def _current_policies(iam, role_arn: str) -> dict | None:
    """Re-read the role's policies: ``{"boundary", "attached": {arn: version}, "inline":
    {name: document}}``, or None when any read fails (pages bounded to 10 each)."""
    from sagemaker_isolation_ext.aws.collect import decode_policy_document

    name = role_arn.rsplit("/", 1)[-1]
    try:
        role = (iam.get_role(RoleName=name).get("Role")) or {}
        boundary = (role.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
        attached: dict[str, str | None] = {}
        for p in _items(iam, "list_attached_role_policies", "AttachedPolicies", name):
            arn = p.get("PolicyArn")
            attached[arn] = (iam.get_policy(PolicyArn=arn).get("Policy") or {}).get(
                "DefaultVersionId"
            )
        inline: dict[str, Any] = {}
        for pname in _items(iam, "list_role_policies", "PolicyNames", name):
            doc = iam.get_role_policy(RoleName=name, PolicyName=pname).get("PolicyDocument")
            inline[pname] = decode_policy_document(doc)
    except (
        ClientError, BotoCoreError, ResponseParserError, ValueError, NotImplementedError,
        _TooManyPages,
    ):
        return None
    return {"boundary": boundary, "attached": attached, "inline": inline}


def _policies_changed(snapshot: dict, role_arn: str, current: dict) -> list[str]:
    """What differs between the snapshot's view of the role and ``current`` (words; empty:
    nothing)."""
    role = _snapshot_role(snapshot, role_arn) or {}
    pols = snapshot.get("policies") or {}
    diffs = []
    if (role.get("permissions_boundary") or None) != (current["boundary"] or None):
        diffs.append(
            f"permissions boundary was {role.get('permissions_boundary')}, "
            f"is now {current['boundary']}"
        )
    before = {p: (pols.get(p) or {}).get("version_id") for p in role.get("attached_policies") or ()}
    for arn in sorted(set(before) | set(current["attached"])):
        if arn not in current["attached"]:
            diffs.append(f"{arn} was detached")
        elif arn not in before:
            diffs.append(f"{arn} was attached")
        elif before[arn] != current["attached"][arn]:
            diffs.append(
                f"{arn} default version was {before[arn]}, is now {current['attached'][arn]}"
            )
    inline_before = {
        (i or {}).get("name"): (i or {}).get("document") for i in role.get("inline_policies") or ()
    }
    for name in sorted(set(inline_before) | set(current["inline"]), key=str):
        if name not in current["inline"]:
            diffs.append(f"inline policy {name} was deleted")
        elif name not in inline_before:
            diffs.append(f"inline policy {name} was added")
        elif inline_before[name] != current["inline"][name]:
            diffs.append(f"inline policy {name} was edited")
    return diffs


def _result_for(resp: dict, witness: dict) -> dict:
    """The evaluation result of the witness's action (and resource when given) in a
    ``SimulatePrincipalPolicy`` answer, flattened: ``{decision, matched, missing, org_allowed,
    boundary_allowed}``."""
    action = str(witness.get("action", "")).lower()
    results = resp.get("EvaluationResults") or []
    top = next(
        (r for r in results if str(r.get("EvalActionName", "")).lower() == action),
        results[0] if results else {},
    )
    res = witness.get("resource")
    specific = next(
        (
            r
            for r in top.get("ResourceSpecificResults") or ()
            if r.get("EvalResourceName") == res
        ),
        None,
    )
    src = specific or top
    decision = src.get("EvalResourceDecision") if specific else top.get("EvalDecision")
    boundary = src.get("PermissionsBoundaryDecisionDetail") or top.get(
        "PermissionsBoundaryDecisionDetail"
    )
    org = top.get("OrganizationsDecisionDetail")
    missing = list(src.get("MissingContextValues") or []) or list(
        top.get("MissingContextValues") or []
    )
    matched = [
        {
            "policy_id": m.get("SourcePolicyId"),
            "policy_type": m.get("SourcePolicyType"),
            "line": (m.get("StartPosition") or {}).get("Line"),
            "column": (m.get("StartPosition") or {}).get("Column"),
        }
        for m in (src.get("MatchedStatements") or top.get("MatchedStatements") or [])
    ]
    return {
        "decision": decision or "implicitDeny",
        "matched": matched,
        "missing": sorted(set(missing)),
        "org_allowed": None if org is None else org.get("AllowedByOrganizations"),
        "boundary_allowed": None if boundary is None else boundary.get(
            "AllowedByPermissionsBoundary"
        ),
    }


class _Run:
    def __init__(self, report, snapshot, iam, per_set, per_report, deadline, clock):
        self.report, self.snapshot, self.iam = report, snapshot, iam
        self.per_set, self.per_report = per_set, per_report
        self.deadline, self.clock = deadline, clock
        self.calls = self.confirmed = self.disagreed = self.errors = 0
        self.per_set_calls: dict[str, int] = {}
        self.reread: dict[str, dict | None] = {}

    def policies_diff(self, role_arn: str) -> list[str] | None:
        if role_arn not in self.reread:
            if len(self.reread) >= _MAX_REREAD_ROLES:
                return None
            self.reread[role_arn] = _current_policies(self.iam, role_arn)
        current = self.reread[role_arn]
        if current is None:
            return None
        return _policies_changed(self.snapshot, role_arn, current)

    def cause(self, role_arn: str, r: dict) -> tuple[str, str]:
        srole = _snapshot_role(self.snapshot, role_arn) or {}
        if r["org_allowed"] is False:
            return "scp-or-boundary", (
                "a service control policy of your organization denies it "
                "(OrganizationsDecisionDetail.AllowedByOrganizations is false)"
            )
        if r["boundary_allowed"] is False and not srole.get("permissions_boundary"):
            return "scp-or-boundary", (
                "a permissions boundary the snapshot did not see denies it "
                "(PermissionsBoundaryDecisionDetail.AllowedByPermissionsBoundary is false)"
            )
        if r["missing"]:
            return "missing-context", (
                "the simulator needed context keys we could not give: " + ", ".join(r["missing"])
            )
        diffs = self.policies_diff(role_arn)
        if diffs:
            return "policies-changed", "since the snapshot: " + "; ".join(diffs[:5])
        detail = CAUSE_TEXT["other"]
        if diffs is None:
            detail += " (the role's current policies could not be re-read to rule out a change)"
        return "other", detail


def _ordered_witnesses(report: dict) -> list[tuple[dict, dict, dict]]:
    """``(role, entry, witness)`` of live roles: leaking entries first, then accepted ones."""
    out = []
    for accepted in (False, True):
        for role in report.get("roles") or ():
            if not role.get("arn"):
                continue
            for entry in role.get("cross_domain") or ():
                w = entry.get("witness") if isinstance(entry, dict) else None
                if (
                    isinstance(w, dict)
                    and w.get("action")
                    and bool(entry.get("accepted")) == accepted
                ):
                    out.append((role, entry, w))
    return out


def confirm_report(
    report: dict,
    snapshot: dict,
    *,
    iam: Any = None,
    ctx: Any = None,
    enabled: bool = True,
    per_policy_set: int = DEFAULT_PER_POLICY_SET,
    per_report: int = DEFAULT_PER_REPORT,
    deadline: float = DEFAULT_DEADLINE,
    clock: Callable[[], float] = time.monotonic,
) -> dict:
    """Confirm the report's witnesses with ``iam:SimulatePrincipalPolicy`` (in place).

    Every witness first gets its ``simulator_command``. Then, for a live snapshot
    (``source: "live"``) and ``enabled``, up to the limits, each witness gets ``aws`` (shape in
    the module docstring). Offline, saved-snapshot and disabled checks make no AWS call.

    Args:
        report: the report from ``analysis.analyze(snapshot)``.
        snapshot: its Snapshot (policy versions for ``policies-changed``; ``source``).
        iam: a boto3 IAM client (tests pass a stubbed one); default: made from ``ctx``.
        ctx: the check's ``AwsContext`` (used when ``iam`` is None).
        enabled: False records status ``off`` and calls nothing.
        per_policy_set: calls per distinct policy set.
        per_report: calls per report.
        deadline: seconds for the whole confirmation.
        clock: monotonic clock in seconds (tests).

    Returns:
        The report's ``aws_confirmation`` dict (see module docstring).
    """
    source = (snapshot or {}).get("source")
    if source == "policy-files":
        return mark_unconfirmed(report, snapshot, "offline")
    if not enabled:
        return mark_unconfirmed(report, snapshot, "off")
    if source != "live" or (iam is None and ctx is None):
        return mark_unconfirmed(report, snapshot, "not-live")
    add_simulator_commands(report, snapshot)
    todo = _ordered_witnesses(report)
    if not todo:
        return mark_unconfirmed(report, snapshot, "no-witnesses")
    conf = report.setdefault("aws_confirmation", {})
    conf["limits"] = {
        "per_policy_set": per_policy_set,
        "per_report": per_report,
        "deadline_seconds": float(deadline),
    }
    if iam is None:
        try:
            iam = iam_client_for(ctx)
        except Exception as exc:  # profile vanished etc.: say so, never fail the check
            return _finish(conf, None, todo, "unavailable", f"no IAM client: {exc}")
    run = _Run(report, snapshot, iam, per_policy_set, per_report, deadline, clock)
    start = clock()
    stop_reason = None
    for role, _entry, w in todo:
        if run.calls >= per_report:
            stop_reason = "per-report"
            break
        if clock() - start > deadline:
            stop_reason = "deadline"
            break
        key = _policy_set_key(snapshot, role["arn"])
        if run.per_set_calls.get(key, 0) >= per_policy_set:
            stop_reason = stop_reason or "per-policy-set"
            continue
        run.per_set_calls[key] = run.per_set_calls.get(key, 0) + 1
        first = run.calls == 0
        run.calls += 1
        try:
            resp = iam.simulate_principal_policy(
                **principal_policy_request(w, policy_source_arn=role["arn"])
            )
        except ClientError as exc:
            code, status = _code(exc)
            if code in _DENIED and first:
                return _finish(conf, run, todo, "not-allowed", code)
            if code in _NOT_IMPLEMENTED or (status or 0) >= 500:
                return _finish(conf, run, todo, "unavailable", code)
            run.errors += 1
            w["aws"] = {"decision": None, "error": code, "checked_at": _now()}
            if first or run.errors >= _MAX_ERRORS:
                return _finish(conf, run, todo, "unavailable", code)
            continue
        except (NotImplementedError, ResponseParserError) as exc:
            return _finish(conf, run, todo, "unavailable", type(exc).__name__)
        except (BotoCoreError, OSError) as exc:  # timeouts, connection errors
            run.errors += 1
            if first or run.errors >= _MAX_ERRORS or isinstance(exc, _UNREACHABLE):
                return _finish(conf, run, todo, "unavailable", type(exc).__name__)
            w["aws"] = {"decision": None, "error": type(exc).__name__, "checked_at": _now()}
            continue
        r = _result_for(resp or {}, w)
        verdict = {
            "decision": r["decision"],
            "matched": r["matched"],
            "checked_at": _now(),
            "agrees": r["decision"] == "allowed",
        }
        if r["decision"] == "allowed":
            run.confirmed += 1
        else:
            run.disagreed += 1
            cause, text = run.cause(role["arn"], r)
            verdict["cause"] = cause
            verdict["cause_text"] = text
            if r["missing"]:
                verdict["missing_context"] = r["missing"]
        w["aws"] = verdict
    done_all = stop_reason is None
    return _finish(conf, run, todo, "checked" if done_all else "partial", stop_reason)


_TIMEOUT_CODES = {"ReadTimeoutError", "ConnectTimeoutError"}


def _finish(conf: dict, run: _Run | None, todo: list, status: str, why: str | None) -> dict:
    calls = run.calls if run else 0
    confirmed = run.confirmed if run else 0
    disagreed = run.disagreed if run else 0
    checked = sum(1 for _r, _e, w in todo if isinstance(w.get("aws"), dict))
    conf.update(
        {
            "status": status,
            "calls": calls,
            "confirmed": confirmed,
            "disagreed": disagreed,
            "errors": run.errors if run else 0,
            "witnesses": len(todo),
            "not_checked": len(todo) - checked,
        }
    )
    if status == "not-allowed":
        conf["note"] = (
            "You may not use IAM's policy simulator (iam:SimulatePrincipalPolicy was denied; "
            "a Studio execution role usually is). Ask an admin to run the witnesses' "
            "`aws iam simulate-principal-policy` commands to get AWS's own answer."
        )
        conf["commands"] = [
            w["simulator_command"] for _r, _e, w in todo if w.get("simulator_command")
        ][:_MAX_ADMIN_COMMANDS]
    elif status == "unavailable":
        if why in _TIMEOUT_CODES or why in {"EndpointConnectionError"}:
            reason = f"IAM did not answer in time ({why})"
        elif why in {"NotImplementedError", "ResponseParserError", "NotImplemented"} or (
            why or ""
        ).startswith("HTTP5"):
            reason = "this AWS endpoint does not implement the policy simulator (a local AWS?)"
        else:
            reason = f"the simulator call failed ({why})"
        conf["note"] = (
            f"AWS could not confirm the witnesses: {reason}. Each witness shows the "
            "`aws iam simulate-principal-policy` command to run yourself."
        )
    elif status == "partial":
        limit = {
            "per-report": f"the limit of {conf['limits']['per_report']} simulator calls per report",
            "per-policy-set": (
                f"the limit of {conf['limits']['per_policy_set']} simulator calls per distinct "
                "policy set"
            ),
            "deadline": f"the {conf['limits']['deadline_seconds']:g} s time limit",
        }.get(why or "", "a limit")
        conf["note"] = (
            f"AWS checked {checked} of {len(todo)} witnesses ({limit} was reached): "
            f"{confirmed} confirmed, {disagreed} disagreed."
        )
    else:
        conf["note"] = (
            f"AWS's policy simulator checked all {len(todo)} witnesses: {confirmed} confirmed, "
            f"{disagreed} disagreed."
        )
    return conf
