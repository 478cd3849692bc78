"""The ``surveyor`` command line: parse, call the library, translate errors, echo.

Each command group lives in its own module; this one wires them together.
"""

from __future__ import annotations

import functools
import os

import click

from surveyor import __version__
from surveyor.errors import SurveyorError, printable


def handle_errors(func):
    """Turn a SurveyorError into a clean message and exit status 2, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except SurveyorError as exc:
            click.echo(f"Error: {printable(str(exc))}", err=True)
            raise SystemExit(exc.exit_code) from None
        except KeyboardInterrupt:
            click.echo("Interrupted; no partial output was left behind.", err=True)
            raise SystemExit(130) from None
        except (SystemExit, click.exceptions.Exit, click.ClickException):
            raise
        except Exception as exc:  # a bug in surveyor: say so plainly, keep the trace opt-in
            if os.environ.get("SURVEYOR_DEBUG"):
                raise
            click.echo(
                f"Error: surveyor hit an internal problem ({type(exc).__name__}: {exc}). "
                "This is a bug in surveyor, not in your files; please report it with the "
                "command you ran (set SURVEYOR_DEBUG=1 to see the details).",
                err=True,
            )
            raise SystemExit(1) from None

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="surveyor")
def cli() -> None:
    """Questionnaires, scoring and PDF feedback reports for action learning sets."""


def _register() -> None:
    from . import instrument, mapping, scan, score, simulate

    cli.add_command(instrument.instrument)
    cli.add_command(scan.scan)
    cli.add_command(mapping.mapping)
    cli.add_command(simulate.simulate)
    for command in score.COMMANDS:
        cli.add_command(command)


_register()
