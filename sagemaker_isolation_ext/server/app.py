"""The Jupyter server extension: configuration traits and route registration.

``SageMakerIsolationApp`` is loaded by jupyter_server through
``sagemaker_isolation_ext._jupyter_server_extension_points``. It owns the configuration an operator
sets (``c.SageMakerIsolationApp.domain_id = ...`` in ``jupyter_server_config.py``, or the
environment variables named in each trait's help) and one :class:`~.jobs.ReportJobs` registry,
which runs checks in worker threads so the event loop never blocks on AWS.

The routes themselves live in :mod:`sagemaker_isolation_ext.server.check_routes` (docs/ARCHITECTURE.md §6,
docs/openapi.yaml).
"""

from __future__ import annotations

import os

from jupyter_server.extension.application import ExtensionApp
from traitlets import Bool, Float, List, TraitError, Type, Unicode, default, validate

from .compat import ensure_protected
from .jobs import Collector, ReportJobs
from .routes import route_table

# Same value as aws.context.DEFAULT_METADATA_PATH; repeated here so loading the extension does not
# import the AWS layer (and boto3) before the first check. Source: AWS SageMaker Developer Guide,
# "Get app metadata" (notebooks-run-and-manage-metadata).
DEFAULT_METADATA_PATH = "/opt/ml/metadata/resource-metadata.json"


