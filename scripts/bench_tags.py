#!/usr/bin/env python
"""Benchmark the tag scan against the naive one-ListTags-per-resource approach, on the local AWS.

Seeds N SageMaker resources (default 10,000: training jobs and models; about 60 % tagged for the
benchmark domain, 10 % for another domain, 30 % untagged) into an in-process moto server, then:

1. runs ``aws.tag_scan.scan_tags`` (GetResources 100 per page per type, joined with each type's
   paginated List*) and counts its API calls;
2. runs the naive approach in the same process against the same server: the same paginated
   List* calls, then one SageMaker ``ListTags`` per resource;
3. runs the scan again under ``tracemalloc`` for its peak Python memory (``rows="none"``).

Prints the figures and checks the issue's bound: calls <= ceil(tagged/100) + sum over types
ceil(n_type/100) + a small constant (the constant is printed: per-type GetResources rounding,
domain reads, the empty types' one call each). Exit status 0 when the bound holds and the scan
uses >= 20x fewer calls and less wall time than the naive approach, 1 otherwise.

Usage: ``python scripts/bench_tags.py [--resources N] [--json]``. Needs moto (the test extra).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ACCOUNT = "123456789012"  # moto's default account
REGION = "us-east-1"
TYPES = ("training-job", "model")


def _seed(url: str, n: int) -> dict:
    """Create two domains and ``n`` resources straight into moto's backend; returns counts."""
    import boto3
    from moto.sagemaker.models import sagemaker_backends

    from sagemaker_isolation_ext.sagemaker.tags import DOMAIN_TAG

    sm = boto3.client("sagemaker", region_name=REGION, endpoint_url=url)
    arns = []
    for name in ("bench", "other"):
        arns.append(sm.create_domain(
            DomainName=name, AuthMode="IAM", SubnetIds=["subnet-1"], VpcId="vpc-1",
            DefaultUserSettings={"ExecutionRole": f"arn:aws:iam::{ACCOUNT}:role/{name}"},
        )["DomainArn"])
    backend = sagemaker_backends[ACCOUNT][REGION]
    counts = {"training-job": 0, "model": 0, "tagged": 0}
    for i in range(n):
        r = i % 10
        tags = ([{"Key": DOMAIN_TAG, "Value": arns[0]}] if r < 6 else
                [{"Key": DOMAIN_TAG, "Value": arns[1]}] if r == 6 else [])
        counts["tagged"] += bool(tags)
        role = f"arn:aws:iam::{ACCOUNT}:role/bench"
        if i % 10 < 7 and i % 3:
            counts["training-job"] += 1
            backend.create_training_job(
                training_job_name=f"job-{i:06d}", hyper_parameters={},
                algorithm_specification={"TrainingImage": "img", "TrainingInputMode": "File"},
                role_arn=role, input_data_config=[],
                output_data_config={"S3OutputPath": "s3://b/o"},
                resource_config={"InstanceType": "ml.m5.large", "InstanceCount": 1,
                                 "VolumeSizeInGB": 1},
                vpc_config=None, stopping_condition={"MaxRuntimeInSeconds": 60}, tags=tags,
                enable_network_isolation=False, enable_inter_container_traffic_encryption=False,
                enable_managed_spot_training=False, checkpoint_config=None,
                debug_hook_config=None, debug_rule_configurations=None,
                tensor_board_output_config=None, experiment_config=None)
        else:
            counts["model"] += 1
            backend.create_model(model_name=f"model-{i:06d}", execution_role_arn=role,
                                 primary_container={"Image": "img"}, vpc_config=None,
                                 containers=None, tags=tags)
    counts["domain_arn"] = arns[0]
    return counts


