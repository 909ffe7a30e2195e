"""``python -m sagemaker_isolation_ext``: the same CLI as the ``sagemaker-isolation`` script."""

import sys

from .cli.entry import main

if __name__ == "__main__":
    sys.exit(main())
