"""Our IAM policy engine (pure Python: imports nothing from Jupyter, tornado, boto3 or botocore).

Public API (the contract in docs/ARCHITECTURE.md §1)::

    from sagemaker_isolation_ext.iam import (
        parse_policy, PolicyError, Policy, Statement,
        Request, PolicySet, evaluate, Decision, StatementRef, compile_policy,
        trace_decision, format_trace, lint_policy,   # engine issue additions
    )

Semantics follow the AWS IAM User Guide ("Policy evaluation logic", "IAM JSON policy elements:
Condition operators", "IAM JSON policy elements: Variables and tags"); the readings taken where
the documentation leaves room are listed in the module docstrings of ``conditions``, ``context``,
``variables`` and ``engine``.
"""

from .engine import Decision, PolicySet, Request, StatementRef, compile_policy, evaluate
from .lint import lint_policy
from .policy import Policy, PolicyError, Statement, parse_policy
from .trace import format_trace, trace_decision

__all__ = [
    "parse_policy",
    "PolicyError",
    "Policy",
    "Statement",
    "Request",
    "PolicySet",
    "evaluate",
    "Decision",
    "StatementRef",
    "compile_policy",
    "trace_decision",
    "format_trace",
    "lint_policy",
]
