"""Output formats of a report, each written once and used by every entry point (CLI, server,
notebook, standalone page): ``text``, ``html``, ``sarif``."""
