"""Locate the files that travel with surveyor: templates and instruments.

In a wheel they sit inside the package (``surveyor/templates``); in a source checkout
they sit beside it (``templates/``). This is the one place that knows.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def resource_dir(name: str) -> Path:
    """Return the folder of shipped ``templates`` or ``instruments``."""
    for candidate in (_PACKAGE / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"surveyor is installed without its {name}/ folder")


def templates_dir() -> Path:
    return resource_dir("templates")


def instruments_dir() -> Path:
    return resource_dir("instruments")


def font_files() -> dict[str, Path]:
    """The Lato font files (SIL OFL 1.1) installed with the ``font-lato`` package."""
    import font_lato

    files = Path(font_lato.font_directory)
    return {
        "regular": files / "Lato-Regular.ttf",
        "bold": files / "Lato-Bold.ttf",
        "italic": files / "Lato-Italic.ttf",
        "bolditalic": files / "Lato-BoldItalic.ttf",
    }
