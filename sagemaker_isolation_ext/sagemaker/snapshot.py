"""The Snapshot: plain, versioned JSON of everything a check needs about one domain.

Contract: ARCHITECTURE.md §3. Produced by ``aws/collect.py`` (``source: "live"``), by
:func:`snapshot_from_policy_files` (``cli check --policy-file``, ``source: "policy-files"``) and by
tests (``source: "fixture"``). Pure: no AWS, Jupyter or boto3 imports.

Offline snapshots have no real ARNs: their one role is keyed ``"offline:role"`` with
``arn: null``, and their policies are keyed ``"offline:policy/<name>"`` (identity policies) and
``"offline:boundary/<name>"`` (the permissions boundary), each with ``arn: null``.
"""

from __future__ import annotations

import copy
import json
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from ..iam.jsondepth import JsonTooDeep, check_json_depth
from . import patterns

__all__ = [
    "SCHEMA_VERSION",
    "SOURCES",
    "OFFLINE_ROLE_KEY",
    "SnapshotError",
    "PolicyFileError",
    "load_snapshot",
    "dump_snapshot",
    "snapshot_from_policy_files",
    "read_policy_file",
    "parse_domain_arn",
]

SCHEMA_VERSION = 1
SOURCES = ("live", "policy-files", "fixture")
# "panel": the domain id came from a request of the JupyterLab panel (handlers.py).
CONTEXT_SOURCES = ("studio-metadata", "config", "cli", "panel", "offline")
OFFLINE_ROLE_KEY = "offline:role"
OFFLINE_PREFIX = "offline:"



