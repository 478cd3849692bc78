"""``surveyor mapping``: connect a survey-tool export to an instrument's items."""

from __future__ import annotations

from pathlib import Path

import click

from surveyor.errors import printable
from surveyor.inputs.formats import FORMAT_CHOICES

from . import handle_errors


@click.group()
def mapping() -> None:
    """Connect survey-tool exports (Qualtrics, Google Forms...) to an instrument."""


@mapping.command("init")
@click.argument("export", type=click.Path(path_type=Path))
@click.option(
    "--instrument", "-i", required=True, help="Shipped instrument id or instrument .yaml file."
)
@click.option(
    "--out",
    "-o",
    type=click.Path(path_type=Path),
    default=Path("mapping.yaml"),
    show_default=True,
    help="Where to write the proposed mapping.",
)
@click.option(
    "--format",
    "export_format",
    type=click.Choice(FORMAT_CHOICES),
    help="The export's format; detected from its header when omitted.",
)
@click.option("--force", is_flag=True, help="Overwrite an existing mapping file.")
@handle_errors
def init(
    export: Path, instrument: str, out: Path, export_format: str | None, force: bool
) -> None:
    """Propose a mapping.yaml for EXPORT: the column matching each item's text best.

    Check the file (above all lines marked CHECK, AMBIGUOUS or NO MATCH), then pass it to
    `surveyor score EXPORT --mapping mapping.yaml`.
    """
    from surveyor import files
    from surveyor.errors import SurveyorError
    from surveyor.inputs.formats import FORMAT_NAMES
    from surveyor.inputs.mapping_init import mapping_yaml, propose_mapping
    from surveyor.inputs.read import load_export
    from surveyor.instrument.model import load_instrument

    if out.exists() and not force:
        raise SurveyorError(
            f"{out}: exists; it may hold your checked mapping. Use --force to overwrite it "
            "or --out to write elsewhere"
        )
    inst = load_instrument(instrument)
    data = load_export(export, export_format)
    proposal = propose_mapping(data, inst)
    files.write_text(out, mapping_yaml(proposal))
    missing = [i for i, entry in proposal.items.items() if entry.column is None]
    check = [
        key.split(".", 1)[-1] for key, note in proposal.comments.items()
        if note.startswith(("CHECK", "AMBIGUOUS"))
    ]
    click.echo(f"{export}: {FORMAT_NAMES[data.format]}, {len(data.data)} responses")
    for note in data.notes:
        click.echo(f"  {printable(str(note))}")
    matched = len(proposal.items) - len(missing)
    click.echo(f"Wrote {out}: {matched} of {len(proposal.items)} items matched to a column.")
    if check:
        click.echo(f"Check: {', '.join(check)}.")
    if missing:
        click.echo(f"No column found for: {', '.join(missing)}; fill them in before scoring.")
    for name in ("organization", "set"):
        if name not in proposal.ids:
            click.echo(f"No {name} column found: name one in {out} or pass --{name} when scoring.")
