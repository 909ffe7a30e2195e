"""Notebook entry points: the ``%isolation`` magic and the rich objects cells display.

```python
from sagemaker_isolation_ext.notebook import explain_access_denied, check_isolation
```
"""

from .check import check_isolation
from .explain import Explanation, explain_access_denied

__all__ = ["Explanation", "check_isolation", "explain_access_denied"]
