"""Platforms read beside the core formats, each in a module of its own.

Each module recognises its export (``recognise(grid)``) and reads it into a
:class:`~surveyor.inputs.platforms.base.Layout` (``read(grid, include_partial)``);
:mod:`surveyor.inputs.recognise` asks :func:`recognise` after the core formats, and
:mod:`surveyor.inputs.exports` calls :func:`reader`. ``spss`` reads binary .sav files
(recognised by their first bytes in :mod:`surveyor.inputs.source`).
"""

from __future__ import annotations

from collections.abc import Callable

from surveyor.inputs.platforms import limesurvey, redcap, spss
from surveyor.inputs.platforms.base import Layout, Platform

# In the order recognition tries them; their names and titles are in inputs.formats.
PLATFORMS: dict[str, Platform] = {
    p.name: p for p in (limesurvey.PLATFORM, redcap.PLATFORM, spss.PLATFORM)
}


def recognise(grid: list[list[str]]) -> str | None:
    """The platform whose export the header rows show, or None."""
    for name, platform in PLATFORMS.items():
        if platform.recognise(grid):
            return name
    return None


def reader(format: str) -> Callable[[list[list[str]], bool], Layout] | None:
    platform = PLATFORMS.get(format)
    return platform.read if platform else None
