"""Apply a tag backfill plan (``sagemaker/tags.py``) and roll it back, with a change record.

AWS facts used (Resource Groups Tagging API reference, TagResources / UntagResources /
GetResources): ``TagResources`` takes 1..20 ARNs and a tag map; failures of single resources come
back in ``FailedResourcesMap`` (``StatusCode``, ``ErrorCode``, ``ErrorMessage``) while the call
succeeds; a resource has at most 50 tags; ``GetResources`` with ``ResourceARNList`` (1..100 ARNs)
reads current tags. The AWS doc "Multiple domains overview" backfills the domain tag with exactly
``tag-resources`` calls.

Safety rules (each one keeps rollback exact and keeps a guess from being applied silently):

- only plan items with ``selected: true`` are applied; the default is a dry run;
- current tags are read first: a key already present with the same value is not re-added (and
  so not removed by rollback); a key present with **another** value is a ``conflict`` and the
  resource is skipped (never overwritten: rollback could not restore the old value);
- a resource whose tags would exceed 50 is skipped (``tag-limit``);
- throttling (``ThrottlingException`` and friends, or a ``FailedResourcesMap`` entry with that
  code or a 5xx status) is retried with exponential backoff, ``max_retries`` times;
- the change record (``audit.AuditStore``, kind ``tag-backfill``) is written before the first
  call and after every batch, so a crash leaves what was really added;
- rollback removes exactly the recorded added keys, and only where the value is still the one
  added (``changed-since`` otherwise).

Studio resources (user profiles, spaces, apps) the tagging API does not return are read with
SageMaker ``ListTags`` (see ``aws/tag_scan.py``).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import getpass
import time
from collections.abc import Callable
from typing import Any

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    NoCredentialsError,
    PartialCredentialsError,
)
from botocore.parsers import ResponseParserError

from sagemaker_isolation_ext.audit import AuditError, AuditStore
from sagemaker_isolation_ext.aws.errors import AwsUnreachable
from sagemaker_isolation_ext.aws.session import client, make_session
from sagemaker_isolation_ext.aws.target import AwsContext
from sagemaker_isolation_ext.sagemaker.tags import (
    MAX_TAGS_PER_RESOURCE,
    TAG_RESOURCES_BATCH,
    load_plan,
    parse_sagemaker_arn,
    plan_items_selected,
    resource_type_of,
)

__all__ = ["BackfillError", "apply_plan", "rollback_change", "THROTTLING_CODES"]

THROTTLING_CODES = frozenset({
    "Throttling", "ThrottlingException", "ThrottledException", "TooManyRequestsException",
    "RequestLimitExceeded", "RequestThrottled", "RequestThrottledException", "SlowDown",
})
_CALL_ERRORS = (ClientError, BotoCoreError, ResponseParserError)
_READ_BATCH = 100
_STUDIO = {"user-profile", "space", "app"}


class BackfillError(RuntimeError):
    """The backfill or rollback cannot start: ``message``, ``reason`` (``bad-plan``,
    ``already-rolled-back``, ``not-a-tag-change``, ``audit``, ``read-failed``)."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.message, self.reason = message, reason


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _code(exc: Exception) -> str:
    if isinstance(exc, ClientError):
        return str((exc.response.get("Error") or {}).get("Code") or "ClientError")
    return type(exc).__name__


class _Clients:
    """Per-Region tagging and SageMaker clients, and the call counter."""

    def __init__(self, ctx: AwsContext, session, max_attempts: int) -> None:
        self.ctx, self.session, self.max_attempts = ctx, session, max_attempts
        self._rgt: dict[str, Any] = {}
        self._sm: dict[str, Any] = {}
        self.calls: dict[str, int] = {}

    def _session_for(self, region: str):
        if region == self.session.region_name:
            return self.session
        return make_session(dataclasses.replace(self.ctx, region=region))

    def rgt(self, region: str):
        """The Resource Groups Tagging API client of ``region``."""
        if region not in self._rgt:
            self._rgt[region] = client(self._session_for(region), "resourcegroupstaggingapi",
                                       self.ctx.endpoint_url, max_attempts=self.max_attempts)
        return self._rgt[region]

    def sm(self, region: str):
        """The SageMaker client of ``region``."""
        if region not in self._sm:
            self._sm[region] = client(self._session_for(region), "sagemaker",
                                      self.ctx.endpoint_url, max_attempts=self.max_attempts)
        return self._sm[region]

    def count(self, op: str) -> None:
        self.calls[op] = self.calls.get(op, 0) + 1


