"""``surveyor score`` and ``surveyor validate``."""

from __future__ import annotations

from pathlib import Path

import click

from surveyor.errors import printable
from surveyor.reports.executors import CONNECT_TIMEOUT, EXECUTORS

from . import handle_errors

instrument_option = click.option(
    "--instrument",
    "-i",
    default="learning-inaction",
    show_default=True,
    help="Shipped instrument id or instrument .yaml file.",
)
responses_argument = click.argument("responses", type=click.Path(path_type=Path))


def export_options(command):
    """Options for reading survey-tool exports, shared by score and validate."""
    from surveyor.inputs.formats import FORMAT_CHOICES

    for option in reversed(
        [
            click.option("--format", "format_", type=click.Choice(FORMAT_CHOICES),
                         default=None, help="Force the export format [default: detected]."),
            click.option("--mapping", type=click.Path(exists=True, dir_okay=False,
                         path_type=Path), default=None,
                         help="mapping.yaml connecting export columns to items "
                              "(see 'surveyor mapping init')."),
            click.option("--include-partial", is_flag=True,
                         help="Keep unfinished responses (Qualtrics, LimeSurvey, REDCap, SPSS)."),
            click.option("--organization", default=None,
                         help="Organisation of every response in a single-set file."),
            click.option("--set", "set_name", default=None,
                         help="Set of every response in a single-set file."),
        ]
    ):
        command = option(command)
    return command


def wave_options(command, paired: bool = True):
    """--waves and --wave (and, for score, --paired)."""
    options = [
        click.option("--waves", "waves", default=None, metavar='"A,B,C"',
                     help="The waves in order, earliest first [default: numbers or "
                          "YYYY-MM-DD dates in the wave column, sorted]."),
        click.option("--wave", "wave", default=None, metavar="NAME",
                     help="Use this wave's rows alone."),
    ]
    if paired:
        options.append(click.option(
            "--paired", is_flag=True,
            help="Respondent ids name the same person in every wave: change over the "
                 "people present in both waves [default: waves are independent samples]."))
    for option in reversed(options):
        command = option(command)
    return command


def _reader_options(format_, mapping, include_partial, organization, set_name) -> dict:
    return {
        "format": format_, "mapping": mapping, "include_partial": include_partial,
        "organization": organization, "set_name": set_name,
    }


def _echo_source(data) -> None:
    from surveyor.inputs.formats import FORMAT_NAMES

    if data.format not in ("csv", "xlsx"):
        click.echo(f"Detected {FORMAT_NAMES.get(data.format, data.format)}", err=True)


def _echo_warnings(warnings, limit: int = 20) -> None:
    for warning in warnings[:limit]:
        click.echo(f"Warning: {printable(str(warning))}", err=True)
    if len(warnings) > limit:
        click.echo(f"... and {len(warnings) - limit} more warnings (see manifest.json)", err=True)


@click.command()
@responses_argument
@instrument_option
@export_options
@wave_options
@handle_errors
def validate(responses: Path, instrument: str, waves: str | None, wave: str | None,
             paired: bool, **reader) -> None:
    """Check a RESPONSES file or export without scoring or writing anything."""
    from surveyor.inputs.read import ReadOptions, read
    from surveyor.instrument.model import load_instrument
    from surveyor.numbers.waves import (
        parse_wave_list,
        require_wave_column,
        select_wave,
        wave_counts,
        wave_order,
    )

    inst = load_instrument(instrument)
    given = parse_wave_list(waves)
    data = read(responses, inst, ReadOptions(**_reader_options(**reader)))
    frame = data.frame
    require_wave_column(data.has_wave, given, str(responses))
    if wave is not None:
        frame = select_wave(frame, wave, str(responses))
    order = wave_order(frame, given, str(responses), data.wave_order) if data.has_wave else []
    _echo_source(data)
    _echo_warnings(data.warnings)
    click.echo(
        f"{responses}: OK ({len(frame)} respondents, {frame['organization'].nunique()} "
        f"organisations, {frame[['organization', 'set']].drop_duplicates().shape[0]} sets; "
        f"{len(data.warnings)} warnings)"
    )
    if order:
        click.echo(f"{len(order)} wave{'s' if len(order) != 1 else ''}, in order:")
        for name, n in wave_counts(frame, order):
            click.echo(f"  {name}: n = {n}")
        if paired and len(order) > 1:
            ids = [set(frame.loc[frame["wave"] == w, "respondent_id"]) for w in order]
            for i in range(len(order) - 1):
                both = len(ids[i] & ids[i + 1])
                click.echo(f"  {order[i]} -> {order[i + 1]}: {both} respondent ids in both")


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
@click.option("--allow-small-change", is_flag=True,
              help="Publish even where a group's membership changed by fewer than "
                   "--min-group-size respondents since an earlier release into --out "
                   "(comparing the two would reveal them; see README, Safety).")
