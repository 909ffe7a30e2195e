"""Seed a local AWS (moto) with a realistic three-domain SageMaker account for the demo and tests.

Account layout (moto's default account ``123456789012``, one Region):

- domain ``ml-research`` (id ``d-ml-research``): the AWS doc isolation policy is attached to its
  default execution role **together with** ``AmazonSageMakerFullAccess``, whose
  ``AllowAllNonAdminSageMakerActions`` statement allows ``sagemaker:*`` on every resource of
  every domain: isolation defeated.
  - default user role ``SageMakerResearchExecutionRole``: AmazonSageMakerFullAccess +
    StudioDomainResourceIsolationPolicy-d-ml-research;
  - default space role ``SageMakerResearchSpaceRole``: the isolation policy + inline
    tag-on-create;
  - user profile ``alice`` with her own role ``SageMakerResearchAliceRole`` (isolation policy,
    inline tag-on-create, permissions boundary ``SageMakerStudioPermissionsBoundary``);
  - user profile ``bob`` without a role (uses the domain default).
- domain ``ml-prod`` (id ``d-ml-prod``): its one role ``SageMakerProdExecutionRole`` (default
  user *and* default space role) has only the doc policy for this domain plus the tag-on-create
  allowance Studio needs; user profile ``carol`` without a role. Not isolated either: the doc
  policy's own ``CreateAPIs`` statement lets it create apps inside other domains' user profiles
  and spaces and open presigned URLs into other domains' resources (finding ``aws-policy-gap``).
- domain ``ml-secure`` (id ``d-ml-secure``): its role ``SageMakerSecureExecutionRole`` has
  ``AmazonSageMakerFullAccess`` and, as ``StudioDomainResourceIsolationPolicy-d-ml-secure``, this
  tool's ``deny`` template: isolated; user profile ``dave`` without a role.
- resources (models, endpoint configs, endpoints, experiments, training jobs) tagged
  ``sagemaker:domain-arn`` with each domain's ARN, and untagged ones.

Policy documents are the real ones in ``sagemaker_isolation_ext/data``: AWS managed documents
(``managed_policies/*.json``, see its SOURCES.md) are created as *customer managed* policies with
the same names, because moto's own AWS-managed set is not the current one; the isolation policy is
the AWS doc's (``isolation_policies/aws-docs-studio-domain-resource-isolation.json``) with its
``domain-arn`` / ``domain-id`` placeholders filled in.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import boto3
import botocore.session
from botocore.config import Config

__all__ = ["seed_demo_account", "DEMO_DOMAINS", "DEMO_ACCOUNT_ID", "isolation_policy_document",
           "seed_overview_extras", "SECOND_ACCOUNT_ID", "REFUSING_ACCOUNT_ID", "SECOND_REGION"]

DEMO_ACCOUNT_ID = "123456789012"  # moto's default account
DEMO_DOMAINS = ("ml-research", "ml-prod", "ml-secure")

_ASSUME_ROLE = {
    "Version": "2012-10-17",
    "Statement": [{
        "Effect": "Allow",
        "Principal": {"Service": "sagemaker.amazonaws.com"},
        "Action": "sts:AssumeRole",
    }],
}


def _data_json(*parts: str) -> dict:
    ref = resources.files("sagemaker_isolation_ext").joinpath("data", *parts)
    return json.loads(ref.read_text(encoding="utf-8"))


def isolation_policy_document(domain_arn: str, domain_id: str) -> dict:
    """The AWS doc's ``StudioDomainResourceIsolationPolicy-<domain-id>`` for one domain.

    Source: AWS doc "Isolate domain resources"
    (https://docs.aws.amazon.com/sagemaker/latest/dg/domain-resource-isolation.html), copied in
    ``data/isolation_policies/aws-docs-studio-domain-resource-isolation.json``. The placeholder
    value ``domain-arn`` becomes ``domain_arn`` and ``app/domain-id/`` becomes
    ``app/<domain_id>/``; nothing else changes.
    """
    doc = _data_json("isolation_policies", "aws-docs-studio-domain-resource-isolation.json")

    def fill(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        if isinstance(value, list):
            return [fill(v) for v in value]
        if isinstance(value, str):
            if value == "domain-arn":
                return domain_arn
            return value.replace("app/domain-id/", f"app/{domain_id}/")
        return value

    return fill(doc)


def _tag_on_create(region: str, account: str) -> dict:
    """Inline policy letting Studio tag what it creates (AWS doc "Provide permissions for tagging
    SageMaker AI resources": ``sagemaker:AddTags`` when ``sagemaker:TaggingAction`` is present,
    i.e. only as part of a Create call)."""
    return {
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "AllowTagOnCreate",
            "Effect": "Allow",
            "Action": "sagemaker:AddTags",
            "Resource": f"arn:aws:sagemaker:{region}:{account}:*/*",
            "Condition": {"Null": {"sagemaker:TaggingAction": "false"}},
        }],
    }


_BOUNDARY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "AllowStudioServices",
            "Effect": "Allow",
            "Action": ["sagemaker:*", "s3:*", "logs:*", "cloudwatch:*", "ecr:*", "kms:Decrypt",
                       "iam:PassRole", "iam:GetRole"],
            "Resource": "*",
        },
        {
            "Sid": "DenyIamWrites",
            "Effect": "Deny",
            "Action": ["iam:Create*", "iam:Delete*", "iam:Put*", "iam:Attach*", "iam:Detach*"],
            "Resource": "*",
        },
    ],
}


_BOTOCORE_SESSION: botocore.session.Session | None = None


def _seed_session(region: str) -> boto3.Session:
    """A boto3 Session on one cached botocore session (loading the SageMaker service model
    takes ~0.25 s; tests seed many times). Fake credentials: moto accepts any."""
    global _BOTOCORE_SESSION
    if _BOTOCORE_SESSION is None:
        _BOTOCORE_SESSION = botocore.session.get_session()
    return boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                         region_name=region, botocore_session=_BOTOCORE_SESSION)


def _create_demo_domain(sm, dname: str, user_role: str, space_role: str, profiles: dict) -> dict:
    """Create one demo domain with its user profiles, a shared space and an app (each tagged
    with the domain's ARN); returns its entry of ``seed_demo_account``'s ``domains``."""
    resp = sm.create_domain(
        DomainName=dname,
        AuthMode="IAM",
        DefaultUserSettings={
            "ExecutionRole": user_role,
            **(
                # ml-secure opens the new Studio (JupyterLab / Code Editor spaces).
                {"StudioWebPortal": "ENABLED", "DefaultLandingUri": "studio::"}
                if dname == "ml-secure"
                # Studio Classic as the default experience: the doc policy "only works"
                # there.
                else {"StudioWebPortal": "DISABLED", "DefaultLandingUri": "app:JupyterServer:"}
            ),
        },
        DefaultSpaceSettings={"ExecutionRole": space_role},
        SubnetIds=["subnet-0demo"],
        VpcId="vpc-0demo",
    )
    darn = resp["DomainArn"]
    did = darn.rsplit("/", 1)[-1]
    dtag = [{"Key": "sagemaker:domain-arn", "Value": darn}]
    for pname, prole in profiles.items():
        settings = {"ExecutionRole": prole} if prole else {}
        sm.create_user_profile(DomainId=did, UserProfileName=pname, UserSettings=settings,
                               Tags=dtag)
    sm.create_space(DomainId=did, SpaceName=f"{dname}-shared", Tags=dtag,
                    SpaceSharingSettings={"SharingType": "Shared"})
    first = next(iter(profiles))
    sm.create_app(DomainId=did, UserProfileName=first, AppType="JupyterServer",
                  AppName="default", Tags=dtag)
    return {
        "id": did,
        "arn": darn,
        "name": dname,
        "default_user_execution_role": user_role,
        "default_space_execution_role": space_role,
        "user_profiles": dict(profiles),
    }


def _seed_resources(sm, domains: dict, account: str, region: str) -> dict[str, list[str]]:
    """A model, endpoint config, endpoint, experiment and training job per owner (ml-research,
    ml-prod tagged with their domain ARN; untagged); returns their ARNs by owner."""
    res: dict[str, list[str]] = {"ml-research": [], "ml-prod": [], "untagged": []}
    for owner in ("ml-research", "ml-prod", "untagged"):
        tags = ([] if owner == "untagged"
                else [{"Key": "sagemaker:domain-arn", "Value": domains[owner]["arn"]}])
        model = f"{owner}-churn-model"
        role_for_resources = domains["ml-prod" if owner == "ml-prod" else "ml-research"][
            "default_user_execution_role"]
        res[owner].append(sm.create_model(
            ModelName=model,
            ExecutionRoleArn=role_for_resources,
            PrimaryContainer={"Image": f"{account}.dkr.ecr.{region}.amazonaws.com/churn:1"},
            Tags=tags,
        )["ModelArn"])
        res[owner].append(sm.create_endpoint_config(
            EndpointConfigName=f"{owner}-churn-config",
            ProductionVariants=[{"VariantName": "main", "ModelName": model,
                                 "InitialInstanceCount": 1, "InstanceType": "ml.t2.medium"}],
            Tags=tags,
        )["EndpointConfigArn"])
        res[owner].append(sm.create_endpoint(
            EndpointName=f"{owner}-churn-endpoint", EndpointConfigName=f"{owner}-churn-config",
            Tags=tags,
        )["EndpointArn"])
        exp = sm.create_experiment(ExperimentName=f"{owner}-experiment", Tags=tags)
        if tags:  # moto 5.2.5's CreateExperiment drops Tags; AddTags stores them
            sm.add_tags(ResourceArn=exp["ExperimentArn"], Tags=tags)
        res[owner].append(exp["ExperimentArn"])
        res[owner].append(sm.create_training_job(
            TrainingJobName=f"{owner}-churn-training",
            AlgorithmSpecification={"TrainingImage": f"{account}.dkr.ecr.{region}.amazonaws.com/"
                                                     "churn-train:1", "TrainingInputMode": "File"},
            RoleArn=role_for_resources,
            OutputDataConfig={"S3OutputPath": f"s3://{owner}-artifacts/output"},
            ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1,
                            "VolumeSizeInGB": 10},
            StoppingCondition={"MaxRuntimeInSeconds": 3600},
            Tags=tags,
        )["TrainingJobArn"])
    return res


def seed_demo_account(endpoint_url: str, region: str = "us-east-1") -> dict:
    """Create the demo account (see the module docstring) in the moto server at ``endpoint_url``.

    The Studio plugin must be installed in the server's process (``demo.server.start_local_aws``
    does it). Uses fake credentials if none are set. Not idempotent: seed a fresh server once.

    Returns:
        ``{"endpoint_url", "region", "account_id",
        "domains": {"ml-research": {"id", "arn", "name", "default_user_execution_role",
        "default_space_execution_role", "user_profiles": {name: role_arn | None}},
        "ml-prod": {...}},
        "roles": {role_name: role_arn}, "policies": {policy_name: policy_arn},
        "resources": {"ml-research": [arn, ...], "ml-prod": [...], "untagged": [...]},
        "research_domain_id", "prod_domain_id", "profile_role_arn" (alice's role)}``.

    Raises:
        botocore.exceptions.ClientError / EndpointConnectionError: the server refused a call.
    """
    session = _seed_session(region)
    cfg = Config(retries={"mode": "standard", "max_attempts": 2})
    iam = session.client("iam", endpoint_url=endpoint_url, config=cfg)
    sm = session.client("sagemaker", endpoint_url=endpoint_url, config=cfg)
    account = DEMO_ACCOUNT_ID

    policies: dict[str, str] = {}

    def managed(name: str, document: dict, description: str) -> str:
        arn = iam.create_policy(
            PolicyName=name, PolicyDocument=json.dumps(document), Description=description
        )["Policy"]["Arn"]
        policies[name] = arn
        return arn

    for name in ("AmazonSageMakerFullAccess", "AmazonSageMakerReadOnly"):
        managed(name, _data_json("managed_policies", f"{name}.json"),
                f"Copy of the AWS managed policy {name} (data/managed_policies)")
    managed("SageMakerStudioPermissionsBoundary", _BOUNDARY, "Demo permissions boundary")

    roles: dict[str, str] = {}

    def role(name: str, attached: list[str], inline: dict[str, dict] | None = None,
             boundary: str | None = None) -> str:
        kwargs: dict[str, Any] = {
            "RoleName": name,
            "AssumeRolePolicyDocument": json.dumps(_ASSUME_ROLE),
            "Path": "/service-role/",
        }
        if boundary:
            kwargs["PermissionsBoundary"] = boundary
        arn = iam.create_role(**kwargs)["Role"]["Arn"]
        for parn in attached:
            iam.attach_role_policy(RoleName=name, PolicyArn=parn)
        for pname, doc in (inline or {}).items():
            iam.put_role_policy(RoleName=name, PolicyName=pname, PolicyDocument=json.dumps(doc))
        roles[name] = arn
        return arn

    def domain_arn(name: str) -> str:
        return f"arn:aws:sagemaker:{region}:{account}:domain/d-{name}"

    tag_inline = {"StudioTagOnCreate": _tag_on_create(region, account)}
    iso = {}
    for dname in DEMO_DOMAINS:
        if dname == "ml-secure":
            from ..sagemaker import templates

            # The new Studio domain: the studio profile's deny template (with the private-space
            # guards) beside AmazonSageMakerFullAccess: isolated, and every Studio flow works.
            document = templates.render(domain_arn(dname), "deny", "studio", True)
            what = "sagemaker-isolation deny template (studio profile, private spaces)"
        else:
            document = isolation_policy_document(domain_arn(dname), f"d-{dname}")
            what = "AWS doc 'Isolate domain resources' policy"
        iso[dname] = managed(f"StudioDomainResourceIsolationPolicy-d-{dname}", document, what)

    research_default = role("SageMakerResearchExecutionRole",
                            [policies["AmazonSageMakerFullAccess"], iso["ml-research"]])
    research_space = role("SageMakerResearchSpaceRole", [iso["ml-research"]], tag_inline)
    alice_role = role("SageMakerResearchAliceRole", [iso["ml-research"]], tag_inline,
                      boundary=policies["SageMakerStudioPermissionsBoundary"])
    prod_role = role("SageMakerProdExecutionRole", [iso["ml-prod"]], tag_inline)
    secure_role = role("SageMakerSecureExecutionRole",
                       [policies["AmazonSageMakerFullAccess"], iso["ml-secure"]])

    layout = {
        "ml-research": (research_default, research_space,
                        {"alice": alice_role, "bob": None}),
        "ml-prod": (prod_role, prod_role, {"carol": None}),
        "ml-secure": (secure_role, secure_role, {"dave": None}),
    }
    domains: dict[str, dict] = {}
    for dname, (user_role, space_role, profiles) in layout.items():
        domains[dname] = _create_demo_domain(sm, dname, user_role, space_role, profiles)

    res = _seed_resources(sm, domains, account, region)

    return {
        "endpoint_url": endpoint_url,
        "region": region,
        "account_id": account,
        "domains": domains,
        "roles": roles,
        "policies": policies,
        "resources": res,
        # Shortcuts (scripts/benchmark.py, tests).
        "research_domain_id": domains["ml-research"]["id"],
        "prod_domain_id": domains["ml-prod"]["id"],
        "secure_domain_id": domains["ml-secure"]["id"],
        "profile_role_arn": alice_role,
    }


#: The demo's second account (entered with sts:AssumeRole) and the account that refuses entry.
SECOND_ACCOUNT_ID = "210987654321"
REFUSING_ACCOUNT_ID = "333333333333"
SECOND_REGION = "us-west-2"


def _seed_one_domain(session: boto3.Session, endpoint_url: str, region: str, account: str,
                     name: str, isolated: bool, profiles: tuple[str, ...]) -> dict:
    """One domain whose execution role has AmazonSageMakerFullAccess, plus (``isolated``) this
    tool's deny template for the domain; user profiles without a role of their own."""
    from ..sagemaker import templates

    cfg = Config(retries={"mode": "standard", "max_attempts": 2})
    iam = session.client("iam", endpoint_url=endpoint_url, config=cfg)
    sm = session.client("sagemaker", endpoint_url=endpoint_url, config=cfg, region_name=region)
    try:
        full = iam.create_policy(
            PolicyName="AmazonSageMakerFullAccess",
            PolicyDocument=json.dumps(_data_json("managed_policies",
                                                 "AmazonSageMakerFullAccess.json")),
            Description="Copy of the AWS managed policy (data/managed_policies)",
        )["Policy"]["Arn"]
    except iam.exceptions.EntityAlreadyExistsException:
        full = f"arn:aws:iam::{account}:policy/AmazonSageMakerFullAccess"
    role_name = f"SageMaker-{name}-ExecutionRole"
    role_arn = iam.create_role(RoleName=role_name, Path="/service-role/",
                               AssumeRolePolicyDocument=json.dumps(_ASSUME_ROLE))["Role"]["Arn"]
    iam.attach_role_policy(RoleName=role_name, PolicyArn=full)
    resp = sm.create_domain(
        DomainName=name, AuthMode="IAM",
        DefaultUserSettings={"ExecutionRole": role_arn, "StudioWebPortal": "DISABLED",
                             "DefaultLandingUri": "app:JupyterServer:"},
        DefaultSpaceSettings={"ExecutionRole": role_arn},
        SubnetIds=["subnet-0demo"], VpcId="vpc-0demo",
    )
    darn = resp["DomainArn"]
    did = darn.rsplit("/", 1)[-1]
    if isolated:
        doc = templates.render(darn, "deny")
        parn = iam.create_policy(PolicyName=templates.policy_name(did),
                                 PolicyDocument=json.dumps(doc),
                                 Description="sagemaker-isolation deny template")["Policy"]["Arn"]
        iam.attach_role_policy(RoleName=role_name, PolicyArn=parn)
    dtag = [{"Key": "sagemaker:domain-arn", "Value": darn}]
    for pname in profiles:
        sm.create_user_profile(DomainId=did, UserProfileName=pname, UserSettings={}, Tags=dtag)
    return {"id": did, "arn": darn, "name": name, "region": region, "account_id": account,
            "role": role_arn, "isolated": isolated}


def seed_overview_extras(endpoint_url: str, region: str = "us-east-1",
                         second_region: str = SECOND_REGION,
                         second_account: str = SECOND_ACCOUNT_ID,
                         refusing_account: str = REFUSING_ACCOUNT_ID) -> dict:
    """Add what the account overview shows beyond :func:`seed_demo_account`'s three domains.

    - a domain ``ml-west`` in ``second_region`` of the demo account (isolated: FullAccess plus
      the deny template);
    - a second account ``second_account``, entered with ``sts:AssumeRole`` into
      ``OrganizationAccountAccessRole`` (moto accepts it and acts in that account with the
      credentials it returns), with a domain ``partner-lab`` in ``region`` (not isolated:
      AmazonSageMakerFullAccess alone);
    - ``refusing_account``, into which the demo's moto plugin refuses ``sts:AssumeRole``
      (``moto_plugin.REFUSED_ACCOUNTS``; the server must run in this process).

    Run after :func:`seed_demo_account` on the same server. Not idempotent.

    Returns:
        ``{"domains": {name: {"id", "arn", "name", "region", "account_id", "role",
        "isolated"}}, "accounts": [second_account, refusing_account], "second_account",
        "refusing_account", "second_region"}``.
    """
    from .moto_plugin import REFUSED_ACCOUNTS

    session = _seed_session(region)
    domains = {}
    domains["ml-west"] = _seed_one_domain(session, endpoint_url, second_region, DEMO_ACCOUNT_ID,
                                          "ml-west", True, ("erin",))
    sts = session.client("sts", endpoint_url=endpoint_url)
    creds = sts.assume_role(
        RoleArn=f"arn:aws:iam::{second_account}:role/OrganizationAccountAccessRole",
        RoleSessionName="demo-seed")["Credentials"]
    other = boto3.Session(aws_access_key_id=creds["AccessKeyId"],
                          aws_secret_access_key=creds["SecretAccessKey"],
                          aws_session_token=creds["SessionToken"], region_name=region,
                          botocore_session=_BOTOCORE_SESSION)
    domains["partner-lab"] = _seed_one_domain(other, endpoint_url, region, second_account,
                                              "partner-lab", False, ("frank", "grace"))
    REFUSED_ACCOUNTS.add(refusing_account)
    return {"domains": domains, "accounts": [second_account, refusing_account],
            "second_account": second_account, "refusing_account": refusing_account,
            "second_region": second_region}
