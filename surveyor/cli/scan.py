"""``surveyor scan``: read scanned paper questionnaires into a responses file."""

from __future__ import annotations

from pathlib import Path

import click

from surveyor.cli import handle_errors


@click.command("scan")
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...",
                type=click.Path(path_type=Path))
@click.option("--instrument", "id_or_file", required=True, metavar="ID_OR_FILE",
              help="The instrument the forms were printed from (id or .yaml file).")
@click.option("--out", type=click.Path(path_type=Path), required=True,
              help="Folder for responses.csv, review.csv, review.pdf and the logs.")
@click.option("--organization", metavar="TEXT",
              help="Organisation of blank forms (a pack's list names its own).")
@click.option("--set", "set_name", metavar="TEXT",
              help="Set of blank forms (a pack's list names its own).")
@click.option("--template-dir", "template_dirs", multiple=True,
              type=click.Path(path_type=Path, file_okay=False, exists=True),
              help="Brand folder the forms were printed with (as for instrument build).")
@handle_errors
def scan(inputs: tuple[Path, ...], id_or_file: str, out: Path, organization: str | None,
         set_name: str | None, template_dirs: tuple[Path, ...]) -> None:
    """Read scanned questionnaires (PDF, PNG, JPEG, TIFF or folders) into responses.

    Give each pre-filled pack's list (its -template.csv from instrument build) among the
    inputs: it names the organisation and set of the pack's respondent codes.

    Writes OUT/responses.csv for `surveyor score`, OUT/review.csv and OUT/review.pdf for
    the statements to decide by eye, and OUT/boxes.csv, OUT/pages.csv and OUT/sheets.csv
    for audit.
    """
    from surveyor.scan.assemble import assemble
    from surveyor.scan.outputs import review_rows, write_outputs
    from surveyor.scan.read import read_scans

    run = read_scans(list(inputs), id_or_file, template_dirs=template_dirs)
    respondents = assemble(run.readings, organization, set_name)
    for path in write_outputs(run, respondents, out):
        click.echo(str(path))
    reviews = review_rows(respondents)
    click.echo(
        f"{len(run.readings)} pages read, {len(respondents)} respondents, "
        f"{len(reviews)} to review (review.csv, review.pdf)", err=True,
    )
    for problem in run.problems:
        click.echo(f"Warning: {problem.source}, page {problem.index}: {problem.detail}",
                   err=True)
    for respondent in respondents:
        for number in respondent.missing:
            click.echo(f"Warning: {respondent.respondent_id}: page {number} of "
                       f"{respondent.pages_expected} is not in the scans", err=True)
        for reading, _ in respondent.duplicates:
            click.echo(f"Warning: {reading.where}: page {reading.page_id.page} of "
                       f"{respondent.respondent_id} scanned again", err=True)