def _call(clients: _Clients, op: str, fn: Callable[[], dict], *, max_retries: int,
          sleep: Callable[[float], None], base_delay: float) -> dict:
    """One call with our own retry of throttling (botocore also retries underneath)."""
    attempt = 0
    while True:
        clients.count(op)
        try:
            return fn()
        except (NoCredentialsError, PartialCredentialsError) as e:
            raise AwsUnreachable(f"No AWS credentials found ({e}).", reason="no-credentials",
                                 code=type(e).__name__) from None
        except ClientError as e:
            if _code(e) in THROTTLING_CODES and attempt < max_retries:
                sleep(base_delay * (2 ** attempt))
                attempt += 1
                continue
            raise


def _region_of(arn: str, default: str) -> str:
    return (parse_sagemaker_arn(arn) or {}).get("region") or default


def _read_tags(clients: _Clients, arns: list[str], retry: dict) -> dict[str, dict | None]:
    """Current tags ``{arn: {k: v}}``; ``None`` for an ARN whose tags could not be read."""
    out: dict[str, dict | None] = {}
    by_region: dict[str, list[str]] = {}
    for arn in arns:
        by_region.setdefault(_region_of(arn, clients.ctx.region), []).append(arn)
    for region, group in by_region.items():
        for i in range(0, len(group), _READ_BATCH):
            chunk = group[i:i + _READ_BATCH]
            resp = _call(clients, "tag:GetResources",
                         lambda c=chunk, r=region: clients.rgt(r).get_resources(
                             ResourceARNList=c), **retry)
            for item in resp.get("ResourceTagMappingList") or []:
                out[item["ResourceARN"]] = {t["Key"]: t.get("Value", "")
                                            for t in item.get("Tags") or []}
            for arn in chunk:
                if arn in out:
                    continue
                if resource_type_of(arn) in _STUDIO:
                    try:
                        tags = _call(clients, "sagemaker:ListTags",
                                     lambda a=arn, r=region: clients.sm(r).list_tags(
                                         ResourceArn=a, MaxResults=100), **retry)
                        out[arn] = {t["Key"]: t.get("Value", "")
                                    for t in tags.get("Tags") or []}
                    except _CALL_ERRORS:
                        out[arn] = None
                else:
                    # GetResources returns every resource that carries tags: none -> no tags.
                    out[arn] = {}
    return out


def _who(clients: _Clients, via: str, retry: dict) -> dict:
    principal = None
    try:
        sts = client(clients.session, "sts", clients.ctx.endpoint_url,
                     max_attempts=clients.max_attempts)
        principal = _call(clients, "sts:GetCallerIdentity", sts.get_caller_identity,
                          **retry).get("Arn")
    except (*_CALL_ERRORS, AwsUnreachable):
        principal = None
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = None
    return {"user": user, "principal_arn": principal, "via": via}


def _batches(groups: dict[tuple, list[str]]):
    for key, arns in groups.items():
        for i in range(0, len(arns), TAG_RESOURCES_BATCH):
            yield dict(key[1]), key[0], arns[i:i + TAG_RESOURCES_BATCH]


