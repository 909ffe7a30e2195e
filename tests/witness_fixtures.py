"""Hand-made reports and snapshots with issue #11 witnesses (independent of the analysis)."""

from __future__ import annotations

import copy

ACCOUNT = "111122223333"
REGION = "us-east-1"
DOMAIN = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:domain/d-own000000001"
OTHER = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:domain/d-otherdomain00"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/StudioExec"
ROLE2 = f"arn:aws:iam::{ACCOUNT}:role/service-role/StudioExecTwo"
POLICY = f"arn:aws:iam::{ACCOUNT}:policy/LeakyStudio"
BOUNDARY = f"arn:aws:iam::{ACCOUNT}:policy/Boundary"

DOC = {
    "Version": "2012-10-17",
    "Statement": [{"Sid": "All", "Effect": "Allow", "Action": "sagemaker:*", "Resource": "*"}],
}


def witness(action: str, name: str = "prod-a", principal: str = ROLE, rtype="endpoint") -> dict:
    """A witness of the issue #11 shape for ``action`` on another domain's resource."""
    return {
        "principal": principal,
        "action": action,
        "resource": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:{rtype}/{name}",
        "context": {
            "aws:ResourceTag/sagemaker:domain-arn": OTHER,
            "sagemaker:ResourceTag/sagemaker:domain-arn": OTHER,
            "aws:PrincipalArn": principal,
            "aws:PrincipalAccount": ACCOUNT,
            "sagemaker:DomainId": "d-own000000001",
        },
        "conditional_on": [],
    }


def entry(action: str, accepted: bool = False, **kw) -> dict:
    return {
        "action": action,
        "resource_types": ["endpoint"],
        "access_level": "Write",
        "allowed_by": [{"policy": "LeakyStudio", "sid": "All", "index": 0}],
        "accepted": accepted,
        "witness": witness(action, **kw),
    }


def role_json(arn: str | None, actions: list[str], name: str = "StudioExec") -> dict:
    principal = arn or f"arn:aws:iam::{ACCOUNT}:role/policy-files"
    return {
        "arn": arn,
        "name": name,
        "used_by": ["domain-default"],
        "verdict": "not_isolated",
        "verdict_reason": "leaks",
        "policies": [{"name": "LeakyStudio", "arn": POLICY, "kind": "managed"}],
        "cross_domain": [
            entry(a, principal=principal, name=f"e{i}") for i, a in enumerate(actions)
        ],
        "uncovered_allowed": [],
        "create_rights": [],
        "unknown": [],
        "problems": [],
    }


def report(roles: list[dict], source: str = "config") -> dict:
    return copy.deepcopy(
        {
            "schema_version": 1,
            "verdict": "not_isolated",
            "verdict_reason": "x",
            "domain": {"id": "d-own000000001", "arn": DOMAIN, "region": REGION},
            "context": {"source": source, "detail": ""},
            "roles": roles,
            "findings": [],
            "errors": [],
            "catalog": {"source": "t", "version": "1"},
        }
    )


def snapshot(roles: dict[str, dict] | None = None, source: str = "live", boundary=None) -> dict:
    """A live snapshot: each role attaches POLICY (version v1)."""
    roles = roles or {ROLE: {}}
    out_roles = {}
    for arn, extra in roles.items():
        out_roles[arn] = {
            "arn": arn,
            "name": arn.rsplit("/", 1)[-1],
            "attached_policies": [POLICY],
            "inline_policies": [],
            "permissions_boundary": boundary,
            "complete": True,
            **extra,
        }
    pols = {POLICY: {"arn": POLICY, "name": "LeakyStudio", "version_id": "v1", "document": DOC}}
    if boundary:
        pols[boundary] = {"arn": boundary, "name": "Boundary", "version_id": "v1", "document": DOC}
    return {
        "schema_version": 1,
        "source": source,
        "partition": "aws",
        "region": REGION,
        "account_id": ACCOUNT,
        "domain": {"id": "d-own000000001", "arn": DOMAIN},
        "user_profiles": [],
        "roles": out_roles,
        "policies": pols,
        "errors": [],
    }


def offline_snapshot(with_boundary: bool = True) -> dict:
    snap = {
        "schema_version": 1,
        "source": "policy-files",
        "partition": "aws",
        "region": REGION,
        "account_id": ACCOUNT,
        "domain": {"id": "d-own000000001", "arn": DOMAIN},
        "user_profiles": [],
        "roles": {
            "offline:role": {
                "arn": None,
                "name": "policy-files",
                "attached_policies": ["offline:policy/leaky studio"],
                "inline_policies": [],
                "permissions_boundary": "offline:boundary/Boundary" if with_boundary else None,
                "complete": True,
            }
        },
        "policies": {
            "offline:policy/leaky studio": {
                "arn": None, "name": "leaky studio", "version_id": None, "document": DOC
            },
        },
        "errors": [],
    }
    if with_boundary:
        snap["policies"]["offline:boundary/Boundary"] = {
            "arn": None, "name": "Boundary", "version_id": None, "document": DOC
        }
    return snap
