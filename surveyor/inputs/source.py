"""Step 1 of the input stage: a file's bytes, read once, and what kind of file they are.

Every reader starts here, so a missing file, a folder, a file too large, a PDF, an image,
an archive or an old .xls workbook is refused with the same message whichever way the
file was going to be read. The bytes are read once; the sha256 recorded in the outputs,
the decoder (:mod:`surveyor.inputs.table`) and the format recognition all use them.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from surveyor.errors import Problem, SurveyorError
from surveyor.files import read_input

if TYPE_CHECKING:
    from surveyor.inputs.text import Decoded

SPSS_MAGIC = (b"$FL2", b"$FL3")
MAGIC = (
    (b"%PDF", "a PDF document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
     "an old-format Excel .xls workbook (or a password-protected one); save it as an "
     "Excel Workbook (.xlsx) without a password, or as CSV"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    *((magic, "an SPSS .sav file") for magic in SPSS_MAGIC),
)
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
FOLDER_HINT = "give a CSV or .xlsx file of responses"


@dataclass
class Source:
    """A file's bytes and kind: ``xlsx`` (a workbook), ``spss`` (a .sav file) or ``text``.

    ``notes`` are warnings about the file itself (a text file named .xlsx);
    :meth:`decoded` decodes a text file once, for every later step, and
    :func:`surveyor.inputs.table.grid` keeps its parse in ``rows``.
    """

    path: Path
    raw: bytes
    kind: str
    notes: list[Problem] = field(default_factory=list)
    rows: list[list[str]] | None = field(default=None, repr=False)  # table.grid's
    _decoded: Decoded | None = field(default=None, repr=False)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()

    def decoded(self) -> Decoded:
        """The text of a text file (:func:`surveyor.inputs.text.decode`), decoded once."""
        from surveyor.inputs.text import DecodeError, decode

        if self._decoded is None:
            try:
                self._decoded = decode(self.raw)
            except DecodeError as exc:
                raise SurveyorError(f"{self.path}: {exc}") from exc
        return self._decoded


def open_source(path: str | Path, *, spss: bool = True) -> Source:
    """Read a file's bytes and recognise its kind from its content, not its name.

    Parameters
    ----------
    path
        The responses file or export.
    spss
        Accept an SPSS .sav file (read by its platform module); when False it is refused
        like any other file that is no table.

    Raises
    ------
    SurveyorError
        When the file is missing, a folder, unreadable, too large, or no table surveyor
        reads (a PDF, image, archive, old .xls workbook, Word document...).
    """
    path = Path(path)
    raw = read_input(path, FOLDER_HINT)
    if spss and raw[:4] in SPSS_MAGIC:
        return Source(path, raw, "spss")
    if raw[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        _check_zip(path, raw)
        return Source(path, raw, "xlsx")
    refuse_magic(path, raw)
    notes = []
    if path.suffix.lower() in SPREADSHEET_SUFFIXES and raw.strip():
        notes.append(Problem(
            "file", f"is named {path.suffix} but holds text, so it was read as CSV",
            severity="warning",
        ))
    return Source(path, raw, "text", notes)


def refuse_magic(path: Path, start: bytes) -> None:
    """Raise a clear SurveyorError when the first bytes show a file that is no table."""
    for magic, what in MAGIC:
        if start.startswith(magic):
            hint = "" if "save it" in what else "; export the responses as CSV or Excel (.xlsx)"
            raise SurveyorError(f"{path}: is {what}, not a CSV or .xlsx file{hint}")


def _check_zip(path: Path, raw: bytes) -> None:
    """Accept an xlsx workbook; name what any other zip file is."""
    from surveyor.inputs.workbook import check_archive

    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            check_archive(path, archive)
            names = archive.namelist()
            mimetype = archive.read("mimetype").decode("ascii", "replace") if (
                "mimetype" in names
            ) else ""
    except (zipfile.BadZipFile, OSError) as exc:
        raise SurveyorError(
            f"{path}: is a damaged .xlsx (zip) file ({exc}); save it again from Excel"
        ) from exc
    if any(name.startswith("xl/") for name in names):
        return
    if "spreadsheet" in mimetype:
        what = "an OpenDocument spreadsheet (.ods); save it as .xlsx or CSV"
    elif any(name.startswith("word/") for name in names):
        what = "a Word document, not a CSV or .xlsx file"
    elif any(name.startswith("ppt/") for name in names):
        what = "a PowerPoint presentation, not a CSV or .xlsx file"
    else:
        inside = [n for n in names if n.lower().endswith((".csv", ".xlsx", ".txt"))][:3]
        holds = f" (it holds {', '.join(inside)})" if inside else ""
        what = (
            f"a zip archive, not an .xlsx workbook{holds}; unzip it and give the CSV or "
            ".xlsx file inside"
        )
    raise SurveyorError(f"{path}: is {what}")