def _send(clients: _Clients, op: str, region: str, arns: list[str], do: Callable,
          retry: dict) -> tuple[list[str], dict[str, dict]]:
    """Send one batch; retry throttled/5xx FailedResourcesMap entries. Returns (ok, failed)."""
    pending = list(arns)
    failed: dict[str, dict] = {}
    attempt = 0
    while pending:
        try:
            resp = _call(clients, op, lambda p=pending: do(region, p), **retry)
        except _CALL_ERRORS as e:
            for arn in pending:
                failed[arn] = {"code": _code(e), "message": str(e)[:300], "status": None}
            return [a for a in arns if a not in failed], failed
        fmap = resp.get("FailedResourcesMap") or {}
        again = []
        for arn in pending:
            info = fmap.get(arn)
            if info is None:
                continue
            code = info.get("ErrorCode") or "Failed"
            status = info.get("StatusCode")
            retryable = code in THROTTLING_CODES or (isinstance(status, int) and status >= 500)
            if retryable and attempt < retry["max_retries"]:
                again.append(arn)
            else:
                failed[arn] = {"code": code, "message": info.get("ErrorMessage"),
                               "status": status}
        if not again:
            break
        retry["sleep"](retry["base_delay"] * (2 ** attempt))
        attempt += 1
        pending = again
    return [a for a in arns if a not in failed], failed


def _classify_items(
    selected: list[dict], current: dict, default_region: str, results: dict[str, dict]
) -> tuple[dict[tuple, list[str]], dict[str, dict]]:
    """What each selected item needs, against its current tags (``None``: unreadable).

    Fills ``results`` (arn -> item result) and returns ``(groups, adds)``: ARNs grouped by
    (Region, tags to add) for TagResources, and the tags to add per ARN.
    """
    groups: dict[tuple, list[str]] = {}
    adds: dict[str, dict] = {}
    for item in selected:
        arn, want = item["arn"], item["tags"]
        have = current.get(arn)
        if have is None:
            results[arn] = {"arn": arn, "action": "skip", "add": {}, "status": "unreadable",
                            "detail": "its current tags could not be read; not tagged"}
            continue
        conflicts = {k: have[k] for k in want if k in have and have[k] != want[k]}
        if conflicts:
            results[arn] = {"arn": arn, "action": "skip", "add": {}, "status": "conflict",
                            "detail": "already has " + ", ".join(
                                f"{k}={v}" for k, v in sorted(conflicts.items()))
                            + "; not overwritten (remove it by hand if it is wrong)"}
            continue
        add = {k: v for k, v in want.items() if k not in have}
        if not add:
            results[arn] = {"arn": arn, "action": "skip", "add": {}, "status": "already-tagged",
                            "detail": "already carries these tags"}
            continue
        if len(have) + len(add) > MAX_TAGS_PER_RESOURCE:
            results[arn] = {"arn": arn, "action": "skip", "add": add, "status": "tag-limit",
                            "detail": f"has {len(have)} tags; adding {len(add)} would exceed "
                                      f"the limit of {MAX_TAGS_PER_RESOURCE}"}
            continue
        adds[arn] = add
        region = _region_of(arn, default_region)
        groups.setdefault((region, tuple(sorted(add.items()))), []).append(arn)
        results[arn] = {"arn": arn, "action": "tag", "add": add, "status": "would-tag",
                        "detail": item.get("reason")}
    return groups, adds


