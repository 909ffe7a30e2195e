"""Admin routes: plan, apply, roll back, list changes (docs/openapi.yaml, "admin" tag).

Registered by ``app.py`` only when ``c.SageMakerIsolationApp.admin_actions_enabled = True``
(default False): with it off the routes do not exist (404). Every verb is
``@tornado.web.authenticated`` + ``@authorized`` with ``auth_resource =
"sagemaker-isolation-admin"`` (an operator's Authorizer can grant it apart from the read-only
``sagemaker-isolation``); POSTs are XSRF-checked by jupyter_server's ``APIHandler`` for cookie
sessions (it skips the check for token-authenticated requests, which a browser cannot forge).

- ``POST admin/plan`` ``{"domain_id"?, "region"?, "profile"?, "variant": "allow"|"deny",
  "role_arns"?: [arn], "experience"?: "classic"|"studio", "private_spaces"?: bool,
  "allow_break"?: [flow id]}`` -> the plan (``sagemaker.policy_plan``); the server keeps it for
  ``PLAN_TTL`` seconds under (user, ``plan_hash``). Nothing is written to AWS.
- ``POST admin/apply`` ``{"plan_hash", "allow_break"?: [flow id]}`` -> 202 ``{"id", "status":
  "running"}``: applies the plan *this user* previewed (409 if there is none, or it expired, or
  it was already applied; 409 ``flows-would-break`` with ``flows`` when it would stop Studio
  flows that work now and were not each confirmed by id), in a worker thread; progress is the
  change record, ``GET admin/changes?id=``.
- ``POST admin/rollback`` ``{"change_id", "dry_run"?: true}`` -> the rollback record (dry run:
  ``status: "planned"``, nothing written).
- ``GET admin/changes`` -> ``{"changes": [summary, ...]}`` newest first; ``?id=`` -> one record
  (``{"id", "status": "pending"}`` while an apply has not written it yet).
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import anyio
import tornado.web
from jupyter_server.utils import url_path_join
from tornado.web import HTTPError

from .base import ROUTE_PREFIX, IsolationHandler
from .compat import authorized
from .models import (
    CHANGE_ID_RE,
    AdminApplyRequest,
    AdminPlanRequest,
    AdminRollbackRequest,
)

__all__ = ["ADMIN_AUTH_RESOURCE", "ADMIN_HANDLERS", "PLAN_TTL", "AdminState", "admin_route_table"]

ADMIN_AUTH_RESOURCE = "sagemaker-isolation-admin"
#: Seconds a previewed plan stays appliable ("the plan the same user just previewed").
PLAN_TTL = 900.0
_MAX_PLANS_PER_USER = 20


def _bad(message: str) -> HTTPError:
    return HTTPError(400, message, reason="bad-request")


class AdminState:
    """Server-side state of the admin routes: previewed plans and running applies.

    Plans are kept per (user name, plan hash) for ``ttl`` seconds, at most 20 per user; taking
    one for apply removes it (a plan is applied once). Applies run in one worker thread (IAM
    changes of one server never interleave).
    """

    def __init__(self, ttl: float = PLAN_TTL) -> None:
        self.ttl = ttl
        self._plans: dict[tuple[str, str], tuple[float, dict]] = {}
        self._lock = threading.Lock()
        self.running: dict[str, dict] = {}
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="smiso-admin")

    def put(self, user: str, plan: dict, profile: str | None = None) -> None:
        """Remember ``plan`` as previewed by ``user`` (with the AWS ``profile`` it was read with;
        apply uses the same one)."""
        now = time.monotonic()
        with self._lock:
            self._expire(now)
            mine = sorted((v[0], k) for k, v in self._plans.items() if k[0] == user)
            for _, k in mine[: max(0, len(mine) - _MAX_PLANS_PER_USER + 1)]:
                del self._plans[k]
            self._plans[(user, plan["plan_hash"])] = (now, plan, profile)

    def take(self, user: str, plan_hash: str) -> tuple[dict, str | None] | None:
        """``(plan, profile)`` ``user`` previewed with this hash (removed), or None."""
        with self._lock:
            self._expire(time.monotonic())
            entry = self._plans.pop((user, plan_hash), None)
        return (entry[1], entry[2]) if entry else None

    def _expire(self, now: float) -> None:
        for k in [k for k, v in self._plans.items() if now - v[0] > self.ttl]:
            del self._plans[k]

    def shutdown(self) -> None:
        """Forget the previewed plans and stop the apply worker without waiting (an apply in
        progress is left to finish or to be found ``interrupted`` in ``changes``)."""
        with self._lock:
            self._plans.clear()
        self.executor.shutdown(wait=False, cancel_futures=True)


class AdminHandler(IsolationHandler):
    """Base of the admin routes: their auth resource, the user name, the audit store."""

    auth_resource = ADMIN_AUTH_RESOURCE

    @property
    def admin(self) -> AdminState:
        """The server's :class:`AdminState` (created by the app, shut down with it)."""
        return self.settings["sagemaker_isolation_admin"]

    @property
    def user_name(self) -> str:
        """The authenticated user's name (the key of their previewed plans)."""
        user = self.current_user
        return str(getattr(user, "username", None) or getattr(user, "name", None) or user)

    def store(self):
        """The audit store (``audit_dir`` trait, else env, else the per-user default)."""
        from ..audit import AuditStore, resolve_audit_dir

        return AuditStore(resolve_audit_dir(getattr(self.extensionapp, "audit_dir", "") or None))

    def session_for(self, ctx: Any):
        """A boto3 Session for the context (raises AwsUnreachable for an unknown profile)."""
        from ..aws.session import make_session

        return make_session(ctx)

    def who(self, session, endpoint_url) -> dict:
        """``{"user": <Jupyter user>, "principal_arn": <caller ARN>, "via": "server"}``."""
        from ..aws.apply import who_am_i

        return who_am_i(session, endpoint_url, "server", user=self.user_name)


