"""Alias kept for the ``collector_class`` trait's documented default path.

``c.SageMakerIsolationApp.collector_class = "sagemaker_isolation_ext.jobs.BotoCollector"`` (README,
docs/CLI.md) keeps working; the code lives in :mod:`sagemaker_isolation_ext.server.jobs`.
"""

from .server.jobs import BotoCollector, Collector

__all__ = ["BotoCollector", "Collector"]
