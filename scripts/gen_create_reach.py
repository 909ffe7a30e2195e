#!/usr/bin/env python
"""Regenerate ``sagemaker_isolation_ext/data/create_reach.json`` (dev-time; imports botocore).

For every ``sagemaker:Create*`` action in the catalog (``load_catalog()``, the Service
Authorization Reference data) and every resource type the catalog lists for it, decide whether the
request's resource of that type is the *new* resource, an *existing* one the call opens or uses,
or a new resource *inside* an existing parent. The decision comes from botocore's SageMaker service
model (the operation's input and output shapes), by these rules, in order:

1. a hand-reviewed row in ``OVERRIDES`` (cited to an AWS doc page) wins;
2. the operation returns a presigned URL and no ARN: every type is ``existing``;
3. the output has an ``...Arn`` member for this type (``TrainingJobArn`` for ``training-job``):
   ``new``, or ``inside`` when ``PARENTS`` names the existing parent it is created in;
4. the input (or a nested structure of it) has a ``...Name``/``...Arn`` member for this type and
   the output returns no ARN of it: ``existing``;
5. anything else stops the script: add an ``OVERRIDES`` row (the sound choice when unsure is
   ``existing``).

Usage: ``python scripts/gen_create_reach.py [--check]`` (``--check``: exit 1 when the committed
file differs from what the script would write, without writing).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import botocore
import botocore.session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sagemaker_isolation_ext.sagemaker.catalog import load_catalog  # noqa: E402

OUT = ROOT / "sagemaker_isolation_ext" / "data" / "create_reach.json"
SAR = (
    'Service Authorization Reference, "Actions, resources, and condition keys for Amazon '
    'SageMaker AI", https://docs.aws.amazon.com/service-authorization/latest/reference/'
    "list_amazonsagemaker.html"
)


def api(op: str) -> str:
    """The SageMaker API Reference page of ``op``."""
    return f"SageMaker API Reference, {op}, https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_{op}.html"


#: New resources created inside an existing parent: (op, type) -> (parent, input members naming
#: the parent, why). The parent's input members are checked against botocore below.
PARENTS: dict[tuple[str, str], tuple[str, tuple[str, ...], str]] = {
    ("CreateApp", "app"): (
        "user-profile|space",
        ("DomainId", "UserProfileName", "SpaceName"),
        "a new app inside an existing user profile or space of the domain; the app runs as that "
        "profile or space, on its storage",
    ),
    ("CreateSpace", "space"): (
        "domain",
        ("DomainId",),
        "a new space inside an existing domain",
    ),
    ("CreateUserProfile", "user-profile"): (
        "domain",
        ("DomainId",),
        "a new user profile inside an existing domain",
    ),
    ("CreateHubContentReference", "hub-content"): (
        "hub",
        ("HubName",),
        "new hub content (a reference to a public model) added to an existing private hub",
    ),
    ("CreateTrial", "experiment-trial"): (
        "experiment",
        ("ExperimentName",),
        "a new trial added to an existing experiment",
    ),
    ("CreateInferenceComponent", "inference-component"): (
        "endpoint",
        ("EndpointName",),
        "a new inference component deployed onto an existing endpoint",
    ),
    ("CreateComputeQuota", "compute-quota"): (
        "cluster",
        ("ClusterArn",),
        "a new compute quota on an existing HyperPod cluster",
    ),
    ("CreateClusterSchedulerConfig", "cluster-scheduler-config"): (
        "cluster",
        ("ClusterArn",),
        "a new scheduler policy on an existing HyperPod cluster",
    ),
    ("CreateModelPackage", "model-package"): (
        "model-package-group",
        ("ModelPackageGroupName",),
        "a new model package, or a new version added to an existing model package group",
    ),
}

#: Hand-reviewed rows: (op, type) -> fields. Used where the rules cannot tell, or where the
#: operation is missing from botocore.
OVERRIDES: dict[tuple[str, str], dict] = {
    ("CreateHubContentReference", "hub"): {
        "kind": "existing",
        "input_members": ["HubName"],
        "output_member": None,
        "source": "botocore CreateHubContentReference: input HubName names the private hub the "
        "reference is added to (the output's HubArn echoes that hub); "
        + api("CreateHubContentReference"),
        "note": "adds content to an existing private hub",
    },
    ("CreateDeviceFleet", "device-fleet"): {
        "kind": "new",
        "input_members": ["DeviceFleetName"],
        "output_member": None,
        "source": "botocore CreateDeviceFleet has no output shape; its input DeviceFleetName is "
        'the name of the new fleet ("Creates a device fleet."); ' + api("CreateDeviceFleet"),
        "note": "creates a new device fleet",
    },
    ("CreateEdgePackagingJob", "edge-packaging-job"): {
        "kind": "new",
        "input_members": ["EdgePackagingJobName"],
        "output_member": None,
        "source": "botocore CreateEdgePackagingJob has no output shape; its input "
        'EdgePackagingJobName is the name of the new job ("Starts a SageMaker Edge Manager model '
        'packaging job"); ' + api("CreateEdgePackagingJob"),
        "note": "starts a new edge packaging job",
    },
    ("CreateEdgeDeploymentStage", "edge-deployment-plan"): {
        "kind": "existing",
        "input_members": ["EdgeDeploymentPlanName"],
        "output_member": None,
        "source": 'botocore CreateEdgeDeploymentStage: "Creates a new stage in an existing edge '
        'deployment plan." (input EdgeDeploymentPlanName, no output); '
        + api("CreateEdgeDeploymentStage"),
        "note": "adds a stage to an existing edge deployment plan",
    },
    ("CreateTrainingJob", "reserved-capacity"): {
        "kind": "existing",
        "input_members": ["ResourceConfig.TrainingPlanArn"],
        "output_member": None,
        "source": "botocore CreateTrainingJob: ResourceConfig.TrainingPlanArn names an existing "
        "training plan, whose reserved capacity the job runs on; " + SAR,
        "note": "runs the job on an existing training plan's reserved capacity",
    },
    ("CreateCluster", "reserved-capacity"): {
        "kind": "existing",
        "input_members": ["InstanceGroups[].TrainingPlanArn"],
        "output_member": None,
        "source": "botocore CreateCluster: InstanceGroups[].TrainingPlanArn names an existing "
        "training plan, whose reserved capacity the instance group uses; " + SAR,
        "note": "runs cluster instances on an existing training plan's reserved capacity",
    },
    ("CreateReservedCapacity", "reserved-capacity"): {
        "kind": "existing",
        "input_members": [],
        "output_member": None,
        "source": "hand-reviewed: no CreateReservedCapacity operation in botocore "
        f"{botocore.__version__} or the SageMaker API Reference, so what the request names "
        "cannot be checked; counted as reaching an existing resource (sound). " + SAR,
        "note": "not a public API: counted as reaching an existing reserved capacity (sound "
        "reading)",
    },
    ("CreateSharedModel", "shared-model"): {
        "kind": "existing",
        "input_members": [],
        "output_member": None,
        "source": "hand-reviewed: no CreateSharedModel operation in botocore "
        f"{botocore.__version__} or the SageMaker API Reference (the reference describes it as "
        '"create a shared model in a SageMaker Studio application"), so what the request names '
        "cannot be checked; counted as reaching an existing resource (sound). " + SAR,
        "note": "not a public API (Studio model sharing): counted as reaching an existing "
        "resource (sound reading)",
    },
}

#: One-line wording per kind, for rows the rules decide.
NEW_NOTE = "creates a new {rt}"
EXISTING_NOTE = "uses an existing {rt}"
PRESIGNED_NOTE = "opens an existing {rt} through a presigned URL"


#: Wording for rows the rules decide, where the default line says too little.
NOTES: dict[tuple[str, str], str] = {
    ("CreatePresignedDomainUrl", "user-profile"): "signs in to Studio as an existing user profile "
    "(presigned URL), with that profile's execution role and files, optionally straight into "
    "one of the domain's spaces (SpaceName)",
    ("CreatePresignedNotebookInstanceUrl", "notebook-instance"): "opens an existing notebook "
    "instance's Jupyter through a presigned URL",
    ("CreatePresignedMlflowTrackingServerUrl", "mlflow-tracking-server"): "opens an existing "
    "MLflow tracking server's UI through a presigned URL",
    ("CreatePresignedMlflowAppUrl", "mlflow-app"): "opens an existing MLflow app's UI through a "
    "presigned URL",
    ("CreatePartnerAppPresignedUrl", "partner-app"): "opens an existing partner AI app through a "
    "presigned URL",
    ("CreateHubContentPresignedUrls", "hub"): "downloads artifacts of content in an existing hub "
    "(presigned URLs)",
    ("CreateHubContentPresignedUrls", "hub-content"): "downloads an existing hub content's "
    "artifacts (presigned URLs)",
    ("CreateEndpoint", "endpoint-config"): "deploys an existing endpoint configuration",
    ("CreateImageVersion", "image"): "adds a version to an existing image",
    ("CreateModelCardExportJob", "model-card"): "exports an existing model card",
    ("CreateTrial", "experiment"): "adds a trial to an existing experiment",
    ("CreateInferenceComponent", "endpoint"): "deploys a model onto an existing endpoint",
    ("CreateComputeQuota", "cluster"): "sets a compute quota on an existing HyperPod cluster",
    ("CreateClusterSchedulerConfig", "cluster"): "sets the scheduler policy of an existing "
    "HyperPod cluster",
    ("CreateTrainingJob", "training-plan"): "runs the job on an existing training plan",
    ("CreateCluster", "training-plan"): "runs cluster instances on an existing training plan",
}


def catalog_arn(rt: str) -> str:
    return load_catalog().resource_types[rt].arn_format


def _placeholders(arn_format: str) -> set[str]:
    return set(re.findall(r"\$\{([A-Za-z0-9]+)\}", arn_format))


def _words(rt: str) -> str:
    """A resource type key in words for notes: ``training-job`` -> ``training job``."""
    return rt.replace("-", " ")


def _norm(s: str) -> str:
    return s.replace("-", "").replace("_", "").lower()


def _matches_type(stem: str, rt: str) -> bool:
    """Whether a botocore member stem (``TrainingJob``) names resource type ``rt``."""
    return bool(stem) and _norm(rt).endswith(_norm(stem))


def _walk(shape, prefix: str = "", depth: int = 0, seen: tuple = ()):
    """Yield (dotted path, last member name) of every member of a structure, nested."""
    if shape is None or depth > 6 or shape.name in seen:
        return
    if shape.type_name == "structure":
        for name, sub in shape.members.items():
            yield prefix + name, name
            yield from _walk(sub, prefix + name + ".", depth + 1, seen + (shape.name,))
    elif shape.type_name == "list":
        yield from _walk(shape.member, prefix[:-1] + "[].", depth + 1, seen + (shape.name,))


def _ref_stem(member: str) -> str | None:
    for suffix in ("Name", "Arns", "Arn", "Identifier"):
        if member.endswith(suffix) and len(member) > len(suffix):
            return member[: -len(suffix)]
    return None


def decide(model, op: str, rt: str, all_types: list[str]) -> dict:
    """One row's fields (kind, parent, input_members, output_member, source, note)."""
    if (op, rt) in OVERRIDES:
        row = dict(OVERRIDES[(op, rt)])
        row.setdefault("parent", None)
        return row
    if op not in model.operation_names:
        raise SystemExit(f"{op}/{rt}: not in botocore; add an OVERRIDES row")
    om = model.operation_model(op)
    out = list(om.output_shape.members) if om.output_shape is not None else []
    inp = om.input_shape
    ver = f"botocore {botocore.__version__} sagemaker {model.api_version} {op}"
    url_members = [m for m in out if "Url" in m]
    arn_out = [m for m in out if m.endswith("Arn")]
    if url_members and not arn_out:
        placeholders = _placeholders(catalog_arn(rt))
        names = [m for m in inp.required_members if m in placeholders] or list(inp.required_members)
        return {
            "kind": "existing",
            "parent": None,
            "input_members": names,
            "output_member": None,
            "source": f"{ver}: returns a presigned URL ({', '.join(url_members)}) and no ARN; "
            f"required input {', '.join(names)} names the existing {rt}; {api(op)}",
            "note": NOTES.get((op, rt), PRESIGNED_NOTE.format(rt=_words(rt))),
        }
    own = [m for m in arn_out if _matches_type(m[:-3], rt)]
    if not own and arn_out == ["Arn"] and len(all_types) == 1:
        own = ["Arn"]
    if len(own) == 1:
        member = own[0]
        if (op, rt) in PARENTS:
            parent, pmembers, why = PARENTS[(op, rt)]
            missing = [p for p in pmembers if p not in inp.members]
            if missing:
                raise SystemExit(f"{op}/{rt}: parent members {missing} not in the input")
            return {
                "kind": "inside",
                "parent": parent,
                "input_members": list(pmembers),
                "output_member": member,
                "source": f"{ver}: output {member} is the new {rt}; input member(s) "
                f"{', '.join(pmembers)} names the existing {parent.replace('|', ' or ')}; "
                f"{api(op)}",
                "note": why,
            }
        return {
            "kind": "new",
            "parent": None,
            "input_members": [],
            "output_member": member,
            "source": f"{ver}: output {member} returns the new {rt}'s ARN",
            "note": NOTES.get((op, rt), NEW_NOTE.format(rt=_words(rt))),
        }
    refs = [p for p, last in _walk(inp) if _matches_type(_ref_stem(last) or "", rt)]
    if refs and not own:
        return {
            "kind": "existing",
            "parent": None,
            "input_members": refs,
            "output_member": None,
            "source": f"{ver}: input {', '.join(refs)} names an existing {rt}; the output "
            f"returns no {rt} ARN ({', '.join(out) or 'no output'})",
            "note": NOTES.get((op, rt), EXISTING_NOTE.format(rt=_words(rt))),
        }
    raise SystemExit(f"{op}/{rt}: the rules cannot tell (output {out}); add an OVERRIDES row")


