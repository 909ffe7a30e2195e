"""Another domain may live in any Region of the account (reading "any-region-same-account").

Reproducers from the attack16 review: the request space was "same account and Region", so a
policy on every resource of another Region was reported isolated. The engine (closed world) is
the referee: every witness here is a complete request.
"""

from __future__ import annotations

import io
import json
import re
from contextlib import redirect_stderr
from pathlib import Path

from sagemaker_isolation_ext.iam import PolicySet, Request, evaluate, parse_policy
from sagemaker_isolation_ext.sagemaker import templates as T
from sagemaker_isolation_ext.sagemaker.patterns import is_region

DATA = Path(__file__).resolve().parents[1] / "sagemaker_isolation_ext" / "data"
DARN = "arn:aws:sagemaker:us-east-1:111122223333:domain/d-abc123"
ROLE = "arn:aws:iam::111122223333:role/r"
WEST = "arn:aws:sagemaker:us-west-2:111122223333:"
WEST_DOMAIN = WEST + "domain/d-west00000001"
WEST_ALL = {
    "Version": "2012-10-17",
    "Statement": [{"Sid": "W", "Effect": "Allow", "Action": "sagemaker:*", "Resource": WEST + "*"}],
}


def _full():
    doc = json.loads((DATA / "managed_policies" / "AmazonSageMakerFullAccess.json").read_text())
    return parse_policy(doc.get("document", doc), "AmazonSageMakerFullAccess")


def _check(tmp_path, doc) -> dict:
    from sagemaker_isolation_ext.cli import main

    f = tmp_path / "p.json"
    f.write_text(json.dumps(doc))
    out, err = io.StringIO(), io.StringIO()
    with redirect_stderr(err):
        rc = main(
            ["check", "--domain-arn", DARN, "--policy-file", str(f), "--format", "json"], out=out
        )
    report = json.loads(out.getvalue())
    report["_rc"] = rc
    return report


def test_referee_other_region_domain_app_is_reachable():
    """The referee: the role may delete another domain's (tagged) app in us-west-2."""
    p = parse_policy(WEST_ALL, "W")
    ctx = {
        "aws:ResourceTag/sagemaker:domain-arn": WEST_DOMAIN,
        "sagemaker:ResourceTag/sagemaker:domain-arn": WEST_DOMAIN,
    }
    req = Request(
        ROLE, "sagemaker:DeleteApp", WEST + "app/d-west00000001/sp/jupyterlab/default", ctx
    )
    assert evaluate(req, PolicySet(identity=[p])).decision == "allow"


def test_other_region_domain_is_not_isolated(tmp_path):
    report = _check(tmp_path, WEST_ALL)
    (role,) = report["roles"]
    assert role["verdict"] == "not_isolated" and report["_rc"] != 0
    policy = parse_policy(WEST_ALL, "W")
    by = {e["action"]: e for e in role["cross_domain"]}
    w = by["sagemaker:DeleteApp"]["witness"]
    # The witness is a request in another Region's domain, allowed in a closed world, and its
    # domain tag is that domain's ARN (same Region and id as the app).
    m = re.fullmatch(r"arn:aws:sagemaker:([^:]+):111122223333:app/(d-[a-z0-9-]+)/.+", w["resource"])
    assert m and m.group(1) == "us-west-2" and is_region(m.group(1))
    tag = f"arn:aws:sagemaker:us-west-2:111122223333:domain/{m.group(2)}"
    assert w["context"]["aws:ResourceTag/sagemaker:domain-arn"] == tag
    assert not w["conditional_on"]
    req = Request(w["principal"], w["action"], w["resource"], w["context"], open_world=False)
    assert evaluate(req, PolicySet(identity=[policy])).decision == "allow"
    assert any(r["id"] == "any-region-same-account" for r in report["readings"])


def test_own_region_preferred_in_witnesses(tmp_path):
    """A policy that reaches other domains in our Region keeps our Region in its witnesses."""
    doc = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sagemaker:DeleteApp", "Resource": "*"}],
    }
    (role,) = _check(tmp_path, doc)["roles"]
    w = role["cross_domain"][0]["witness"]
    assert w["resource"].startswith("arn:aws:sagemaker:us-east-1:111122223333:app/")


def test_our_domain_id_in_another_region_is_another_domain(tmp_path):
    """A carve-out that writes the Region as ``*`` reaches a domain with our id in another
    Region: AWS documents domain ids unique per account and Region only."""
    doc = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "sagemaker:DescribeDomain",
                "Resource": "arn:aws:sagemaker:*:111122223333:domain/d-abc123",
            }
        ],
    }
    (role,) = _check(tmp_path, doc)["roles"]
    assert role["verdict"] == "not_isolated"
    w = role["cross_domain"][0]["witness"]
    region = w["resource"].split(":")[3]
    assert region != "us-east-1" and is_region(region)
    # written out with our Region, the same policy is isolated
    doc["Statement"][0]["Resource"] = DARN
    (role,) = _check(tmp_path, doc)["roles"]
    assert role["verdict"] == "isolated"


def test_deny_template_refuses_tagging_untagged_app_of_other_region_domain():
    for experience in ("studio", "classic"):
        deny = parse_policy(T.render(DARN, "deny", experience, False), "deny")
        req = Request(
            ROLE,
            "sagemaker:AddTags",
            WEST + "app/d-west00000001/sp/jupyterlab/default",
            {"sagemaker:DomainId": "d-abc123"},
        )
        assert evaluate(req, PolicySet(identity=[deny, _full()])).decision != "allow"
