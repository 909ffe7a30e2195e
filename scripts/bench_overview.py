#!/usr/bin/env python
"""Benchmark the account overview's collection on the local AWS (not a timed test).

Seeds an in-process moto server (the demo's Studio plugin installed) with 50 SageMaker domains x
10 user profiles whose execution roles are drawn from 30 distinct roles (each role attaches 2 of
6 customer managed policies: copies of AmazonSageMakerFullAccess and AmazonSageMakerReadOnly,
per-group isolation policies), then reads every domain with
``aws.overview.collect_all_domains``:

1. with the run-level cache (each role and each managed policy read once per run, each domain
   described once);
2. with the cache off (each domain collected as a check of it alone would: its own
   ``ListDomains`` + ``DescribeDomain`` of every other domain, its roles and policies read again).

Prints API calls per operation and wall time for both, checks that with the cache each managed
policy was read once (``iam:GetPolicy`` and ``iam:GetPolicyVersion`` = number of policies) and
each role once, and reports the goal (collection <= 10 s). With ``--analyse`` it also times the
whole ``check --all-domains`` run through ``check.check_all_domains`` (collection, analysis of
every domain, reach matrix, "Do this next"), per stage, with the role-analysis counts (computed,
reused within a domain, renamed from another domain); ``--alone`` adds the same run with
renaming between domains off (every domain analysed alone).

Usage: ``python scripts/bench_overview.py [--domains 50] [--profiles 10] [--roles 30]
[--workers 4] [--analyse [--alone]] [--json]``. Exit 0 when every policy and role was read
once with the cache, 1 otherwise (the wall-time goal is reported, not enforced: the machine's
load varies).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ACCOUNT = "123456789012"  # moto's default account
REGION = "us-east-1"
GOAL_SECONDS = 10.0


def _seed(url: str, domains: int, profiles: int, roles: int) -> dict:
    import boto3

    from sagemaker_isolation_ext.demo.seed import _data_json, isolation_policy_document

    sm = boto3.client("sagemaker", region_name=REGION, endpoint_url=url)
    iam = boto3.client("iam", region_name=REGION, endpoint_url=url)
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"},
        "Action": "sts:AssumeRole"}]})
    pols = []
    for name in ("AmazonSageMakerFullAccess", "AmazonSageMakerReadOnly"):
        pols.append(iam.create_policy(PolicyName=name, PolicyDocument=json.dumps(
            _data_json("managed_policies", f"{name}.json")))["Policy"]["Arn"])
    for g in range(4):
        darn = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:domain/d-group{g}"
        pols.append(iam.create_policy(
            PolicyName=f"GroupIsolation{g}",
            PolicyDocument=json.dumps(isolation_policy_document(darn, f"d-group{g}")),
        )["Policy"]["Arn"])
    role_arns = []
    for r in range(roles):
        name = f"bench-role-{r:02d}"
        role_arns.append(iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust)
                         ["Role"]["Arn"])
        iam.attach_role_policy(RoleName=name, PolicyArn=pols[r % 2])
        iam.attach_role_policy(RoleName=name, PolicyArn=pols[2 + r % 4])
    for d in range(domains):
        did = sm.create_domain(
            DomainName=f"bench-{d:02d}", AuthMode="IAM", SubnetIds=["subnet-1"], VpcId="vpc-1",
            DefaultUserSettings={"ExecutionRole": role_arns[d % roles]},
            DefaultSpaceSettings={"ExecutionRole": role_arns[(d + 1) % roles]},
        )["DomainArn"].rsplit("/", 1)[-1]
        for p in range(profiles):
            sm.create_user_profile(DomainId=did, UserProfileName=f"user-{p}", UserSettings={
                "ExecutionRole": role_arns[(d * profiles + p) % roles]})
    return {"domains": domains, "profiles": domains * profiles, "roles": roles,
            "policies": len(pols)}


def _whole_run(ctx, share: bool, workers: int) -> dict:
    """``check --all-domains`` as the CLI runs it (collect, analyse every domain through the one
    check path, reach matrix, "Do this next"), timed per stage."""
    from sagemaker_isolation_ext.check import check_all_domains

    marks: dict = {}
    t0 = time.monotonic()
    c0 = time.process_time()

    def progress(stage: str, done: int, total: int) -> None:
        now = time.monotonic() - t0
        marks.setdefault(stage, [now, now])[1] = now

    res = check_all_domains(ctx, fixes=True, progress=progress, max_workers=workers,
                            share_between_domains=share)  # fmt: skip
    total = time.monotonic() - t0
    cpu = time.process_time() - c0
    order = [k for k in ("accounts", "regions", "domains", "analysis", "reach", "fixes")
             if k in marks]  # fmt: skip
    stages, prev = {}, 0.0
    for k in order:
        stages[k] = round(marks[k][1] - prev, 2)
        prev = marks[k][1]
    ov = res.overview
    return {"seconds": round(total, 2), "cpu_seconds": round(cpu, 2), "stages_seconds": stages,
            "role_analyses": ov["run"]["role_analyses"], "summary": ov["summary"],
            "reach_cells": len(ov["reach"]), "fixes": len(ov["fixes"]),
            "fixes_not_evaluated": ov["fixes_not_evaluated"]}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--domains", type=int, default=50)
    ap.add_argument("--profiles", type=int, default=10)
    ap.add_argument("--roles", type=int, default=30)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--analyse", action="store_true",
                    help="also time the whole check --all-domains run (analysis, reach, fixes)")
    ap.add_argument("--alone", action="store_true",
                    help="with --analyse: also the whole run with sharing between domains off")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    for k, v in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                 "AWS_REGION": REGION, "AWS_DEFAULT_REGION": REGION}.items():
        os.environ[k] = v
    for k in ("AWS_PROFILE", "AWS_ENDPOINT_URL"):
        os.environ.pop(k, None)
    from sagemaker_isolation_ext.aws.overview import collect_all_domains
    from sagemaker_isolation_ext.aws.target import AwsContext
    from sagemaker_isolation_ext.demo.server import start_local_aws

    server, url = start_local_aws()
    try:
        seeded = _seed(url, args.domains, args.profiles, args.roles)
        ctx = AwsContext(domain_id=None, region=REGION, endpoint_url=url)
        runs = {}
        for label, share in (("cache_on", True), ("cache_off", False)):
            t = time.monotonic()
            col = collect_all_domains(ctx, share=share, max_workers=args.workers)
            runs[label] = {"seconds": round(time.monotonic() - t, 2), "api_calls": col.api_calls,
                           "domains": len(col.snapshots), "errors": col.errors,
                           "cache": col.cache}
        calls = runs["cache_on"]["api_calls"]["by_operation"]
        once = (calls.get("iam:GetPolicy") == seeded["policies"]
                and calls.get("iam:GetPolicyVersion") == seeded["policies"]
                and calls.get("iam:GetRole") == seeded["roles"])
        result = {"seeded": seeded, "workers": args.workers, "goal_seconds": GOAL_SECONDS,
                  "each_policy_and_role_read_once": once, **runs}
        if args.analyse:
            modes = [("shared", True)] + ([("alone", False)] if args.alone else [])
            for label, share in modes:
                result[f"whole_run_{label}"] = _whole_run(ctx, share, args.workers)
    finally:
        server.stop()
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        s = result["seeded"]
        print(f"seeded: {s['domains']} domains x {args.profiles} user profiles, {s['roles']} "
              f"roles, {s['policies']} managed policies; {args.workers} workers")
        for label in ("cache_on", "cache_off"):
            r = result[label]
            print(f"\n{label}: {r['seconds']} s for {r['domains']} domains, "
                  f"{r['api_calls']['total']} API calls (goal <= {GOAL_SECONDS:g} s: "
                  f"{'met' if r['seconds'] <= GOAL_SECONDS else 'NOT met'})")
            for op, n in r["api_calls"]["by_operation"].items():
                print(f"  {op:40} {n}")
        print(f"\neach managed policy and role read once with the cache: "
              f"{result['each_policy_and_role_read_once']}")
        for label in ("shared", "alone"):
            w = result.get(f"whole_run_{label}")
            if w:
                print(f"\nwhole run, role analyses shared between domains: "
                      f"{'on' if label == 'shared' else 'off'}: {w['seconds']} s "
                      f"(goal <= {GOAL_SECONDS:g} s: "
                      f"{'met' if w['seconds'] <= GOAL_SECONDS else 'NOT met'}); "
                      f"CPU {w['cpu_seconds']} s (this process, the local AWS included)")
                print(f"  stages (s): {w['stages_seconds']}")
                print(f"  role analyses: {w['role_analyses']}")
                print(f"  {w['summary']}; reach cells {w['reach_cells']}; fixes {w['fixes']} "
                      f"(not evaluated {w['fixes_not_evaluated']})")
    return 0 if result["each_policy_and_role_read_once"] else 1


if __name__ == "__main__":
    sys.exit(main())
