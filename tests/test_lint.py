"""Lint mode: sagemaker_isolation_ext.iam.lint.lint_policy reports findings instead of failing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sagemaker_isolation_ext.iam import PolicyError, parse_policy
from sagemaker_isolation_ext.iam.lint import FINDING_IDS, SIZE_LIMITS, lint_policy

DATA = Path(__file__).parent.parent / "sagemaker_isolation_ext" / "data"
V = "2012-10-17"
KEYS = {"id", "severity", "statement_index", "sid", "field", "message"}


def doc(*statements, version=V):
    d = {"Statement": list(statements)}
    if version:
        d["Version"] = version
    return d


def st(**kw):
    base = {"Effect": "Allow", "Action": "sagemaker:DescribeDomain", "Resource": "*"}
    base.update(kw)
    return {k: v for k, v in base.items() if v is not None}


def ids(findings):
    return [(f["id"], f["statement_index"], f["field"]) for f in findings]


def test_clean_policy_has_no_findings():
    assert lint_policy(doc(st(Sid="A"), st(Sid="B", Effect="Deny")), "p") == []


def test_finding_shape_and_ids_are_declared():
    fs = lint_policy(doc(st(Sid="bad sid"), st(Sid="bad sid")), "p")
    assert fs and all(set(f) == KEYS for f in fs)
    assert all(f["id"] in FINDING_IDS and f["severity"] in ("error", "warning", "info") for f in fs)


def test_workshop_policy_missing_effect_named_with_sid():
    text = (DATA / "isolation_policies" / "admin-workshop-multidomain-allow.json").read_text()
    fs = lint_policy(text, "workshop")
    assert ids(fs) == [("effect-missing", 3, "Effect")]
    assert fs[0]["sid"] == "ListAPIs" and fs[0]["severity"] == "error"
    assert "statement #3 (Sid 'ListAPIs'): missing field 'Effect'" in fs[0]["message"]


def test_several_statement_errors_are_all_reported():
    fs = lint_policy(
        doc(
            st(Effect=None, Sid="One"),
            st(Action=None, Sid="Two"),
            st(Effect="Permit", Sid="Three"),
            st(Sid="Four", Resource=None),
        ),
        "p",
    )
    assert ids(fs) == [
        ("effect-missing", 0, "Effect"),
        ("statement-invalid", 1, "Action"),
        ("statement-invalid", 2, "Effect"),
        ("statement-invalid", 3, "Resource"),
    ]


def test_unknown_operator_and_ifexists_on_null():
    fs = lint_policy(
        doc(
            st(Condition={"StringEqualsIfExist": {"k": "v"}}),
            st(Condition={"NullIfExists": {"k": "true"}}),
            st(Condition={"stringequals": {"k": "v"}}),
        ),
        "p",
    )
    assert ids(fs) == [
        ("operator-unknown", 0, "Condition"),
        ("operator-unknown", 1, "Condition"),
        ("operator-unknown", 2, "Condition"),
    ]
    assert "'StringEqualsIfExist'" in fs[0]["message"]


@pytest.mark.parametrize(
    "operator,value",
    [
        ("NumericLessThan", "an hour"),
        ("DateGreaterThan", "next week"),
        ("IpAddress", "10.0.0.0/33"),
        ("NotIpAddress", "host"),
        ("Bool", "yes"),
        ("Null", "maybe"),
        ("BinaryEquals", "not base64!"),
        ("ForAnyValue:NumericEquals", "x"),
    ],
)
def test_wrong_value_type_names_operator_and_key(operator, value):
    fs = lint_policy(doc(st(Sid="S", Condition={operator: {"aws:Key": value}})), "p")
    assert [f["id"] for f in fs] == ["condition-value-type"]
    assert fs[0]["statement_index"] == 0 and fs[0]["sid"] == "S"
    assert operator in fs[0]["message"] and "aws:Key" in fs[0]["message"]


@pytest.mark.parametrize(
    "operator,value",
    [
        ("NumericLessThan", 3600),
        ("DateGreaterThan", "2026-12-01T07:00:00Z"),
        ("DateGreaterThan", "1798761600"),
        ("IpAddress", ["10.0.0.0/8", "2001:db8::/32"]),
        ("Bool", True),
        ("Null", "false"),
        ("BinaryEquals", "QmluYXJ5"),
        ("NumericLessThan", "${aws:PrincipalTag/limit}"),
    ],
)
def test_valid_values_give_no_finding(operator, value):
    assert lint_policy(doc(st(Condition={operator: {"aws:Key": value}})), "p") == []


def test_sid_rules():
    fs = lint_policy(doc(st(Sid="Has-Dash"), st(Sid="Dup"), st(Sid="Dup"), st(Sid="")), "p")
    assert ids(fs) == [("sid-invalid", 0, "Sid"), ("sid-duplicate", 2, "Sid")]
    assert "statement #1" in fs[1]["message"]
    # resource-based policies of other services allow more characters in Sid
    rp = doc(st(Sid="with spaces", Principal="*"))
    assert lint_policy(rp, "rp", kind="resource") == []


def test_glued_arns_in_resource_aiops_history():
    glued = (
        "arn:aws:sagemaker:us-east-1:111122223333:image/*"
        "arn:aws:sagemaker:us-east-1:111122223333:image-version/*/*"
    )
    fs = lint_policy(doc(st(Resource=["arn:aws:sagemaker:*:*:domain/*", glued])), "p")
    assert ids(fs) == [("resource-glued-arns", 0, "Resource")]
    assert fs[0]["severity"] == "error" and "2 times" in fs[0]["message"]
    fs = lint_policy(doc(st(Condition={"ArnLike": {"aws:SourceArn": glued}})), "p")
    assert ids(fs) == [("resource-glued-arns", 0, "Condition")]


def test_size_limits_without_whitespace():
    actions = [f"sagemaker:DescribeThing{i:05d}" for i in range(250)]
    big = doc(st(Action=actions))
    compact = len(json.dumps(big, separators=(",", ":")))
    assert 6144 < compact < 10240
    fs = lint_policy(big, "p")
    assert ids(fs) == [("policy-too-large", None, None)]
    assert str(compact) in fs[0]["message"] and "6144" in fs[0]["message"]
    assert lint_policy(big, "p", policy_type="inline-role") == []
    assert lint_policy(big, "p", policy_type="aws-managed") == []
    # whitespace does not count for IAM quotas: pretty-printing the document changes nothing
    assert lint_policy(json.dumps(big, indent=8), "p", policy_type="inline-role") == []
    small = doc(st(Action=actions[:80]))
    assert lint_policy(small, "p", policy_type="session")[0]["id"] == "policy-too-large"
    assert set(SIZE_LIMITS) >= {"managed", "inline-role", "inline-user", "scp", "session"}


def test_version_and_variable_warnings():
    fs = lint_policy(
        doc(
            st(Resource="arn:aws:sagemaker:*:*:user-profile/${sagemaker:DomainId}/*"), version=None
        ),
        "p",
    )
    assert ids(fs) == [("version-missing", None, "Version"), ("variables-literal", 0, "Resource")]
    assert all(f["severity"] == "warning" for f in fs)


def test_forallvalues_trap_of_the_older_doc_policy():
    legacy = doc(
        st(
            Sid="CreateUpdateRequireDomainTag",
            Action=["SageMaker:Create*", "SageMaker:Update*"],
            Condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["sagemaker:domain-arn"]}},
        )
    )
    fs = lint_policy(legacy, "legacy")
    assert ids(fs) == [("forallvalues-in-allow", 0, "Condition")]
    guarded = json.loads(json.dumps(legacy))
    guarded["Statement"][0]["Condition"]["Null"] = {"aws:TagKeys": "false"}
    assert lint_policy(guarded, "guarded") == []
    as_deny = json.loads(json.dumps(legacy))
    as_deny["Statement"][0]["Effect"] = "Deny"
    assert lint_policy(as_deny, "deny") == []


def test_document_level_problems_do_not_raise():
    assert ids(lint_policy("{not json", "p")) == [("json-invalid", None, None)]
    assert ids(lint_policy("[1, 2]", "p")) == [("json-invalid", None, None)]
    assert ids(lint_policy({"Version": V}, "p")) == [("document-invalid", None, "Statement")]
    assert ids(lint_policy({"Version": "2020-01-01", "Statement": []}, "p"))[0] == (
        "document-invalid",
        None,
        "Version",
    )
    assert ids(lint_policy(doc(), "p")) == [("statement-list-empty", None, "Statement")]
    deep = {"Version": V, "Statement": [st(Condition={"StringEquals": {"k": [[[[[]]]]]}})]}
    for _ in range(70):  # deeper than MAX_DEPTH (64)
        deep = {"Statement": deep}
    assert ids(lint_policy(deep, "p")) == [("json-invalid", None, None)]
    assert ids(lint_policy("[" * 100000 + "]" * 100000, "p")) == [("json-invalid", None, None)]


def test_lint_errors_agree_with_the_parser():
    """Every document the parser rejects has at least one error finding, and vice versa for
    grammar findings."""
    cases = json.loads((Path(__file__).parent / "engine" / "malformed.json").read_text())
    for c in cases["cases"]["parse_errors"]:
        with pytest.raises(PolicyError):
            parse_policy(c["document"], "p")
        fs = lint_policy(c["document"], "p")
        assert any(f["severity"] == "error" for f in fs), c["name"]
    for c in cases["cases"]["parse_ok"]:
        fs = lint_policy(c["document"], "p")
        grammar = [f for f in fs if f["id"] in ("document-invalid", "statement-invalid")]
        assert grammar == [], (c["name"], fs)


def test_shipped_isolation_policies():
    """The AWS doc policy and the other shipped isolation policies lint clean (except the
    workshop's missing Effect)."""
    for path in sorted((DATA / "isolation_policies").glob("*.json")):
        fs = lint_policy(path.read_text(), path.stem)
        errors = [f for f in fs if f["severity"] == "error"]
        if path.stem == "admin-workshop-multidomain-allow":
            assert [f["id"] for f in errors] == ["effect-missing"]
        else:
            assert errors == [], (path.name, errors)


def test_bad_arguments_are_caller_errors():
    with pytest.raises(ValueError):
        lint_policy(doc(st()), "p", policy_type="huge")
    with pytest.raises(ValueError):
        lint_policy(doc(st()), "p", kind="group")


# -- CLI: sagemaker-isolation lint ---------------------------------------------------------------


def _cli(argv):
    import io

    from sagemaker_isolation_ext.cli import entry as cli

    buf = io.StringIO()
    code = cli.main(argv, out=buf)
    return code, buf.getvalue()


def test_cli_lint_exit_codes_and_formats(tmp_path, capsys):
    clean = tmp_path / "clean.json"
    clean.write_text(json.dumps(doc(st(Sid="A"))))
    code, text = _cli(["lint", "--policy-file", str(clean)])
    assert code == 0 and f"{clean}: no findings" in text

    workshop = DATA / "isolation_policies" / "admin-workshop-multidomain-allow.json"
    code, text = _cli(["lint", "--policy-file", str(clean), "--policy-file", str(workshop)])
    assert code == 1
    assert "error effect-missing statement #3 (Sid 'ListAPIs') field Effect" in text
    assert text.rstrip().endswith("2 file(s): 1 error(s), 0 warning(s), 0 info")

    code, out = _cli(["lint", "--policy-file", str(workshop), "--format", "json"])
    data = json.loads(out)
    assert code == 1 and data["summary"] == {"error": 1, "warning": 0, "info": 0}
    (f,) = data["files"]
    assert f["name"] == "admin-workshop-multidomain-allow" and f["findings"][0]["sid"] == "ListAPIs"

    warn = tmp_path / "warn.json"
    warn.write_text(json.dumps({"Statement": [st()]}))  # no Version: a warning only
    assert _cli(["lint", "--policy-file", str(warn)])[0] == 0

    wrapped = tmp_path / "gpv.json"
    wrapped.write_text(json.dumps({"PolicyVersion": {"Document": doc(st(Sid="x-y"))}}))
    code, text = _cli(["lint", "--policy-file", str(wrapped)])
    assert code == 1 and "sid-invalid" in text


def test_cli_lint_bad_input_exit_3(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert _cli(["lint", "--policy-file", str(bad)])[0] == 3
    assert "not valid JSON" in capsys.readouterr().err
    assert _cli(["lint", "--policy-file", str(tmp_path / "missing.json")])[0] == 3
    assert _cli(["lint"])[0] == 3
    assert _cli(["lint", "--policy-file", str(bad), "--policy-type", "huge"])[0] == 3


def test_cli_policy_types_match_the_linter():
    from sagemaker_isolation_ext.cli import engine as cli

    assert set(cli.LINT_POLICY_TYPES) == set(SIZE_LIMITS)


# -- SageMaker rules (issue 13): key-never-present, resource-tag-on-create, pattern-spans-types,
# and the AWS doc page's placeholders ----------------------------------------------------------


@pytest.fixture(scope="module")
def catalog():
    from sagemaker_isolation_ext.sagemaker.catalog import load_catalog

    return load_catalog()


def sm_lint(document, catalog):
    from sagemaker_isolation_ext.sagemaker.policy_lint import lint_policy_for_sagemaker

    return lint_policy_for_sagemaker(document, "p", catalog)


def cond_st(action, op, key, value="x", effect="Allow", resource="*"):
    return {
        "Effect": effect,
        "Action": action,
        "Resource": resource,
        "Condition": {op: {key: value}},
    }


@pytest.mark.parametrize(
    "op",
    ["StringEquals", "ForAnyValue:StringEquals", "ForAllValues:StringLike", "StringNotEquals"],
)
def test_key_never_present_on_any_operator(catalog, op):
    # AddTags carries no sagemaker:WorkteamType (the AllowAddTagsForApp case of issue 13).
    assert catalog.key_never_present("sagemaker:AddTags", "sagemaker:WorkteamType")
    fs = sm_lint(doc(cond_st("sagemaker:AddTags", op, "sagemaker:WorkteamType")), catalog)
    fs = [f for f in fs if f["id"] != "forallvalues-in-allow"]
    assert ids(fs) == [("key-never-present", 0, "Condition")]
    assert fs[0]["severity"] == "warning"
    assert (
        "sagemaker:AddTags" in fs[0]["message"] and "'sagemaker:WorkteamType'" in fs[0]["message"]
    )


def test_key_never_present_says_what_the_missing_key_does(catalog):
    allow_any = sm_lint(
        doc(cond_st("sagemaker:AddTags", "ForAnyValue:StringEquals", "sagemaker:WorkteamType")),
        catalog,
    )[0]["message"]
    assert "Allow grants nothing" in allow_any
    deny_all = sm_lint(
        doc(
            cond_st(
                "sagemaker:DescribeDomain",
                "ForAllValues:StringEquals",
                "aws:TagKeys",
                effect="Deny",
            )
        ),
        catalog,
    )[0]["message"]
    assert "always met" in deny_all and "Deny applies" in deny_all


def test_key_never_present_expands_globs_and_stays_quiet_when_one_action_carries_it(catalog):
    # Describe* carries no sagemaker:VolumeKmsKeyArn; Create* (CreateTrainingJob) does.
    key = "sagemaker:VolumeKmsKeyArn"
    fs = sm_lint(doc(cond_st("sagemaker:Describe*", "StringEquals", key)), catalog)
    assert [f["id"] for f in fs] == ["key-never-present"]
    assert "more" in fs[0]["message"]
    assert sm_lint(doc(cond_st("sagemaker:*", "StringEquals", key)), catalog) == []
    # A misspelt key (no "Arn") is carried by no action at all.
    typo = sm_lint(doc(cond_st("sagemaker:*", "StringEquals", "sagemaker:VolumeKmsKey")), catalog)
    assert [f["id"] for f in typo] == ["key-never-present"]
    # aws:RequestTag may be carried by the s3 action: skip.
    mixed = cond_st(
        ["sagemaker:DescribeDomain", "s3:GetObject"], "StringEquals", "aws:RequestTag/a"
    )
    assert sm_lint(doc(mixed), catalog) == []
    # Caller keys and the generic aws: keys are never "never present".
    assert (
        sm_lint(doc(cond_st("sagemaker:AddTags", "StringEquals", "sagemaker:DomainId")), catalog)
        == []
    )
    assert sm_lint(doc(cond_st("sagemaker:AddTags", "StringEquals", "aws:SourceIp")), catalog) == []


def test_resource_tag_on_create(catalog):
    for key in ("aws:ResourceTag/team", "sagemaker:ResourceTag/team"):
        fs = sm_lint(
            doc(cond_st(["sagemaker:CreateSpace", "sagemaker:CreateApp"], "StringEquals", key)),
            catalog,
        )
        assert ids(fs) == [("resource-tag-on-create", 0, "Condition")]
        msg = fs[0]["message"]
        assert "sagemaker:CreateSpace" in msg and "sagemaker:CreateApp" in msg
        assert "aws:RequestTag/team" in msg and "does not grant them" in msg
    star = sm_lint(doc(cond_st("sagemaker:Create*", "StringEquals", "aws:ResourceTag/t")), catalog)
    assert [f["id"] for f in star] == ["resource-tag-on-create"]
    # A presigned URL opens an existing resource: its tags exist.
    assert (
        sm_lint(
            doc(cond_st("sagemaker:CreatePresignedDomainUrl", "StringEquals", "aws:ResourceTag/t")),
            catalog,
        )
        == []
    )
    assert (
        sm_lint(
            doc(cond_st("sagemaker:DescribeSpace", "StringEquals", "aws:ResourceTag/t")), catalog
        )
        == []
    )
    assert (
        sm_lint(doc(cond_st("sagemaker:CreateSpace", "StringEquals", "aws:RequestTag/t")), catalog)
        == []
    )


def test_pattern_spans_types(catalog):
    fs = sm_lint(
        doc(st(Action="sagemaker:DescribeApp", Resource="arn:aws:sagemaker:*:*:*/d-abc/*")), catalog
    )
    assert ids(fs) == [("pattern-spans-types", 0, "Resource")]
    assert fs[0]["severity"] == "info" and "app" in fs[0]["message"]
    for fine in ("arn:aws:sagemaker:*:*:app/d-abc/*", "arn:aws:sagemaker:*:*:*", "*"):
        assert sm_lint(doc(st(Resource=fine)), catalog) == [], fine


def test_aws_doc_placeholders_are_warned():
    text = (
        DATA / "isolation_policies" / "aws-docs-studio-domain-resource-isolation.json"
    ).read_text()
    fs = lint_policy(text, "aws-doc")
    assert ids(fs) == [
        ("policy-placeholder", 1, "Condition"),
        ("policy-placeholder", 3, "Resource"),
    ]
    assert "'domain-arn'" in fs[0]["message"] and "'domain-id'" in fs[1]["message"]
    real = doc(
        st(
            Resource="arn:aws:sagemaker:us-east-1:111122223333:app/d-abc123/*",
            Condition={"StringEquals": {"aws:ResourceTag/sagemaker:domain-arn": "arn:aws:x"}},
        )
    )
    assert lint_policy(real, "p") == []


def test_cli_lint_reports_sagemaker_rules(tmp_path, capsys):
    from sagemaker_isolation_ext.cli.entry import main

    f = tmp_path / "p.json"
    f.write_text(
        json.dumps(doc(cond_st("sagemaker:CreateSpace", "StringEquals", "aws:ResourceTag/t")))
    )
    assert main(["lint", "--policy-file", str(f)]) == 0
    assert "warning resource-tag-on-create statement #0" in capsys.readouterr().out


def test_key_never_present_with_null_reads_the_values(catalog):
    fs = sm_lint(
        doc(cond_st("sagemaker:AddTags", "Null", "sagemaker:WorkteamType", "true")), catalog
    )
    assert [f["id"] for f in fs] == ["key-never-present"]
    assert "always met" in fs[0]["message"]
    fs = sm_lint(
        doc(cond_st("sagemaker:AddTags", "Null", "sagemaker:WorkteamType", "false")), catalog
    )
    assert "never met" in fs[0]["message"] and "Allow grants nothing" in fs[0]["message"]