class SageMakerIsolationApp(ExtensionApp):
    """Server extension that checks SageMaker Studio domain resource isolation.

    Config traits (all ``config=True``; section name ``SageMakerIsolationApp``):

    - ``domain_id`` (str, env ``SAGEMAKER_ISOLATION_DOMAIN_ID``): the domain to check when the
      request names none and Studio's metadata file is absent.
    - ``region`` (str, env ``SAGEMAKER_ISOLATION_REGION``): AWS Region; empty means boto3's chain
      (``AWS_REGION``, ``AWS_DEFAULT_REGION``, the AWS config file).
    - ``profile`` (str, env ``AWS_PROFILE`` honoured by boto3 when empty): named AWS profile.
    - ``endpoint_url`` (str): one endpoint for every AWS client (a local moto server). Empty
      means boto3's own resolution, which honours ``AWS_ENDPOINT_URL``; a value here overrides it.
    - ``metadata_path`` (str): Studio's app metadata file,
      default ``/opt/ml/metadata/resource-metadata.json``.
    - ``cache_ttl`` (float, seconds, default 300): how long a finished report is served without
      a new check.
    - ``admin_actions_enabled`` (bool, default False): registers the admin routes
      (``handlers_admin.py``: plan / apply / rollback / changes); reported by ``version``.
    - ``audit_dir`` (str): where admin change records go (default: env
      ``SAGEMAKER_ISOLATION_AUDIT_DIR``, then the per-user Jupyter data dir).
    - ``aws_confirm`` (bool, default True): confirm each witness of a live report with IAM's
      policy simulator (``iam:SimulatePrincipalPolicy``, when the server's credentials may;
      ``aws/confirm.py``), in the report job's worker thread.
    - ``collector_class`` (a :class:`~.jobs.Collector` subclass): the snapshot collector; the
      default reads AWS through boto3. Tests inject fakes here.
    """

    name = "sagemaker_isolation_ext"
    # No page of its own: the panel lives in JupyterLab.
    load_other_extensions = True

    domain_id = Unicode(
        "",
        help=(
            "SageMaker domain id to check (d-xxxxxxxxxxxx) when a request names none and Studio's "
            "metadata file is absent. Environment variable: SAGEMAKER_ISOLATION_DOMAIN_ID."
        ),
    ).tag(config=True)

    @default("domain_id")
    def _default_domain_id(self) -> str:
        return os.environ.get("SAGEMAKER_ISOLATION_DOMAIN_ID", "")

    region = Unicode(
        "",
        help=(
            "AWS Region of the domain. Empty: AWS_REGION, then boto3's own chain "
            "(AWS_DEFAULT_REGION, the AWS config file). Environment variable: "
            "SAGEMAKER_ISOLATION_REGION."
        ),
    ).tag(config=True)

    @default("region")
    def _default_region(self) -> str:
        return os.environ.get("SAGEMAKER_ISOLATION_REGION", "")

    profile = Unicode(
        "",
        help=(
            "Named AWS profile for the check. Empty: boto3's default chain (which honours "
            "AWS_PROFILE)."
        ),
    ).tag(config=True)

    endpoint_url = Unicode(
        "",
        help=(
            "Endpoint URL for every AWS client (e.g. a local moto server, http://127.0.0.1:5000). "
            "Empty: boto3's own resolution, which honours AWS_ENDPOINT_URL; a value here "
            "overrides it."
        ),
    ).tag(config=True)

    metadata_path = Unicode(
        DEFAULT_METADATA_PATH,
        help=(
            "Path of SageMaker Studio's app metadata file (DomainId, UserProfileName or "
            "SpaceName, ExecutionRoleArn). Read to find the domain when running inside Studio."
        ),
    ).tag(config=True)

    cache_ttl = Float(
        300.0,
        help=(
            "Seconds a finished report stays fresh. A GET of the report within this time "
            "returns it; after it, the report is dropped and a new check must be started. "
            "0 disables the cache (every POST starts a check)."
        ),
    ).tag(config=True)

    @validate("cache_ttl")
    def _validate_cache_ttl(self, proposal):
        value = proposal["value"]
        if value < 0:
            raise TraitError(f"cache_ttl must be >= 0 seconds, got {value}")
        return value

    admin_actions_enabled = Bool(
        False,
        help=(
            "Enable the admin routes (plan, apply, rollback, changes under "
            "sagemaker-isolation/admin/): they attach the isolation policy to execution roles. "
            "Off: the routes do not exist. Also reported by the version route."
        ),
    ).tag(config=True)

    overview_other_accounts = Bool(
        False,
        help=(
            "Let the overview route enter other AWS accounts (its accounts and org fields, "
            "like check --all-domains --accounts/--org): sts:AssumeRole into each with the "
            "server's credentials. Off: the overview covers the server's own account only "
            "(403 other-accounts-disabled)."
        ),
    ).tag(config=True)

    overview_regions = List(
        Unicode(),
        default_value=[],
        help=(
            "Regions the overview lists when a request names none. Empty: the server's Region."
        ),
    ).tag(config=True)

    overview_accounts = List(
        Unicode(),
        default_value=[],
        help=(
            "Other accounts the overview enters when a request names none (only with "
            "overview_other_accounts)."
        ),
    ).tag(config=True)

    audit_dir = Unicode(
        "",
        help=(
            "Directory of the admin change records. Empty: SAGEMAKER_ISOLATION_AUDIT_DIR, then "
            "<jupyter data dir>/sagemaker-isolation/changes."
        ),
    ).tag(config=True)

    aws_confirm = Bool(
        True,
        help=(
            "Ask IAM's policy simulator (iam:SimulatePrincipalPolicy) to confirm each witness of "
            "a live report, when the server's AWS credentials may use it (at most 20 calls per "
            "distinct policy set, 100 per report). Off: no simulator call; the report still "
            "shows the commands to run."
        ),
    ).tag(config=True)

    collector_class = Type(
        default_value="sagemaker_isolation_ext.server.jobs.BotoCollector",
        klass=Collector,
        help=(
            "Collector backend (a sagemaker_isolation_ext.server.jobs.Collector subclass) that turns "
            "a resolved context into a Snapshot. The default reads AWS through boto3; tests "
            "and demos inject other backends here."
        ),
    ).tag(config=True)

    def initialize_settings(self) -> None:
        """Create the state the handlers share, released by :meth:`stop_extension`.

        ``settings["sagemaker_isolation_jobs"]`` (report checks, :class:`~.jobs.ReportJobs`),
        ``settings["sagemaker_isolation_tag_jobs"]`` (tag scans),
        ``settings["sagemaker_isolation_overview_jobs"]`` (account overviews) and, with admin
        actions on,
        ``settings["sagemaker_isolation_admin"]`` (previewed plans, the apply worker).
        """
        from .tag_routes import TagScanJobs

        self.jobs = ReportJobs(
            collector=self.collector_class(),
            cache_ttl=lambda: self.cache_ttl,
            log=self.log,
            aws_confirm=lambda: self.aws_confirm,
        )
        self.settings["sagemaker_isolation_jobs"] = self.jobs
        self.tag_jobs = TagScanJobs()
        self.settings["sagemaker_isolation_tag_jobs"] = self.tag_jobs
        from .overview_routes import OverviewJobs

        self.overview_jobs = OverviewJobs()
        self.settings["sagemaker_isolation_overview_jobs"] = self.overview_jobs
        self.admin_state = None
        if self.admin_actions_enabled:
            from .admin_routes import AdminState

            self.admin_state = AdminState()
            self.settings["sagemaker_isolation_admin"] = self.admin_state

    def initialize_handlers(self) -> None:
        """Register the routes of docs/ARCHITECTURE.md §6 under ``<base_url>/sagemaker-isolation/``.

        ExtensionApp prepends the server's ``base_url`` to each pattern with ``url_path_join``.
        """
        routes = route_table()
        if self.admin_actions_enabled:
            from .admin_routes import admin_route_table

            routes += admin_route_table()
        # jupyter_server 1.x has no allow_unauthenticated_access guard: refuse unprotected verbs.
        ensure_protected(routes)
        self.handlers.extend(routes)

    async def stop_extension(self) -> None:
        """Stop accepting checks, cancel tag scans, stop the admin worker (running work is
        abandoned; an apply cut short shows as ``interrupted`` in ``changes``)."""
        for name in ("jobs", "tag_jobs", "overview_jobs", "admin_state"):
            state = getattr(self, name, None)
            if state is not None:
                state.shutdown()
