"""Command-line tools, as MXNet's ``tools/`` folder: ``python -m teachmod.tools.im2rec``."""
