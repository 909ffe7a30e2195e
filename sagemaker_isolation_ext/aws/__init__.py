"""The AWS I/O layer: resolve the context, make boto3 clients, collect a Snapshot.

The only package that talks to AWS (ARCHITECTURE.md §5). ``collect_snapshot`` and the session
helpers are imported lazily by their modules' users (``from sagemaker_isolation_ext.aws.collect
import collect_snapshot``) so that importing this package stays cheap.
"""

from sagemaker_isolation_ext.aws.errors import AwsUnreachable, ContextError

__all__ = [
    "DEFAULT_METADATA_PATH",
    "AwsContext",
    "AwsUnreachable",
    "ContextError",
    "resolve_context",
]

_FROM_CONTEXT = ("DEFAULT_METADATA_PATH", "AwsContext", "resolve_context")


def __getattr__(name: str):
    """The context names load ``aws.context`` on first use (PEP 562), so that importing the
    errors (every CLI command does) does not import the context resolver and its dependencies."""
    if name in _FROM_CONTEXT:
        from sagemaker_isolation_ext.aws import context

        return getattr(context, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
