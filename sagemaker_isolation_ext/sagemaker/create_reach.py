"""What a ``sagemaker:Create*`` request reaches, per (action, IAM resource type).

Not every ``Create*`` action creates a new resource: a presigned URL opens an existing one
(``CreatePresignedDomainUrl`` signs in as an existing user profile), an app is created inside an
existing user profile or space, a trial is added to an existing experiment, and some actions are
authorised against both the new resource and an existing one they use (``CreateEndpoint`` on the
``endpoint-config`` it deploys). This module classifies each (action, resource type) pair:

- ``"new"``: the request's resource of this type is the new resource being created (the caller
  chooses its name; it carries no tags yet, only the request's tags).
- ``"existing"``: the resource of this type is an existing resource the call reads, opens or uses.
- ``"inside"``: a new resource created inside an existing parent (``parent`` names the parent's
  resource type); for these requests the parent's tags apply, or none.

``"existing"`` and ``"inside"`` both reach another domain's resources; only ``"new"`` is "creating
a new resource". Anything not in the table counts as ``"existing"`` (the sound reading: it cannot
turn a cross-domain right into a create right).

The table is ``sagemaker_isolation_ext/data/create_reach.json``, generated at development time by
``scripts/gen_create_reach.py`` from botocore's SageMaker service model (which input members name
an existing resource; whether the output returns a new ARN of the type) plus hand-reviewed rows
cited to AWS doc pages; see docs/CREATE_REACH.md. This module reads only that file (stdlib only).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import resources

KINDS = ("new", "existing", "inside")

#: ``source`` of the answer for a pair the table does not hold.
FALLBACK_SOURCE = "not in the table: counted as reaching an existing resource (sound reading)"

_DATA_FILE = "create_reach.json"


class CreateReachError(RuntimeError):
    """The packaged table is missing or malformed (a broken install or a bad regeneration)."""


@dataclass(frozen=True)
class CreateReach:
    """What one ``Create*`` action reaches on one of its IAM resource types.

    Attributes:
        action: full action name, e.g. ``"sagemaker:CreateApp"``.
        resource_type: the IAM resource type key from the catalog, e.g. ``"app"``.
        kind: ``"new"`` | ``"existing"`` | ``"inside"`` (see the module docstring).
        parent: for ``"inside"``, the parent's resource type key (``"domain"``, ``"hub"``, ...);
            alternatives are joined with ``"|"`` (``CreateApp``: ``"user-profile|space"``, the app
            is inside a user profile or a space; see ``parents``). None for other kinds.
        source: the citation: the botocore shape/members the row was derived from, and/or the
            AWS doc page title and URL for hand-reviewed rows.
        note: one line in words, shown to users.
        input_members: botocore input members (dotted, ``[]`` for list items) naming the existing
            resource (``"existing"``) or the parent (``"inside"``); empty when not known.
        output_member: the botocore output member that returns the new resource's ARN
            (``"new"``/``"inside"``), or None (no output shape, or not a new resource).
        references: ``((input member path, resource type), ...)``: other existing SageMaker
            resources the request names whose type is not one of the action's IAM resource
            types, so their tags are not checked for this request (``CreateInferenceExperiment``
            names an existing ``endpoint``, ``CreateEndpointConfig`` existing models). The same
            for every row of one action. Not exhaustive: only botocore members named after a
            type (``<Type>Name``, ``<Type>Arn``, ``<Type>Arns``, ``<Type>Identifier``).
    """

    action: str
    resource_type: str
    kind: str
    parent: str | None
    source: str
    note: str
    input_members: tuple[str, ...] = ()
    output_member: str | None = None
    references: tuple[tuple[str, str], ...] = ()

    @property
    def parents(self) -> tuple[str, ...]:
        """The parent resource type keys as a tuple (``("user-profile", "space")``), or ``()``."""
        return tuple(self.parent.split("|")) if self.parent else ()

    @property
    def reaches_existing(self) -> bool:
        """True for ``"existing"`` and ``"inside"``: the request reaches an existing resource, so
        it counts toward cross-domain access (not toward "creates a new resource")."""
        return self.kind != "new"

    def to_json(self) -> dict:
        """``{"action", "resource_type", "kind", "parent", "parents": [..], "source", "note",
        "input_members": [..], "output_member", "references": [{"member", "resource_type"}]}``
        (JSON-ready)."""
        return {
            "action": self.action,
            "resource_type": self.resource_type,
            "kind": self.kind,
            "parent": self.parent,
            "parents": list(self.parents),
            "source": self.source,
            "note": self.note,
            "input_members": list(self.input_members),
            "output_member": self.output_member,
            "references": [{"member": m, "resource_type": t} for m, t in self.references],
        }


def _row(raw: dict) -> CreateReach:
    try:
        row = CreateReach(
            action=str(raw["action"]),
            resource_type=str(raw["resource_type"]),
            kind=str(raw["kind"]),
            parent=raw.get("parent") or None,
            source=str(raw["source"]),
            note=str(raw["note"]),
            input_members=tuple(raw.get("input_members") or ()),
            output_member=raw.get("output_member") or None,
            references=tuple((str(m), str(t)) for m, t in raw.get("references") or ()),
        )
    except (KeyError, TypeError) as exc:
        raise CreateReachError(f"bad row in {_DATA_FILE}: {raw!r} ({exc})") from None
    if row.kind not in KINDS:
        raise CreateReachError(f"bad kind {row.kind!r} in {_DATA_FILE} for {row.action}")
    if (row.kind == "inside") != (row.parent is not None):
        raise CreateReachError(
            f"{row.action}/{row.resource_type}: a parent is given exactly for kind 'inside'"
        )
    return row


@functools.lru_cache(maxsize=1)
def _load() -> tuple[dict, tuple[CreateReach, ...], dict[tuple[str, str], CreateReach]]:
    try:
        text = (
            resources.files("sagemaker_isolation_ext")
            .joinpath("data", _DATA_FILE)
            .read_text(encoding="utf-8")
        )
        doc = json.loads(text)
        rows = tuple(_row(r) for r in doc["rows"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CreateReachError(f"cannot read the packaged {_DATA_FILE}: {exc}") from exc
    index: dict[tuple[str, str], CreateReach] = {}
    for r in rows:
        key = (r.action.lower(), r.resource_type)
        if key in index:
            raise CreateReachError(f"duplicate row {r.action}/{r.resource_type} in {_DATA_FILE}")
        index[key] = r
    meta = {k: v for k, v in doc.items() if k != "rows"}
    return meta, rows, index


def table() -> tuple[CreateReach, ...]:
    """Every row of the committed table, in the catalog's action order.

    Returns:
        tuple of CreateReach (one per ``Create*`` action and IAM resource type of the catalog
        the table was generated from).

    Raises:
        CreateReachError: the packaged data file is missing or malformed.
    """
    return _load()[1]


def table_info() -> dict:
    """Where the table came from: ``{"about", "catalog_version", "botocore_version",
    "sagemaker_api_version"}`` (str values), as written by ``scripts/gen_create_reach.py``."""
    return dict(_load()[0])


def create_reach(action: str, resource_type: str) -> CreateReach:
    """What ``action`` reaches on its resource type ``resource_type``.

    Args:
        action: full action name, ``"sagemaker:CreateApp"`` (the action part is matched
            case-insensitively, as IAM does).
        resource_type: IAM resource type key, ``"app"`` (exact).

    Returns:
        the table's row; for a pair the table does not hold, a row with kind ``"existing"``,
        parent None and source ``FALLBACK_SOURCE`` (sound: unknown Create* actions are treated
        as reaching an existing resource, never as only creating one).

    Raises:
        CreateReachError: the packaged data file is missing or malformed.
    """
    row = _load()[2].get((action.lower(), resource_type))
    if row is not None:
        return row
    return CreateReach(
        action=action,
        resource_type=resource_type,
        kind="existing",
        parent=None,
        source=FALLBACK_SOURCE,
        note="not in the Create* table: counted as reaching an existing resource",
    )
