"""``surveyor instrument``: list, check and build instruments."""

from __future__ import annotations

from pathlib import Path

import click

from surveyor.errors import printable

from . import handle_errors


@click.group()
def instrument() -> None:
    """List, check and build questionnaires (instruments)."""


@instrument.command("list")
@handle_errors
def list_instruments() -> None:
    """Show the instruments shipped with surveyor."""
    from surveyor.instrument.model import load_instrument, shipped_instruments

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
    from surveyor.errors import InstrumentError
    from surveyor.instrument.model import (
        load_instrument,
        read_yaml,
        resolve_instrument,
        validate_instrument_data,
    )

    path = resolve_instrument(file)
    problems = validate_instrument_data(read_yaml(path))
    errors = [p for p in problems if p.severity == "error"]
    for warning in (p for p in problems if p.severity == "warning"):
        click.echo(f"Warning: {printable(f'{path}: {warning}')}", err=True)
    if errors:
        raise InstrumentError(str(path), problems, limit=len(errors))
    inst = load_instrument(path)
    click.echo(
        f"{path}: OK ({inst.id} v{inst.version}, {len(inst.items)} items, "
        f"{len(inst.subscales)} subscales)"
    )


@instrument.command("build")
@click.argument("id_or_file")
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=True),
    default=Path("output/instruments"),
    show_default=True,
    help="Folder to write the files into (created when missing).",
)
@click.option(
    "--paper",
    type=click.Choice(["a4", "letter"], case_sensitive=False),
    default="a4",
    show_default=True,
    help="Paper size of the PDF.",
)
@click.option("--large-print", is_flag=True, help="16 pt text and larger tick boxes.")
@click.option("--organization", metavar="TEXT", help="Organisation printed on a pre-filled pack.")
@click.option("--set", "set_name", metavar="TEXT", help="Set printed on a pre-filled pack.")
@click.option(
    "--count",
    type=click.IntRange(1, 1000),
    help="Number of pre-filled copies, each with its own respondent code "
    "(needs --organization and --set).",
)
@click.option(
    "--template-dir",
    "template_dirs",
    multiple=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder of templates that override the shipped ones (repeatable).",
)
@click.option(
    "--format",
    "form_format",
    type=click.Choice(["print", "xlsform", "qualtrics", "limesurvey"]),
    default="print",
    show_default=True,
    help="print: PDF, HTML, template and codebook; xlsform: an XLSForm for KoboToolbox, "
    "ODK and Enketo; qualtrics: a .qsf to import into Qualtrics; limesurvey: a survey "
    "structure .txt to import into LimeSurvey.",
)
@handle_errors
def build(
    id_or_file: str,
    out: Path,
    paper: str,
    large_print: bool,
    organization: str | None,
    set_name: str | None,
    count: int | None,
    template_dirs: tuple[Path, ...],
    form_format: str,
) -> None:
    """Write the printable questionnaire (PDF and HTML), data-entry template and codebook,
    or with --format xlsform, qualtrics or limesurvey an online survey to import.

    ID_OR_FILE is a shipped instrument id (see `surveyor instrument list`) or a .yaml file.
    """
    if form_format != "print":
        from surveyor.instrument.build import write_online_form
        from surveyor.instrument.model import load_instrument

        click.echo(str(write_online_form(load_instrument(id_or_file), form_format, out)))
        return
    from surveyor.instrument.build import build_instrument
    from surveyor.instrument.questionnaire import QuestionnaireOptions

    options = QuestionnaireOptions(
        paper=paper, large_print=large_print, organization=organization, set=set_name,
        count=count,
    )
    for built in build_instrument(id_or_file, out, options, template_dirs):
        click.echo(str(built.path))
