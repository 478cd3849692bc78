"""``python -m surveyor``: the same as the ``surveyor`` command."""

from surveyor.cli import cli

cli()
