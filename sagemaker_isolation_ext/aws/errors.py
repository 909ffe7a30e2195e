"""Errors raised by the AWS layer (``sagemaker_isolation_ext.aws``).

Two kinds only; every other failed AWS call is *recorded* in the Snapshot's ``errors`` list
instead of being raised (see ``collect.py``).
"""

from __future__ import annotations


class ContextError(ValueError):
    """No SageMaker domain (or no Region) can be determined for a check.

    Raised by :func:`sagemaker_isolation_ext.aws.target.resolve_context`. The message says what was
    looked at and how to fix it (e.g. "pass --domain-id"). ``reason`` is a short stable id:
    ``"no-domain"``, ``"notebook-instance"``, ``"bad-metadata"``, ``"bad-domain-id"``,
    ``"no-region"``, ``"bad-region"``, ``"bad-profile"``.
    """

    def __init__(self, message: str, reason: str = "no-domain") -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason


class AwsUnreachable(RuntimeError):
    """AWS cannot be reached or read at all for this domain, so no Snapshot can be made.

    Raised by :func:`sagemaker_isolation_ext.aws.collect.collect_snapshot` (CLI exit code 4).

    Attributes:
        message: human-readable cause and fix.
        reason: stable id, one of ``"no-credentials"``, ``"credentials-rejected"``,
            ``"profile-not-found"``, ``"endpoint-unreachable"``, ``"domain-not-found"``,
            ``"access-denied"``, ``"aws-error"`` (DescribeDomain failed for another reason).
        operation: the AWS operation that failed (``"sagemaker:DescribeDomain"``) or None.
        code: the AWS error code or botocore exception class name, or None.
    """

    def __init__(
        self,
        message: str,
        reason: str,
        operation: str | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason
        self.operation = operation
        self.code = code

    def to_json(self) -> dict:
        """The ``{"message", "reason", "operation", "code"}`` shape used by the server and CLI."""
        return {
            "message": self.message,
            "reason": self.reason,
            "operation": self.operation,
            "code": self.code,
        }