@click.option(
    "--template-dir",
    "template_dirs",
    multiple=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Brand folder with templates and brand.toml (repeatable; searched in order).",
)
@click.option("--jobs", "-j", type=click.IntRange(1, 256), default=None,
              help="Worker processes for the PDFs [default: number of cores; with "
                   "--executor dask, reports rendered at once: the cluster's threads].")
@click.option("--html", "write_html", is_flag=True,
              help="Also write each report's self-contained HTML next to its PDF.")
@click.option("--force", is_flag=True, help="Render every report, even unchanged ones.")
@click.option("--executor", "executor_kind", type=click.Choice(EXECUTORS),
              default="local", show_default=True,
              help="Where the PDFs are rendered: worker processes here, or an existing Dask "
                   "cluster (needs surveyor[dask]; scoring stays here).")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Dask scheduler for --executor dask, e.g. tcp://10.0.0.5:8786.")
@click.option("--scheduler-timeout", type=click.FloatRange(0.1, 3600), default=CONNECT_TIMEOUT,
              show_default=True, metavar="SECONDS",
              help="With --executor dask: how long to wait for the scheduler and its first "
                   "worker (raise it for a cluster that is still starting).")
@click.option("--data-date", default=None, metavar="YYYY-MM-DD",
              help="Date of the data for report covers [default: the latest submission "
                   "date a survey-tool export carries (Qualtrics RecordedDate, Google Forms "
                   "Timestamp...), else none; never the file's modification time, which "
                   "changes when the file is copied].")
@click.option("--roster", type=click.Path(path_type=Path), default=None,
              help="CSV of set sizes (organization,set,members): covers then say "
                   "'6 of 8 members'.")
@export_options
@wave_options
@handle_errors
def score(
    responses: Path,
    instrument: str,
    out: Path,
    min_group_size: int,
    consented: bool,
    no_reports: bool,
    allow_small_change: bool,
    template_dirs: tuple[Path, ...],
    jobs: int | None,
    write_html: bool,
    force: bool,
    executor_kind: str,
    scheduler: str | None,
    scheduler_timeout: float,
    data_date: str | None,
    roster: Path | None,
    waves: str | None,
    wave: str | None,
    paired: bool,
    **reader,
) -> None:
    """Validate and score RESPONSES; write data files and PDF reports to --out."""
    import contextlib

    from surveyor.files import write_text
    from surveyor.output_folder import OutputFolder
    from surveyor.outputs import CHANGES, DATA_FILES, run_record, write_data, write_manifest
    from surveyor.pipeline import score as run_score
    from surveyor.release_register import REGISTER, register_release
    from surveyor.reports.executors import make_executor

    data_date = _check_date(data_date)
    sizes = _read_roster(roster)
    folder = OutputFolder(out, inputs=[responses, reader.get("mapping"), Path(instrument),
                                       roster])
    folder.refuse_inputs([*DATA_FILES, CHANGES, "manifest.json", REGISTER])
    if not no_reports:
        # A bad brand.toml or template stops the run before any scoring or writing.
        from surveyor.reports.brand import load_brand
        from surveyor.typeset.environment import check_templates

        load_brand(template_dirs)
        check_templates(template_dirs)
    # Reach the cluster before scoring, so a wrong address fails in seconds, not after it.
    renderer = (
        contextlib.nullcontext() if no_reports else make_executor(
            executor_kind, scheduler, jobs, timeout=scheduler_timeout)
    )
    with renderer as executor:
        result = run_score(
            responses, instrument, min_group_size=min_group_size, consented=consented,
            waves=waves, wave=wave, paired=paired, **_reader_options(**reader),
        )
        _echo_source(result.responses)
        # The cover's date: --data-date, else the latest submission the export carries,
        # else none (never the file's modification time).
        if not data_date and result.responses.data_date:
            data_date = result.responses.data_date
            click.echo(f"Date of the data: {data_date} (the latest "
                       f"'{printable(result.responses.data_date_column)}' in the export; "
                       "--data-date sets another)", err=True)
        if sizes:
            from surveyor.inputs.roster import check_roster

            counts = result.latest.responses.frame.groupby(["organization", "set"]).size()
            check_roster(sizes, {k: int(v) for k, v in counts.items()}, str(roster))
        # The run's files are built aside and swapped in whole (see output_folder).
        with folder:
            # Checked before anything is written: a refused release leaves the folder as is.
            # A multi-wave run is registered as the release of its latest wave, the one
            # its reports describe (changes between waves follow their own rules).
            register, small_changes = register_release(out, result.latest,
                                                       allow_small_change)
            result.warnings.extend(small_changes)
            write_text(folder.stage / REGISTER, register)
            files = write_data(result, folder.stage)
            reports: list[dict] = []
            if not no_reports:
                reports = _write_reports(
                    result.latest, folder.stage, out, template_dirs,
                    jobs if executor is None else executor.workers,
                    write_html, force, data_date, sizes, executor,
                )
            record = run_record(folder.staged(), reports)
            write_manifest(result, folder.stage, files, reports, record)
            kept = folder.commit(record)
    _echo_warnings(result.warnings + kept)
    _summary(result, out)
    if reports:
        _echo_reports(result, out, reports)