def references(model, catalog, op: str, own: list[str]) -> list[list[str]]:
    """``[[input member path, resource type]]``: existing SageMaker resources the request names
    (members called ``<Type>Name``/``<Type>Arn``/``<Type>Arns``/``<Type>Identifier``) whose type
    is not one of the action's IAM resource types. Not exhaustive (only members named after a
    type). The new resource's own name (``JobName`` of ``CreateInferenceRecommendationsJob``) is
    left out."""
    if op not in model.operation_names:
        return []
    by_norm = {_norm(k): k for k in catalog.resource_types}
    target = _norm(op[len("Create") :])
    out = []
    for path, last in _walk(model.operation_model(op).input_shape):
        stem = _ref_stem(last)
        rt = by_norm.get(_norm(stem)) if stem else None
        if rt is None or rt in own:
            continue
        if "." not in path and "[" not in path and target.endswith(_norm(stem)):
            continue
        out.append([path, rt])
    return out


def build() -> dict:
    model = botocore.session.get_session().get_service_model("sagemaker")
    catalog = load_catalog()
    rows = []
    used = set()
    for name, info in catalog.actions.items():
        op = info.short_name
        if not op.startswith("Create"):
            continue
        types = [r.key for r in info.resource_types]
        refs = references(model, catalog, op, types)
        for rt in types:
            fields = decide(model, op, rt, types)
            used.add((op, rt))
            fields["references"] = refs
            rows.append({"action": name, "resource_type": rt, **fields})
    stale = sorted(set(OVERRIDES) - used) + sorted(set(PARENTS) - used)
    if stale:
        raise SystemExit(f"OVERRIDES/PARENTS rows not in the catalog: {stale}")
    return {
        "about": "Create* actions per (action, IAM resource type): new | existing | inside. "
        "Generated by scripts/gen_create_reach.py; see docs/CREATE_REACH.md.",
        "catalog_version": catalog.version,
        "botocore_version": botocore.__version__,
        "sagemaker_api_version": model.api_version,
        "rows": rows,
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="compare with the committed file")
    args = ap.parse_args(argv)
    text = json.dumps(build(), indent=1, sort_keys=False) + "\n"
    if args.check:
        same = OUT.exists() and OUT.read_text(encoding="utf-8") == text
        print("up to date" if same else f"{OUT} differs; rerun without --check")
        return 0 if same else 1
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
