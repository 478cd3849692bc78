"""LimeSurvey response exports: recognised by LimeSurvey's own columns.

LimeSurvey heads its exports either with question text (``Response ID``, ``Date
submitted``, ``Last page``, ``Start language``...) or with codes (``id``, ``submitdate``,
``lastpage``, ``startlanguage``...). The response id is the respondent id. A response
without a submit date was never completed (LimeSurvey writes ``1980-01-01 00:00:00`` for
completed responses of surveys that record no dates, so every completed response has one):
incomplete responses are excluded unless ``--include-partial`` is given.

Array rows are headed ``code[item id]`` with codes, ``Question text [Row text]`` with
question text; both are found with no mapping (the first by item id when the survey was
built by ``surveyor instrument build --format limesurvey``, the second by item text).
Answer codes ``DK``, ``DK2``... of such a survey stand for the instrument's never-scored
options (:func:`surveyor.inputs.platforms.base.dk_codes`).
"""

from __future__ import annotations

from surveyor.inputs.mapping import norm
from surveyor.inputs.platforms.base import Layout, Platform, exclude_partial, header_index

ID_HEADERS = ("response id", "id")
SUBMIT_HEADERS = ("date submitted", "submitdate")
OTHER_HEADERS = frozenset(
    {"last page", "lastpage", "start language", "startlanguage", "date started", "startdate",
     "date last action", "datestamp"}
)


def recognise(grid: list[list[str]]) -> bool:
    """A first header row that starts with the response id and holds the submit date."""
    if not grid or not grid[0]:
        return False
    header = {norm(cell) for cell in grid[0]}
    return (
        norm(grid[0][0]) in ID_HEADERS
        and bool(header & set(SUBMIT_HEADERS))
        and bool(header & OTHER_HEADERS)
    )


def read(grid: list[list[str]], include_partial: bool) -> Layout:
    header = [cell.strip() for cell in grid[0]]
    layout = Layout(
        keys=header, texts=list(header), data=grid[1:], rows=list(range(2, len(grid) + 1)),
        id_column=header[0],
    )
    submitted = header_index(header, *SUBMIT_HEADERS)
    if submitted is not None:
        partial = [
            row for row, values in zip(layout.rows, layout.data, strict=True)
            if not values[submitted].strip() and any(cell.strip() for cell in values)
        ]
        exclude_partial(layout, partial, include_partial, "no submit date")
    return layout


PLATFORM = Platform(name="limesurvey", recognise=recognise, read=read)
