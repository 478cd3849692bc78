"""``python -m surveyor``: the same as the ``surveyor`` command."""

from .cli import cli

cli()
