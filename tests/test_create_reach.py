"""The Create* table (sagemaker_isolation_ext.sagemaker.create_reach): complete for the catalog,
sound fallback, and every row checked against botocore's SageMaker service model (the referee:
the table is committed data; these tests re-derive each row's fact from botocore's shapes, which
the product never reads at run time)."""

from __future__ import annotations

import collections
import json
import re
import subprocess
import sys
from pathlib import Path

import botocore
import botocore.session
import pytest

from sagemaker_isolation_ext.sagemaker import create_reach as CR
from sagemaker_isolation_ext.sagemaker.catalog import load_catalog

ROOT = Path(__file__).resolve().parent.parent
MODEL = botocore.session.get_session().get_service_model("sagemaker")
CATALOG = load_catalog()
ROWS = CR.table()


def _norm(s: str) -> str:
    return s.replace("-", "").lower()


def _names_type(member: str, rt: str) -> bool:
    """Whether botocore member ``member`` (``TrainingJobArn``, ``ExperimentName``, ``DomainId``)
    is named after resource type ``rt`` (``training-job``, ``experiment``, ``domain``)."""
    m = re.fullmatch(r"(.*?)(Names?|Arns?|Ids?|Identifier)", member)
    stem = m.group(1) if m else ""
    return bool(stem) and _norm(rt).endswith(_norm(stem))


def _resolve(shape, path: str):
    """The botocore shape at dotted ``path`` (``a.b[].c``) in structure ``shape``; KeyError."""
    for part in path.split("."):
        is_list = part.endswith("[]")
        name = part[:-2] if is_list else part
        shape = shape.members[name]
        if is_list:
            assert shape.type_name == "list", path
            shape = shape.member
    return shape


def _creators() -> dict[str, list[str]]:
    out = collections.defaultdict(list)
    for r in ROWS:
        if r.kind in ("new", "inside"):
            out[r.resource_type].append(r.action)
    return out


CREATORS = _creators()


def _catalog_pairs() -> set[tuple[str, str]]:
    return {
        (name, ref.key)
        for name, info in CATALOG.actions.items()
        if info.short_name.startswith("Create")
        for ref in info.resource_types
    }


# ---- completeness, shape, fallback --------------------------------------------------------------


def test_table_covers_every_create_pair_in_the_catalog_and_nothing_else():
    table_pairs = [(r.action, r.resource_type) for r in ROWS]
    assert len(table_pairs) == len(set(table_pairs)), "duplicate rows"
    assert set(table_pairs) == _catalog_pairs()


def test_table_records_the_catalog_it_was_made_from():
    info = CR.table_info()
    assert info["catalog_version"] == CATALOG.version
    assert info["sagemaker_api_version"] == MODEL.api_version


def test_fallback_is_existing_and_says_so():
    r = CR.create_reach("sagemaker:CreateSomethingNew", "something-new")
    assert (r.kind, r.parent, r.source) == ("existing", None, CR.FALLBACK_SOURCE)
    assert r.reaches_existing
    # a real action on a type it does not list is not in the table either
    assert CR.create_reach("sagemaker:CreateTrainingJob", "endpoint").kind == "existing"


def test_lookup_matches_action_case_insensitively():
    assert CR.create_reach("SageMaker:createapp", "app") is CR.create_reach(
        "sagemaker:CreateApp", "app"
    )


def test_every_row_is_well_formed():
    for r in ROWS:
        assert r.kind in CR.KINDS
        assert (r.kind == "inside") == bool(r.parents), r
        assert r.source and r.note and "\n" not in r.note, r
        for p in r.parents:
            assert p in CATALOG.resource_types, (r, p)
        assert r.to_json()["parents"] == list(r.parents)


def test_counts_per_kind_are_the_reviewed_ones():
    # Reviewed by hand against the rows below; a regeneration that moves a row must say so.
    counts = collections.Counter(r.kind for r in ROWS)
    assert counts == {"new": 55, "existing": 22, "inside": 9}


# ---- the named rows of the issue ----------------------------------------------------------------