def _check_date(text: str | None) -> str:
    """``--data-date`` as printed (``YYYY-MM-DD``), or empty."""
    import datetime

    if not text:
        return ""
    try:
        return datetime.date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        raise click.BadParameter(f"'{text}' is not a date; write it as YYYY-MM-DD, for "
                                 "example 2025-03-12", param_hint="--data-date") from None


def _read_roster(path: Path | None) -> dict:
    if path is None:
        return {}
    from surveyor.inputs.roster import read_roster

    return read_roster(path)


def _plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


def _echo_reports(result, out: Path, reports: list[dict]) -> None:
    """Where to start, and which sets got no report (their facilitators need telling)."""
    rendered = sum(1 for r in reports if r.get("rendered"))
    click.echo(
        f"Wrote {_plural(len(reports), 'report')} to {out / 'reports'} "
        f"({rendered} rendered, {len(reports) - rendered} unchanged)"
    )
    supp = result.suppression
    missing = sorted(k for k, d in supp.groups.items() if k.level == "set" and d.suppressed)
    if missing:
        click.echo(f"No report for {_plural(len(missing), 'set')} (fewer than "
                   f"{supp.min_group_size} responses, or withheld to protect one):")
        for key in missing:
            click.echo(f"  {key.organization} / {key.set}")
    start = [r["path"] for r in reports if r["kind"] == "programme"]
    if start:
        click.echo(f"Start with {out / 'reports' / start[0]}; the statistics behind the "
                   f"reports are in {out / 'reports' / 'technical-note.pdf'}")


def _write_reports(result, stage, out, template_dirs, jobs, write_html, force, data_date,
                   roster, executor):
    import sys

    from surveyor.reports.workers import write_reports
    from surveyor.typeset.pdf import harfbuzz_subset_available

    if not harfbuzz_subset_available():
        click.echo("Warning: HarfBuzz's font subsetter (libharfbuzz-subset) is missing, so "
                   "the PDFs will not be byte-reproducible from run to run; install it "
                   "(README, Set-up) for identical files.", err=True)
    reports_dir = stage / "reports"
    options = {"jobs": jobs, "html": write_html, "force": force, "data_date": data_date,
               "roster": roster, "executor": executor, "previous": out / "reports"}
    if sys.stderr.isatty():
        with click.progressbar(length=1, label="Rendering reports", file=sys.stderr) as bar:

            def progress(done: int, total: int, path: str) -> None:
                bar.length = total
                bar.update(done - bar.pos)

            return write_reports(
                result, reports_dir, template_dirs=template_dirs, progress=progress, **options
            )
    return write_reports(result, reports_dir, template_dirs=template_dirs, **options)


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
        f"{_plural(n_orgs, 'organisation')} ({hidden_orgs} suppressed), "
        f"{_plural(n_sets, 'set')} ({hidden_sets} suppressed: fewer than "
        f"{supp.min_group_size} responses or protecting one)"
        + (f" in {result.waves.order[-1]}" if result.waves is not None else "")
    )
    width = max(len(s.name) for s in result.instrument.subscales)
    for row in result.reliability.itertuples():
        name = result.instrument.subscale(row.subscale).name
        alpha = "n/a" if row.alpha != row.alpha else f"{row.alpha:.2f}"
        wave = f"{row.wave}: " if result.waves is not None else ""
        click.echo(f"  {wave}{name:<{width}}  alpha {alpha} (k={row.k}, n={row.n})")
    if result.waves is not None:
        run = result.waves
        counts = result.responses.frame["wave"].value_counts()
        listed = ", ".join(f"{name} (n={int(counts.get(name, 0))})" for name in run.order)
        shown = int(run.changes["shown"].sum())
        click.echo(f"{len(run.order)} waves: {listed}; reports describe {run.order[-1]}")
        click.echo(
            f"  {run.design} changes: {shown} of {len(run.changes)} shown (changes.csv)"
        )
    click.echo(f"Wrote data files and manifest.json to {out}")


COMMANDS = [score, validate]
