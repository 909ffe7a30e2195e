"""Tag coverage of SageMaker resources for a domain: classification, summaries, mapping, plans.

Pure (no AWS I/O; ``aws/tag_scan.py`` feeds it pages, ``aws/backfill.py`` applies its plans).

Why tags matter: the isolation policy ``StudioDomainResourceIsolationPolicy-<domain-id>`` allows
``Update*``/``Delete*``/``Describe*`` only when ``aws:ResourceTag/sagemaker:domain-arn`` equals the
domain ARN (AWS doc "Isolate domain resources",
https://docs.aws.amazon.com/sagemaker/latest/dg/domain-resource-isolation.html, copied in
``data/isolate-domain-resources.txt``). A resource without that tag is invisible to the policy; a
resource tagged for another domain belongs to that domain.

Classes (:data:`CLASSES`), judged for one *target* domain:

- ``this_domain``: the ``sagemaker:domain-arn`` tag equals the target domain's ARN exactly
  (``StringEquals`` is case-sensitive; the tag key is matched exactly, as Studio writes it).
- ``other_domain``: the tag is the ARN of another existing domain (its name is given), or of a
  domain in a Region/account the scan did not list (``domain_exists: null``: we cannot say it is
  stale, and it is certainly not this domain).
- ``stale_domain``: the tag names a domain ARN of a listed Region/account that no longer exists,
  or a value that is not a domain ARN at all (it can match no domain's policy).
- ``untagged``: no ``sagemaker:domain-arn`` tag.
- ``never_tagged_by_design``: types the isolation policy does not isolate by tag — image
  versions, model-card export jobs, model packages (versioned; their group carries tags), and the
  ``default`` JupyterServer app (the doc policy's ``AllowActionsThatDontSupportTagging`` and
  ``DeleteDefaultApp`` statements). Their domain tag, if any, is still shown.
- ``unreadable``: listed, but its tags could not be read (e.g. a ``Failed`` app whose
  ``ListTags`` answers ``ValidationException``): its class is unknown for every domain. Never
  produced by :func:`classify`; the scanner counts it with
  :meth:`TagScanAccumulator.add_unreadable`.

Mapping proposals (:func:`propose_domain`) never apply anything: each carries a reason and a
confidence (``high`` / ``medium`` / ``low``); only ``high`` ones are pre-selected in a plan.
Evidence, strongest first: the domain id inside the resource's own ARN (user profiles, spaces,
apps), the creator tags ``sagemaker:user-profile-arn`` / ``sagemaker:space-arn`` (Studio adds
them to what it creates; AWS doc "Multiple domains overview" / tagging), the execution role a job
or model uses when exactly one domain uses that role, and naming patterns (the domain's name or
id inside the resource name). Conflicting evidence gives no proposal.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from . import patterns

__all__ = [
    "DOMAIN_TAG",
    "CREATOR_TAGS",
    "CLASSES",
    "MAX_TAGS_PER_RESOURCE",
    "TAG_RESOURCES_BATCH",
    "GET_RESOURCES_PAGE",
    "PLAN_KIND",
    "PlanError",
    "DomainRef",
    "Classified",
    "Proposal",
    "parse_sagemaker_arn",
    "resource_type_of",
    "domain_id_in_arn",
    "by_design_untagged",
    "classify",
    "TagScanAccumulator",
    "propose_domain",
    "build_plan",
    "load_plan",
    "dump_plan",
    "plan_items_selected",
    "call_budget",
    "multi_domain_view",
]

DOMAIN_TAG = "sagemaker:domain-arn"
"""The tag key the isolation policy conditions on (AWS doc "Isolate domain resources")."""
CREATOR_TAGS = ("sagemaker:user-profile-arn", "sagemaker:space-arn")
"""Tags Studio adds to resources it creates, naming the user profile or space that created them."""
CLASSES = ("this_domain", "other_domain", "untagged", "stale_domain", "never_tagged_by_design",
           "unreadable")
MAX_TAGS_PER_RESOURCE = 50
"""AWS tag limit per resource (Resource Groups Tagging API reference, TagResources: "Each resource
can have up to 50 tags")."""
TAG_RESOURCES_BATCH = 20
"""TagResources / UntagResources take 1..20 ARNs per call (ResourceARNList, API reference)."""
GET_RESOURCES_PAGE = 100
"""GetResources returns at most 100 resources per page (ResourcesPerPage 1..100)."""
PLAN_KIND = "sagemaker-isolation/tag-backfill-plan"
PLAN_SCHEMA_VERSION = 1
CONFIDENCES = ("high", "medium", "low")

_DOMAIN_SCOPED = {"user-profile", "space", "app"}


class PlanError(ValueError):
    """A backfill plan document is malformed; the message names the item and field."""


@dataclass(frozen=True)
class DomainRef:
    """A SageMaker domain as the tag scan knows it.

    Attributes: ``id`` (``d-...``), ``arn``, ``name`` (may be ``None``), ``region``,
    ``account_id``, ``roles``: execution role ARNs the domain uses (domain default, default
    space, user profiles), ``user_profiles``: profile names.
    """

    id: str
    arn: str
    name: str | None = None
    region: str | None = None
    account_id: str | None = None
    roles: tuple[str, ...] = ()
    user_profiles: tuple[str, ...] = ()

    def to_json(self) -> dict:
        """``{"id", "arn", "name", "region", "account_id"}``."""
        return {"id": self.id, "arn": self.arn, "name": self.name, "region": self.region,
                "account_id": self.account_id}


@dataclass(frozen=True)
class Classified:
    """One resource's class for a target domain.

    Attributes: ``arn``, ``type`` (ARN resource type, e.g. ``training-job``), ``class_`` (one of
    :data:`CLASSES`), ``domain_tag`` (the tag value or None), ``creator`` (``{"user_profile":
    arn, "space": arn}`` subset, or None), ``other_domain`` (name or id of the other/stale domain,
    or None), ``domain_exists`` (True/False/None = not known).
    """

    arn: str
    type: str
    class_: str
    domain_tag: str | None
    creator: dict | None
    other_domain: str | None = None
    domain_exists: bool | None = None

    def to_json(self) -> dict:
        """The row shape of the scan JSON: ``{"arn", "type", "class", "domain_tag", "creator",
        "other_domain"?}``."""
        row = {"arn": self.arn, "type": self.type, "class": self.class_,
               "domain_tag": self.domain_tag, "creator": self.creator}
        if self.other_domain is not None or self.class_ in ("other_domain", "stale_domain"):
            row["other_domain"] = self.other_domain
            row["domain_exists"] = self.domain_exists
        return row


@dataclass(frozen=True)
class Proposal:
    """A proposed domain for a resource: ``domain_arn`` (None: no proposal), ``domain_id``,
    ``reason`` (human text), ``evidence`` (machine id: ``arn`` | ``creator-tag`` | ``role`` |
    ``name`` | ``conflict`` | ``none``), ``confidence`` (``high``/``medium``/``low``/None)."""

    domain_arn: str | None
    domain_id: str | None
    reason: str
    evidence: str
    confidence: str | None

    def to_json(self) -> dict:
        """``{"domain_arn", "domain_id", "reason", "evidence", "confidence"}``."""
        return {"domain_arn": self.domain_arn, "domain_id": self.domain_id,
                "reason": self.reason, "evidence": self.evidence,
                "confidence": self.confidence}


def parse_sagemaker_arn(arn: str) -> dict | None:
    """Split a SageMaker ARN into ``{"partition", "region", "account", "type", "rest"}``.

    Returns None for anything that is not a SageMaker ARN (format: AWS docs "Amazon Resource
    Names", ``arn:partition:sagemaker:region:account:type/name``).
    """
    if not isinstance(arn, str):
        return None
    m = patterns.SAGEMAKER_ARN_RE.fullmatch(arn)
    if not m:
        return None
    return {k: (v or "") for k, v in m.groupdict().items()}


def resource_type_of(arn: str) -> str:
    """The resource type of a SageMaker ARN: its first path segment (``training-job``, ``app``,
    ...), except ``model-card/<card>/export-job/<job>`` which is ``model-card-export-job``.
    ``"unknown"`` for a non-SageMaker ARN."""
    parts = parse_sagemaker_arn(arn)
    if parts is None:
        return "unknown"
    rtype, rest = parts["type"], parts["rest"]
    if rtype == "model-card" and "/export-job/" in f"/{rest}":
        return "model-card-export-job"
    return rtype


def domain_id_in_arn(arn: str) -> str | None:
    """The domain id inside a domain-scoped ARN (``user-profile/d-x/alice``, ``space/d-x/s``,
    ``app/d-x/owner/type/name``, ``domain/d-x``), else None."""
    parts = parse_sagemaker_arn(arn)
    if parts is None:
        return None
    if parts["type"] not in _DOMAIN_SCOPED | {"domain"}:
        return None
    first = parts["rest"].split("/", 1)[0]
    return first if patterns.is_domain_id(first) else None


def by_design_untagged(arn: str) -> bool:
    """True for resources the isolation policy does not isolate by tag (module docstring):
    ``image-version``, ``model-card-export-job``, ``model-package`` and the ``default``
    JupyterServer app (``app/<domain>/<owner>/jupyterserver/default``, the doc policy's
    ``DeleteDefaultApp`` resource)."""
    rtype = resource_type_of(arn)
    if rtype in ("image-version", "model-card-export-job", "model-package"):
        return True
    if rtype == "app":
        rest = (parse_sagemaker_arn(arn) or {}).get("rest", "")
        segs = rest.split("/")
        return len(segs) == 4 and segs[2].lower() == "jupyterserver" and segs[3] == "default"
    return False


def _creator(tags: Mapping[str, str] | None) -> dict | None:
    if not tags:
        return None
    out = {}
    if tags.get("sagemaker:user-profile-arn"):
        out["user_profile"] = tags["sagemaker:user-profile-arn"]
    if tags.get("sagemaker:space-arn"):
        out["space"] = tags["sagemaker:space-arn"]
    return out or None


def classify(
    arn: str,
    tags: Mapping[str, str] | None,
    target: DomainRef,
    domains: Mapping[str, DomainRef],
    listed_scopes: Iterable[tuple[str, str]] = (),
) -> Classified:
    """Classify one resource for ``target``.

    Args:
        arn: the resource ARN.
        tags: its tags as ``{key: value}`` (None or ``{}``: no tags).
        target: the domain the classification is for.
        domains: every domain the scan listed, keyed by domain ARN.
        listed_scopes: ``(account_id, region)`` pairs whose domains were listed completely; a
            domain ARN of such a scope that is not in ``domains`` is ``stale_domain``. A domain
            ARN outside them is ``other_domain`` with ``domain_exists: None``.

    Returns:
        :class:`Classified`.
    """
    rtype = resource_type_of(arn)
    tags = tags or {}
    value = tags.get(DOMAIN_TAG)
    creator = _creator(tags)
    if by_design_untagged(arn):
        return Classified(arn, rtype, "never_tagged_by_design", value, creator)
    if value is None:
        return Classified(arn, rtype, "untagged", None, creator)
    if value == target.arn:
        return Classified(arn, rtype, "this_domain", value, creator)
    known = domains.get(value)
    if known is not None:
        return Classified(arn, rtype, "other_domain", value, creator,
                          other_domain=known.name or known.id, domain_exists=True)
    parts = parse_sagemaker_arn(value)
    did = domain_id_in_arn(value) if parts and parts["type"] == "domain" else None
    if did is None:
        # Not a domain ARN: it can equal no domain's ARN, so no domain's policy covers it.
        return Classified(arn, rtype, "stale_domain", value, creator,
                          other_domain=None, domain_exists=False)
    scopes = listed_scopes if isinstance(listed_scopes, (set, frozenset)) else set(listed_scopes)
    if (parts["account"], parts["region"]) in scopes:
        return Classified(arn, rtype, "stale_domain", value, creator,
                          other_domain=did, domain_exists=False)
    return Classified(arn, rtype, "other_domain", value, creator,
                      other_domain=did, domain_exists=None)


def _empty_summary() -> dict:
    return dict.fromkeys(CLASSES, 0)


@dataclass
class TagScanAccumulator:
    """Streaming sink of a tag scan: summaries for every target domain, rows for the primary one.

    Memory holds the summaries, at most ``max_rows`` rows, and the proposals of kept rows;
    resources are fed one at a time with :meth:`add` and then dropped.

    Args:
        targets: the domains to classify for; ``targets[0]`` is the primary (rows, proposals).
        domains: every listed domain keyed by ARN (for ``other_domain`` names).
        listed_scopes: see :func:`classify`.
        rows: ``"problems"`` (keep untagged, other_domain and stale_domain rows), ``"all"``, or
            ``"none"``.
        max_rows: cap on kept rows (the rest are counted in ``rows_dropped``).
    """

    targets: list[DomainRef]
    domains: dict[str, DomainRef]
    listed_scopes: set = field(default_factory=set)
    rows: str = "problems"
    max_rows: int = 1000
    summaries: dict = field(default_factory=dict)
    by_type: dict = field(default_factory=dict)
    kept: list = field(default_factory=list)
    rows_dropped: int = 0
    total: int = 0

    def __post_init__(self) -> None:
        if not self.targets:
            raise ValueError("TagScanAccumulator needs at least one target domain")
        if self.rows not in ("problems", "all", "none"):
            raise ValueError(f"rows must be problems, all or none, got {self.rows!r}")
        for t in self.targets:
            self.summaries.setdefault(t.arn, _empty_summary())

    def add(self, arn: str, tags: Mapping[str, str] | None, extra: Mapping | None = None) -> str:
        """Count one resource (``extra``: optional ``{"name", "role_arn"}`` for proposals).

        Returns:
            Its class for the primary target.
        """
        self.total += 1
        primary_class = None
        for i, target in enumerate(self.targets):
            c = classify(arn, tags, target, self.domains, self.listed_scopes)
            self.summaries[target.arn][c.class_] += 1
            if i == 0:
                primary_class = c.class_
                per_type = self.by_type.setdefault(c.type, _empty_summary())
                per_type[c.class_] += 1
                self._keep(c, tags, extra)
        return primary_class

    def add_unreadable(self, arn: str, why: str, extra: Mapping | None = None) -> None:
        """Count one listed resource whose tags could not be read (class ``unreadable`` for
        every target; its row carries ``why``, e.g. ``"sagemaker:ListTags failed:
        ValidationException"``)."""
        self.total += 1
        rtype = resource_type_of(arn)
        for target in self.targets:
            self.summaries[target.arn]["unreadable"] += 1
        self.by_type.setdefault(rtype, _empty_summary())["unreadable"] += 1
        row = self._keep(Classified(arn, rtype, "unreadable", None, None), None, extra)
        if row is not None:
            row["unreadable_reason"] = why

    def _keep(self, c: Classified, tags, extra) -> dict | None:
        """Keep ``c``'s row if ``rows`` and ``max_rows`` allow; returns the row or None."""
        if self.rows == "none":
            return None
        if self.rows == "problems" and c.class_ not in ("untagged", "other_domain",
                                                        "stale_domain", "unreadable"):
            return None
        if len(self.kept) >= self.max_rows:
            self.rows_dropped += 1
            return None
        row = c.to_json()
        if extra and extra.get("role_arn"):
            row["role_arn"] = extra["role_arn"]
        if c.class_ == "untagged":
            row["proposal"] = propose_domain(
                c.arn, tags, list(self.domains.values()), name=(extra or {}).get("name"),
                role_arn=(extra or {}).get("role_arn"),
            ).to_json()
        self.kept.append(row)
        return row

    def merge(self, other: TagScanAccumulator) -> None:
        """Add another accumulator's counts and rows (same targets; another Region)."""
        for arn, summary in other.summaries.items():
            mine = self.summaries.setdefault(arn, _empty_summary())
            for k, v in summary.items():
                mine[k] += v
        for rtype, summary in other.by_type.items():
            mine = self.by_type.setdefault(rtype, _empty_summary())
            for k, v in summary.items():
                mine[k] += v
        room = max(0, self.max_rows - len(self.kept))
        self.kept.extend(other.kept[:room])
        self.rows_dropped += other.rows_dropped + max(0, len(other.kept) - room)
        self.total += other.total

    def result(self) -> dict:
        """The scan JSON for the primary target (CLI.md ``tags scan``): ``{"domain", "summary",
        "by_type", "resources", "rows_dropped", "total"}`` (the I/O layer adds coverage and call
        counts)."""
        primary = self.targets[0]
        return {
            "domain": primary.to_json(),
            "summary": dict(self.summaries[primary.arn]),
            "by_type": {k: dict(v) for k, v in sorted(self.by_type.items())},
            "resources": list(self.kept),
            "rows_dropped": self.rows_dropped,
            "total": self.total,
        }


def _name_of(arn: str) -> str:
    parts = parse_sagemaker_arn(arn) or {}
    rest = parts.get("rest") or ""
    return rest.rsplit("/", 1)[-1] if rest else ""


def propose_domain(
    arn: str,
    tags: Mapping[str, str] | None,
    domains: list[DomainRef],
    *,
    name: str | None = None,
    role_arn: str | None = None,
) -> Proposal:
    """Propose a domain for an untagged resource, with the reason and a confidence.

    Evidence, in order (the first that names exactly one domain wins; evidence naming two
    different domains at the same level gives no proposal, ``evidence: "conflict"``):

    1. ``high`` / ``arn``: the domain id inside the resource's own ARN (user profile, space, app).
    2. ``high`` / ``creator-tag``: ``sagemaker:user-profile-arn`` or ``sagemaker:space-arn``
       names a profile/space of a known domain (the domain id is in that ARN).
    3. ``medium`` / ``role``: the resource's execution role is used by exactly one domain.
    4. ``low`` / ``name``: the resource name contains exactly one domain's name or id.

    Args:
        arn: the resource ARN. tags: its tags (may be None). domains: the listed domains.
        name: the resource name if known (defaults to the ARN's last segment).
        role_arn: the execution role the resource uses, if known.

    Returns:
        :class:`Proposal` (``domain_arn`` None when nothing points to exactly one domain).
    """
    by_id = {d.id: d for d in domains}

    def one(ids: set[str], evidence: str, confidence: str, why: str) -> Proposal | None:
        known = {i for i in ids if i in by_id}
        if len(known) == 1:
            did = known.pop()
            return Proposal(by_id[did].arn, did, why.format(domain=by_id[did].name or did),
                            evidence, confidence)
        if len(known) > 1:
            return Proposal(None, None, f"{evidence} evidence points to several domains "
                            f"({', '.join(sorted(known))}); choose one by hand",
                            "conflict", None)
        return None

    did = domain_id_in_arn(arn)
    if did:
        p = one({did}, "arn", "high", "the resource ARN names domain {domain}")
        if p:
            return p
    creator_ids = set()
    for key in CREATOR_TAGS:
        value = (tags or {}).get(key)
        if value:
            cid = domain_id_in_arn(value)
            if cid:
                creator_ids.add(cid)
    if creator_ids:
        p = one(creator_ids, "creator-tag", "high",
                "created from a user profile or space of domain {domain} (creator tag)")
        if p:
            return p
    if role_arn:
        users = {d.id for d in domains if role_arn in d.roles}
        p = one(users, "role", "medium",
                f"its execution role {role_arn.rsplit('/', 1)[-1]} is used by domain "
                "{domain} only")
        if p:
            return p
    rname = (name or _name_of(arn)).lower()
    if rname:
        matched: dict[str, str] = {}
        for d in domains:
            labels = [d.id.lower()] + ([d.name.lower()] if d.name and len(d.name) >= 3 else [])
            found = [label for label in labels if label in rname]
            if found:
                matched[d.id] = max(found, key=len)
        # A domain whose name is part of another matched name ("ml" in "ml-prod") yields to it.
        hits = {i for i, label in matched.items()
                if not any(label != other and label in other for other in matched.values())}
        p = one(hits, "name", "low", "its name contains the name of domain {domain}")
        if p:
            return p
    return Proposal(None, None, "no evidence points to a domain", "none", None)


def build_plan(
    domain: DomainRef,
    rows: Iterable[Mapping],
    *,
    created_at: str,
    arns: Iterable[str] | None = None,
) -> dict:
    """A backfill plan: tag additions that put resources into ``domain``.

    Args:
        domain: the target domain.
        rows: scan rows (``resources`` of a scan result); untagged rows whose proposal names
            ``domain`` become items, pre-selected only when the confidence is ``high``.
        created_at: ISO 8601 time stamp.
        arns: explicit ARNs (``--resource-arn``): items with reason "named by the operator",
            confidence ``"operator"``, selected. Rows are ignored for these ARNs.

    Returns:
        ``{"schema_version": 1, "kind", "domain": {...}, "created_at", "items": [{"arn",
        "type", "tags": {"sagemaker:domain-arn": arn}, "reason", "confidence", "selected"}]}``.
    """
    items: list[dict] = []
    seen: set[str] = set()
    for arn in arns or ():
        if arn in seen:
            continue
        seen.add(arn)
        items.append({"arn": arn, "type": resource_type_of(arn),
                      "tags": {DOMAIN_TAG: domain.arn},
                      "reason": "named by the operator", "confidence": "operator",
                      "selected": True})
    for row in rows:
        if row.get("class") != "untagged" or row.get("arn") in seen:
            continue
        prop = row.get("proposal") or {}
        if prop.get("domain_arn") != domain.arn:
            continue
        seen.add(row["arn"])
        items.append({"arn": row["arn"], "type": row.get("type") or resource_type_of(row["arn"]),
                      "tags": {DOMAIN_TAG: domain.arn}, "reason": prop.get("reason"),
                      "confidence": prop.get("confidence"),
                      "selected": prop.get("confidence") == "high"})
    return {"schema_version": PLAN_SCHEMA_VERSION, "kind": PLAN_KIND, "domain": domain.to_json(),
            "created_at": created_at, "items": items}


_TAG_CHARS = re.compile(r"^[\w\s.:/=+\-@]*$", re.UNICODE)


def load_plan(obj: Any) -> dict:
    """Validate a plan (dict or JSON text) and return it normalised.

    Checks: ``kind``, ``schema_version``, ``domain.arn`` is a domain ARN, every item has a
    SageMaker ``arn``, a ``tags`` object of 1..50 string pairs (keys 1..128 characters, values
    0..256, AWS tag character set; keys must not start with ``aws:``), a boolean ``selected``
    (default true), and the ``sagemaker:domain-arn`` value, if present, equals the plan's domain.
    Duplicate ARNs are refused.

    Raises:
        PlanError: with the item index and field at fault.
    """
    if isinstance(obj, (str, bytes)):
        from ..iam.jsondepth import load_json_text

        try:
            obj = load_json_text(obj, "the plan")
        except ValueError as exc:
            raise PlanError(str(exc)) from None
    if not isinstance(obj, dict):
        raise PlanError("the plan must be a JSON object")
    if obj.get("kind") != PLAN_KIND:
        raise PlanError(f"plan kind must be {PLAN_KIND!r}, got {obj.get('kind')!r}")
    if obj.get("schema_version") != PLAN_SCHEMA_VERSION:
        raise PlanError(f"plan schema_version must be {PLAN_SCHEMA_VERSION}, "
                        f"got {obj.get('schema_version')!r}")
    domain = obj.get("domain")
    darn = domain.get("arn") if isinstance(domain, dict) else None
    parts = parse_sagemaker_arn(darn) if darn else None
    if not parts or parts["type"] != "domain" or not domain_id_in_arn(darn):
        raise PlanError(f"plan domain.arn must be a SageMaker domain ARN, got {darn!r}")
    items = obj.get("items")
    if not isinstance(items, list):
        raise PlanError("plan items must be a list")
    out_items = []
    seen = set()
    for i, item in enumerate(items):
        where = f"plan item #{i}"
        if not isinstance(item, dict):
            raise PlanError(f"{where} must be an object")
        arn = item.get("arn")
        if not parse_sagemaker_arn(arn):
            raise PlanError(f"{where}: arn must be a SageMaker ARN, got {arn!r}")
        if arn in seen:
            raise PlanError(f"{where}: duplicate arn {arn}")
        seen.add(arn)
        tags = item.get("tags")
        if not isinstance(tags, dict) or not tags:
            raise PlanError(f"{where} ({arn}): tags must be a non-empty object")
        if len(tags) > MAX_TAGS_PER_RESOURCE:
            raise PlanError(f"{where} ({arn}): more than {MAX_TAGS_PER_RESOURCE} tags")
        for k, v in tags.items():
            if not isinstance(k, str) or not 1 <= len(k) <= 128 or not _TAG_CHARS.match(k):
                raise PlanError(f"{where} ({arn}): bad tag key {k!r} (1..128 characters of "
                                "letters, digits, spaces and _.:/=+-@)")
            if k.lower().startswith("aws:"):
                raise PlanError(f"{where} ({arn}): tag key {k!r} uses the reserved aws: prefix")
            if not isinstance(v, str) or len(v) > 256 or not _TAG_CHARS.match(v):
                raise PlanError(f"{where} ({arn}): bad value for tag {k!r} (a string of at "
                                "most 256 characters of letters, digits, spaces and _.:/=+-@)")
        if DOMAIN_TAG in tags and tags[DOMAIN_TAG] != darn:
            raise PlanError(f"{where} ({arn}): {DOMAIN_TAG} is {tags[DOMAIN_TAG]!r}, not the "
                            f"plan's domain {darn}")
        selected = item.get("selected", True)
        if not isinstance(selected, bool):
            raise PlanError(f"{where} ({arn}): selected must be true or false")
        out_items.append({**item, "tags": dict(tags), "selected": selected,
                          "type": item.get("type") or resource_type_of(arn)})
    return {**obj, "items": out_items}


def dump_plan(plan: dict) -> str:
    """The plan as indented JSON text (stable key order) for review and editing."""
    return json.dumps(plan, indent=2, sort_keys=True) + "\n"


def plan_items_selected(plan: dict) -> list[dict]:
    """The items of a (loaded) plan with ``selected: true``."""
    return [item for item in plan.get("items", []) if item.get("selected", True)]


def call_budget(tagged: int, per_type: Mapping[str, int], constant: int) -> int:
    """The issue's call bound: ``ceil(tagged/100) + sum(ceil(n_type/100)) + constant``."""
    return (math.ceil(tagged / GET_RESOURCES_PAGE)
            + sum(math.ceil(n / 100) for n in per_type.values()) + constant)


def multi_domain_view(acc: TagScanAccumulator, verdicts: Mapping[str, Mapping] | None = None
                      ) -> list[dict]:
    """One line per target domain: ``{"domain": {...}, "own", "foreign", "untagged",
    "stale_domain", "never_tagged_by_design", "verdict", "verdict_error"}``.

    ``own`` = this_domain, ``foreign`` = other_domain. ``verdicts`` maps a domain ARN to
    ``{"verdict": ...}`` or ``{"error": ...}`` (from the existing collect + analyze); a domain
    without an entry gets ``verdict: "unknown"`` (never assumed isolated).
    """
    out = []
    for target in acc.targets:
        s = acc.summaries[target.arn]
        v = (verdicts or {}).get(target.arn) or {}
        out.append({
            "domain": target.to_json(),
            "own": s["this_domain"], "foreign": s["other_domain"], "untagged": s["untagged"],
            "stale_domain": s["stale_domain"],
            "never_tagged_by_design": s["never_tagged_by_design"],
            "unreadable": s["unreadable"],
            "verdict": v.get("verdict") or "unknown",
            "verdict_error": v.get("error"),
        })
    return out