@pytest.mark.parametrize(
    "action,rt,kind,parent",
    [
        ("sagemaker:CreatePresignedDomainUrl", "user-profile", "existing", None),
        ("sagemaker:CreatePresignedNotebookInstanceUrl", "notebook-instance", "existing", None),
        ("sagemaker:CreateApp", "app", "inside", "user-profile|space"),
        ("sagemaker:CreateSpace", "space", "inside", "domain"),
        ("sagemaker:CreateUserProfile", "user-profile", "inside", "domain"),
        ("sagemaker:CreateTrainingJob", "training-job", "new", None),
        ("sagemaker:CreateTrainingJob", "training-plan", "existing", None),
        ("sagemaker:CreateEndpoint", "endpoint", "new", None),
        ("sagemaker:CreateEndpoint", "endpoint-config", "existing", None),
        ("sagemaker:CreateHubContentReference", "hub-content", "inside", "hub"),
        ("sagemaker:CreateImageVersion", "image", "existing", None),
    ],
)
def test_named_rows(action, rt, kind, parent):
    r = CR.create_reach(action, rt)
    assert r.source != CR.FALLBACK_SOURCE
    assert (r.kind, r.parent) == (kind, parent)
    assert r.reaches_existing == (kind != "new")


def test_create_app_parent_covers_profiles_and_spaces():
    r = CR.create_reach("sagemaker:CreateApp", "app")
    assert r.parents == ("user-profile", "space")
    assert "space" in r.note and "profile" in r.note


# ---- one test per row, against botocore ---------------------------------------------------------


def _check_against_botocore(r: CR.CreateReach) -> None:
    op = r.action.split(":", 1)[1]
    om = MODEL.operation_model(op)
    inp = om.input_shape
    out = list(om.output_shape.members) if om.output_shape is not None else []
    arn_format = CATALOG.resource_types[r.resource_type].arn_format
    for path in r.input_members:
        _resolve(inp, path)  # KeyError: the row names a member botocore does not have
    presigned = any("Url" in m for m in out) and not any(m.endswith("Arn") for m in out)

    if r.kind in ("new", "inside"):
        assert not presigned, f"{op} returns a presigned URL, not a new {r.resource_type}"
        if om.output_shape is None:
            # No output: the new resource's name is a required input member, the one the
            # catalog's ARN format is built from (device-fleet/${DeviceFleetName}), and botocore's
            # documentation says the call creates/starts it.
            name = re.findall(r"\$\{([A-Za-z0-9]+)\}", arn_format)[-1]
            assert name in inp.required_members, (op, name)
            assert re.match(r"(Creates|Starts)\b", om.documentation.replace("<p>", "")), op
        else:
            # The output returns the new resource's ARN, in a member named after the type
            # (TrainingJobArn) or the bare Arn of a single-type action.
            m = r.output_member
            assert m in out and m.endswith("Arn"), (op, m, out)
            single = len(CATALOG.actions[r.action].resource_types) == 1
            assert _names_type(m, r.resource_type) or (m == "Arn" and single), (op, m)
    if r.kind == "inside":
        # Each parent is named by an input member and is a type that some Create* makes, so the
        # parent exists before this request.
        for parent in r.parents:
            assert any(_names_type(p.split(".")[-1], parent) for p in r.input_members), (
                op,
                parent,
                r.input_members,
            )
            assert CREATORS.get(parent), f"no Create* makes a {parent}"
        if r.resource_type in ("app", "space", "user-profile"):
            assert "${DomainId}" in arn_format  # the new resource's ARN sits inside the domain
    if r.kind == "existing":
        if presigned:
            # A presigned URL to a resource named by required input members.
            assert r.input_members, op
            assert set(r.input_members) <= set(inp.required_members), op
        else:
            assert r.input_members, f"{op}/{r.resource_type}: no input member names the resource"
            for path in r.input_members:
                last = path.split(".")[-1]
                named = (
                    "training-plan" if r.resource_type == "reserved-capacity" else r.resource_type
                )
                assert _names_type(last, named), (op, path)
            if r.resource_type == "reserved-capacity":
                # a training plan holds reserved capacities (DescribeTrainingPlan output)
                desc = MODEL.operation_model("DescribeTrainingPlan").output_shape.members
                assert "ReservedCapacitySummaries" in desc
            # the existing resource is made by another Create* (or, for hub content, imported)
            creators = [a for a in CREATORS.get(r.resource_type, []) if a != r.action]
            assert creators or r.resource_type == "reserved-capacity", (op, r.resource_type)


