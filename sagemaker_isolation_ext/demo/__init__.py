"""The demo's local AWS: moto server, the Studio-API moto plugin, seeding, the launcher.

Imported by the ``demo`` subcommand and by tests only, never by the check path (it needs the
``demo`` extra: ``moto[server]``; importing this package without moto raises ImportError).
"""

from sagemaker_isolation_ext.demo.launcher import run_demo
from sagemaker_isolation_ext.demo.moto_plugin import install_studio_plugin
from sagemaker_isolation_ext.demo.seed import seed_demo_account
from sagemaker_isolation_ext.demo.server import start_local_aws

__all__ = ["run_demo", "install_studio_plugin", "seed_demo_account", "start_local_aws"]
