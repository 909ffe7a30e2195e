"""Change records of admin actions (apply, rollback) in a local audit directory.

Each record is one JSON file ``<id>.json`` in the audit directory, written atomically (temporary
file + ``os.replace``) with mode 0600 in a 0700 directory. The directory is, in order:

1. an explicit path (``--audit-dir`` or the server's ``audit_dir``),
2. the environment variable ``SAGEMAKER_ISOLATION_AUDIT_DIR``,
3. ``<jupyter data dir>/sagemaker-isolation/changes`` (``jupyter_core.paths.jupyter_data_dir()``:
   ``~/.local/share/jupyter`` on Linux, honouring ``JUPYTER_DATA_DIR``).

A record (written by ``aws/apply.py``): ``{"id", "kind": "apply"|"rollback", "status":
"running"|"succeeded"|"failed"|"no-op"|"planned", "who": {"user", "principal_arn", "via"},
"started_at", "finished_at", "account_id", "region", "domain": {id, arn, name}, "variant",
"plan_hash", "plan", "steps": [...], "previous_state": {...}, "rollback_of", "rolled_back_by"}``.
Ids are ``chg-<UTC yyyymmddThhmmss + microseconds>Z-<8 hex>`` so their order is their time order
(records made within one second keep their order).

Every record also holds ``"process": {"pid", "host", "started_at"}`` (the writing process, and
when that process started), added by :meth:`AuditStore.write`. A ``running`` record whose
process is gone is shown (by :meth:`AuditStore.read` / :meth:`AuditStore.list`) with status
``interrupted`` and an ``interrupted`` entry ``{"why", "next_steps": [command, ...]}`` naming the
two ways on (re-run the same plan: idempotent, steps already in place are skipped; or roll the
change back). "Gone": on this host, no process with that pid, or one that started at another time
(the pid was reused); on another host, the record started more than one hour ago (we cannot see
that host's processes). A record whose process is alive stays ``running``.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
import secrets
import socket
import time
from pathlib import Path
from typing import Any

__all__ = [
    "AUDIT_DIR_ENV",
    "AuditError",
    "AuditStore",
    "default_audit_dir",
    "resolve_audit_dir",
    "render_changes_text",
    "summary",
    "process_marker",
    "with_liveness",
    "INTERRUPTED_AFTER_SECONDS",
]

#: A ``running`` record of another host is shown ``interrupted`` after this many seconds.
INTERRUPTED_AFTER_SECONDS = 3600.0

AUDIT_DIR_ENV = "SAGEMAKER_ISOLATION_AUDIT_DIR"
_ID_RE = re.compile(r"^chg-\d{8}T\d{6}(?:\d{6})?Z-[0-9a-f]{8}$")


class AuditError(ValueError):
    """The audit directory or a record cannot be used (bad id, unknown change, unreadable file).

    The message names the path or id and what to do.
    """


def default_audit_dir() -> Path:
    """``<jupyter data dir>/sagemaker-isolation/changes`` (per user)."""
    from jupyter_core.paths import jupyter_data_dir

    return Path(jupyter_data_dir()) / "sagemaker-isolation" / "changes"


def resolve_audit_dir(
    explicit: str | os.PathLike | None = None, environ: dict | None = None
) -> Path:
    """The audit directory: ``explicit``, else ``$SAGEMAKER_ISOLATION_AUDIT_DIR``, else the default.

    Args:
        explicit: a path given by the caller (empty/None: not given).
        environ: the environment (default ``os.environ``).

    Returns:
        an absolute Path (not created yet).
    """
    env = os.environ if environ is None else environ
    chosen = explicit or env.get(AUDIT_DIR_ENV) or default_audit_dir()
    return Path(chosen).expanduser().absolute()


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _process_started(pid: int) -> float | None:
    """When process ``pid`` started (seconds since the epoch, 1 s precision), from Linux
    ``/proc/<pid>/stat`` field 22 (clock ticks after boot) and ``/proc/stat`` ``btime``; None
    where /proc is not available or the process does not exist."""
    try:
        with open(f"/proc/{int(pid)}/stat", encoding="ascii", errors="replace") as fh:
            stat = fh.read()
        ticks = int(stat.rsplit(")", 1)[1].split()[19])
        with open("/proc/stat", encoding="ascii") as fh:
            btime = next(int(line.split()[1]) for line in fh if line.startswith("btime "))
        return float(btime + ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError, StopIteration):
        return None


def process_marker() -> dict:
    """``{"pid", "host", "started_at"}`` of this process (``started_at``: seconds since the
    epoch when the process started, None when unknown)."""
    return {"pid": os.getpid(), "host": socket.gethostname(),
            "started_at": _process_started(os.getpid())}


def _alive(pid: int, started_at: float | None) -> bool:
    """Whether process ``pid`` of this host still runs and is the one that started at
    ``started_at`` (a reused pid is not)."""
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # exists, owned by someone else
    except (OSError, ValueError, OverflowError):
        return False
    if started_at is None:
        return True
    now_started = _process_started(int(pid))
    return now_started is None or abs(now_started - float(started_at)) < 2.0


def _parse_time(value: Any) -> float | None:
    try:
        return _dt.datetime.strptime(str(value), "%Y-%m-%dT%H:%M:%SZ").replace(
            tzinfo=_dt.timezone.utc).timestamp()
    except ValueError:
        return None


def _next_steps(record: dict) -> list[str]:
    cid, kind, orig = record.get("id"), record.get("kind"), record.get("rollback_of")
    if kind == "apply":
        return ["sagemaker-isolation apply --plan PLAN_FILE --yes  (the same plan again: steps "
                "already in place are skipped)",
                f"sagemaker-isolation rollback --change {cid} --yes"]
    if kind == "tag-backfill":
        return ["sagemaker-isolation tags backfill --plan PLAN_FILE --yes  (the same plan "
                "again: resources already tagged are skipped)",
                f"sagemaker-isolation tags rollback --change {cid} --yes"]
    if kind == "rollback" and orig:
        return [f"sagemaker-isolation rollback --change {orig} --yes  (finds what is left to "
                "undo)"]
    if kind == "tag-rollback" and orig:
        return [f"sagemaker-isolation tags rollback --change {orig} --yes  (finds what is "
                "left to undo)"]
    return []


def with_liveness(record: dict, *, host: str | None = None, now: float | None = None,
                  alive=_alive) -> dict:
    """``record``, with status ``interrupted`` (and an ``interrupted`` entry ``{"why",
    "next_steps"}``) when it is ``running`` but its process is gone (module docstring).

    Args:
        record: a change record as stored.
        host: this host's name (default ``socket.gethostname()``).
        now: seconds since the epoch (default now).
        alive: ``alive(pid, started_at) -> bool`` for this host (tests pass a fake).

    Returns:
        the same dict when nothing changes, else a shallow copy.
    """
    if record.get("status") != "running":
        return record
    proc = record.get("process") if isinstance(record.get("process"), dict) else {}
    host = host or socket.gethostname()
    now = time.time() if now is None else now
    if proc.get("host") == host and proc.get("pid") is not None:
        if alive(proc["pid"], proc.get("started_at")):
            return record
        why = f"process {proc['pid']} on {host} that was writing it is gone"
    else:
        started = _parse_time(record.get("started_at"))
        if started is None or now - started <= INTERRUPTED_AFTER_SECONDS:
            return record
        where = f"on host {proc.get('host')}" if proc.get("host") else "by an unknown process"
        why = (f"started {record.get('started_at')} {where} and not finished after "
               f"{INTERRUPTED_AFTER_SECONDS / 3600:g} hour")
    out = dict(record)
    out["status"] = "interrupted"
    out["interrupted"] = {"why": why, "next_steps": _next_steps(record)}
    return out


class AuditStore:
    """The change records of one audit directory.

    Args:
        path: the directory (see :func:`resolve_audit_dir`); created on first write.
    """

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)

    def new_id(self) -> str:
        """A fresh change id ``chg-<yyyymmddThhmmss><microseconds>Z-<8 hex>``."""
        stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        return f"chg-{stamp}-{secrets.token_hex(4)}"

    def _file(self, change_id: str) -> Path:
        if not isinstance(change_id, str) or not _ID_RE.match(change_id):
            raise AuditError(
                f"not a change id: {change_id!r} (expected chg-<time>-<8 hex>, as "
                "listed by `sagemaker-isolation changes`)"
            )
        return self.path / f"{change_id}.json"

    def write(self, record: dict) -> Path:
        """Write (or overwrite) ``record`` atomically; returns its file.

        A record without ``process`` gets this process's :func:`process_marker` (in place).

        Raises:
            AuditError: no ``id``, or the directory cannot be created or written.
        """
        target = self._file(record.get("id"))
        if not isinstance(record.get("process"), dict):
            record["process"] = process_marker()
        try:
            self.path.mkdir(parents=True, exist_ok=True, mode=0o700)
            tmp = target.with_suffix(f".tmp-{secrets.token_hex(4)}")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(record, fh, indent=2, sort_keys=False, default=str)
                fh.write("\n")
            os.replace(tmp, target)
        except OSError as exc:
            raise AuditError(
                f"cannot write change record in {self.path}: "
                f"{exc.strerror or exc}. Set --audit-dir or "
                f"{AUDIT_DIR_ENV} to a writable directory."
            ) from None
        return target

    def read(self, change_id: str) -> dict:
        """The record ``change_id`` (a ``running`` one whose process is gone shows as
        ``interrupted``: :func:`with_liveness`).

        Raises:
            AuditError: bad id, no such record in this directory, or unreadable JSON.
        """
        f = self._file(change_id)
        try:
            text = f.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise AuditError(
                f"no change {change_id} in {self.path} (see `sagemaker-isolation "
                "changes`; --audit-dir selects another directory)"
            ) from None
        except OSError as exc:
            raise AuditError(f"cannot read {f}: {exc.strerror or exc}") from None
        try:
            rec = json.loads(text)
        except ValueError as exc:
            raise AuditError(f"change record {f} is not valid JSON: {exc}") from None
        if not isinstance(rec, dict) or rec.get("id") != change_id:
            raise AuditError(f"change record {f} is not a record of {change_id}")
        return with_liveness(rec)

    def list(self) -> list[dict]:
        """Every readable record, newest first (by id, which starts with the UTC time to the
        microsecond).

        Unreadable files are skipped. Returns ``[]`` when the directory does not exist.
        """
        if not self.path.is_dir():
            return []
        out: list[dict] = []
        for f in sorted(self.path.glob("chg-*.json"), reverse=True):
            try:
                rec = json.loads(f.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if isinstance(rec, dict) and rec.get("id") == f.stem:
                out.append(with_liveness(rec))
        out.sort(key=lambda r: r["id"], reverse=True)
        return out


def summary(record: dict) -> dict:
    """The short form of a record the ``changes`` list shows.

    Returns:
        ``{"id", "kind", "status", "who", "started_at", "finished_at", "account_id", "region",
        "domain_id", "variant", "steps_done", "steps_total", "rollback_of", "rolled_back_by",
        "interrupted"?: {"why", "next_steps"}}``.
    """
    steps = record.get("steps") or []
    return {
        "id": record.get("id"),
        "kind": record.get("kind"),
        "status": record.get("status"),
        "who": record.get("who"),
        "started_at": record.get("started_at"),
        "finished_at": record.get("finished_at"),
        "account_id": record.get("account_id"),
        "region": record.get("region"),
        "domain_id": (record.get("domain") or {}).get("id"),
        "variant": record.get("variant"),
        "steps_done": sum(1 for s in steps if s.get("status") == "done"),
        "steps_total": len(steps),
        "rollback_of": record.get("rollback_of"),
        "rolled_back_by": record.get("rolled_back_by"),
        **({"interrupted": record["interrupted"]} if record.get("interrupted") else {}),
    }


def render_changes_text(records: list[dict[str, Any]]) -> str:
    """One line per record (newest first), for ``sagemaker-isolation changes``."""
    if not records:
        return "no changes recorded\n"
    lines = []
    for r in records:
        s = summary(r)
        who = (s["who"] or {}).get("user") or "?"
        extra = f" rollback of {s['rollback_of']}" if s["rollback_of"] else ""
        extra += f" (rolled back by {s['rolled_back_by']})" if s["rolled_back_by"] else ""
        lines.append(
            f"{s['id']}  {s['kind']:<8} {s['status']:<9} {s['domain_id'] or '-'} "
            f"{s['variant'] or ''} steps {s['steps_done']}/{s['steps_total']} by {who}"
            f"{extra}"
        )
        if s.get("interrupted"):
            lines.append(f"    interrupted: {s['interrupted']['why']}; to go on:")
            lines += [f"      {step}" for step in s["interrupted"]["next_steps"]]
    return "\n".join(lines) + "\n"