def apply_plan(
    ctx: AwsContext,
    plan: Any,
    *,
    dry_run: bool = True,
    store: AuditStore | None = None,
    via: str = "cli",
    session=None,
    max_attempts: int = 3,
    max_retries: int = 5,
    base_delay: float = 0.5,
    sleep: Callable[[float], None] = time.sleep,
) -> dict:
    """Preview (``dry_run``) or apply the selected items of a backfill plan.

    Args:
        ctx: Region (default Region for ARNs without one), profile, endpoint.
        plan: a plan dict or JSON text (validated with ``tags.load_plan``).
        dry_run: read current tags and say what would happen, change nothing (default).
        store: where the change record goes (required unless ``dry_run``).
        via: ``"cli"`` or ``"server"`` (recorded as who).
        max_retries, base_delay (seconds), sleep: throttling retry policy (tests pass a fake
            sleep).

    Returns:
        ``{"dry_run", "change_id" (None for a dry run), "status": "planned" | "succeeded" |
        "partial" | "failed" | "no-op", "items": [{"arn", "action": "tag" | "skip",
        "add": {...}, "status": "would-tag" | "tagged" | "failed" | "already-tagged" |
        "conflict" | "tag-limit" | "unreadable" | "not-selected", "detail"}],
        "counts": {status: n}, "api_calls": {op: n}}``.

    Raises:
        BackfillError: bad plan (``bad-plan``), no store for a real run, audit write failure.
        AwsUnreachable: no credentials.
    """
    try:
        plan = load_plan(plan)
    except ValueError as exc:
        raise BackfillError(str(exc), "bad-plan") from None
    if not dry_run and store is None:
        raise BackfillError("a real backfill needs a change-record store", "audit")
    session = session or make_session(ctx)
    clients = _Clients(ctx, session, max_attempts)
    retry = {"max_retries": max_retries, "sleep": sleep, "base_delay": base_delay}
    selected = plan_items_selected(plan)
    results: dict[str, dict] = {}
    for item in plan["items"]:
        if not item.get("selected", True):
            results[item["arn"]] = {"arn": item["arn"], "action": "skip", "add": {},
                                    "status": "not-selected", "detail": "not selected in the plan"}
    current = _read_tags(clients, [i["arn"] for i in selected], retry) if selected else {}
    groups, adds = _classify_items(selected, current, ctx.region, results)

    change_id = None
    status = "planned"
    if not dry_run:
        if not adds:
            status = "no-op"
        record = {
            "id": store.new_id(), "kind": "tag-backfill", "status": "running",
            "who": _who(clients, via, retry), "started_at": _now(), "finished_at": None,
            "account_id": (parse_sagemaker_arn(plan["domain"]["arn"]) or {}).get("account"),
            "region": ctx.region, "domain": plan["domain"], "variant": None,
            "plan": {"created_at": plan.get("created_at"), "items": len(plan["items"]),
                     "selected": len(selected)},
            "steps": [], "added": [], "failed": [], "rollback_of": None, "rolled_back_by": None,
        }
        change_id = record["id"]
        try:
            store.write(record)
        except AuditError as exc:
            raise BackfillError(str(exc), "audit") from None
        for tags, region, arns in _batches(groups):
            ok, failed = _send(
                clients, "tag:TagResources", region, arns,
                lambda r, p, t=tags: clients.rgt(r).tag_resources(ResourceARNList=p, Tags=t),
                retry)
            for arn in ok:
                results[arn]["status"] = "tagged"
                record["added"].append({"arn": arn, "tags": adds[arn]})
            for arn, info in failed.items():
                results[arn]["status"] = "failed"
                results[arn]["detail"] = f"{info['code']}: {info['message']}"
                record["failed"].append({"arn": arn, **info})
            record["steps"].append({"operation": "tag:TagResources", "region": region,
                                    "arns": arns, "tags": tags,
                                    "status": "done" if not failed else "failed",
                                    "failed": sorted(failed)})
            store.write(record)
        n_ok, n_failed = len(record["added"]), len(record["failed"])
        if adds:
            status = "succeeded" if not n_failed else ("partial" if n_ok else "failed")
        record["status"] = status
        record["finished_at"] = _now()
        record["api_calls"] = dict(clients.calls)
        store.write(record)
    counts: dict[str, int] = {}
    for r in results.values():
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    return {"dry_run": dry_run, "change_id": change_id, "status": status,
            "domain": plan["domain"], "items": list(results.values()), "counts": counts,
            "api_calls": dict(sorted(clients.calls.items()))}


