"""The text of ``tags backfill`` and ``tags rollback`` (render/text.py), line by line."""

from sagemaker_isolation_ext.render.text import render_backfill_text, render_tag_rollback_text

ARN = "arn:aws:sagemaker:us-east-1:111122223333:model/m1"
ARN2 = "arn:aws:sagemaker:us-east-1:111122223333:model/m2"


def test_backfill_dry_run_and_real_run():
    result = {
        "dry_run": True,
        "change_id": None,
        "status": "planned",
        "items": [
            {"arn": ARN, "status": "would-tag", "add": {"k": "v"}, "detail": "from the plan"},
            {"arn": ARN2, "status": "conflict", "add": {}, "detail": "already has k=w"},
        ],
        "counts": {"would-tag": 1, "conflict": 1},
    }
    assert render_backfill_text(result) == (
        "Dry run (nothing changed; --yes applies)\n"
        f"  would-tag       {ARN}  + k=v\n"
        f"  conflict        {ARN2}  (already has k=w)\n"
        "  conflict 1, would-tag 1\n"
    )
    done = dict(result, dry_run=False, change_id="c-1", status="partial", items=[], counts={})
    assert render_backfill_text(done) == (
        "Change c-1: partial\n"
        "  nothing to do: the plan selects no resource\n"
        "Undo with: sagemaker-isolation tags rollback --change c-1 --yes\n"
    )


def test_rollback_lines():
    result = {
        "dry_run": False,
        "change_id": "c-2",
        "status": "succeeded",
        "items": [{"arn": ARN, "status": "untagged", "remove": ["k"], "detail": None}],
        "counts": {"untagged": 1},
    }
    assert render_tag_rollback_text(result, "c-1") == (
        f"Rollback c-2 of c-1: succeeded\n  untagged       {ARN}  - k\n"
    )
