"""Pages of the parties app, one module per kind of party (see urls.py)."""
