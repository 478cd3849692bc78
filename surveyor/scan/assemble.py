"""Pages to respondents: pre-filled pages by their respondent code, wherever they were
scanned; blank forms by their order in each file (a new sheet starts at its page 1).
Reports missing pages of a respondent and pages scanned more than once.

A blank form's respondent id is ``S`` and a short hash of the scan file's bytes, then the
sheet number in that file (``S1F0C9A2E-003``): the same file gives the same ids however its
path is written and wherever it is copied, and never shows the file name, which may be a
person's name; ``sheets.csv`` (:mod:`surveyor.scan.outputs`) maps ids back to files."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from surveyor.errors import SurveyorError
from surveyor.files import sha256_file


@dataclass
class Respondent:
    respondent_id: str
    organization: str
    set: str
    pages_expected: int
    pages: dict = field(default_factory=dict)  # form page -> PageReading
    duplicates: list = field(default_factory=list)  # (PageReading, same answers?)

    @property
    def missing(self) -> list[int]:
        return [n for n in range(1, self.pages_expected + 1) if n not in self.pages]


def assemble(readings, organization: str | None, set_name: str | None) -> list[Respondent]:
    """Group page readings (in input order) into respondents, in order of first page.

    A pre-filled page's organisation and set come from its pack list (the reading's
    ``pack_names``), else from ``organization`` and ``set_name``."""
    respondents: dict[str, Respondent] = {}
    sheet: dict[Path, int] = {}
    last_page: dict[Path, int] = {}
    keys: dict[str, tuple[str, Path]] = {}
    digests: dict[Path, str] = {}
    for reading in readings:
        page_id = reading.page_id
        if page_id.respondent_code:
            key = page_id.respondent_code
            if reading.pack_names is not None:
                org, set_ = reading.pack_names
            elif organization is not None and set_name is not None:
                org, set_ = organization, set_name
            else:
                raise SurveyorError(
                    f"{reading.where}: a page of pre-filled copy {key}, which no pack list "
                    "names; give the pack's list (the <pack>-template.csv that 'surveyor "
                    "instrument build' wrote beside its PDF) with the scans, or "
                    "--organization and --set to name the batch"
                )
        else:
            if organization is None or set_name is None:
                raise SurveyorError(
                    f"{reading.where}: a blank form without a respondent code; give "
                    "--organization and --set to name the batch these forms belong to"
                )
            source = reading.source
            if page_id.page <= last_page.get(source, 0) or source not in sheet:
                sheet[source] = sheet.get(source, 0) + 1
            last_page[source] = page_id.page
            key = f"{_file_key(source, keys, digests)}-{sheet[source]:03d}"
            org, set_ = organization, set_name
        respondent = respondents.get(key)
        if respondent is None:
            respondent = respondents[key] = Respondent(key, org, set_, page_id.pages)
        if page_id.page in respondent.pages:
            first = respondent.pages[page_id.page]
            respondent.duplicates.append((reading, first.answers() == reading.answers()))
        else:
            respondent.pages[page_id.page] = reading
    return list(respondents.values())


def file_digest(path: Path) -> str:
    """The SHA-256 of the file's bytes, in hex."""
    return sha256_file(path)


def file_key(path: Path) -> str:
    """``S`` and the first 8 hex digits of the SHA-256 of the scan file's bytes."""
    return "S" + file_digest(path)[:8].upper()


def _file_key(path: Path, keys: dict[str, tuple[str, Path]], digests: dict[Path, str]) -> str:
    """The file's key; two files with different bytes but the same key are an error (a
    copy of the same file is not: its pages are the same sheets, reported as duplicates)."""
    if path not in digests:
        digests[path] = file_digest(path)
    digest = digests[path]
    key = "S" + digest[:8].upper()
    first_digest, first_path = keys.setdefault(key, (digest, path))
    if first_digest != digest:
        raise SurveyorError(
            f"{path} and {first_path}: their blank forms would get the same respondent ids; "
            "scan one of them again (a new scan has different bytes, so different ids)"
        )
    return key
