"""What ``surveyor scan`` writes: responses, the review list and sheet, and audit logs.

- ``responses.csv``: the canonical layout (``respondent_id,organization,set,`` then the
  items in instrument order); a decided answer is its scale value or the never-scored
  option's label, anything else is empty;
- ``review.csv``: ``respondent_id,page,item,reason`` for each statement the reader did
  not decide, and each missing or conflicting page (item empty);
- ``review.pdf``: the scanned row of each statement to review, to decide by eye;
- ``boxes.csv``: every box measured (fill measures and state) and each row's decision;
- ``pages.csv``: every input page, what it was and anything wrong with it;
- ``sheets.csv``: for the consultant's audit, each respondent's pages: respondent id,
  file and page in it, form page (a blank form's id is a hash, not the file's name).

Each file goes through a temporary name (:mod:`surveyor.files`).
"""

from __future__ import annotations

import base64
import html
from pathlib import Path

from surveyor import files
from surveyor.csvsafe import csv_text
from surveyor.scan.assemble import Respondent
from surveyor.scan.marks import DECIDED, REVIEW
from surveyor.scan.read import ScanRun

REVIEW_COLUMNS = ("respondent_id", "page", "item", "reason")
BOX_COLUMNS = (
    "respondent_id", "file", "file_page", "form_page", "item", "option", "dark", "faint",
    "state", "decision",
)
PAGE_COLUMNS = ("file", "file_page", "status", "respondent_id", "form_page", "detail")
SHEET_COLUMNS = ("respondent_id", "file", "file_page", "form_page")


def answer_value(instrument, option: int) -> str:
    values = instrument.scale.values
    if option < len(values):
        return str(values[option])
    return instrument.scale.missing[option - len(values)]


def responses_csv(run: ScanRun, respondents: list[Respondent]) -> str:
    instrument = run.instrument
    header = ["respondent_id", "organization", "set", *instrument.item_ids]
    rows = []
    for respondent in respondents:
        answers = {}
        for page in respondent.pages.values():
            for reading in page.items:
                if reading.decision == DECIDED:
                    answers[reading.item] = answer_value(instrument, reading.option)
        for reading, same in respondent.duplicates:
            if not same:  # two scans of a page disagree: decide nothing on that page
                for item in reading.items:
                    answers.pop(item.item, None)
        rows.append([
            respondent.respondent_id, respondent.organization, respondent.set,
            *(answers.get(item, "") for item in instrument.item_ids),
        ])
    return csv_text(header, rows)


def review_rows(respondents: list[Respondent]) -> list[list]:
    rows = []
    for respondent in respondents:
        for number in sorted(respondent.pages):
            for reading in respondent.pages[number].items:
                if reading.decision == REVIEW:
                    rows.append([respondent.respondent_id, number, reading.item, reading.reason])
        for number in respondent.missing:
            rows.append([respondent.respondent_id, number, "",
                         f"page {number} of {respondent.pages_expected} not in the scans"])
        for reading, same in respondent.duplicates:
            if not same:
                rows.append([respondent.respondent_id, reading.page_id.page, "",
                             f"page scanned twice with different marks (again in "
                             f"{reading.where}): check the paper"])
    return rows


def boxes_csv(respondents: list[Respondent]) -> str:
    rows = []
    for respondent in respondents:
        pages = [respondent.pages[n] for n in sorted(respondent.pages)]
        pages += [reading for reading, _ in respondent.duplicates]
        for page in pages:
            for reading in page.items:
                for box in reading.boxes:
                    rows.append([
                        respondent.respondent_id, str(page.source), page.index,
                        page.page_id.page, reading.item, box.option, f"{box.dark:.4f}",
                        f"{box.faint:.4f}", box.state, reading.decision,
                    ])
    return csv_text(BOX_COLUMNS, rows)