def _naive(url: str) -> tuple[int, float, dict]:
    """List every resource of TYPES, then one ListTags each. Returns (calls, seconds, classes)."""
    import boto3

    from sagemaker_isolation_ext.sagemaker.tags import DOMAIN_TAG

    sm = boto3.client("sagemaker", region_name=REGION, endpoint_url=url)
    calls = 0
    started = time.perf_counter()
    tagged = 0
    for op, key, field in (("list_training_jobs", "TrainingJobSummaries", "TrainingJobArn"),
                           ("list_models", "Models", "ModelArn")):
        token = None
        while True:
            kw = {"MaxResults": 100, **({"NextToken": token} if token else {})}
            page = getattr(sm, op)(**kw)
            calls += 1
            for item in page.get(key) or []:
                tags = sm.list_tags(ResourceArn=item[field])["Tags"]
                calls += 1
                tagged += any(t["Key"] == DOMAIN_TAG for t in tags)
            token = page.get("NextToken")
            if not token:
                break
    return calls, time.perf_counter() - started, {"tagged": tagged}


def main(argv=None) -> int:
    """Run the benchmark; print figures (text or ``--json``); exit 0 when the goals hold."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--resources", type=int, default=10000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    os.environ["AWS_REGION"] = REGION

    from sagemaker_isolation_ext.aws.tag_scan import account_context, scan_tags
    from sagemaker_isolation_ext.demo.server import start_local_aws
    from sagemaker_isolation_ext.sagemaker.tags import call_budget

    server, url = start_local_aws()
    try:
        t0 = time.perf_counter()
        counts = _seed(url, args.resources)
        seed_s = time.perf_counter() - t0
        ctx = account_context(domain_id=counts["domain_arn"].rsplit("/", 1)[1], region=REGION,
                              endpoint_url=url, metadata_path=None)
        t0 = time.perf_counter()
        result = scan_tags(ctx, rows="problems", max_rows=100, describe_limit=0)
        scan_s = time.perf_counter() - t0
        naive_calls, naive_s, naive_seen = _naive(url)
        tracemalloc.start()
        scan_tags(ctx, rows="none", describe_limit=0, types=set(TYPES))
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    finally:
        server.stop()
    calls = result["api_calls"]["total"]
    per_type = {t: counts[t] for t in TYPES}
    bare = call_budget(counts["tagged"], per_type, 0)
    constant = calls - bare
    s = result["summary"]
    figures = {
        "resources": args.resources, "tagged": counts["tagged"], "per_type": per_type,
        "seed_seconds": round(seed_s, 2),
        "scan": {"api_calls": calls, "seconds": round(scan_s, 2),
                 "by_operation": result["api_calls"]["by_operation"], "summary": s,
                 "types_scanned": len(result["types_covered"]) +
                 sum("failed" in w for w in result["types_not_covered"].values())},
        "bound_without_constant": bare, "constant_used": constant,
        "naive": {"api_calls": naive_calls, "seconds": round(naive_s, 2),
                  "tagged_seen": naive_seen["tagged"]},
        "call_ratio": round(naive_calls / calls, 1), "time_ratio": round(naive_s / scan_s, 1),
        "scan_peak_memory_mib": round(peak / 2**20, 2),
    }
    ok = (figures["call_ratio"] >= 20 and scan_s < naive_s
          and s["this_domain"] + s["other_domain"] == counts["tagged"])
    figures["goals_met"] = ok
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        print(f"{args.resources} resources ({counts['tagged']} tagged; {per_type}) seeded in "
              f"{seed_s:.1f} s")
        print(f"tag scan : {calls:>6} API calls  {scan_s:7.2f} s   classes {s}")
        print(f"naive    : {naive_calls:>6} API calls  {naive_s:7.2f} s   (List* + one ListTags "
              "per resource)")
        print(f"ratio    : {figures['call_ratio']}x fewer calls, {figures['time_ratio']}x faster")
        print(f"bound    : ceil(tagged/100) + sum ceil(n_type/100) = {bare}; constant used = "
              f"{constant} (empty types' one GetResources + one List* each, domain reads, "
              "moto's 99-per-page GetResources)")
        print(f"memory   : scan peak {figures['scan_peak_memory_mib']} MiB (tracemalloc, "
              "rows=none)")
        print("goals met" if ok else "GOALS NOT MET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