def _aws_error(exc) -> HTTPError:
    return HTTPError(502, exc.message, reason=getattr(exc, "reason", "aws-error"))


class PlanHandler(AdminHandler):
    """``POST admin/plan``: build and remember a plan (dry run)."""

    @tornado.web.authenticated
    @authorized
    async def post(self) -> None:
        """Answer the plan document; 400 bad input, 502 AWS not reachable or a listing the plan
        needs incomplete (reason ``listing-incomplete``: no plan from a partial listing)."""
        req = AdminPlanRequest.from_body(self.json_body())
        variant, profile = req.variant, req.profile
        allow_break = list(req.allow_break)
        roles = list(req.role_arns) if req.role_arns is not None else None
        from ..aws.apply import IncompleteListingError, make_plan
        from ..aws.errors import AwsUnreachable
        from ..sagemaker.policy_plan import PlanError

        def work():
            ctx = self.resolve_context(req.domain_id, req.region, profile)
            return make_plan(
                ctx,
                variant,
                roles,
                session=self.session_for(ctx),
                cache=self.jobs.cache,
                experience=req.experience,
                private_spaces=req.private_spaces,
                allow_break=allow_break,
            )

        try:
            plan = await anyio.to_thread.run_sync(work)
        except AwsUnreachable as exc:
            raise _aws_error(exc) from None
        except IncompleteListingError as exc:
            raise HTTPError(502, exc.message, reason="listing-incomplete") from None
        except PlanError as exc:
            raise _bad(str(exc)) from None
        except Exception as exc:
            from .base import is_context_error

            if is_context_error(exc):
                raise _bad(f"no domain: {exc}") from None
            raise
        self.admin.put(self.user_name, plan, profile)
        self.finish(plan)


