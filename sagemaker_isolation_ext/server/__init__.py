"""The Jupyter server extension: the ExtensionApp, its route handlers and the report jobs.

Layout: ``app`` (the ExtensionApp and its traits), ``base`` (the base handler and the request
validators), one ``*_routes`` module per route family, ``jobs`` (checks run off the event loop),
``compat`` (jupyter_server 1.x/2.x differences), ``selfcheck`` (the install self-check).
"""