def pages_csv(run: ScanRun, respondents: list[Respondent]) -> str:
    owner = {}
    for respondent in respondents:
        for page in respondent.pages.values():
            owner[(page.source, page.index)] = (respondent.respondent_id, "read", "")
        for page, same in respondent.duplicates:
            owner[(page.source, page.index)] = (
                respondent.respondent_id, "duplicate",
                "same marks as the first scan" if same else "marks differ from the first scan",
            )
    rows = []
    for page in run.readings:
        respondent_id, status, detail = owner[(page.source, page.index)]
        if page.turns:
            detail = (detail + "; " if detail else "") + f"turned {page.turns * 90} degrees"
        rows.append([str(page.source), page.index, status, respondent_id, page.page_id.page,
                     detail])
    for problem in run.problems:
        rows.append([str(problem.source), problem.index, problem.status, "", "",
                     problem.detail])
    rows.sort(key=lambda row: (row[0], row[1]))
    return csv_text(PAGE_COLUMNS, rows)


def sheets_csv(respondents: list[Respondent]) -> str:
    rows = []
    for respondent in respondents:
        for number in sorted(respondent.pages):
            page = respondent.pages[number]
            rows.append([respondent.respondent_id, str(page.source), page.index, number])
        for page, _ in respondent.duplicates:
            rows.append([respondent.respondent_id, str(page.source), page.index,
                         page.page_id.page])
    return csv_text(SHEET_COLUMNS, rows)


def review_html(run: ScanRun, respondents: list[Respondent]) -> str:
    instrument = run.instrument
    labels = [*(f"{v} {label}" for v, label in zip(instrument.scale.values,
                                                    instrument.scale.labels, strict=True)),
              *instrument.scale.missing]
    parts = []
    for respondent in respondents:
        for number in sorted(respondent.pages):
            page = respondent.pages[number]
            for reading in page.items:
                if reading.decision != REVIEW:
                    continue
                crop = base64.b64encode(page.crops.get(reading.item, b"")).decode("ascii")
                fills = ", ".join(
                    f"{html.escape(labels[b.option])}: {b.dark:.0%}" for b in reading.boxes
                )
                parts.append(
                    f'<section class="row"><h2>{html.escape(respondent.respondent_id)} '
                    f"&#183; page {number} &#183; item {html.escape(reading.item)}</h2>"
                    f"<p>{html.escape(reading.reason)} ({html.escape(page.where)})</p>"
                    f'<img src="data:image/png;base64,{crop}" alt="scanned row">'
                    f'<p class="fills">Box fill: {fills}</p></section>'
                )
    if not parts:
        parts.append("<p>Nothing to review: every statement was read.</p>")
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Scan review: {html.escape(instrument.title)}</title><style>"
        "@page { size: A4; margin: 14mm; } body { font-family: Lato, sans-serif; "
        "font-size: 9pt; } h1 { font-size: 14pt; } .row { break-inside: avoid; "
        "margin-bottom: 5mm; border-bottom: 0.5pt solid #999; } h2 { font-size: 10pt; "
        "margin: 0; } p { margin: 1mm 0; } img { width: 100%; } .fills { color: #555; }"
        "</style></head><body>"
        f"<h1>Statements to review: {html.escape(instrument.title)}</h1>"
        "<p>Decide each row by eye and enter the answer in responses.csv (the row is empty "
        "there). A completely filled box is a cancelled answer.</p>"
        + "".join(parts) + "</body></html>"
    )


def write_outputs(run: ScanRun, respondents: list[Respondent], out_dir: Path) -> list[Path]:
    from surveyor.typeset.environment import template_roots
    from surveyor.typeset.pdf import html_to_pdf

    out_dir = files.ensure_dir(Path(out_dir))
    roots = template_roots(())
    review_pdf = html_to_pdf(
        review_html(run, respondents), base_url=Path(roots[0]), allowed_roots=roots,
        title="Scan review",
    )
    outputs = [
        ("responses.csv", responses_csv(run, respondents).encode()),
        ("review.csv", csv_text(REVIEW_COLUMNS, review_rows(respondents)).encode()),
        ("review.pdf", review_pdf),
        ("boxes.csv", boxes_csv(respondents).encode()),
        ("pages.csv", pages_csv(run, respondents).encode()),
        ("sheets.csv", sheets_csv(respondents).encode()),
    ]
    written = []
    for name, data in outputs:
        path = out_dir / name
        files.write_bytes(path, data)
        written.append(path)
    return written
