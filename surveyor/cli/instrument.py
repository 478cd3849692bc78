"""``surveyor instrument``: list, check and build instruments."""

from __future__ import annotations

from pathlib import Path

import click

from . import handle_errors


@click.group()
def instrument() -> None:
    """List, check and build questionnaires (instruments)."""


@instrument.command("list")
@handle_errors
def list_instruments() -> None:
    """Show the instruments shipped with surveyor."""
    from ..instrument import load_instrument, shipped_instruments

    for identifier, path in shipped_instruments().items():
        inst = load_instrument(path)
        click.echo(
            f"{identifier:<28} v{inst.version:<6} {len(inst.items):>3} items, "
            f"{len(inst.subscales)} subscales  {inst.title}"
        )


@instrument.command("check")
@click.argument("file", type=click.Path(path_type=Path))
@handle_errors
def check(file: Path) -> None:
    """Validate an instrument FILE and report every problem at once."""
    from ..errors import InstrumentError
    from ..instrument import load_instrument, read_yaml, resolve_instrument
    from ..instrument import validate_instrument_data

    path = resolve_instrument(file)
    problems = validate_instrument_data(read_yaml(path))
    errors = [p for p in problems if p.severity == "error"]
    for warning in (p for p in problems if p.severity == "warning"):
        click.echo(f"Warning: {path}: {warning}", err=True)
    if errors:
        raise InstrumentError(str(path), problems, limit=len(errors))
    inst = load_instrument(path)
    click.echo(
        f"{path}: OK ({inst.id} v{inst.version}, {len(inst.items)} items, "
        f"{len(inst.subscales)} subscales)"
    )
