"""Pages to respondents: pre-filled pages by their respondent code, wherever they were
scanned; blank forms by their order in each file (a new sheet starts at its page 1).
Reports missing pages of a respondent and pages scanned more than once."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from surveyor.errors import SurveyorError


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
    """Group page readings (in input order) into respondents, in order of first page."""
    respondents: dict[str, Respondent] = {}
    sheet: dict[Path, int] = {}
    last_page: dict[Path, int] = {}
    for reading in readings:
        page_id = reading.page_id
        if page_id.respondent_code:
            key = page_id.respondent_code
            org, set_ = page_id.organization, page_id.set
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
            key = f"{_stem(source)}-{sheet[source]:03d}"
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


def _stem(path: Path) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in path.stem)
