"""``surveyor score`` and ``surveyor validate``."""

from __future__ import annotations

from pathlib import Path

import click

from . import handle_errors

instrument_option = click.option(
    "--instrument",
    "-i",
    default="learning-inaction",
    show_default=True,
    help="Shipped instrument id or instrument .yaml file.",
)
responses_argument = click.argument("responses", type=click.Path(path_type=Path))


def _echo_warnings(warnings, limit: int = 20) -> None:
    for warning in warnings[:limit]:
        click.echo(f"Warning: {warning}", err=True)
    if len(warnings) > limit:
        click.echo(f"... and {len(warnings) - limit} more warnings (see manifest.json)", err=True)


@click.command()
@responses_argument
@instrument_option
@handle_errors
def validate(responses: Path, instrument: str) -> None:
    """Check a RESPONSES file (CSV or XLSX) without scoring or writing anything."""
    from ..instrument import load_instrument
    from ..responses import read_responses

    inst = load_instrument(instrument)
    data = read_responses(responses, inst)
    _echo_warnings(data.warnings)
    frame = data.frame
    click.echo(
        f"{responses}: OK ({len(frame)} respondents, {frame['organization'].nunique()} "
        f"organisations, {frame[['organization', 'set']].drop_duplicates().shape[0]} sets; "
        f"{len(data.warnings)} warnings)"
    )


@click.command()
@responses_argument
@instrument_option
@click.option(
    "--out",
    "-o",
    type=click.Path(path_type=Path),
    default=Path("output"),
    show_default=True,
    help="Folder for the data files and reports.",
)
@click.option(
    "--min-group-size",
    type=int,
    default=5,
    show_default=True,
    help="Anonymity threshold: no statistic for a group with fewer respondents.",
)
@click.option(
    "--consented",
    is_flag=True,
    help="The sets agreed to see results from 3 or 4 people (allows --min-group-size 3 or 4).",
)
@click.option("--no-reports", is_flag=True, help="Write the data files only.")
@handle_errors
def score(
    responses: Path,
    instrument: str,
    out: Path,
    min_group_size: int,
    consented: bool,
    no_reports: bool,
) -> None:
    """Validate and score RESPONSES; write data files (and reports) to --out."""
    from ..files import ensure_dir
    from ..outputs import write_data, write_manifest
    from ..pipeline import score as run_score

    result = run_score(
        responses, instrument, min_group_size=min_group_size, consented=consented
    )
    ensure_dir(out)
    files = write_data(result, out)
    reports: list[dict] = []
    write_manifest(result, out, files, reports)
    _echo_warnings(result.warnings)
    _summary(result, out)


def _summary(result, out: Path) -> None:
    frame = result.scores
    supp = result.suppression
    n_sets = len(result.levels.set_names)
    n_orgs = len(result.levels.org_names)
    hidden_sets = sum(
        1 for k, d in supp.groups.items() if k.level == "set" and d.suppressed
    )
    hidden_orgs = sum(
        1 for k, d in supp.groups.items() if k.level == "organization" and d.suppressed
    )
    subscale_ids = result.scored.subscale_ids
    scored_any = int(frame[subscale_ids].notna().any(axis=1).sum())
    skipped = len(result.responses.skipped_rows)
    click.echo(
        f"Read {len(frame)} respondents ({scored_any} scored, {len(frame) - scored_any} "
        f"without any score, {skipped} empty rows skipped) from {result.responses.source}"
    )
    click.echo(
        f"{n_orgs} organisations ({hidden_orgs} suppressed), {n_sets} sets ({hidden_sets} "
        f"suppressed: fewer than {supp.min_group_size} responses or protecting one)"
    )
    for row in result.reliability.itertuples():
        alpha = "n/a" if row.alpha != row.alpha else f"{row.alpha:.2f}"
        click.echo(f"  {row.subscale:<24} alpha {alpha} (k={row.k}, n={row.n})")
    click.echo(f"Wrote data files and manifest.json to {out}")


COMMANDS = [score, validate]
