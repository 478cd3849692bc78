"""Brand settings for reports: who prepared them, for whom, in which colours and words.

A brand lives in a template folder (``--template-dir``) as ``brand.toml``::

    [brand]
    consultancy = "Thornbury Learning Partners"
    client = "Northfield NHS Foundation Trust"
    logo = "logo.svg"              # relative to the brand folder, and inside it
    footer = "Confidential: for the set and its facilitator"

    [colours]
    accent = "#2f4858"             # headings and rules; also the charts' dot colour

    [strings]
    fewer_than = "fewer than {n} responses"

Every table and key is optional; an unknown table, key or placeholder is an error that
names its place in the file, so a typo never silently falls back to the default. Colours
are ``#rgb`` or ``#rrggbb`` only: they are written into a stylesheet, and nothing a user
types may reach CSS except a validated hex colour.
"""

from __future__ import annotations

import base64
import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from surveyor.errors import Problem, ValidationError
from surveyor.reports.charts import ChartPalette

BRAND_FILE = "brand.toml"
HEX_COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
LOGO_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg",
              ".jpeg": "image/jpeg"}
MAX_LOGO_BYTES = 512 * 1024

BRAND_KEYS = ("consultancy", "client", "logo", "footer")

# CSS variable -> default. The names match templates/theme.css; ``point`` is the charts'
# dot and interval colour.
DEFAULT_COLOURS: Mapping[str, str] = MappingProxyType(
    {
        "ink": "#141414",
        "muted": "#4a4a4a",
        "accent": "#1d3557",
        "rule": "#5c5c5c",
        "rule-light": "#b4b4b4",
        "fill": "#f1f1f1",
        "zebra": "#f3f3f3",
        "point": "#1d3f5e",
    }
)

# Every piece of fixed wording a report prints that a consultant may want to change (house
# style, or a language other than English). Placeholders in braces are filled by surveyor;
# an override may drop a placeholder but not invent one.
DEFAULT_STRINGS: Mapping[str, str] = MappingProxyType(
    {
        "set_report": "Set report",
        "organization_report": "Organisation report",
        "programme_report": "Programme overview",
        "programme": "Programme",
        "organization": "Organisation",
        "set": "Set",
        "this_set": "This set",
        "responses": "Responses",
        "sets": "Sets",
        "organizations": "Organisations",
        "data_date": "Date of the data",
        "prepared_by": "Prepared by",
        "prepared_for": "Prepared for",
        "contents": "Contents",
        "at_a_glance": "At a glance",
        "results": "The results",
        "profile": "Subscale profile",
        "picture": "Learning-in-action and learning inaction",
        "subscales": "Statement by statement",
        "sets_side_by_side": "Sets side by side",
        "organizations_side_by_side": "Organisations side by side",
        "side_by_side": "Every subscale side by side",
        "heatmap": "Averages by set and subscale",
        "org_heatmap": "Averages by organisation and subscale",
        "items": "Answers to each statement",
        "questions": "Questions for reflection",
        "action_plan": "Action plan",
        "action_what": "What we will try",
        "action_who": "Who",
        "action_when": "By when",
        "about": "About these results",
        "technical_note": "Technical note",
        "methods": "Methods",
        "reliability": "Reliability",
        "agreement": "Agreement within sets",
        "aggregation": "Differences between sets",
        "bounds": "Intervals at the ends of the scale",
        "suppression": "Anonymity",
        "stamp": "Reproducibility",
        "of_members": "{n} of {members} members",
        "page": "Page",
        "page_of": "of",
        "fewer_than": "fewer than {n} responses",
        "fewer_than_short": "fewer than {n}",
        "not_shown_cell": "fewer than {n} scores",
        "withheld": "withheld to protect a smaller group",
        "reverse_note": (
            "Statements marked \u2020 are worded the other way round: agreeing with them "
            "lowers the subscale score. Bars show answers as ticked."
        ),
    }
)


@dataclass(frozen=True)
class Brand:
    """A consultancy's brand, applied to every report.

    Attributes
    ----------
    consultancy
        Name printed on the cover ("Prepared by") and in the PDF metadata; empty to omit.
    client
        Name printed on the cover ("Prepared for"); empty to omit.
    logo
        Absolute path of the logo file inside the brand folder, or ``None``.
    footer
        A line printed in every page footer; empty to omit.
    colours
        CSS colour variables (``DEFAULT_COLOURS`` keys) as validated hex strings.
    strings
        The report wording (``DEFAULT_STRINGS`` keys), defaults merged with overrides.
    folder
        The folder the brand came from, or ``None`` for the defaults.
    """

    consultancy: str = ""
    client: str = ""
    logo: Path | None = None
    footer: str = ""
    colours: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_COLOURS))
    strings: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_STRINGS))
    folder: Path | None = None

    def text(self, key: str, **values: object) -> str:
        """The wording ``key`` with its placeholders filled: ``text("fewer_than", n=5)``."""
        return self.strings[key].format(**values)

    def palette(self, **overrides: object) -> ChartPalette:
        """Chart colours and type following the brand (text, dots and reference marks)."""
        return ChartPalette(
            text=self.colours["ink"],
            muted_text=self.colours["muted"],
            point=self.colours["point"],
            reference=self.colours["muted"],
            **overrides,
        )

    def css(self) -> str:
        """A ``:root`` rule setting the colours the brand changed (validated hex only), or
        empty; unchanged colours are left to ``theme.css``, which a brand may replace."""
        changed = [f"--{name}: {value};" for name, value in self.colours.items()
                   if value != DEFAULT_COLOURS.get(name)]
        return f":root {{ {' '.join(changed)} }}" if changed else ""

    def logo_data_url(self) -> str:
        """The logo as a ``data:`` URL, so the HTML is self-contained and the PDF needs no
        file fetch; empty when there is no logo."""
        if self.logo is None:
            return ""
        media = LOGO_TYPES[self.logo.suffix.lower()]
        encoded = base64.b64encode(self.logo.read_bytes()).decode("ascii")
        return f"data:{media};base64,{encoded}"


