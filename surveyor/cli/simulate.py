"""``surveyor simulate``: a seeded synthetic programme, for examples and benchmarks."""

from __future__ import annotations

from pathlib import Path

import click

from . import handle_errors


@click.command()
@click.option("--instrument", "-i", default="learning-inaction", show_default=True,
              help="Shipped instrument id or instrument .yaml file.")
@click.option("--out", "-o", type=click.Path(path_type=Path), required=True,
              help="CSV file to write.")
@click.option("--organizations", default=3, show_default=True, help="Number of organisations.")
@click.option("--sets", default=11, show_default=True, help="Number of sets in all.")
@click.option("--min-set-size", default=3, show_default=True)
@click.option("--max-set-size", default=9, show_default=True)
@click.option("--respondents", type=int, default=None,
              help="Total respondents (set sizes are scaled to hit it exactly).")
@click.option("--seed", default=2008, show_default=True, help="Random seed.")
@click.option("--set-effect", default=0.35, show_default=True,
              help="SD of set-level effects, in scale points.")
@click.option("--organization-effect", default=0.2, show_default=True,
              help="SD of organisation-level effects, in scale points.")
@click.option("--missing-rate", default=0.03, show_default=True,
              help="Share of answers left empty.")
@click.option("--dont-know-rate", default=0.02, show_default=True,
              help="Share of answers given as the instrument's 'Don't know' option.")
@click.option("--waves", default=1, show_default=True,
              help="Waves: the same people surveyed again, with the programme effect and "
                   "attrition.")
@click.option("--wave-names", default=None, metavar='"A,B,C"',
              help="Names of the waves, earliest first [default: 1, 2, ...].")
@click.option("--programme-effect", default=0.25, show_default=True,
              help="Change per wave, in scale points: learning-in-action up, the "
                   "learning-inaction subscales down.")
@click.option("--attrition", default=0.1, show_default=True,
              help="Chance that a person misses each later wave.")
@handle_errors
def simulate(instrument: str, out: Path, wave_names: str | None, **options) -> None:
    """Write a realistic synthetic responses CSV (seeded: same options, same file)."""
    from surveyor.files import write_text
    from surveyor.instrument.model import load_instrument
    from surveyor.numbers.waves import parse_wave_list
    from surveyor.simulate import SimulationSettings
    from surveyor.simulate import simulate as run

    inst = load_instrument(instrument)
    names = parse_wave_list(wave_names)
    table = run(inst, SimulationSettings(
        **options, wave_names=tuple(names) if names else None))
    write_text(out, table.to_csv(index=False, lineterminator="\n"))
    click.echo(
        f"Wrote {len(table)} respondents in "
        f"{len(table[['organization', 'set']].drop_duplicates())} sets of "
        f"{table['organization'].nunique()} organisations"
        + (f" over {table['wave'].nunique()} waves" if "wave" in table else "") + f" to {out}"
    )
