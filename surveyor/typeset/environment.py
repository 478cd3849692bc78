"""The jinja environment shared by questionnaires and reports.

Templates are looked up in the consultant's folders first, then in the shipped
``templates/``; the ``default:`` prefix always reaches the shipped file, so a brand folder
can override ``base.html`` and still write ``{% extends "default:base.html" %}``.

The environment is built per call from its arguments (no module state), sandboxed (a
template from a brand folder is code someone else may have written: jinja2's
``SandboxedEnvironment`` keeps it from private attributes, ``__globals__`` and so from
``os``), with autoescape for HTML/SVG/XML and ``StrictUndefined``, so a misspelt context
name fails loudly instead of printing nothing. Stylesheets are read through the same loader
and placed inline in ``<style>``, so a brand's ``theme.css`` or ``custom.css`` replaces the
shipped one by name.
"""

from __future__ import annotations

import base64
import contextlib
import math
import re
from collections.abc import Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from markupsafe import Markup

from surveyor import resources
from surveyor.errors import SurveyorError

if TYPE_CHECKING:
    import jinja2

MISSING = "\u2013"  # en dash: what a table shows for a value that is not there
FONT_FAMILY = "Lato"
# (file key in resources.font_files(), CSS font-weight, CSS font-style)
FONT_FACES = (
    ("regular", 400, "normal"),
    ("italic", 400, "italic"),
    ("bold", 700, "normal"),
    ("bolditalic", 700, "italic"),
)


def make_environment(template_dirs: Sequence[Path] = ()) -> jinja2.Environment:
    """Build a jinja environment over the user's template folders and the shipped ones.

    Parameters
    ----------
    template_dirs
        Folders searched before the shipped templates, in order (``--template-dir``).

    Returns
    -------
    jinja2.Environment
        With the filters ``fmt``, ``pct``, ``signed`` and ``count`` and the globals
        ``stylesheet(name)`` (a CSS file's text, for a ``<style>`` element) and
        ``font_faces()`` (``@font-face`` rules for Lato as ``file:`` URLs).

    Raises
    ------
    SurveyorError
        When a template folder does not exist.
    """
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    folders = []
    for folder in template_dirs:
        folder = Path(folder)
        if not folder.is_dir():
            raise SurveyorError(f"{folder}: template folder not found")
        folders.append(folder)
    shipped = resources.templates_dir()
    loader = jinja2.ChoiceLoader(
        [
            jinja2.FileSystemLoader([*folders, shipped]),
            jinja2.PrefixLoader({"default": jinja2.FileSystemLoader(shipped)}, delimiter=":"),
        ]
    )
    env = SandboxedEnvironment(
        loader=loader,
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html", "htm", "svg", "xml"), default_for_string=True
        ),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(fmt=fmt, pct=pct, signed=signed, count=count)
    env.globals.update(stylesheet=partial(stylesheet, env), font_faces=font_faces)
    env.brand_folders = tuple(folders)  # for brand_template_error
    return env


TEMPLATE_SUFFIXES = (".html", ".htm", ".svg", ".xml")


def check_templates(template_dirs: Sequence[Path] = ()) -> None:
    """Compile every template in the brand folders, so a syntax error stops the run before
    any scoring or writing; raise a SurveyorError naming the file and line."""
    import jinja2

    env = make_environment(template_dirs)
    for folder in env.brand_folders:
        for path in sorted(Path(folder).rglob("*")):
            relative = path.relative_to(folder)
            if (path.suffix.lower() not in TEMPLATE_SUFFIXES or not path.is_file()
                    or any(part.startswith(".") for part in relative.parts)):
                continue
            try:
                env.get_template(relative.as_posix())
            except jinja2.TemplateNotFound:
                continue  # shadowed by an earlier brand folder
            except jinja2.TemplateError as exc:
                raise brand_template_error(exc, env) or SurveyorError(
                    f"{path}: {type(exc).__name__}: {exc}") from None
            except UnicodeDecodeError:
                raise SurveyorError(f"{path}: a template must be UTF-8 text") from None


@contextlib.contextmanager
def brand_errors_are_user_errors(env: jinja2.Environment) -> Iterator[None]:
    """Turn a template error that lies in a brand folder into a SurveyorError (exit 2)."""
    import jinja2

    try:
        yield
    except jinja2.TemplateError as exc:
        problem = brand_template_error(exc, env)
        if problem is None:
            raise
        raise problem from None


