"""IAM policy simulator requests and copyable ``aws iam`` commands for a report's witnesses.

A *witness* (issue #11) is the one request that proves a ``cross_domain`` entry::

    {"principal": "arn:aws:iam::111122223333:role/R", "action": "sagemaker:DeleteEndpoint",
     "resource": "arn:aws:sagemaker:us-east-1:111122223333:endpoint/prod-a",
     "context": {"aws:ResourceTag/sagemaker:domain-arn": "arn:...:domain/d-other", ...},
     "conditional_on": []}

IAM's policy simulator answers exactly that question (IAM API reference,
``SimulatePrincipalPolicy`` and ``SimulateCustomPolicy``): action names, resource ARNs and context
entries ``{ContextKeyName, ContextKeyValues, ContextKeyType}``. The simulator has no resource tags
of its own: a resource's tags are given as ``aws:ResourceTag/<key>`` context entries (IAM User
Guide, "Testing IAM policies with the IAM policy simulator": "...you can specify ... the value of
the tag as a context key"), which is what a witness's ``context`` already holds.

Pure: no boto3/botocore import (the parameter names and the ``ContextKeyType`` enum are checked
against botocore's ``iam`` service model in tests/test_simulator_commands.py).
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Iterable

__all__ = [
    "CONTEXT_KEY_TYPES",
    "context_key_type",
    "context_entries",
    "principal_policy_request",
    "custom_policy_request",
    "aws_cli_command",
    "principal_policy_command",
    "custom_policy_command",
    "policy_file_name",
    "offline_policy_files",
    "add_simulator_commands",
]

#: ``ContextKeyType`` values the IAM API accepts (IAM API reference, ``ContextEntry``).
CONTEXT_KEY_TYPES = (
    "string", "stringList", "numeric", "numericList", "boolean", "booleanList",
    "ip", "ipList", "binary", "binaryList", "date", "dateList",
)

# Global condition keys whose type is not "string" (IAM User Guide, "AWS global condition context
# keys": each key's "Data type"). Lower-cased names.
_GLOBAL_KEY_TYPES = {
    "aws:sourceip": "ip",
    "aws:vpcsourceip": "ip",
    "aws:currenttime": "date",
    "aws:tokenissuetime": "date",
    "aws:epochtime": "numeric",
    "aws:multifactorauthage": "numeric",
    "aws:securetransport": "boolean",
    "aws:multifactorauthpresent": "boolean",
    "aws:viaawsservice": "boolean",
    "aws:principalisawsservice": "boolean",
    "aws:tagkeys": "stringList",
    "aws:calledvia": "stringList",
    "aws:principalservicenameslist": "stringList",
    "aws:principalorgpaths": "stringList",
    "sagemaker:vpcsecuritygroupids": "stringList",
    "sagemaker:vpcsubnets": "stringList",
    "sagemaker:instancetypes": "stringList",
}


def context_key_type(key: str, value) -> str:
    """The ``ContextKeyType`` IAM's simulator wants for ``key`` carrying ``value``.

    Args:
        key: condition key name (``aws:SourceIp``, ``aws:ResourceTag/sagemaker:domain-arn``...).
        value: the witness's value: str, bool, int/float, or a list of those.

    Returns:
        One of :data:`CONTEXT_KEY_TYPES`: the key's documented type when it is a known global
        key (list types for a list value), else from the value (bool -> ``boolean``, number ->
        ``numeric``, list -> the ``...List`` type of its members, otherwise ``string``).
    """
    known = _GLOBAL_KEY_TYPES.get(key.lower())
    if isinstance(value, (list, tuple)):
        if known:
            return known if known.endswith("List") else known + "List"
        members = {context_key_type(key, v) for v in value}
        base = members.pop() if len(members) == 1 else "string"
        return base + "List"
    if known and not known.endswith("List"):
        return known
    if known:  # a list-typed key given one value
        return known
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "numeric"
    return "string"


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def context_entries(context: dict) -> list[dict]:
    """The ``ContextEntries`` of a witness's ``context``, in key order.

    Args:
        context: ``{key: value}`` (value str, bool, number or list); ``None`` values are skipped
            (an absent key is absent from the request).

    Returns:
        ``[{"ContextKeyName": str, "ContextKeyValues": [str, ...], "ContextKeyType": str}]``.
    """
    out = []
    for key, value in (context or {}).items():
        if value is None:
            continue
        values = list(value) if isinstance(value, (list, tuple)) else [value]
        out.append(
            {
                "ContextKeyName": key,
                "ContextKeyValues": [_text(v) for v in values],
                "ContextKeyType": context_key_type(key, value),
            }
        )
    return out


def _common(witness: dict) -> dict:
    params: dict = {"ActionNames": [witness["action"]]}
    resource = witness.get("resource")
    if resource and resource != "*":
        params["ResourceArns"] = [resource]
    entries = context_entries(witness.get("context") or {})
    if entries:
        params["ContextEntries"] = entries
    return params


def principal_policy_request(witness: dict, policy_source_arn: str | None = None) -> dict:
    """The ``iam:SimulatePrincipalPolicy`` parameters (boto3 names) for a live witness.

    Args:
        witness: the witness dict (``principal``, ``action``, ``resource``, ``context``).
        policy_source_arn: the role ARN to simulate; default the witness's ``principal``.

    Returns:
        ``{"PolicySourceArn", "ActionNames": [action], "ResourceArns": [resource]?,
        "ContextEntries": [...]?}``; ``ResourceArns`` is left out for ``*`` (the simulator's
        default).
    """
    return {"PolicySourceArn": policy_source_arn or witness["principal"], **_common(witness)}


def custom_policy_request(
    witness: dict, identity_documents: Iterable, boundary_documents: Iterable = ()
) -> dict:
    """The ``iam:SimulateCustomPolicy`` parameters for a witness on given documents.

    Args:
        witness: the witness dict.
        identity_documents: the role's identity policy documents (dicts or JSON strings).
        boundary_documents: its permissions boundary document(s), if any.

    Returns:
        ``{"PolicyInputList": [json str, ...], "PermissionsBoundaryPolicyInputList"?: [...],
        "ActionNames", "ResourceArns"?, "ContextEntries"?}``.
    """

    def as_text(doc) -> str:
        return doc if isinstance(doc, str) else json.dumps(doc, separators=(",", ":"))

    params: dict = {"PolicyInputList": [as_text(d) for d in identity_documents]}
    bounds = [as_text(d) for d in boundary_documents]
    if bounds:
        params["PermissionsBoundaryPolicyInputList"] = bounds
    params.update(_common(witness))
    return params


# boto3 parameter -> AWS CLI option (the CLI's kebab-case of the member name).
_CLI_OPTION = {
    "PolicySourceArn": "--policy-source-arn",
    "PolicyInputList": "--policy-input-list",
    "PermissionsBoundaryPolicyInputList": "--permissions-boundary-policy-input-list",
    "ActionNames": "--action-names",
    "ResourceArns": "--resource-arns",
    "ContextEntries": "--context-entries",
}
_CLI_OPERATION = {
    "SimulatePrincipalPolicy": "simulate-principal-policy",
    "SimulateCustomPolicy": "simulate-custom-policy",
}


def aws_cli_command(operation: str, params: dict) -> str:
    """One shell-quoted ``aws iam ...`` command line for ``params``.

    List-of-string options get one argument per item; ``--context-entries`` gets one JSON array
    (the AWS CLI parses an argument starting with ``[`` as JSON). A ``PolicyInputList`` item that
    starts with ``file://`` is passed as is (the CLI reads the file).

    Args:
        operation: ``"SimulatePrincipalPolicy"`` or ``"SimulateCustomPolicy"``.
        params: boto3 parameters from :func:`principal_policy_request` /
            :func:`custom_policy_request`.

    Returns:
        The command (one line, POSIX shell quoting).

    Raises:
        KeyError: an unknown operation or parameter.
    """
    parts = ["aws", "iam", _CLI_OPERATION[operation]]
    for name, value in params.items():
        parts.append(_CLI_OPTION[name])
        if name == "ContextEntries":
            parts.append(json.dumps(value, separators=(",", ":")))
        elif isinstance(value, list):
            parts.extend(str(v) for v in value)
        else:
            parts.append(str(value))
    return " ".join(shlex.quote(p) for p in parts)


def principal_policy_command(witness: dict) -> str:
    """The ``aws iam simulate-principal-policy`` command for a live witness (see
    :func:`principal_policy_request`)."""
    return aws_cli_command("SimulatePrincipalPolicy", principal_policy_request(witness))


def policy_file_name(name: str) -> str:
    """The file name an offline command reads a policy from: ``<name>.json`` with characters
    other than letters, digits, ``._-+=@,`` replaced by ``_`` (IAM policy names use those)."""
    safe = "".join(c if c.isalnum() or c in "._-+=@," else "_" for c in name) or "policy"
    return f"{safe}.json"


def custom_policy_command(witness: dict, identity_files: list[str], boundary_files=()) -> str:
    """The ``aws iam simulate-custom-policy`` command for an offline witness.

    The documents are read from files (``file://<name>.json``, see :func:`policy_file_name`):
    a whole managed policy inline would make every command several KiB long.

    Args:
        witness: the witness dict.
        identity_files: file names of the identity policy documents (bare documents).
        boundary_files: file names of the permissions boundary document(s).

    Returns:
        The command line.
    """
    params = custom_policy_request(
        witness, [f"file://{f}" for f in identity_files], [f"file://{f}" for f in boundary_files]
    )
    return aws_cli_command("SimulateCustomPolicy", params)


def offline_policy_files(snapshot: dict) -> dict[str | None, dict]:
    """Per role ARN (``None`` for the offline role), the policy files its commands read.

    Args:
        snapshot: the Snapshot (docs/ARCHITECTURE.md §3).

    Returns:
        ``{role arn | None: {"identity": [{"file", "policy"}], "boundary": [{"file",
        "policy"}]}}``; inline policies are named ``<role name>.<policy name>``.
    """
    policies = snapshot.get("policies") or {}
    out: dict[str | None, dict] = {}
    for key, role in (snapshot.get("roles") or {}).items():
        if not isinstance(role, dict):
            continue
        ident = []
        for parn in role.get("attached_policies") or ():
            name = (policies.get(parn) or {}).get("name") or str(parn).rsplit("/", 1)[-1]
            ident.append({"file": policy_file_name(name), "policy": name})
        for inline in role.get("inline_policies") or ():
            name = f"{role.get('name') or 'role'}.{(inline or {}).get('name') or 'inline'}"
            ident.append({"file": policy_file_name(name), "policy": name})
        bound = []
        if role.get("permissions_boundary"):
            parn = role["permissions_boundary"]
            name = (policies.get(parn) or {}).get("name") or str(parn).rsplit("/", 1)[-1]
            bound.append({"file": policy_file_name(name), "policy": name})
        out[role.get("arn")] = {"identity": ident, "boundary": bound}
    return out


def _witnesses(report: dict):
    for role in report.get("roles") or ():
        for entry in role.get("cross_domain") or ():
            w = entry.get("witness") if isinstance(entry, dict) else None
            if isinstance(w, dict) and w.get("action"):
                yield role, entry, w


def add_simulator_commands(report: dict, snapshot: dict | None = None) -> int:
    """Give every witness of ``report`` its ``simulator_command`` (in place).

    Live reports (``context.source`` not ``"offline"`` and the role has an ARN) get
    ``aws iam simulate-principal-policy`` on the role; offline reports (source
    ``"policy-files"``, role ``arn: null``) get ``aws iam simulate-custom-policy`` reading the
    role's documents from files named by :func:`offline_policy_files` (needs ``snapshot``; the
    files are listed in ``report["aws_confirmation"]["policy_files"]``, created if absent).

    Args:
        report: the report dict (docs/ARCHITECTURE.md §7); entries without a ``witness`` are
            left alone.
        snapshot: the Snapshot the report was made from (for offline file names), or None.

    Returns:
        How many witnesses got a command.
    """
    files = offline_policy_files(snapshot) if snapshot else {}
    n = 0
    used_files: dict[str, dict] = {}
    for role, _entry, w in _witnesses(report):
        arn = role.get("arn")
        if arn:
            w["simulator_command"] = principal_policy_command(w)
        else:
            f = files.get(None) or {"identity": [], "boundary": []}
            if not f["identity"]:
                continue
            w["simulator_command"] = custom_policy_command(
                w, [x["file"] for x in f["identity"]], [x["file"] for x in f["boundary"]]
            )
            for kind in ("identity", "boundary"):
                for x in f[kind]:
                    used_files.setdefault(x["file"], {**x, "kind": kind})
        n += 1
    if used_files:
        conf = report.setdefault("aws_confirmation", {})
        conf["policy_files"] = list(used_files.values())
    return n


#: Report-level notes for a report whose witnesses were not sent to AWS (``status`` -> words).
UNCONFIRMED_NOTES = {
    "offline": (
        "Offline check: nothing was sent to AWS. To get AWS's own answer, run each witness's "
        "`aws iam simulate-custom-policy` command with the policy documents saved as the files "
        "it names (bare documents)."
    ),
    "off": (
        "AWS confirmation is off (--no-aws-confirm, or the server's aws_confirm = False). Each "
        "witness shows the `aws iam simulate-principal-policy` command that asks AWS."
    ),
    "not-live": (
        "This report was made from a saved snapshot: nothing was sent to AWS. Each witness shows "
        "the simulator command that asks AWS."
    ),
    # Nothing to confirm (an isolated report): no note, so no screen shows an empty section.
    "no-witnesses": "",
}


def mark_unconfirmed(
    report: dict, snapshot: dict | None, status: str | None = None, note: str | None = None
):
    """Add the simulator commands and a report-level ``aws_confirmation`` saying why AWS was not
    asked (no AWS call; used for offline, saved-snapshot and switched-off checks).

    Args:
        report: the report dict (changed in place).
        snapshot: its Snapshot (offline file names), or None.
        status: ``"offline"``, ``"off"``, ``"not-live"``, ``"no-witnesses"`` (or another status
            with an explicit ``note``); None: ``"offline"`` for a ``policy-files`` snapshot,
            else ``"not-live"``.
        note: the sentence to show; default :data:`UNCONFIRMED_NOTES` [status].

    Returns:
        The ``aws_confirmation`` dict (also stored in the report).
    """
    if status is None:
        status = "offline" if (snapshot or {}).get("source") == "policy-files" else "not-live"
    n = add_simulator_commands(report, snapshot)
    conf = report.setdefault("aws_confirmation", {})
    if n == 0:
        status = "no-witnesses"
    conf.update(
        {
            "status": status,
            "note": note or UNCONFIRMED_NOTES.get(status, ""),
            "calls": 0,
            "confirmed": 0,
            "disagreed": 0,
            "not_checked": n,
            "witnesses": n,
        }
    )
    return conf


#: Short words for a disagreement cause (``witness.aws.cause``), for badges.
CAUSE_LABELS = {
    "scp-or-boundary": "an SCP or permissions boundary we did not see",
    "missing-context": "a context key we could not give",
    "policies-changed": "the policies changed since the snapshot",
    "other": "unexplained: please report this as a bug",
}


def aws_badge(witness: dict) -> str | None:
    """The one-line AWS answer for a witness: ``"confirmed by AWS"``, ``"AWS disagrees:
    <cause in words>"``, ``"AWS could not check: <error>"``, or None when AWS was not asked."""
    aws = witness.get("aws")
    if not isinstance(aws, dict):
        return None
    if aws.get("decision") is None:
        return f"AWS could not check: {aws.get('error') or 'no answer'}"
    if aws.get("agrees"):
        return "confirmed by AWS"
    cause = aws.get("cause") or "other"
    return f"AWS disagrees ({aws.get('decision')}): {CAUSE_LABELS.get(cause, cause)}"


def witness_request_lines(witness: dict) -> list[str]:
    """The witness request in two lines: ``"<principal> -> <action> on <resource>"`` and
    ``"context: k=v, k=v"`` (the second left out when there is no context); plus
    ``"unknown to the analysis: ..."`` when ``conditional_on`` is not empty."""
    lines = [
        f"{witness.get('principal')} -> {witness.get('action')} on {witness.get('resource')}"
    ]
    ctx = witness.get("context") or {}
    if ctx:
        lines.append("context: " + ", ".join(f"{k}={v}" for k, v in ctx.items()))
    if witness.get("conditional_on"):
        lines.append("unknown to the analysis: " + ", ".join(witness["conditional_on"]))
    return lines
