"""Request bodies as typed models: each route's JSON body validated into a small dataclass.

One place for the body contracts of docs/openapi.yaml: ``Model.from_body(body)`` takes the
parsed JSON object (``IsolationHandler.json_body``) and returns the model or raises
``HTTPError(400, message, reason="bad-request")`` with the message that says what is wrong
(unknown fields, wrong types, bad ids). The handlers read attributes instead of dict keys.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from ..sagemaker import patterns
from .base import (
    bad_request,
    reject_unknown_fields,
    validate_domain_id,
    validate_profile,
    validate_region,
)

__all__ = [
    "AdminApplyRequest",
    "AdminPlanRequest",
    "AdminRollbackRequest",
    "ExplainRequest",
    "ReportRequest",
    "TagBackfillRequest",
    "TagPlanRequest",
    "TagRollbackRequest",
    "TagScanRequest",
]

#: Change id of the audit store (``chg-<UTC time>-<8 hex>``).
CHANGE_ID_RE = re.compile(r"^chg-\d{8}T\d{6}(?:\d{6})?Z-[0-9a-f]{8}$")
#: A plan's ``plan_hash`` (sha256 hex).
PLAN_HASH_RE = re.compile(r"^[0-9a-f]{64}$")
#: Most ARNs ``tag-plan`` takes.
MAX_TAG_PLAN_ARNS = 10000
#: Most roles ``admin/plan`` takes.
MAX_PLAN_ROLES = 100


def boolean(body: dict, name: str, default: bool) -> bool:
    """``body[name]`` (``default`` when absent); 400 unless it is a JSON boolean."""
    value = body.get(name, default)
    if not isinstance(value, bool):
        raise bad_request(f"{name} must be true or false, got {value!r}")
    return value


@dataclasses.dataclass(frozen=True)
class _Target:
    """The domain a request is about (each may be None: the server's configuration decides)."""

    domain_id: str | None = None
    region: str | None = None
    profile: str | None = None

    @staticmethod
    def target_of(body: dict) -> dict[str, str | None]:
        """``domain_id``, ``region``, ``profile`` of ``body``, validated (400 when malformed)."""
        return {
            "domain_id": validate_domain_id(body.get("domain_id")),
            "region": validate_region(body.get("region")),
            "profile": validate_profile(body.get("profile")),
        }


@dataclasses.dataclass(frozen=True)
class ReportRequest(_Target):
    """``POST report``: ``{"domain_id"?, "region"?, "profile"?, "refresh"?: bool}``."""

    refresh: bool = False
    FIELDS = frozenset({"domain_id", "region", "profile", "refresh"})

    @classmethod
    def from_body(cls, body: dict) -> ReportRequest:
        """Validate ``body`` (400: unknown field, ``refresh`` not a boolean, bad ids)."""
        reject_unknown_fields(body, cls.FIELDS)
        refresh = boolean(body, "refresh", False)
        return cls(refresh=refresh, **cls.target_of(body))


@dataclasses.dataclass(frozen=True)
class ExplainRequest(_Target):
    """``POST explain``: ``{"message": str, "offline"?: bool, "domain_id"?, "region"?,
    "profile"?}``."""

    message: str = ""
    offline: bool = False
    FIELDS = frozenset({"message", "offline", "domain_id", "region", "profile"})

    @classmethod
    def from_body(cls, body: dict) -> ExplainRequest:
        """Validate ``body`` (400: unknown field, no message, ``offline`` not a boolean, bad
        ids)."""
        reject_unknown_fields(body, cls.FIELDS)
        message = body.get("message")
        if not isinstance(message, str) or not message.strip():
            raise bad_request("message is required: the AccessDenied error text (a string)")
        offline = boolean(body, "offline", False)
        return cls(message=message, offline=offline, **cls.target_of(body))


@dataclasses.dataclass(frozen=True)
class TagScanRequest(_Target):
    """``POST tag-scan``: ``{"domain_id"?, "region"?, "profile"?, "all_domains"?, "rows"?,
    "max_rows"?, "refresh"?}``."""

    all_domains: bool = False
    refresh: bool = False
    rows: str = "problems"
    max_rows: int = 1000
    FIELDS = frozenset(
        {"domain_id", "region", "profile", "all_domains", "rows", "max_rows", "refresh"}
    )

    @classmethod
    def from_body(cls, body: dict) -> TagScanRequest:
        """Validate ``body`` (400: unknown field, booleans, ``rows`` not problems/all/none,
        ``max_rows`` not an integer 0..100000, bad ids)."""
        reject_unknown_fields(body, cls.FIELDS)
        all_domains = boolean(body, "all_domains", False)
        refresh = boolean(body, "refresh", False)
        rows = body.get("rows", "problems")
        if rows not in ("problems", "all", "none"):
            raise bad_request(f"rows must be problems, all or none, got {rows!r}")
        max_rows = body.get("max_rows", 1000)
        if (
            not isinstance(max_rows, int)
            or isinstance(max_rows, bool)
            or not 0 <= max_rows <= 100000
        ):
            raise bad_request(f"max_rows must be an integer 0..100000, got {max_rows!r}")
        return cls(
            all_domains=all_domains,
            refresh=refresh,
            rows=rows,
            max_rows=max_rows,
            **cls.target_of(body),
        )


@dataclasses.dataclass(frozen=True)
class TagPlanRequest(_Target):
    """``POST tag-plan``: ``{"domain_id"?, "region"?, "profile"?, "arns"?: [SageMaker ARN]}``."""

    arns: tuple[str, ...] | None = None
    FIELDS = frozenset({"domain_id", "region", "profile", "arns"})

    @classmethod
    def from_body(cls, body: dict) -> TagPlanRequest:
        """Validate ``body`` (400: unknown field, ``arns`` not a list of at most 10000
        SageMaker ARNs, bad ids)."""
        from ..sagemaker.tags import parse_sagemaker_arn

        reject_unknown_fields(body, cls.FIELDS)
        arns = body.get("arns")
        if arns is not None and (
            not isinstance(arns, list)
            or len(arns) > MAX_TAG_PLAN_ARNS
            or not all(isinstance(a, str) and parse_sagemaker_arn(a) for a in arns)
        ):
            raise bad_request(f"arns must be a list of at most {MAX_TAG_PLAN_ARNS} SageMaker ARNs")
        return cls(arns=None if arns is None else tuple(arns), **cls.target_of(body))


@dataclasses.dataclass(frozen=True)
class TagBackfillRequest(_Target):
    """``POST tag-backfill``: ``{"domain_id"?, "region"?, "profile"?, "plan", "dry_run"?}``."""

    plan: dict = dataclasses.field(default_factory=dict)
    dry_run: bool = True
    FIELDS = frozenset({"domain_id", "region", "profile", "plan", "dry_run"})

    @classmethod
    def from_body(cls, body: dict) -> TagBackfillRequest:
        """Validate ``body`` (400: unknown field, ``dry_run`` not a boolean, ``plan`` not an
        object, bad ids)."""
        reject_unknown_fields(body, cls.FIELDS)
        dry_run = boolean(body, "dry_run", True)
        plan = body.get("plan")
        if not isinstance(plan, dict):
            raise bad_request("plan must be a plan object (from POST tag-plan)")
        return cls(plan=plan, dry_run=dry_run, **cls.target_of(body))


@dataclasses.dataclass(frozen=True)
class TagRollbackRequest:
    """``POST tag-rollback``: ``{"change_id", "dry_run"?: true}``."""

    change_id: str
    dry_run: bool = True
    FIELDS = frozenset({"change_id", "dry_run"})

    @classmethod
    def from_body(cls, body: dict) -> TagRollbackRequest:
        """Validate ``body`` (400: unknown field, ``dry_run`` not a boolean, no change id)."""
        reject_unknown_fields(body, cls.FIELDS)
        dry_run = boolean(body, "dry_run", True)
        change_id = body.get("change_id")
        if not isinstance(change_id, str) or not change_id:
            raise bad_request("change_id is required (the id a backfill answered)")
        return cls(change_id=change_id, dry_run=dry_run)


@dataclasses.dataclass(frozen=True)
class AdminPlanRequest(_Target):
    """``POST admin/plan``: ``{"domain_id"?, "region"?, "profile"?, "variant"?: "allow"|"deny",
    "role_arns"?: [IAM role ARN], "experience"?: "classic"|"studio", "private_spaces"?: bool,
    "allow_break"?: [flow id]}``."""

    variant: str = "allow"
    role_arns: tuple[str, ...] | None = None
    experience: str | None = None
    private_spaces: bool = False
    allow_break: tuple[str, ...] = ()
    FIELDS = frozenset(
        {
            "domain_id",
            "region",
            "profile",
            "variant",
            "role_arns",
            "experience",
            "private_spaces",
            "allow_break",
        }
    )

    @classmethod
    def from_body(cls, body: dict) -> AdminPlanRequest:
        """Validate ``body`` (400: unknown field, bad variant, ``role_arns`` not a list of at
        most 100 IAM role ARNs, bad ids)."""
        reject_unknown_fields(body, cls.FIELDS)
        variant = body.get("variant", "allow")
        if variant not in ("allow", "deny"):
            raise bad_request(f"variant must be allow or deny, got {variant!r}")
        roles: Any = body.get("role_arns") or None
        if roles is not None:
            if not isinstance(roles, list) or not all(
                patterns.is_role_arn(r) for r in roles
            ):
                raise bad_request(
                    "role_arns must be a list of IAM role ARNs (arn:aws:iam::<account>:role/<name>)"
                )
            if len(roles) > MAX_PLAN_ROLES:
                raise bad_request(f"role_arns: at most {MAX_PLAN_ROLES} roles")
        experience = body.get("experience")
        if experience is not None and experience not in ("classic", "studio"):
            raise bad_request(f"experience must be classic or studio, got {experience!r}")
        private_spaces = body.get("private_spaces", False)
        if not isinstance(private_spaces, bool):
            raise bad_request("private_spaces must be true or false")
        return cls(
            variant=variant,
            role_arns=None if roles is None else tuple(roles),
            experience=experience,
            private_spaces=private_spaces,
            allow_break=allow_break_ids(body),
            **cls.target_of(body),
        )


def allow_break_ids(body: dict) -> tuple[str, ...]:
    """The body's ``allow_break``: flow ids of the table (``sagemaker/flows.py``), sorted and
    unique; 400 when it is not a list of known ids."""
    from ..sagemaker.flows import flow_ids

    value = body.get("allow_break", [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise bad_request('allow_break must be a list of flow ids, e.g. ["studio.run-pipeline"]')
    unknown = sorted(set(value) - set(flow_ids()))
    if unknown:
        raise bad_request(f"allow_break: unknown flow id(s) {', '.join(unknown)}")
    return tuple(sorted(set(value)))


@dataclasses.dataclass(frozen=True)
class AdminApplyRequest:
    """``POST admin/apply``: ``{"plan_hash": "<64 hex>", "allow_break"?: [flow id]}``."""

    plan_hash: str
    allow_break: tuple[str, ...] = ()

    @classmethod
    def from_body(cls, body: dict) -> AdminApplyRequest:
        """Validate ``body`` (400 unless ``{"plan_hash": <64 hex>, "allow_break"?: [...]}``)."""
        h = body.get("plan_hash")
        if (
            set(body) - {"plan_hash", "allow_break"}
            or not isinstance(h, str)
            or not PLAN_HASH_RE.match(h)
        ):
            raise bad_request(
                'body must be {"plan_hash": "<64 hex>", "allow_break"?: [flow id]} of a plan '
                "from POST admin/plan"
            )
        return cls(plan_hash=h, allow_break=allow_break_ids(body))


@dataclasses.dataclass(frozen=True)
class AdminRollbackRequest:
    """``POST admin/rollback``: ``{"change_id": "chg-...", "dry_run"?: bool}`` (default true)."""

    change_id: str
    dry_run: bool = True

    @classmethod
    def from_body(cls, body: dict) -> AdminRollbackRequest:
        """Validate ``body`` (400 unless a change id and an optional boolean ``dry_run``)."""
        cid = body.get("change_id")
        dry = body.get("dry_run", True)
        if (
            set(body) - {"change_id", "dry_run"}
            or not isinstance(cid, str)
            or not CHANGE_ID_RE.match(cid)
            or not isinstance(dry, bool)
        ):
            raise bad_request('body must be {"change_id": "chg-...", "dry_run": true|false}')
        return cls(change_id=cid, dry_run=dry)