def rollback_change(
    ctx: AwsContext,
    change_id: str,
    *,
    store: AuditStore,
    dry_run: bool = True,
    via: str = "cli",
    session=None,
    max_attempts: int = 3,
    max_retries: int = 5,
    base_delay: float = 0.5,
    sleep: Callable[[float], None] = time.sleep,
) -> dict:
    """Remove exactly the tags a ``tag-backfill`` change added (dry run by default).

    A key is removed only where its current value is still the one the change added
    (``changed-since`` otherwise); a resource that no longer exists is reported ``failed``.

    Returns:
        ``{"dry_run", "change_id" (the rollback's own id, None for a dry run), "rollback_of",
        "status", "items": [{"arn", "remove": [keys], "status": "would-untag" | "untagged" |
        "changed-since" | "failed" | "unreadable", "detail"}], "counts", "api_calls"}``.

    Raises:
        BackfillError: unknown/bad change id (``audit``), not a tag backfill
            (``not-a-tag-change``), already rolled back (``already-rolled-back``).
    """
    try:
        original = store.read(change_id)
    except AuditError as exc:
        raise BackfillError(str(exc), "audit") from None
    if original.get("kind") != "tag-backfill":
        raise BackfillError(f"change {change_id} is a {original.get('kind')!r} change, not a "
                            "tag backfill; use `sagemaker-isolation rollback`", "not-a-tag-change")
    if original.get("rolled_back_by"):
        raise BackfillError(f"change {change_id} was already rolled back by "
                            f"{original['rolled_back_by']}", "already-rolled-back")
    session = session or make_session(ctx)
    clients = _Clients(ctx, session, max_attempts)
    retry = {"max_retries": max_retries, "sleep": sleep, "base_delay": base_delay}
    added = original.get("added") or []
    current = _read_tags(clients, [a["arn"] for a in added], retry) if added else {}
    results: dict[str, dict] = {}
    groups: dict[tuple, list[str]] = {}
    for entry in added:
        arn, tags = entry["arn"], entry.get("tags") or {}
        have = current.get(arn)
        if have is None:
            results[arn] = {"arn": arn, "remove": [], "status": "unreadable",
                            "detail": "its current tags could not be read"}
            continue
        remove = sorted(k for k, v in tags.items() if have.get(k) == v)
        changed = sorted(k for k in tags if k not in remove)
        if not remove:
            results[arn] = {"arn": arn, "remove": [], "status": "changed-since",
                            "detail": "the added tags were changed or removed since: "
                                      + ", ".join(changed)}
            continue
        results[arn] = {"arn": arn, "remove": remove, "status": "would-untag",
                        "detail": ("not removed (changed since): " + ", ".join(changed))
                        if changed else None}
        region = _region_of(arn, ctx.region)
        groups.setdefault((region, tuple(remove)), []).append(arn)
    rb_id = None
    status = "planned"
    if not dry_run:
        record = {
            "id": store.new_id(), "kind": "tag-rollback", "status": "running",
            "who": _who(clients, via, retry), "started_at": _now(), "finished_at": None,
            "account_id": original.get("account_id"), "region": original.get("region"),
            "domain": original.get("domain"), "variant": None, "steps": [], "removed": [],
            "failed": [], "rollback_of": change_id, "rolled_back_by": None,
        }
        rb_id = record["id"]
        try:
            store.write(record)
        except AuditError as exc:
            raise BackfillError(str(exc), "audit") from None
        for (region, keys), arns in groups.items():
            for i in range(0, len(arns), TAG_RESOURCES_BATCH):
                chunk = arns[i:i + TAG_RESOURCES_BATCH]
                ok, failed = _send(
                    clients, "tag:UntagResources", region, chunk,
                    lambda r, p, k=list(keys): clients.rgt(r).untag_resources(
                        ResourceARNList=p, TagKeys=k), retry)
                for arn in ok:
                    results[arn]["status"] = "untagged"
                    record["removed"].append({"arn": arn, "keys": list(keys)})
                for arn, info in failed.items():
                    results[arn]["status"] = "failed"
                    results[arn]["detail"] = f"{info['code']}: {info['message']}"
                    record["failed"].append({"arn": arn, **info})
                record["steps"].append({"operation": "tag:UntagResources", "region": region,
                                        "arns": chunk, "keys": list(keys),
                                        "status": "done" if not failed else "failed"})
                store.write(record)
        n_ok, n_failed = len(record["removed"]), len(record["failed"])
        status = ("no-op" if not groups else "succeeded" if not n_failed
                  else "partial" if n_ok else "failed")
        record["status"] = status
        record["finished_at"] = _now()
        record["api_calls"] = dict(clients.calls)
        store.write(record)
        if status in ("succeeded", "no-op"):  # partial: run it again for the rest
            original["rolled_back_by"] = rb_id
            store.write(original)
    counts: dict[str, int] = {}
    for r in results.values():
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    return {"dry_run": dry_run, "change_id": rb_id, "rollback_of": change_id, "status": status,
            "items": list(results.values()), "counts": counts,
            "api_calls": dict(sorted(clients.calls.items()))}