def _check_references(r: CR.CreateReach) -> None:
    op = r.action.split(":", 1)[1]
    own = {ref.key for ref in CATALOG.actions[r.action].resource_types}
    inp = MODEL.operation_model(op).input_shape
    for path, rt in r.references:
        _resolve(inp, path)
        assert rt in CATALOG.resource_types and rt not in own, (op, rt)
        assert _names_type(path.split(".")[-1].replace("[]", ""), rt), (op, path, rt)


@pytest.mark.parametrize("row", ROWS, ids=[f"{r.action[10:]}/{r.resource_type}" for r in ROWS])
def test_row_against_botocore(row):
    assert (row.action, row.resource_type) in _catalog_pairs()
    op = row.action.split(":", 1)[1]
    if op not in MODEL.operation_names:
        # No public API to read: the row must be the sound reading and say it was hand-reviewed.
        assert row.kind == "existing", row
        assert "hand-reviewed" in row.source and "no " + op + " operation" in row.source
        return
    _check_against_botocore(row)
    _check_references(row)
    same_action = {r.references for r in ROWS if r.action == row.action}
    assert same_action == {row.references}


@pytest.mark.parametrize(
    "action,member,rt",
    [
        ("sagemaker:CreateInferenceExperiment", "EndpointName", "endpoint"),
        ("sagemaker:CreateEndpointConfig", "ProductionVariants[].ModelName", "model"),
        ("sagemaker:CreatePresignedDomainUrl", "SpaceName", "space"),
        ("sagemaker:CreateTransformJob", "ModelName", "model"),
    ],
)
def test_references_name_existing_resources_iam_does_not_check(action, member, rt):
    rows = [r for r in ROWS if r.action == action]
    assert rows and all((member, rt) in r.references for r in rows)
    # never the new resource's own name
    assert not any(
        m == "JobName"
        for m, _ in CR.create_reach(
            "sagemaker:CreateInferenceRecommendationsJob", "inference-recommendations-job"
        ).references
    )


def test_check_rejects_a_wrong_row():
    """The per-row referee is not a rubber stamp: flipped rows fail it."""
    wrong = [
        CR.CreateReach(
            "sagemaker:CreatePresignedDomainUrl", "user-profile", "new", None, "x", "x", (), None
        ),
        CR.CreateReach(
            "sagemaker:CreateImageVersion", "image", "new", None, "x", "x", (), "ImageVersionArn"
        ),
        CR.CreateReach(
            "sagemaker:CreateTrainingJob", "training-job", "existing", None, "x", "x", (), None
        ),
        CR.CreateReach(
            "sagemaker:CreateSpace", "space", "inside", "hub", "x", "x", ("DomainId",), "SpaceArn"
        ),
        CR.CreateReach(
            "sagemaker:CreateEndpoint", "endpoint-config", "new", None, "x", "x", (), "EndpointArn"
        ),
        CR.CreateReach(
            "sagemaker:CreateTrainingJob",
            "training-job",
            "existing",
            None,
            "x",
            "x",
            ("TrainingJobName",),
            None,
        ),
    ]
    for r in wrong:
        with pytest.raises((AssertionError, KeyError)):
            _check_against_botocore(r)
    bad_ref = CR.CreateReach(
        "sagemaker:CreateTrainingJob",
        "training-job",
        "new",
        None,
        "x",
        "x",
        (),
        "TrainingJobArn",
        (("AlgorithmSpecification.AlgorithmName", "endpoint"),),
    )
    with pytest.raises(AssertionError):
        _check_references(bad_ref)


# ---- the committed file is what the generator writes --------------------------------------------


def test_generator_reproduces_the_committed_table():
    data = json.loads(
        (ROOT / "sagemaker_isolation_ext" / "data" / "create_reach.json").read_text("utf-8")
    )
    if data["botocore_version"] != botocore.__version__:
        pytest.skip(
            f"table made with botocore {data['botocore_version']}, this venv has "
            f"{botocore.__version__}: the per-row tests above still check it"
        )
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_create_reach.py"), "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
