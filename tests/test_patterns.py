"""The one source of id, name, Region and ARN patterns (``sagemaker/patterns.py``), checked
against AWS's own examples and definitions, and against every place that used to copy them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from sagemaker_isolation_ext.sagemaker import patterns as P
from sagemaker_isolation_ext.sagemaker.snapshot import SnapshotError, parse_domain_arn
from sagemaker_isolation_ext.sagemaker.templates import parse_domain_arn as template_domain_arn

ROOT = Path(__file__).resolve().parents[1]

#: Every Region botocore's partitions.json lists (botocore 1.44.18), by partition (the ``*-global``
#: pseudo-regions are endpoint names, not Regions): ``patterns.KNOWN_REGIONS``, checked against the
#: installed botocore in ``test_region_regexes_are_botocores``.
AWS_REGIONS = P.KNOWN_REGIONS


def _botocore_partitions() -> dict | None:
    try:
        import botocore
    except ImportError:  # pragma: no cover - botocore is a dependency
        return None
    path = Path(botocore.__file__).parent / "data" / "partitions.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


@pytest.mark.parametrize(
    "region", [r for regions in AWS_REGIONS.values() for r in regions]
)
def test_every_aws_region_is_a_region(region):
    assert P.is_region(region)


@pytest.mark.parametrize(
    "bad",
    ["", "us-east", "useast1", "US-EAST-1", "mars-1", "moon-1", "US East", "xx-east-1",
     "us-east-north-1", "us-east-1\n", " us-east-1", "aws-global", "us-east-1a", None, 1],
)
def test_not_regions(bad):
    assert not P.is_region(bad)


def test_region_regexes_are_botocores():
    """The copied regionRegex values are the installed botocore's, each partition's Regions
    match their partition's regex, and the installed botocore knows no Region we reject."""
    data = _botocore_partitions()
    if data is None:
        pytest.skip("botocore's partitions.json is not installed")
    published = {p["id"]: p["regionRegex"] for p in data["partitions"]}
    assert published == P.REGION_REGEXES
    for part in data["partitions"]:
        for region in part["regions"]:
            if region.endswith("-global"):
                continue
            assert P.is_region(region), region
            assert re.fullmatch(P.REGION_REGEXES[part["id"]], region), region
    listed = {p["id"]: set(p["regions"]) for p in data["partitions"]}
    for partition, regions in P.KNOWN_REGIONS.items():
        assert set(regions) <= listed[partition], partition


def test_region_examples_per_partition():
    for partition, regions in AWS_REGIONS.items():
        for region in regions:
            assert re.fullmatch(P.REGION_REGEXES[partition], region), (partition, region)


def test_sagemaker_api_shapes():
    """The id and name patterns are the SageMaker API reference's (botocore's service model)."""
    try:
        import botocore.session
    except ImportError:  # pragma: no cover
        pytest.skip("botocore is not installed")
    shapes = botocore.session.get_session().get_service_model("sagemaker")
    assert shapes.shape_for("DomainId").metadata["pattern"] == P.DOMAIN_ID
    for name in ("UserProfileName", "SpaceName", "AppName"):
        assert shapes.shape_for(name).metadata["pattern"] == P.RESOURCE_NAME, name
    assert shapes.shape_for("RoleArn").metadata["pattern"] == P.ROLE_ARN_RE.pattern


@pytest.mark.parametrize("good", ["d-abc123def456", "d-xxxxxxxxxxxx", "d-a", "d-a--b", "d-0"])
def test_domain_ids(good):
    assert P.is_domain_id(good)


@pytest.mark.parametrize(
    "bad", ["", "d-", "d-ABC", "abc", "d-abc-", "d-abc\n", "d_abc", "d-" + "a" * 62, None]
)
def test_not_domain_ids(bad):
    assert not P.is_domain_id(bad)


@pytest.mark.parametrize("good", ["alice", "default-20240101T000000", "A1", "a--b", "x" * 63])
def test_resource_names(good):
    assert P.is_resource_name(good)


@pytest.mark.parametrize("bad", ["", "-a", "a-", "a_b", "a b", "x" * 64, None])
def test_not_resource_names(bad):
    assert not P.is_resource_name(bad)


def test_role_arns():
    assert P.is_role_arn("arn:aws:iam::111122223333:role/service-role/AmazonSageMaker-Exec")
    assert P.is_role_arn("arn:aws-us-gov:iam::111122223333:role/Exec")
    assert not P.is_role_arn("arn:aws:iam::111122223333:user/alice")
    assert not P.is_role_arn("arn:aws:iam::1111:role/Exec")
    assert not P.is_role_arn("arn:aws:iam::111122223333:role/has space")
    assert not P.is_role_arn("arn:aws:iam::111122223333:role/" + "a" * 2048)


@pytest.mark.parametrize(
    ("arn", "partition", "region"),
    [
        ("arn:aws:sagemaker:us-east-1:111122223333:domain/d-abc123def456", "aws", "us-east-1"),
        ("arn:aws-us-gov:sagemaker:us-gov-west-1:111122223333:domain/d-x", "aws-us-gov",
         "us-gov-west-1"),
        ("arn:aws-cn:sagemaker:cn-north-1:111122223333:domain/d-x", "aws-cn", "cn-north-1"),
        ("arn:aws-eusc:sagemaker:eusc-de-east-1:111122223333:domain/d-x", "aws-eusc",
         "eusc-de-east-1"),
    ],
)
def test_domain_arns_parse_alike_everywhere(arn, partition, region):
    """The snapshot's validator and the templates' parser read the same domain ARNs (they
    used different Region patterns: eusc-de-east-1 passed one and failed the other)."""
    assert parse_domain_arn(arn)["region"] == region
    assert parse_domain_arn(arn)["partition"] == partition
    dom = template_domain_arn(arn)
    assert (dom.partition, dom.region) == (partition, region)


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:sagemaker:us-east-1:111122223333:domain/D-ABC",
        "arn:aws:sagemaker:mars-1:111122223333:domain/d-abc",
        "arn:aws-mars:sagemaker:us-east-1:111122223333:domain/d-abc",
        "arn:aws:sagemaker:us-east-1:1111:domain/d-abc",
        "arn:aws:sagemaker:us-east-1:111122223333:user-profile/d-abc/alice",
    ],
)
def test_bad_domain_arns_fail_everywhere(arn):
    with pytest.raises(SnapshotError):
        parse_domain_arn(arn)
    with pytest.raises(ValueError):
        template_domain_arn(arn)


def test_no_copy_of_the_patterns_is_left():
    """No module but patterns.py writes the domain-id pattern or a Region pattern."""
    needles = ("(-*[a-z0-9]){1,61}", "[a-z]{2}(-[a-z]+)", "[a-z]{2,4}(?:-", "[a-z]{2}(?:-")
    copies = [
        (path.relative_to(ROOT).as_posix(), needle)
        for path in (ROOT / "sagemaker_isolation_ext").rglob("*.py")
        if path.name != "patterns.py"
        for needle in needles
        if needle in path.read_text(encoding="utf-8")
    ]
    assert copies == []


def test_the_panel_form_uses_the_same_patterns():
    """src/components/DomainForm.tsx validates with the server's patterns (JavaScript has no
    re.ASCII; its \\w is ASCII already; '-' outside a class needs no escape)."""
    text = (ROOT / "src" / "components" / "DomainForm.tsx").read_text(encoding="utf-8")
    assert f"DOMAIN_ID_PATTERN = /^{P.DOMAIN_ID}$/;" in text
    region = P.REGION_RE.pattern.replace("\\-", "-")
    assert f"/^(?:{region})$/;" in text