def brand_template_error(exc: BaseException, env: jinja2.Environment) -> SurveyorError | None:
    """A user error for a template problem that lies in a brand folder, else None.

    A syntax error names its file and line; an error while rendering (an unknown name, a
    blocked attribute) names the brand template line it happened on. A problem in a
    shipped template is not the user's, so it stays an internal error.
    """
    import traceback

    import jinja2

    folders = [Path(f).resolve() for f in getattr(env, "brand_folders", ())]

    def in_brand(filename: str | None) -> bool:
        if not filename:
            return False
        try:
            resolved = Path(filename).resolve()
        except (OSError, ValueError):
            return False
        return any(resolved.is_relative_to(folder) for folder in folders)

    kind = "a syntax error" if isinstance(exc, jinja2.TemplateSyntaxError) else "an error"
    if isinstance(exc, jinja2.TemplateSyntaxError) and in_brand(exc.filename):
        where = f"{exc.filename}, line {exc.lineno}"
    else:
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if in_brand(f.filename)]
        if not frames:
            return None
        where = f"{frames[-1].filename}, line {frames[-1].lineno}"
    message = str(getattr(exc, "message", None) or exc).rstrip(".")
    if len(message) > 300:
        message = message[:300] + "..."
    return SurveyorError(f"{where}: {kind} in a brand template: {message}; fix the "
                         "template, or leave out its --template-dir")


def template_roots(template_dirs: Sequence[Path] = ()) -> list[Path]:
    """Folders a rendered document may fetch from: the user's, the shipped, the fonts'."""
    fonts = {path.parent for path in resources.font_files().values()}
    return [*(Path(d) for d in template_dirs), resources.templates_dir(), *sorted(fonts)]


# ----------------------------------------------------------------------- stylesheets


def stylesheet(env: jinja2.Environment, name: str) -> Markup:
    """Return the text of the stylesheet ``name`` found by ``env``'s loader, for ``<style>``.

    The CSS is served as-is (not rendered as a template), so no context value can reach a
    stylesheet. A file that would close the ``<style>`` element early is refused.
    """
    import jinja2

    try:
        source, filename, _ = env.loader.get_source(env, name)
    except jinja2.TemplateNotFound as exc:
        raise SurveyorError(f"stylesheet '{name}' not found in the template folders") from exc
    if re.search(r"</style", source, flags=re.IGNORECASE):
        raise SurveyorError(f"{filename}: a stylesheet must not contain '</style'")
    return Markup(source)


def font_faces() -> Markup:
    """``@font-face`` rules for the Lato files installed with ``font-lato``, as file URLs."""
    files = resources.font_files()
    rules = []
    for key, weight, style in FONT_FACES:
        rules.append(
            f'@font-face {{ font-family: "{FONT_FAMILY}"; font-weight: {weight}; '
            f'font-style: {style}; src: url("{files[key].as_uri()}"); }}'
        )
    return Markup("\n".join(rules))


def inline_fonts(html: str) -> str:
    """Replace the Lato ``file:`` URLs in ``html`` with ``data:`` URLs.

    The result opens on any machine with the same typography (a standalone ``.html``), and
    still renders with a fetcher that allows only ``data:`` URLs. CSS is already inline
    (see :func:`stylesheet`), so this makes a document fully self-contained.
    """
    for path in resources.font_files().values():
        url = path.as_uri()
        if url in html:
            encoded = base64.b64encode(path.read_bytes()).decode("ascii")
            html = html.replace(f'url("{url}")', f'url("data:font/ttf;base64,{encoded}")')
    return html


# --------------------------------------------------------------------------- filters


def _is_missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN (float or numpy) is the one value unequal to itself
    except TypeError:  # pandas.NA refuses to be a bool: it is missing
        return True


def fmt(value: object, digits: int = 2, missing: str = MISSING) -> str:
    """Format a number with ``digits`` decimals; ``missing`` for None/NaN; never ``-0.00``.

    Rounded half away from zero on the decimal the number stands for, as groups.csv and
    changes.csv are (``surveyor.numbers.rounding``): a published 4.25 or 4.35 prints as
    4.3 or 4.4 to one decimal, as a reader rounding the data file would write it (Python's
    format rounds the binary value half to even: 4.2 and 4.3).
    """
    from surveyor.numbers.rounding import round_value

    if _is_missing(value):
        return missing
    number = float(value)
    if math.isinf(number):
        return missing
    text = f"{round_value(number, digits):.{digits}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def pct(value: object, digits: int = 0, missing: str = MISSING) -> str:
    """Format a proportion (0-1) as a percentage: ``pct(0.456) == '46%'``."""
    if _is_missing(value):
        return missing
    return f"{fmt(float(value) * 100, digits, missing)}%"


def signed(value: object, digits: int = 2, missing: str = MISSING) -> str:
    """Format a change with an explicit sign: ``+0.25``, ``-0.10``, ``0.00``."""
    text = fmt(value, digits, missing)
    if text == missing or text.startswith("-") or float(text) == 0:
        return text
    return "+" + text


def count(value: object, missing: str = MISSING) -> str:
    """Format a whole number with thousands separators: ``count(1234) == '1,234'``."""
    if _is_missing(value):
        return missing
    return f"{round(float(value)):,}"