def load_brand(template_dirs: Sequence[Path] = ()) -> Brand:
    """The brand of the first ``brand.toml`` found in ``template_dirs``, else the defaults.

    Parameters
    ----------
    template_dirs
        The consultant's template folders, in search order (``--template-dir``).

    Returns
    -------
    Brand

    Raises
    ------
    ValidationError
        Listing every problem in the file with its location (``[colours] accent``).
    """
    for folder in template_dirs:
        path = Path(folder) / BRAND_FILE
        if path.is_file():
            return read_brand(path)
    return Brand()


def read_brand(path: Path) -> Brand:
    """Read and validate one ``brand.toml``; see :func:`load_brand`."""
    import tomllib

    source = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ValidationError(source, [Problem("", "is not UTF-8 text")]) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError(source, [Problem("", f"invalid TOML: {exc}")]) from exc
    except OSError as exc:
        raise ValidationError(source, [Problem("", f"cannot be read ({exc.strerror})")]) from exc

    problems: list[Problem] = []
    folder = path.parent.resolve()
    for table in data:
        if table not in ("brand", "colours", "strings"):
            problems.append(Problem(f"[{table}]", "unknown table; use [brand], [colours] "
                                                  "or [strings]"))
    settings = _table(data, "brand", problems)
    colours_in = _table(data, "colours", problems)
    strings_in = _table(data, "strings", problems)

    values: dict[str, str] = {}
    for key, value in settings.items():
        if key not in BRAND_KEYS:
            problems.append(Problem(f"[brand] {key}", "unknown key; known keys: "
                                    + ", ".join(BRAND_KEYS)))
        elif not isinstance(value, str):
            problems.append(Problem(f"[brand] {key}", "must be text in quotes"))
        elif any(ord(c) < 32 for c in value):
            problems.append(Problem(f"[brand] {key}", "must be a single line of text"))
        else:
            values[key] = value.strip()

    colours = dict(DEFAULT_COLOURS)
    for key, value in colours_in.items():
        if key not in DEFAULT_COLOURS:
            problems.append(Problem(f"[colours] {key}", "unknown colour; known colours: "
                                    + ", ".join(DEFAULT_COLOURS)))
        elif not (isinstance(value, str) and HEX_COLOUR.match(value)):
            problems.append(Problem(f"[colours] {key}", f"{value!r} is not a hex colour "
                                    "such as \"#1d3557\""))
        else:
            colours[key] = value.lower()

    strings = dict(DEFAULT_STRINGS)
    for key, value in strings_in.items():
        if key not in DEFAULT_STRINGS:
            problems.append(Problem(f"[strings] {key}", "unknown string; known strings: "
                                    + ", ".join(DEFAULT_STRINGS)))
            continue
        if not isinstance(value, str) or not value.strip():
            problems.append(Problem(f"[strings] {key}", "must be non-empty text"))
            continue
        problem = _placeholder_problem(value, DEFAULT_STRINGS[key])
        if problem:
            problems.append(Problem(f"[strings] {key}", problem))
            continue
        strings[key] = value.strip()

    logo = _logo(values.get("logo", ""), folder, problems)
    if problems:
        raise ValidationError(source, problems)
    return Brand(
        consultancy=values.get("consultancy", ""),
        client=values.get("client", ""),
        logo=logo,
        footer=values.get("footer", ""),
        colours=colours,
        strings=strings,
        folder=folder,
    )


def _table(data: dict, name: str, problems: list[Problem]) -> dict:
    table = data.get(name, {})
    if not isinstance(table, dict):
        problems.append(Problem(name, f"must be a [{name}] table"))
        return {}
    return table


def _placeholder_problem(value: str, default: str) -> str:
    """Why ``value`` cannot replace ``default`` (an unknown or malformed placeholder)."""
    allowed = {name for _, name, _, _ in string.Formatter().parse(default) if name}
    try:
        used = {name for _, name, _, _ in string.Formatter().parse(value) if name is not None}
    except ValueError as exc:
        return f"malformed placeholder ({exc}); write a literal brace as {{{{ or }}}}"
    unknown = sorted(used - allowed)
    if unknown:
        known = ", ".join("{" + name + "}" for name in sorted(allowed)) or "none"
        return f"unknown placeholder {{{unknown[0]}}}; this string may use: {known}"
    return ""


def _logo(name: str, folder: Path, problems: list[Problem]) -> Path | None:
    if not name:
        return None
    suffix = Path(name).suffix.lower()
    if suffix not in LOGO_TYPES:
        problems.append(Problem("[brand] logo", "must be an .svg, .png or .jpg file"))
        return None
    try:
        path = (folder / name).resolve(strict=True)
    except (OSError, RuntimeError):
        problems.append(Problem("[brand] logo", f"{name}: no such file in {folder}"))
        return None
    # Resolving first means neither '..' nor a symlink can reach outside the brand folder.
    if not path.is_relative_to(folder) or not path.is_file():
        problems.append(Problem("[brand] logo", f"{name}: must be a file inside {folder}"))
        return None
    if path.stat().st_size > MAX_LOGO_BYTES:
        problems.append(Problem("[brand] logo", f"{name}: larger than 512 KB; use a smaller "
                                "file (an SVG is best)"))
        return None
    return path
