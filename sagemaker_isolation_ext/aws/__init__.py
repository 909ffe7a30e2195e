"""The AWS I/O layer: resolve the context, make boto3 clients, collect a Snapshot.

The only package that talks to AWS (ARCHITECTURE.md §5). ``collect_snapshot`` and the session
helpers are imported lazily by their modules' users (``from sagemaker_isolation_ext.aws.collect
import collect_snapshot``) so that importing this package stays cheap.
"""

from sagemaker_isolation_ext.aws.context import (
    DEFAULT_METADATA_PATH,
    AwsContext,
    resolve_context,
)
from sagemaker_isolation_ext.aws.errors import AwsUnreachable, ContextError

__all__ = [
    "DEFAULT_METADATA_PATH",
    "AwsContext",
    "AwsUnreachable",
    "ContextError",
    "resolve_context",
]