class ApplyHandler(AdminHandler):
    """``POST admin/apply``: apply the plan this user previewed; 202 + the change id."""

    @tornado.web.authenticated
    @authorized
    async def post(self) -> None:
        """Body ``{"plan_hash", "allow_break"?: [flow id]}``; 409 when this user previewed no
        such plan (or it expired), when it failed validation, or (reason
        ``flows-would-break``, with ``flows``) when it would stop Studio flows that work now
        and that neither the plan nor ``allow_break`` confirms by id."""
        req = AdminApplyRequest.from_body(self.json_body())
        allow_break = list(req.allow_break)
        taken = self.admin.take(self.user_name, req.plan_hash)
        if taken is None:
            raise HTTPError(
                409,
                "no previewed plan with this hash for you (it expired, was "
                "applied already, or was previewed by another user): preview the "
                "plan again",
                reason="plan-not-previewed",
            )
        plan, profile = taken
        if not plan["validation"]["ok"]:
            raise HTTPError(
                409, "the plan failed validation; it cannot be applied", reason="plan-invalid"
            )
        from ..aws.apply import FlowsWouldBreak
        from ..sagemaker.policy_plan import unconfirmed_breaks

        pending = unconfirmed_breaks(plan, allow_break)
        if pending:
            # Keep the preview: the same plan can be applied once the flows are confirmed.
            self.admin.put(self.user_name, plan, profile)
            self.set_status(409)
            self.finish(
                {
                    "message": str(FlowsWouldBreak(pending)),
                    "reason": "flows-would-break",
                    "flows": pending,
                }
            )
            return
        from ..aws.apply import apply_plan, who_am_i
        from ..aws.session import make_session
        from ..aws.target import resolve_context

        app = self.extensionapp
        store = self.store()
        change_id = store.new_id()
        state = self.admin
        state.running[change_id] = {"id": change_id, "status": "pending", "kind": "apply"}
        log = self.log
        user = self.user_name

        def work():
            try:
                ctx = resolve_context(
                    domain_id=plan["domain"]["id"],
                    region=plan["region"],
                    profile=profile or app.profile or None,
                    endpoint_url=app.endpoint_url or None,
                    metadata_path=None,
                    explicit_source="panel",
                )
                session = make_session(ctx)
                who = who_am_i(session, ctx.endpoint_url, "server", user=user)
                apply_plan(
                    plan,
                    store,
                    session=session,
                    endpoint_url=ctx.endpoint_url,
                    who=who,
                    change_id=change_id,
                    allow_break=allow_break,
                )
                state.running.pop(change_id, None)
            except Exception as exc:  # ApplyError, AWS, audit: reported through the status
                log.warning("sagemaker-isolation admin apply %s: %s", change_id, exc)
                state.running[change_id] = {
                    "id": change_id,
                    "kind": "apply",
                    "status": "failed",
                    "error": {"code": type(exc).__name__, "message": str(exc)[:500]},
                }

        state.executor.submit(work)
        self.set_status(202)
        self.finish({"id": change_id, "status": "running"})


class RollbackHandler(AdminHandler):
    """``POST admin/rollback``: preview (default) or run a rollback."""

    @tornado.web.authenticated
    @authorized
    async def post(self) -> None:
        """Body ``{"change_id", "dry_run"?: bool}``; answers the rollback record."""
        req = AdminRollbackRequest.from_body(self.json_body())
        cid, dry = req.change_id, req.dry_run
        from ..audit import AuditError
        from ..aws.apply import ApplyError, rollback_change
        from ..aws.errors import AwsUnreachable

        app = self.extensionapp
        store = self.store()

        def work():
            import types

            orig = store.read(cid)
            ctx = types.SimpleNamespace(
                profile=app.profile or None, region=app.region or orig.get("region")
            )
            session = self.session_for(ctx)
            endpoint = app.endpoint_url or None
            return rollback_change(
                cid,
                store,
                session=session,
                endpoint_url=endpoint,
                dry_run=dry,
                who=None if dry else self.who(session, endpoint),
            )

        try:
            rec = await anyio.to_thread.run_sync(work)
        except AuditError as exc:
            raise HTTPError(404, str(exc), reason="change-not-found") from None
        except ApplyError as exc:
            raise HTTPError(409, str(exc), reason="not-rollbackable") from None
        except AwsUnreachable as exc:
            raise _aws_error(exc) from None
        self.finish(rec)


class ChangesHandler(AdminHandler):
    """``GET admin/changes[?id=]``: the change records."""

    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        """``{"changes": [summary]}`` newest first, or one full record for ``?id=``."""
        from ..audit import AuditError, summary

        cid = self.get_query_argument("id", default="")
        store = self.store()
        if cid:
            if not CHANGE_ID_RE.match(cid):
                raise _bad("id must be a change id chg-<time>-<8 hex>")
            try:
                rec = await anyio.to_thread.run_sync(lambda: store.read(cid))
            except AuditError:
                pending = self.admin.running.get(cid)
                if pending is None:
                    raise HTTPError(404, f"no change {cid}", reason="change-not-found") from None
                rec = pending
            self.finish(rec)
            return
        records = await anyio.to_thread.run_sync(store.list)
        self.finish({"changes": [summary(r) for r in records], "audit_dir": str(store.path)})


ADMIN_HANDLERS = (
    ("admin/plan", PlanHandler),
    ("admin/apply", ApplyHandler),
    ("admin/rollback", RollbackHandler),
    ("admin/changes", ChangesHandler),
)


def admin_route_table() -> list[tuple[str, type]]:
    """``[(pattern, handler_class)]`` of the admin routes, relative to the base URL
    (``/sagemaker-isolation/admin/<name>``, and the tags issue's ``tag-backfill`` /
    ``tag-rollback``); registered only when admin actions are enabled."""
    from .tag_routes import TAGS_ADMIN_HANDLERS

    return [
        (url_path_join("/", ROUTE_PREFIX, name), cls)
        for name, cls in ADMIN_HANDLERS + TAGS_ADMIN_HANDLERS
    ]