class SnapshotError(ValueError):
    """A Snapshot (or an input to one) is malformed. The message names the field, e.g.
    ``snapshot field roles['arn:...'].attached_policies[1]: expected a string, got int``.

    Attributes: ``field`` (the dotted path, or None for whole-input problems).
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class PolicyFileError(SnapshotError):
    """A policy file given to ``check --policy-file`` cannot be used (unreadable, not JSON, no
    policy document in it). The message names the file."""


def _tname(value: Any) -> str:
    if value is None:
        return "null"
    return {dict: "object", list: "array", str: "string", bool: "boolean", int: "integer",
            float: "number"}.get(type(value), type(value).__name__)


def _fail(field: str, problem: str) -> SnapshotError:
    return SnapshotError(f"snapshot field {field}: {problem}", field)


def _expect(value: Any, types: tuple, field: str, nullable: bool = False) -> Any:
    if value is None and nullable:
        return None
    # bool is an int subclass: never accept it where a string/int is wanted.
    if isinstance(value, bool) and bool not in types:
        raise _fail(field, f"expected {'/'.join(_tname(t()) for t in types)}, got boolean")
    if not isinstance(value, types):
        want = "/".join(_tname(t()) for t in types) + (" or null" if nullable else "")
        raise _fail(field, f"expected {want}, got {_tname(value)}")
    return value


def _require(obj: dict, key: str, path: str) -> Any:
    if key not in obj:
        raise _fail(f"{path}{key}" if path else key, "missing")
    return obj[key]


def parse_domain_arn(domain_arn: Any) -> dict:
    """Split a SageMaker domain ARN.

    Returns:
        ``{"partition", "region", "account_id", "domain_id"}``.

    Raises:
        SnapshotError: not ``arn:<partition>:sagemaker:<region>:<12-digit account>:domain/d-...``.
    """
    m = patterns.DOMAIN_ARN_RE.fullmatch(domain_arn) if isinstance(domain_arn, str) else None
    if not m:
        raise SnapshotError(
            f"{domain_arn!r} is not a SageMaker domain ARN (expected "
            "arn:aws:sagemaker:<region>:<12-digit account>:domain/d-<id>)",
            "domain.arn",
        )
    return {
        "partition": m["partition"],
        "region": m["region"],
        "account_id": m["account"],
        "domain_id": m["domain_id"],
    }


def _validate_document(doc: Any, field: str) -> None:
    _expect(doc, (dict,), field)
    if "Statement" not in doc:
        raise _fail(field, "policy document has no 'Statement'")


def _arn_keyed(s: dict, name: str, what: str) -> dict:
    """``s[name]``, an object keyed by ``what`` ARNs (strings)."""
    table = _expect(_require(s, name, ""), (dict,), name)
    for key in table:
        if not isinstance(key, str):
            raise _fail(name, f"keys are {what} ARNs (strings), got {_tname(key)} {key!r}")
    return table


def _check_arn_is_key(entry: dict, key: str, path: str) -> None:
    """An entry's ``arn`` is its key (an offline entry's may be None or any string)."""
    if key.startswith(OFFLINE_PREFIX):
        _expect(entry["arn"], (str,), path + ".arn", nullable=True)
    elif entry["arn"] != key:
        raise _fail(path + ".arn", f"{entry['arn']!r} differs from its key")


def _validate_roles(s: dict) -> None:
    """Check ``s["roles"]`` and fill its optional fields (in place)."""
    roles = _arn_keyed(s, "roles", "role")
    for key, role in roles.items():
        path = f"roles[{key!r}]"
        _expect(role, (dict,), path)
        arn = role.get("arn", None) if key.startswith(OFFLINE_PREFIX) else _require(
            role, "arn", path + ".")
        role.setdefault("arn", arn)
        _check_arn_is_key(role, key, path)
        _expect(_require(role, "name", path + "."), (str,), path + ".name")
        role.setdefault("attached_policies", [])
        for j, parn in enumerate(_expect(role["attached_policies"], (list,),
                                         path + ".attached_policies")):
            _expect(parn, (str,), f"{path}.attached_policies[{j}]")
        role.setdefault("inline_policies", [])
        for j, ip in enumerate(_expect(role["inline_policies"], (list,),
                                       path + ".inline_policies")):
            ipath = f"{path}.inline_policies[{j}]"
            _expect(ip, (dict,), ipath)
            _expect(_require(ip, "name", ipath + "."), (str,), ipath + ".name")
            _validate_document(_require(ip, "document", ipath + "."), ipath + ".document")
        role.setdefault("permissions_boundary", None)
        _expect(role["permissions_boundary"], (str,), path + ".permissions_boundary",
                nullable=True)
        role.setdefault("complete", True)
        _expect(role["complete"], (bool,), path + ".complete")


def _validate_policies(s: dict) -> None:
    """Check ``s["policies"]`` and fill its optional fields (in place)."""
    policies = _arn_keyed(s, "policies", "policy")
    for key, pol in policies.items():
        path = f"policies[{key!r}]"
        _expect(pol, (dict,), path)
        pol.setdefault("arn", None if key.startswith(OFFLINE_PREFIX) else key)
        _check_arn_is_key(pol, key, path)
        _expect(_require(pol, "name", path + "."), (str,), path + ".name")
        pol.setdefault("version_id", None)
        _expect(pol["version_id"], (str,), path + ".version_id", nullable=True)
        _validate_document(_require(pol, "document", path + "."), path + ".document")


def _validate(snap: Any) -> dict:
    """Check the shape and fill optional fields; returns a deep copy."""
    if not isinstance(snap, dict):
        raise SnapshotError(f"a snapshot is a JSON object, got {_tname(snap)}")
    s = copy.deepcopy(snap)
    version = _require(s, "schema_version", "")
    if isinstance(version, bool) or not isinstance(version, int):
        raise _fail("schema_version", f"expected integer, got {_tname(version)}")
    if version != SCHEMA_VERSION:
        raise _fail("schema_version",
                    f"unsupported version {version} (this tool reads {SCHEMA_VERSION})")
    source = _require(s, "source", "")
    if source not in SOURCES:
        raise _fail("source", f"expected one of {', '.join(SOURCES)}, got {source!r}")
    s.setdefault("collected_at", None)
    _expect(s["collected_at"], (str,), "collected_at", nullable=True)

    domain = _expect(_require(s, "domain", ""), (dict,), "domain")
    _expect(_require(domain, "id", "domain."), (str,), "domain.id")
    _expect(_require(domain, "arn", "domain."), (str,), "domain.arn")
    for key in ("name", "default_user_execution_role", "default_space_execution_role",
                "studio_web_portal", "default_landing_uri"):
        domain.setdefault(key, None)
        _expect(domain[key], (str,), f"domain.{key}", nullable=True)
    parsed = None
    try:
        parsed = parse_domain_arn(domain["arn"])
    except SnapshotError:
        parsed = None
    if parsed and parsed["domain_id"] != domain["id"]:
        raise _fail("domain.id", f"{domain['id']!r} differs from the id in domain.arn "
                                 f"({parsed['domain_id']!r})")
    s.setdefault("partition", parsed["partition"] if parsed else "aws")
    s.setdefault("region", parsed["region"] if parsed else None)
    s.setdefault("account_id", parsed["account_id"] if parsed else None)
    _expect(s["partition"], (str,), "partition")
    _expect(s["region"], (str,), "region", nullable=True)
    _expect(s["account_id"], (str,), "account_id", nullable=True)

    s.setdefault("context", {"source": "offline" if source == "policy-files" else "cli",
                             "detail": ""})
    ctx = _expect(s["context"], (dict,), "context")
    ctx.setdefault("source", "cli")
    ctx.setdefault("detail", "")
    if ctx["source"] not in CONTEXT_SOURCES:
        raise _fail("context.source",
                    f"expected one of {', '.join(CONTEXT_SOURCES)}, got {ctx['source']!r}")
    _expect(ctx["detail"], (str,), "context.detail")

    s.setdefault("user_profiles", [])
    profiles = _expect(s["user_profiles"], (list,), "user_profiles")
    for i, p in enumerate(profiles):
        path = f"user_profiles[{i}]"
        _expect(p, (dict,), path)
        _expect(_require(p, "name", path + "."), (str,), path + ".name")
        p.setdefault("execution_role", None)
        _expect(p["execution_role"], (str,), path + ".execution_role", nullable=True)
        if "complete" in p:
            _expect(p["complete"], (bool,), path + ".complete")

    _validate_roles(s)
    _validate_policies(s)

    s.setdefault("errors", [])
    for i, e in enumerate(_expect(s["errors"], (list,), "errors")):
        path = f"errors[{i}]"
        _expect(e, (dict,), path)
        _expect(_require(e, "operation", path + "."), (str,), path + ".operation")
        e.setdefault("target", None)
        _expect(e["target"], (str,), path + ".target", nullable=True)
        _expect(_require(e, "code", path + "."), (str,), path + ".code")
        e.setdefault("message", "")
        _expect(e["message"], (str,), path + ".message")
    try:  # plain JSON only: no sets, datetimes, NaN or infinities anywhere
        json.dumps(s, allow_nan=False, sort_keys=True)
    except (TypeError, ValueError) as e:
        raise SnapshotError(f"snapshot is not JSON-serialisable: {e}") from None
    return s


def load_snapshot(obj: Any) -> dict:
    """Validate a Snapshot and return a normalised deep copy.

    Args:
        obj: a dict; a JSON string (starting with ``{``); or a path (``str`` / ``os.PathLike``)
            to a JSON file.

    Returns:
        The Snapshot dict with optional fields filled (``user_profiles: []``, ``errors: []``,
        ``complete: true``, ``permissions_boundary: null``, ...; ``partition``/``region``/
        ``account_id`` from the domain ARN when absent).

    Raises:
        SnapshotError: unreadable file, invalid JSON, JSON nested more than 64 levels ("nested
            too deeply", checked before parsing), wrong shape (the message names the field),
            unsupported ``schema_version``.
    """
    if isinstance(obj, (bytes, bytearray)):
        obj = obj.decode("utf-8", errors="replace")
    if isinstance(obj, str) and obj.lstrip().startswith("{"):
        try:
            check_json_depth(obj, what="the snapshot")
        except JsonTooDeep as e:
            raise SnapshotError(str(e)) from None
        try:
            obj = json.loads(obj)
        except json.JSONDecodeError as e:
            raise SnapshotError(
                f"snapshot is not valid JSON: {e.msg} at line {e.lineno} column {e.colno}"
            ) from None
    elif isinstance(obj, (str, os.PathLike)):
        path = Path(obj)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as e:
            raise SnapshotError(f"cannot read snapshot {path}: {e.strerror or e}") from None
        try:
            check_json_depth(text, what=f"snapshot {path}")
        except JsonTooDeep as e:
            raise SnapshotError(str(e)) from None
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as e:
            raise SnapshotError(
                f"snapshot {path} is not valid JSON: {e.msg} at line {e.lineno} column {e.colno}"
            ) from None
    return _validate(obj)


def dump_snapshot(snap: dict) -> str:
    """Validate and serialise a Snapshot: indented, sorted keys, trailing newline.

    Raises:
        SnapshotError: as :func:`load_snapshot`.
    """
    return json.dumps(_validate(snap), indent=2, sort_keys=True) + "\n"


def snapshot_from_policy_files(
    domain_arn: str,
    policy_files: list[tuple[str, dict]],
    boundary: tuple[str, dict] | None = None,
) -> dict:
    """The offline Snapshot for ``check --domain-arn ARN --policy-file F...``.

    One synthetic role (key ``"offline:role"``, ``arn: null``, name ``"policy-files"``) with each
    document attached as an identity policy (key ``"offline:policy/<name>"``) and the optional
    permissions boundary (key ``"offline:boundary/<name>"``). No user profiles, no default
    roles; the analysis reports the role as used by ``["policy-files"]``.

    Args:
        domain_arn: ``arn:aws:sagemaker:<region>:<account>:domain/d-...``.
        policy_files: ``[(name, document), ...]`` (at least one; names distinct), e.g. from
            :func:`read_policy_file`.
        boundary: ``(name, document)`` or None.

    Returns:
        A validated Snapshot dict, ``source: "policy-files"``.

    Raises:
        SnapshotError: bad domain ARN, no policies, duplicate names, a document that is not a
            policy object.
    """
    arn = parse_domain_arn(domain_arn)
    if not policy_files:
        raise SnapshotError("at least one policy file is needed (--policy-file)", "policy_files")
    policies: dict[str, dict] = {}
    attached: list[str] = []
    names: list[str] = []
    for i, item in enumerate(policy_files):
        if not (isinstance(item, (tuple, list)) and len(item) == 2):
            raise SnapshotError(f"policy_files[{i}] must be a (name, document) pair",
                                f"policy_files[{i}]")
        name, doc = item
        if not isinstance(name, str) or not name:
            raise SnapshotError(f"policy_files[{i}]: the name must be a non-empty string",
                                f"policy_files[{i}]")
        if name in names:
            raise SnapshotError(
                f"two policies are named {name!r}: give each --policy-file a distinct name",
                f"policy_files[{i}]",
            )
        names.append(name)
        key = f"{OFFLINE_PREFIX}policy/{name}"
        attached.append(key)
        policies[key] = {"arn": None, "name": name, "version_id": None, "document": doc}
    boundary_key = None
    if boundary is not None:
        if not (isinstance(boundary, (tuple, list)) and len(boundary) == 2):
            raise SnapshotError("boundary must be a (name, document) pair", "boundary")
        bname, bdoc = boundary
        if not isinstance(bname, str) or not bname:
            raise SnapshotError("boundary: the name must be a non-empty string", "boundary")
        boundary_key = f"{OFFLINE_PREFIX}boundary/{bname}"
        policies[boundary_key] = {"arn": None, "name": bname, "version_id": None,
                                  "document": bdoc}
    detail = "policy files: " + ", ".join(names)
    if boundary is not None:
        detail += f"; permissions boundary: {boundary[0]}"
    snap = {
        "schema_version": SCHEMA_VERSION,
        "source": "policy-files",
        "collected_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "partition": arn["partition"],
        "region": arn["region"],
        "account_id": arn["account_id"],
        "context": {"source": "offline", "detail": detail},
        "domain": {
            "id": arn["domain_id"],
            "arn": domain_arn,
            "name": None,
            "default_user_execution_role": None,
            "default_space_execution_role": None,
            "studio_web_portal": None,
            "default_landing_uri": None,
        },
        "user_profiles": [],
        "roles": {
            OFFLINE_ROLE_KEY: {
                "arn": None,
                "name": "policy-files",
                "attached_policies": attached,
                "inline_policies": [],
                "permissions_boundary": boundary_key,
                "complete": True,
            }
        },
        "policies": policies,
        "errors": [],
    }
    return _validate(snap)


def _document_from(value: Any, where: str) -> dict:
    """A policy document from a dict or a (URL-encoded) JSON string."""
    if isinstance(value, str):
        text = value
        # plain JSON first: URL-encoded JSON never parses as JSON
        for candidate in (text, unquote(text)):
            try:
                check_json_depth(candidate, what=f"{where}: the document")
            except JsonTooDeep as e:
                raise PolicyFileError(str(e)) from None
            try:
                value = json.loads(candidate)
                break
            except json.JSONDecodeError:
                continue
        else:
            raise PolicyFileError(f"{where}: the document is a string that is not JSON "
                                  "(nor URL-encoded JSON)")
    if not isinstance(value, dict):
        raise PolicyFileError(f"{where}: the document is a JSON {_tname(value)}, expected an "
                              "object")
    if "Statement" not in value:
        raise PolicyFileError(f"{where}: the policy document has no 'Statement'")
    return value


#: Largest policy file ``read_policy_file`` accepts (bytes). IAM's own limits are far below it
#: (IAM User Guide, "IAM and AWS STS quotas": 6,144 characters for a customer managed policy,
#: 10,240 for a role's inline policies together); AWS managed policies are larger but still tens
#: of KiB. A bigger file is not a policy, and analysing it would take minutes.
MAX_POLICY_FILE_BYTES = 1024 * 1024


def read_policy_file(path: str | os.PathLike, name: str | None = None) -> tuple[str, dict]:
    """Read one ``--policy-file``.

    Accepted shapes (JSON):

    - a bare policy document ``{"Version", "Statement"}``;
    - ``aws iam get-policy-version`` output ``{"PolicyVersion": {"Document": ...}}`` (the
      document may be a URL-encoded JSON string, as the IAM API returns it);
    - ``{"name": "...", "document": ...}``;
    - ``aws iam get-role-policy`` output ``{"PolicyName", "PolicyDocument"}``.

    Args:
        path: the file.
        name: the policy name to use; default: the name inside the file (``name`` /
            ``PolicyName``) if any, else the file stem.

    Returns:
        ``(name, document)``.

    Raises:
        PolicyFileError: unreadable file, larger than ``MAX_POLICY_FILE_BYTES``, nested more
            than 64 levels ("nested too deeply", checked before parsing), invalid JSON, no policy
            document found.
    """
    p = Path(path)
    try:
        with p.open("rb") as fh:
            raw = fh.read(MAX_POLICY_FILE_BYTES + 1)
        if len(raw) > MAX_POLICY_FILE_BYTES:
            raise PolicyFileError(
                f"policy file {p} is larger than {MAX_POLICY_FILE_BYTES // 1024} KiB; IAM policy "
                "documents are at most a few KiB (IAM quotas: 6,144 characters for a customer "
                "managed policy), so this is not one policy"
            )
        text = raw.decode("utf-8")
    except OSError as e:
        raise PolicyFileError(f"cannot read policy file {p}: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise PolicyFileError(f"policy file {p} is not UTF-8 text") from None
    try:
        check_json_depth(text, what=f"policy file {p}")
    except JsonTooDeep as e:
        raise PolicyFileError(str(e)) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise PolicyFileError(
            f"policy file {p} is not valid JSON: {e.msg} at line {e.lineno} column {e.colno}"
        ) from None
    where = f"policy file {p}"
    if not isinstance(data, dict):
        raise PolicyFileError(f"{where} holds a JSON {_tname(data)}, expected an object")
    inner_name = None
    if "PolicyVersion" in data:
        pv = data["PolicyVersion"]
        if not isinstance(pv, dict) or "Document" not in pv:
            raise PolicyFileError(f"{where}: 'PolicyVersion' has no 'Document'")
        doc = _document_from(pv["Document"], where)
    elif "document" in data:
        doc = _document_from(data["document"], where)
        inner_name = data.get("name")
    elif "PolicyDocument" in data:
        doc = _document_from(data["PolicyDocument"], where)
        inner_name = data.get("PolicyName")
    elif "Statement" in data:
        doc = data
    else:
        raise PolicyFileError(
            f"{where}: no policy document found (expected a document with 'Statement', "
            "get-policy-version output with 'PolicyVersion.Document', or {\"name\", \"document\"})"
        )
    if name is None:
        name = inner_name if isinstance(inner_name, str) and inner_name else p.stem
    return name, doc
