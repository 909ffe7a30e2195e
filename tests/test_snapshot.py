"""Snapshot: round trip, validation errors naming the field, offline snapshots, policy files."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from urllib.parse import quote

import pytest

from sagemaker_isolation_ext.sagemaker.snapshot import (
    OFFLINE_ROLE_KEY,
    SCHEMA_VERSION,
    PolicyFileError,
    SnapshotError,
    dump_snapshot,
    load_snapshot,
    read_policy_file,
    snapshot_from_policy_files,
)

DATA = Path(__file__).resolve().parent.parent / "sagemaker_isolation_ext" / "data"
FULL_ACCESS = json.loads((DATA / "managed_policies" / "AmazonSageMakerFullAccess.json").read_text())
DOC_POLICY = json.loads(
    (DATA / "isolation_policies" / "aws-docs-studio-domain-resource-isolation.json").read_text()
)
DOMAIN_ARN = "arn:aws:sagemaker:us-east-1:111122223333:domain/d-abc123def456"
ROLE = "arn:aws:iam::111122223333:role/service-role/Exec"
POLICY = "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"


def live_snapshot() -> dict:
    """A fresh (deep-copied) live Snapshot; tests may mutate it."""
    return copy.deepcopy(_LIVE)


_LIVE = {
    "schema_version": 1,
    "source": "live",
    "collected_at": "2026-12-01T07:00:00Z",
    "partition": "aws", "region": "us-east-1", "account_id": "111122223333",
    "context": {"source": "cli", "detail": "test"},
    "domain": {"id": "d-abc123def456", "arn": DOMAIN_ARN, "name": "research",
               "default_user_execution_role": ROLE, "default_space_execution_role": None,
               "studio_web_portal": "DISABLED", "default_landing_uri": "app:JupyterServer:"},
    "user_profiles": [{"name": "alice", "execution_role": None}],
    "roles": {ROLE: {"arn": ROLE, "name": "Exec", "attached_policies": [POLICY],
                     "inline_policies": [{"name": "iso", "document": DOC_POLICY}],
                     "permissions_boundary": None, "complete": True}},
    "policies": {POLICY: {"arn": POLICY, "name": "AmazonSageMakerFullAccess",
                          "version_id": "v29", "document": FULL_ACCESS}},
    "errors": [],
}


def test_round_trip_through_dump_and_load():
    snap = live_snapshot()
    text = dump_snapshot(snap)
    again = load_snapshot(text)
    assert again == snap
    assert json.loads(text)["schema_version"] == SCHEMA_VERSION
    assert dump_snapshot(again) == text  # stable, sorted


def test_load_from_path_and_pathlike(tmp_path):
    p = tmp_path / "snap.json"
    p.write_text(dump_snapshot(live_snapshot()))
    assert load_snapshot(p)["domain"]["id"] == "d-abc123def456"
    assert load_snapshot(str(p))["roles"][ROLE]["name"] == "Exec"


def test_load_does_not_mutate_and_fills_defaults():
    snap = live_snapshot()
    del snap["errors"], snap["user_profiles"], snap["partition"], snap["account_id"]
    del snap["roles"][ROLE]["complete"], snap["roles"][ROLE]["permissions_boundary"]
    original = copy.deepcopy(snap)
    out = load_snapshot(snap)
    assert snap == original
    assert out["errors"] == [] and out["user_profiles"] == []
    assert out["partition"] == "aws" and out["account_id"] == "111122223333"
    assert out["roles"][ROLE]["complete"] is True
    assert out["roles"][ROLE]["permissions_boundary"] is None


def _broken(mutate):
    snap = live_snapshot()
    mutate(snap)
    return snap


@pytest.mark.parametrize("mutate, field, fragment", [
    (lambda s: s.pop("schema_version"), "schema_version", "missing"),
    (lambda s: s.update(schema_version=2), "schema_version", "unsupported version 2"),
    (lambda s: s.update(schema_version="1"), "schema_version", "expected integer"),
    (lambda s: s.update(source="aws"), "source", "expected one of"),
    (lambda s: s.pop("domain"), "domain", "missing"),
    (lambda s: s["domain"].pop("id"), "domain.id", "missing"),
    (lambda s: s["domain"].update(id="d-other"), "domain.id", "differs"),
    (lambda s: s["domain"].update(default_user_execution_role=5),
     "domain.default_user_execution_role", "got integer"),
    (lambda s: s["user_profiles"][0].pop("name"), "user_profiles[0].name", "missing"),
    (lambda s: s["roles"][ROLE].update(arn="arn:aws:iam::1:role/x"), f"roles[{ROLE!r}].arn",
     "differs from its key"),
    (lambda s: s["roles"][ROLE]["attached_policies"].append(3),
     f"roles[{ROLE!r}].attached_policies[1]", "expected string"),
    (lambda s: s["roles"][ROLE].update(complete="yes"), f"roles[{ROLE!r}].complete",
     "expected boolean"),
    (lambda s: s["roles"][ROLE]["inline_policies"][0].update(document={"Version": "x"}),
     f"roles[{ROLE!r}].inline_policies[0].document", "no 'Statement'"),
    (lambda s: s["policies"][POLICY].pop("document"), f"policies[{POLICY!r}].document",
     "missing"),
    (lambda s: s["policies"][POLICY].update(document="{}"), f"policies[{POLICY!r}].document",
     "got string"),
    (lambda s: s["errors"].append({"operation": "iam:GetRole", "target": ROLE}),
     "errors[0].code", "missing"),
    (lambda s: s["context"].update(source="moon"), "context.source", "expected one of"),
])
def test_validation_errors_name_the_field(mutate, field, fragment):
    with pytest.raises(SnapshotError) as err:
        load_snapshot(_broken(mutate))
    assert err.value.field == field
    assert field in str(err.value) and fragment in str(err.value)
    assert isinstance(err.value, ValueError)


def test_not_an_object_and_bad_json(tmp_path):
    with pytest.raises(SnapshotError, match="JSON object, got array"):
        load_snapshot([])
    with pytest.raises(SnapshotError, match="not valid JSON"):
        load_snapshot('{"schema_version": 1,')
    with pytest.raises(SnapshotError, match="cannot read snapshot"):
        load_snapshot(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{oops")
    with pytest.raises(SnapshotError, match=r"bad\.json is not valid JSON"):
        load_snapshot(bad)


def test_dump_refuses_invalid_snapshot():
    with pytest.raises(SnapshotError):
        dump_snapshot(_broken(lambda s: s.pop("roles")))


def test_snapshot_from_policy_files_shape():
    snap = snapshot_from_policy_files(
        DOMAIN_ARN,
        [("AmazonSageMakerFullAccess", FULL_ACCESS), ("iso", DOC_POLICY)],
        boundary=("edge", {"Version": "2012-10-17", "Statement": []}),
    )
    assert snap["source"] == "policy-files"
    assert snap["context"]["source"] == "offline"
    assert snap["domain"]["id"] == "d-abc123def456"
    assert (snap["region"], snap["account_id"], snap["partition"]) == \
        ("us-east-1", "111122223333", "aws")
    assert list(snap["roles"]) == [OFFLINE_ROLE_KEY]
    role = snap["roles"][OFFLINE_ROLE_KEY]
    assert role["arn"] is None and role["complete"] is True
    assert role["attached_policies"] == ["offline:policy/AmazonSageMakerFullAccess",
                                         "offline:policy/iso"]
    assert role["permissions_boundary"] == "offline:boundary/edge"
    assert snap["policies"]["offline:policy/iso"]["document"] == DOC_POLICY
    assert snap["policies"]["offline:boundary/edge"]["arn"] is None
    assert load_snapshot(dump_snapshot(snap)) == snap


@pytest.mark.parametrize("arn", [
    "arn:aws:sagemaker:us-east-1:111122223333:user-profile/d-abc/alice",
    "arn:aws:iam::111122223333:role/x",
    "d-abc123",
    "arn:aws:sagemaker:us-east-1:account-id:domain/d-abc",
])
def test_snapshot_from_policy_files_bad_domain_arn(arn):
    with pytest.raises(SnapshotError, match="not a SageMaker domain ARN"):
        snapshot_from_policy_files(arn, [("p", DOC_POLICY)])


def test_snapshot_from_policy_files_input_errors():
    with pytest.raises(SnapshotError, match="at least one policy"):
        snapshot_from_policy_files(DOMAIN_ARN, [])
    with pytest.raises(SnapshotError, match="two policies are named 'p'"):
        snapshot_from_policy_files(DOMAIN_ARN, [("p", DOC_POLICY), ("p", FULL_ACCESS)])
    with pytest.raises(SnapshotError, match="no 'Statement'"):
        snapshot_from_policy_files(DOMAIN_ARN, [("p", {"Version": "2012-10-17"})])


# -- read_policy_file -----------------------------------------------------------------------


def test_read_bare_document_name_is_stem(tmp_path):
    p = tmp_path / "AmazonSageMakerFullAccess.json"
    p.write_text(json.dumps(FULL_ACCESS))
    assert read_policy_file(p) == ("AmazonSageMakerFullAccess", FULL_ACCESS)
    assert read_policy_file(p, name="given")[0] == "given"


@pytest.mark.parametrize("encoded", [False, True])
def test_read_get_policy_version_output(tmp_path, encoded):
    doc = quote(json.dumps(DOC_POLICY)) if encoded else DOC_POLICY
    p = tmp_path / "iso-policy.json"
    p.write_text(json.dumps({"PolicyVersion": {"Document": doc, "VersionId": "v3",
                                               "IsDefaultVersion": True}}))
    assert read_policy_file(p) == ("iso-policy", DOC_POLICY)


def test_read_name_document_shape(tmp_path):
    p = tmp_path / "file.json"
    p.write_text(json.dumps({"name": "StudioDomainResourceIsolationPolicy-d-abc",
                             "document": DOC_POLICY}))
    assert read_policy_file(p) == ("StudioDomainResourceIsolationPolicy-d-abc", DOC_POLICY)
    assert read_policy_file(p, name="cli-name")[0] == "cli-name"


def test_read_get_role_policy_output(tmp_path):
    p = tmp_path / "x.json"
    p.write_text(json.dumps({"RoleName": "r", "PolicyName": "inline1",
                             "PolicyDocument": DOC_POLICY}))
    assert read_policy_file(p) == ("inline1", DOC_POLICY)


@pytest.mark.parametrize("content, fragment", [
    ("{bad", "is not valid JSON"),
    ("[]", "holds a JSON array"),
    ('{"Version": "2012-10-17"}', "no policy document found"),
    ('{"PolicyVersion": {"VersionId": "v1"}}', "'PolicyVersion' has no 'Document'"),
    ('{"PolicyVersion": {"Document": "not%20json"}}', "not JSON"),
    ('{"name": "x", "document": [1]}', "expected an object"),
    ('{"name": "x", "document": {"Version": "2012-10-17"}}', "no 'Statement'"),
])
def test_read_policy_file_errors(tmp_path, content, fragment):
    p = tmp_path / "broken.json"
    p.write_text(content)
    with pytest.raises(PolicyFileError) as err:
        read_policy_file(p)
    assert fragment in str(err.value) and "broken.json" in str(err.value)


def test_read_policy_file_missing_and_binary(tmp_path):
    with pytest.raises(PolicyFileError, match="cannot read policy file"):
        read_policy_file(tmp_path / "nope.json")
    p = tmp_path / "bin.json"
    p.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(PolicyFileError, match="not UTF-8"):
        read_policy_file(p)


def test_snapshot_module_is_pure():
    import sagemaker_isolation_ext.sagemaker.snapshot as mod

    source = Path(mod.__file__).read_text()
    for banned in ("boto3", "botocore", "tornado", "jupyter"):
        assert f"import {banned}" not in source and f"from {banned}" not in source


# -- robustness: bad input gives SnapshotError, never another exception --------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)


def _paths(obj, prefix=()):
    yield prefix
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _paths(v, prefix + (i,))


ALL_PATHS = [p for p in _paths(live_snapshot()) if p]


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(path=st.sampled_from(ALL_PATHS), value=JSON, delete=st.booleans())
def test_mutated_snapshot_loads_or_raises_snapshot_error(path, value, delete):
    snap = live_snapshot()
    parent = snap
    for step in path[:-1]:
        parent = parent[step]
    if delete and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    try:
        out = load_snapshot(snap)
    except SnapshotError as e:
        assert str(e).startswith("snapshot") or "JSON object" in str(e)
        return
    assert load_snapshot(dump_snapshot(out)) == out


@settings(max_examples=200, deadline=None)
@given(value=JSON)
def test_random_json_never_crashes(value):
    try:
        load_snapshot(value if not isinstance(value, str) else json.dumps(value))
    except SnapshotError:
        pass


def test_dump_rejects_non_json_values():
    snap = live_snapshot()
    snap["extra"] = {1, 2}
    with pytest.raises(SnapshotError, match="not JSON-serialisable"):
        dump_snapshot(snap)
    with pytest.raises(SnapshotError, match="keys are role ARNs"):
        load_snapshot({**live_snapshot(), "roles": {1: {}}})


def test_plain_json_document_with_percent_is_not_unquoted(tmp_path):
    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                                                   "Resource": "arn:aws:s3:::b/%41*"}]}
    p = tmp_path / "pct.json"
    p.write_text(json.dumps({"PolicyVersion": {"Document": json.dumps(doc)}}))
    assert read_policy_file(p)[1] == doc


def test_a_policy_file_larger_than_a_mebibyte_is_refused(tmp_path):
    from sagemaker_isolation_ext.sagemaker.snapshot import (
        MAX_POLICY_FILE_BYTES,
        PolicyFileError,
        read_policy_file,
    )

    stmt = {"Effect": "Allow", "Action": "sagemaker:DescribeDomain", "Resource": "*"}
    big = tmp_path / "big.json"
    n = MAX_POLICY_FILE_BYTES // len(json.dumps(stmt)) + 10
    big.write_text(json.dumps({"Version": "2012-10-17", "Statement": [stmt] * n}))
    with pytest.raises(PolicyFileError, match="larger than 1024 KiB"):
        read_policy_file(big)
    small = tmp_path / "small.json"
    small.write_text(json.dumps({"Version": "2012-10-17", "Statement": [stmt]}))
    assert read_policy_file(small)[0] == "small"
