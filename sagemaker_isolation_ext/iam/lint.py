"""Lint a policy document: report problems as findings instead of failing.

``lint_policy(document, name) -> list[finding]``; a finding is
``{"id", "severity", "statement_index", "sid", "field", "message"}`` with ``severity`` one of
``"error"`` (IAM would reject the document, or the engine cannot evaluate a part of it),
``"warning"`` (valid, but very likely not what the author meant) or ``"info"``.
``statement_index`` is 0-based (None for document-level findings); ``field`` names the element
(``"Effect"``, ``"Resource"``, ``"Condition"``, ``"Sid"``, ...).

Finding ids (stable; the README/ENGINE.md list them):

============================  ========  ======================================================
id                            severity  what
============================  ========  ======================================================
``json-invalid``              error     not JSON / not an object / nested too deep
``document-invalid``          error     document-level grammar (Version, Statement, fields)
``statement-invalid``         error     statement grammar (Action/NotAction, Resource, ...)
``effect-missing``            error     a statement without Effect (the AWS workshop policy)
``operator-unknown``          error     a condition operator AWS does not define
``condition-value-type``      error     a value the operator cannot read (number, date, IP,
                                        Bool, Null, base64)
``sid-invalid``               error     Sid not ASCII letters/digits (identity policies)
``sid-duplicate``             error     the same Sid twice in one policy
``resource-glued-arns``       error     one Resource string holding two ARNs ("arn:" twice,
                                        the aiops-modules missing-comma bug in SOURCES.md)
``policy-too-large``          error     over the IAM/Organizations size quota for its type
``resource-not-arn``          warning   a Resource that is neither ``*`` nor an ARN
``action-malformed``          warning   an Action that is not ``service:action`` (or ``*``)
``version-missing``           warning   no ``Version``: the 2008-10-17 language, ``${...}``
                                        is literal text
``variables-literal``         warning   ``${...}`` in a 2008-10-17 document (not substituted)
``forallvalues-in-allow``     warning   ``ForAllValues:`` in an Allow without a Null guard
                                        on the key: true when the key is missing or empty
                                        (the older AWS doc policy's trap, SOURCES.md)
``statement-list-empty``      warning   no statements (grants nothing)
``policy-placeholder``        warning   a placeholder copied from the AWS doc page is still in
                                        the policy (``"domain-arn"`` as a condition value,
                                        ``app/domain-id/`` in a Resource)
``key-never-present``         warning   (SageMaker rules, ``sagemaker/policy_lint.py``) a
                                        condition key none of the statement's actions carry
``resource-tag-on-create``    warning   (SageMaker rules) ``aws:ResourceTag`` on create actions
``pattern-spans-types``       info      (SageMaker rules) a resource pattern spanning types
============================  ========  ======================================================

The last three need the SageMaker catalog and come from
:func:`sagemaker_isolation_ext.sagemaker.policy_lint.lint_policy_for_sagemaker` (what the CLI's
``lint`` and ``check`` use); :func:`lint_policy` alone does not produce them.

Sources: IAM User Guide, "IAM JSON policy element reference" (Sid: "supports ASCII uppercase
letters (A-Z), lowercase letters (a-z), and numbers (0-9)"; Sids "must be unique within a JSON
policy" for IAM policies), "IAM JSON policy elements: Condition operators", and "IAM and AWS STS
quotas" (managed policy 6,144 characters, role inline policies 10,240 in aggregate, user inline
2,048, group inline 5,120; "IAM doesn't count white space when calculating the size of a policy
against these limits"); AWS Organizations User Guide, "Quotas" (SCP/RCP document 5,120
characters); AWS STS ``AssumeRole`` API reference (session policy plaintext 2,048 characters).
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
import re
from typing import Any

from .conditions import _date, _parse_operator
from .policy import MAX_DEPTH, PolicyError, _check_depth, _parse_statement, parse_policy

__all__ = [
    "lint_policy",
    "format_findings",
    "summarize",
    "SIZE_LIMITS",
    "FINDING_IDS",
    "SEVERITIES",
]

SEVERITIES = ("error", "warning", "info")

#: Characters allowed, by policy type; whitespace not counted for the IAM types (quotas page).
SIZE_LIMITS: dict[str, tuple[int | None, bool]] = {
    # type: (limit, whitespace_counts); "managed" is a customer managed policy
    "managed": (6144, False),
    "aws-managed": (None, False),  # AWS managed policies are not held to the 6,144 quota
    "inline-role": (10240, False),
    "inline-user": (2048, False),
    "inline-group": (5120, False),
    "boundary": (6144, False),  # a permissions boundary is a managed policy
    "scp": (5120, True),
    "rcp": (5120, True),
    "session": (2048, True),
    "resource": (None, True),  # resource policies: quotas are per service, none checked here
}

FINDING_IDS = (
    "json-invalid",
    "document-invalid",
    "statement-invalid",
    "effect-missing",
    "operator-unknown",
    "condition-value-type",
    "sid-invalid",
    "sid-duplicate",
    "resource-glued-arns",
    "policy-too-large",
    "resource-not-arn",
    "action-malformed",
    "version-missing",
    "variables-literal",
    "forallvalues-in-allow",
    "statement-list-empty",
    "policy-placeholder",
    "key-never-present",
    "resource-tag-on-create",
    "pattern-spans-types",
)

#: Placeholders of the AWS doc page "Isolate domain resources"
#: (``data/isolate-domain-resources.txt``: ``"domain-arn"``, ``app/domain-id/``,
#: ``arn:aws:iam:account-id:``) and their siblings, found as a whole condition value or a whole
#: ``:``/``/``-separated part of a Resource.
PLACEHOLDERS = frozenset(
    {"domain-arn", "domain-id", "account-id", "user-profile-name", "space-name", "region"}
)

_SID_RE = re.compile(r"^[A-Za-z0-9]*$")
_ACTION_RE = re.compile(r"^[A-Za-z0-9*?-]+:[A-Za-z0-9*?]+$")
_NUMERIC = "Numeric"
_DATE = "Date"


def _finding(
    fid: str,
    severity: str,
    message: str,
    index: int | None = None,
    sid: str | None = None,
    field: str | None = None,
) -> dict:
    return {
        "id": fid,
        "severity": severity,
        "statement_index": index,
        "sid": sid,
        "field": field,
        "message": message,
    }


def _size(text_doc: Any, whitespace_counts: bool) -> int:
    canon = json.dumps(text_doc, separators=(",", ":"), ensure_ascii=False)
    if whitespace_counts:
        return len(canon)
    return sum(1 for ch in canon if not ch.isspace())


def _load_document(document: dict | str | bytes, name: str) -> tuple[dict | None, list[dict]]:
    """The document as a dict, or None and the one ``json-invalid`` finding that says why."""
    if isinstance(document, (str, bytes)):
        try:
            document = json.loads(document)
        except RecursionError:
            return None, [_finding("json-invalid", "error", f"policy {name!r}: nested too deep")]
        except (ValueError, TypeError) as exc:
            return None, [
                _finding("json-invalid", "error", f"policy {name!r}: not valid JSON ({exc})")
            ]
    if not isinstance(document, dict):
        return None, [
            _finding(
                "json-invalid",
                "error",
                f"policy {name!r}: document must be a JSON object, not {type(document).__name__}",
            )
        ]
    try:
        _check_depth(document, name)
    except PolicyError:
        return None, [
            _finding(
                "json-invalid", "error", f"policy {name!r}: nested deeper than {MAX_DEPTH} levels"
            )
        ]

    return document, []


def lint_policy(
    document: dict | str,
    name: str,
    *,
    kind: str = "identity",
    policy_type: str = "managed",
) -> list[dict]:
    """Lint one policy document.

    Args:
        document: the policy (dict or JSON text).
        name: a name for messages.
        kind: ``"identity"`` or ``"resource"`` (as :func:`parse_policy`).
        policy_type: which size quota applies: a key of :data:`SIZE_LIMITS`
            (``"managed"``, a customer managed policy, by default; ``"aws-managed"`` has none).

    Returns:
        the findings, document-level first, then by statement index. Never raises for document
        content.

    Raises:
        ValueError: ``kind`` or ``policy_type`` is not one this function knows (a caller bug).
    """
    if policy_type not in SIZE_LIMITS:
        raise ValueError(f"policy_type must be one of {sorted(SIZE_LIMITS)}, not {policy_type!r}")
    if kind not in ("identity", "resource"):
        raise ValueError(f"kind must be 'identity' or 'resource', not {kind!r}")
    document, bad = _load_document(document, name)
    if document is None:
        return bad
    findings: list[dict] = []

    # Document level: reuse the parser's checks with an empty statement list.
    head = {k: v for k, v in document.items() if k != "Statement"}
    head["Statement"] = []
    try:
        parse_policy(head, name, kind=kind)
    except PolicyError as exc:
        findings.append(_finding("document-invalid", "error", str(exc), field=exc.field))
    if "Statement" not in document:
        if not any(f["field"] == "Statement" for f in findings):
            findings.append(
                _finding(
                    "document-invalid",
                    "error",
                    f"policy {name!r}: missing field 'Statement'",
                    field="Statement",
                )
            )
        return findings
    version = document.get("Version")
    if "Version" not in document:
        findings.append(
            _finding(
                "version-missing",
                "warning",
                f"policy {name!r}: no 'Version': the 2008-10-17 policy language applies and "
                '${...} policy variables are literal text; add "Version": "2012-10-17"',
                field="Version",
            )
        )
    limit, ws = SIZE_LIMITS[policy_type]
    size = _size(document, ws) if limit is not None else 0
    if limit is not None and size > limit:
        findings.append(
            _finding(
                "policy-too-large",
                "error",
                f"policy {name!r}: {size} characters"
                + ("" if ws else " (whitespace not counted)")
                + f", over the {limit}-character quota for a {policy_type} policy "
                "(IAM and AWS STS quotas / AWS Organizations quotas)",
            )
        )
    raw = document["Statement"]
    raw_list = [raw] if isinstance(raw, dict) else raw if isinstance(raw, list) else None
    if raw_list is None:
        if not any(f["field"] == "Statement" for f in findings):
            findings.append(
                _finding(
                    "document-invalid",
                    "error",
                    f"policy {name!r}: field 'Statement' must be an object or a list of objects",
                    field="Statement",
                )
            )
        return findings
    if not raw_list:
        findings.append(
            _finding(
                "statement-list-empty",
                "warning",
                f"policy {name!r}: the Statement list is empty (grants nothing)",
                field="Statement",
            )
        )
    seen_sids: dict[str, int] = {}
    vars_on = version == "2012-10-17"
    for i, st in enumerate(raw_list):
        findings.extend(_lint_statement(st, i, name, kind, vars_on, seen_sids))
    return findings


def _lint_statement(
    st: Any, i: int, name: str, kind: str, vars_on: bool, seen_sids: dict
) -> list[dict]:
    out: list[dict] = []
    sid = st.get("Sid") if isinstance(st, dict) else None
    sid_s = sid if isinstance(sid, str) else None
    where = f"policy {name!r} statement #{i}" + (f" (Sid {sid_s!r})" if sid_s is not None else "")

    def add(fid: str, severity: str, problem: str, field: str | None) -> None:
        out.append(_finding(fid, severity, f"{where}: {problem}", i, sid_s, field))

    try:
        _parse_statement(st, i, name, kind)
    except PolicyError as exc:
        if exc.field == "Effect" and exc.problem.startswith("missing field"):
            add("effect-missing", "error", exc.problem, "Effect")
        else:
            add("statement-invalid", "error", exc.problem, exc.field)
    if not isinstance(st, dict):
        return out
    if sid_s is not None:
        if kind == "identity" and not _SID_RE.match(sid_s):
            add(
                "sid-invalid",
                "error",
                f"Sid {sid_s!r} may hold only ASCII letters and digits in an IAM policy",
                "Sid",
            )
        if sid_s in seen_sids and sid_s != "":
            add(
                "sid-duplicate",
                "error",
                f"Sid {sid_s!r} is also used by statement #{seen_sids[sid_s]}; Sids must be "
                "unique within a policy",
                "Sid",
            )
        else:
            seen_sids.setdefault(sid_s, i)
    for fld in ("Action", "NotAction"):
        for a in _strings(st.get(fld)):
            if a != "*" and not _ACTION_RE.match(a):
                add(
                    "action-malformed",
                    "warning",
                    f"{fld} {a!r} is not of the form 'service:Action'",
                    fld,
                )
    for fld in ("Resource", "NotResource"):
        for r in _strings(st.get(fld)):
            if r.count("arn:") >= 2:
                add(
                    "resource-glued-arns",
                    "error",
                    f"{fld} {r!r} holds 'arn:' {r.count('arn:')} times: two ARNs glued together "
                    "(a missing comma between list items?)",
                    fld,
                )
            elif r != "*" and not r.startswith("arn:") and not r.startswith("${"):
                add("resource-not-arn", "warning", f"{fld} {r!r} is neither '*' nor an ARN", fld)
            holes = sorted({p for p in re.split(r"[:/]", r) if p.lower() in PLACEHOLDERS})
            if holes and r.startswith("arn:"):
                add(
                    "policy-placeholder",
                    "warning",
                    f"{fld} {r!r} still holds the AWS doc page's placeholder "
                    f"{', '.join(repr(h) for h in holes)}: replace it with your real value",
                    fld,
                )
            if not vars_on and "${" in r:
                add(
                    "variables-literal",
                    "warning",
                    f"{fld} {r!r} uses ${{...}} but the document is not Version 2012-10-17: it "
                    "is literal text",
                    fld,
                )
    cond = st.get("Condition")
    if isinstance(cond, dict):
        null_keys = {
            k.lower()
            for op, block in cond.items()
            if op == "Null" and isinstance(block, dict)
            for k in block
        }
        for op, block in cond.items():
            if not isinstance(block, dict):
                continue
            for key, vals in block.items():
                out.extend(_lint_condition(op, key, vals, st, vars_on, null_keys, add))
    return out


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def _lint_condition(op, key, vals, st, vars_on, null_keys, add) -> list[dict]:
    parsed = _parse_operator(op)
    if parsed is None:
        add(
            "operator-unknown",
            "error",
            f"condition operator {op!r} is not an IAM operator (names are case-sensitive; "
            "Null takes neither IfExists nor ForAnyValue/ForAllValues)",
            "Condition",
        )
        return []
    base, qualifier, _ = parsed
    items = vals if isinstance(vals, list) else [vals]
    for v in items:
        if isinstance(v, bool):
            text = "true" if v else "false"
        elif isinstance(v, (int, float)):
            text = str(v)
        elif isinstance(v, str):
            text = v
        else:
            continue  # the parser reports non-scalars
        if not vars_on and "${" in text:
            add(
                "variables-literal",
                "warning",
                f"{op} on {key!r}: value {text!r} uses ${{...}} but the document is not "
                "Version 2012-10-17: it is literal text",
                "Condition",
            )
        if text.lower() in PLACEHOLDERS:
            add(
                "policy-placeholder",
                "warning",
                f"{op} on {key!r}: value {text!r} is the AWS doc page's placeholder, not a real "
                "value: replace it (for sagemaker:domain-arn, your domain's ARN)",
                "Condition",
            )
        if vars_on and "${" in text:
            continue  # resolved at request time
        problem = _value_problem(base, text)
        if problem:
            add("condition-value-type", "error", f"{op} on {key!r}: {problem}", "Condition")
        if base.startswith("Arn") and text.count("arn:") >= 2:
            add(
                "resource-glued-arns",
                "error",
                f"{op} on {key!r}: value {text!r} holds 'arn:' twice: two ARNs glued together",
                "Condition",
            )
    if qualifier == "all" and st.get("Effect") == "Allow" and key.lower() not in null_keys:
        add(
            "forallvalues-in-allow",
            "warning",
            f"{op} on {key!r} in an Allow is true when the key is missing or empty, so the "
            f"statement also allows requests without {key!r}; add "
            f'"Null": {{"{key}": "false"}}',
            "Condition",
        )
    return []


def _value_problem(base: str, text: str) -> str | None:
    """Why ``text`` is not a valid value for operator ``base``, or None."""
    if base.startswith(_NUMERIC):
        try:
            float(text.strip())
        except ValueError:
            return f"{text!r} is not a number"
    elif base.startswith(_DATE):
        try:
            _date(text)
        except ValueError:
            return f"{text!r} is not an ISO 8601 date or epoch time"
    elif base in ("IpAddress", "NotIpAddress"):
        try:
            ipaddress.ip_network(text.strip(), strict=False)
        except ValueError:
            return f"{text!r} is not an IPv4/IPv6 address or CIDR"
    elif base in ("Bool", "Null"):
        if text.lower() not in ("true", "false"):
            return f"{text!r} is not 'true' or 'false'"
    elif base == "BinaryEquals":
        try:
            base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            return f"{text!r} is not base64"
    return None


def summarize(findings: list[dict]) -> dict:
    """Count findings by severity: ``{"error": n, "warning": n, "info": n}``."""
    out = dict.fromkeys(SEVERITIES, 0)
    for f in findings:
        out[f["severity"]] = out.get(f["severity"], 0) + 1
    return out


def format_findings(results: list[dict]) -> str:
    """Render lint results as text, one line per finding.

    Args:
        results: ``[{"file", "name", "findings": [...]}]`` (what ``sagemaker-isolation lint
            --format json`` prints under ``files``).

    Returns:
        text ending with a newline: ``FILE: SEVERITY ID [statement #i (Sid 'x')] [field F]:
        message`` lines, ``FILE: no findings`` for a clean file, and a summary line.
    """
    lines = []
    total = dict.fromkeys(SEVERITIES, 0)
    for r in results:
        if not r["findings"]:
            lines.append(f"{r['file']}: no findings")
        for f in r["findings"]:
            total[f["severity"]] += 1
            where = ""
            if f["statement_index"] is not None:
                where = f" statement #{f['statement_index']}"
                if f["sid"] is not None:
                    where += f" (Sid {f['sid']!r})"
            fld = f" field {f['field']}" if f["field"] else ""
            lines.append(f"{r['file']}: {f['severity']} {f['id']}{where}{fld}: {f['message']}")
    lines.append(
        f"{len(results)} file(s): {total['error']} error(s), {total['warning']} warning(s), "
        f"{total['info']} info"
    )
    return "\n".join(lines) + "\n"
