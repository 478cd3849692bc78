"""``surveyor scan`` against a simulated pen and scanner (tests/scan_simulator.py).

The quality targets of issue 13, checked at every layout: every page identified; at least
99.8% of decided answers right; at most 3% of statements sent to review; every double tick
sent to review and never decided; under 0.2% of blank statements decided as answered.
Sizes are kept to a few dozen pages per test (the machine is shared); the seeds are fixed.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

pytest.importorskip("cv2")
pytest.importorskip("zxingcpp")
pytest.importorskip("pypdfium2")

from surveyor.cli import cli  # noqa: E402
from surveyor.instrument.build import build_instrument  # noqa: E402
from surveyor.instrument.layout import FormLayout, form_layout  # noqa: E402
from surveyor.instrument.model import load_instrument  # noqa: E402
from surveyor.instrument.questionnaire import QuestionnaireOptions  # noqa: E402
from surveyor.scan import assemble as assemble_module  # noqa: E402
from surveyor.scan.assemble import file_key  # noqa: E402
from surveyor.scan.outputs import answer_value  # noqa: E402
from tests import scan_simulator as sim  # noqa: E402

INSTRUMENT = "learning-inaction"


def build_form(tmp_path: Path, **options):
    built = {
        b.kind: b.path
        for b in build_instrument(INSTRUMENT, tmp_path / "form", QuestionnaireOptions(**options))
    }
    layout = FormLayout.from_json(built["layout"].read_text(encoding="utf-8"))
    return built, layout


def simulate(printed, layout, respondents: int, rng, upside_down=(1, 0), kinds=None,
             dpi=sim.DPI):
    """Fill ``respondents`` copies of the printed pages (rasterised at ``dpi``) and scan
    them; returns the scans and the truth per copy (a dict of item -> Truth)."""
    instrument = load_instrument(INSTRUMENT)
    n_options = len(instrument.scale.values) + len(instrument.scale.missing)
    copies = len(printed) // len(layout.pages)
    scans, truths = [], []
    for r in range(respondents):
        truth = {item: sim.choose_truth(rng, n_options, kinds) for item in instrument.item_ids}
        truths.append(truth)
        base = (r % copies) * len(layout.pages)
        for p in range(len(layout.pages)):
            filled = sim.fill(printed[base + p], layout.page(p + 1).items, truth, rng, dpi)
            scans.append(sim.degrade(filled, rng, upside_down=(r, p) == upside_down, dpi=dpi))
    return scans, truths


def run_scan(args, tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["scan", *map(str, args), "--instrument", INSTRUMENT,
                                      "--out", str(out)])
    return result, out


def read_csv(path: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def check_quality(out: Path, truths: list[dict], ids: list[str]) -> dict:
    instrument = load_instrument(INSTRUMENT)
    rows = {row["respondent_id"]: row for row in read_csv(out / "responses.csv")}
    review = {(row["respondent_id"], row["item"]) for row in read_csv(out / "review.csv")}
    pages = read_csv(out / "pages.csv")
    counts = dict(items=0, decided=0, wrong=0, reviewed=0, blanks=0, blank_decided=0,
                  doubles=0, doubles_decided=0)
    lost = []
    assert pages and all(page["status"] == "read" for page in pages), pages
    assert sorted(rows) == sorted(ids)
    for rid, truth in zip(ids, truths, strict=True):
        for item, t in truth.items():
            got = rows[rid][item]
            counts["items"] += 1
            counts["reviewed"] += (rid, item) in review
            if t.kind == "blank":
                counts["blanks"] += 1
                counts["blank_decided"] += bool(got)
            if t.must_review:
                counts["doubles"] += 1
                counts["doubles_decided"] += bool(got) or (rid, item) not in review
            if got:
                counts["decided"] += 1
                expected = "" if t.option is None else answer_value(instrument, t.option)
                counts["wrong"] += got != expected
            elif t.option is not None and (rid, item) not in review:
                lost.append((rid, item, t))
    # every answer is read or sent to review: none is taken for a blank
    assert not lost, lost
    assert counts["wrong"] <= 0.002 * counts["decided"], counts
    assert counts["reviewed"] <= 0.03 * counts["items"], counts
    assert counts["doubles_decided"] == 0, counts
    assert counts["blank_decided"] < 0.002 * max(counts["blanks"], 1) + 1e-9, counts
    return counts


def blank_ids(path: Path, respondents: int) -> list[str]:
    return [f"{file_key(path)}-{i:03d}" for i in range(1, respondents + 1)]


@pytest.mark.parametrize(
    ("paper", "large_print", "respondents", "seed", "dpi"),
    [("a4", False, 12, 11, 200), ("letter", False, 10, 12, 200), ("a4", True, 4, 13, 200),
     ("letter", True, 4, 14, 200), ("a4", False, 6, 15, 150), ("letter", False, 4, 18, 300)],
)
def test_reads_simulated_scans_at_every_layout(tmp_path, paper, large_print, respondents,
                                               seed, dpi):
    # A4, Letter and large print at 200 dpi; office scanners' other settings, 150 and
    # 300 dpi, on the standard form
    rng = np.random.default_rng(seed)
    built, layout = build_form(tmp_path, paper=paper, large_print=large_print)
    printed = sim.rasterise(built["pdf"], dpi)
    scans, truths = simulate(printed, layout, respondents, rng, dpi=dpi)
    assert any(t.must_review for truth in truths for t in truth.values())
    pdf = sim.write_pdf(scans, tmp_path / "scans.pdf", dpi)
    result, out = run_scan([pdf, "--organization", "North Trust", "--set", "Set A"], tmp_path)
    assert result.exit_code == 0, result.output
    ids = blank_ids(pdf, respondents)
    counts = check_quality(out, truths, ids)
    assert counts["doubles"] > 0
    rows = read_csv(out / "responses.csv")
    assert {(row["organization"], row["set"]) for row in rows} == {("North Trust", "Set A")}
    turned = [p for p in read_csv(out / "pages.csv") if "turned 180" in p["detail"]]
    assert len(turned) == 1
    assert (out / "review.pdf").read_bytes().startswith(b"%PDF")


def test_pack_with_long_names_is_read_at_150_dpi(tmp_path):
    # long organisation and set names once made the page code too fine for 150 dpi
    rng = np.random.default_rng(17)
    org, set_name = "Acme Health and Social Care NHS Foundation Trust", "Leadership set 3 (spring)"
    built, layout = build_form(tmp_path, organization=org, set=set_name, count=3)
    scans, truths = simulate(sim.rasterise(built["pdf"], 150), layout, 3, rng, dpi=150)
    pdf = sim.write_pdf(scans, tmp_path / "s.pdf", 150)
    result, out = run_scan([pdf, built["template"]], tmp_path)
    assert result.exit_code == 0, result.output
    codes = [row["respondent_id"] for row in read_csv(built["template"])]
    check_quality(out, truths, codes)
    assert {(r["organization"], r["set"]) for r in read_csv(out / "responses.csv")} == {
        (org, set_name)}


def test_blank_form_ids_do_not_show_the_file_name(tmp_path):
    # a scan named after a person must not put the name into responses.csv; sheets.csv
    # (for the consultant's audit) maps each id to its file and pages
    rng = np.random.default_rng(43)
    built, layout = build_form(tmp_path)
    kinds = {"tick": 0.6, "cross": 0.3, "blank": 0.1}
    scans, _ = simulate(sim.rasterise(built["pdf"]), layout, 2, rng, upside_down=None,
                        kinds=kinds)
    pdf = sim.write_pdf(scans, tmp_path / "Jane Smith.pdf")
    result, out = run_scan([pdf, "--organization", "O", "--set", "S"], tmp_path)
    assert result.exit_code == 0, result.output
    ids = [row["respondent_id"] for row in read_csv(out / "responses.csv")]
    assert ids == blank_ids(pdf, 2)
    assert all(rid.startswith("S") and len(rid) == 13 for rid in ids)
    for name in ("responses.csv", "review.csv"):  # boxes.csv, pages.csv: audit logs
        text = (out / name).read_text(encoding="utf-8").lower()
        assert "jane" not in text and "smith" not in text, name
    sheets = read_csv(out / "sheets.csv")
    assert [(s["respondent_id"], s["file"], s["file_page"], s["form_page"]) for s in sheets] == [
        (ids[0], str(pdf), "1", "1"), (ids[0], str(pdf), "2", "2"),
        (ids[1], str(pdf), "3", "1"), (ids[1], str(pdf), "4", "2"),
    ]


def test_blank_form_ids_follow_the_file_bytes_not_its_path(tmp_path, monkeypatch):
    # the same scan given by a relative path, an absolute path or as a copy elsewhere gets
    # the same ids; a different scan gets different ones
    rng = np.random.default_rng(44)
    built, layout = build_form(tmp_path)
    kinds = {"tick": 0.6, "cross": 0.3, "blank": 0.1}
    printed = sim.rasterise(built["pdf"])
    scans, _ = simulate(printed, layout, 2, rng, upside_down=None, kinds=kinds)
    (tmp_path / "scans").mkdir()
    pdf = sim.write_pdf(scans, tmp_path / "scans" / "x.pdf")
    copy = tmp_path / "elsewhere" / "y.pdf"
    copy.parent.mkdir()
    copy.write_bytes(pdf.read_bytes())
    monkeypatch.chdir(tmp_path)
    ids = {}
    for name, given in [("relative", Path("scans/x.pdf")), ("absolute", pdf.resolve()),
                        ("copy", copy)]:
        result, out = run_scan([given, "--organization", "O", "--set", "S"], tmp_path / name)
        assert result.exit_code == 0, result.output
        ids[name] = [row["respondent_id"] for row in read_csv(out / "responses.csv")]
    assert ids["relative"] == ids["absolute"] == ids["copy"] == blank_ids(pdf, 2)
    other, _ = simulate(printed, layout, 2, rng, upside_down=None, kinds=kinds)
    second = sim.write_pdf(other, tmp_path / "scans" / "z.pdf")
    result, out = run_scan([pdf, second, "--organization", "O", "--set", "S"], tmp_path / "2")
    assert result.exit_code == 0, result.output
    both = [row["respondent_id"] for row in read_csv(out / "responses.csv")]
    assert both == blank_ids(pdf, 2) + blank_ids(second, 2)
    assert len(set(both)) == 4


def test_two_files_whose_ids_would_clash_stop_the_scan(tmp_path, monkeypatch):
    # 8 hex digits of SHA-256 can coincide for different files: that is an error, never a
    # silent merge of two people's answers
    rng = np.random.default_rng(45)
    built, layout = build_form(tmp_path)
    kinds = {"tick": 0.6, "cross": 0.3, "blank": 0.1}
    printed = sim.rasterise(built["pdf"])
    first = sim.write_pdf(simulate(printed, layout, 1, rng, upside_down=None, kinds=kinds)[0],
                          tmp_path / "a.pdf")
    second = sim.write_pdf(simulate(printed, layout, 1, rng, upside_down=None, kinds=kinds)[0],
                           tmp_path / "b.pdf")
    real = assemble_module.file_digest
    monkeypatch.setattr(assemble_module, "file_digest",
                        lambda path: "0" * 8 + real(path)[8:])
    result, out = run_scan([first, second, "--organization", "O", "--set", "S"], tmp_path)
    assert result.exit_code == 2
    assert "would get the same respondent ids" in result.output
    assert str(first) in result.output and str(second) in result.output
    assert not (out / "responses.csv").exists()


def test_large_print_is_on_an_even_number_of_pages(tmp_path):
    for instrument in ("learning-inaction", "learning-inaction-short"):
        layout = form_layout(instrument, "a4", large_print=True)
        assert len(layout.pages) % 2 == 0


def test_pack_layout_is_the_blank_layout(tmp_path):
    # The reader lays the blank form out again; a pre-filled pack must match it exactly.
    _, pack = build_form(tmp_path, organization="A very long organisation name that "
                         "would wrap onto a second line in the fields box", set="Set A",
                         count=2)
    blank = form_layout(INSTRUMENT, "a4", False)
    assert len(pack.pages) == len(blank.pages)
    for printed, again in zip(pack.pages, blank.pages, strict=True):
        assert [p.item for p in printed.items] == [p.item for p in again.items]
        for a, b in zip(printed.items, again.items, strict=True):
            coordinates = np.array([a.row, *a.boxes]) - np.array([b.row, *b.boxes])
            assert np.abs(coordinates).max() < 0.01


def test_pack_round_trip_scores_as_the_truth(tmp_path):
    """Build a pack, fill and scan it, split the scans across inputs in a shuffled order,
    read them with `surveyor scan`: the scores equal those of the truth."""
    from surveyor.csvsafe import csv_text
    from surveyor.inputs.read import read_responses
    from surveyor.numbers.scoring import score

    rng = np.random.default_rng(21)
    copies = 6
    built, layout = build_form(tmp_path, organization="North Trust", set="Set B",
                               count=copies)
    printed = sim.rasterise(built["pdf"])
    kinds = {"tick": 0.5, "cross": 0.25, "blob": 0.1, "stray": 0.05, "blank": 0.05,
             "correction": 0.05}
    scans, truths = simulate(printed, layout, copies, rng, upside_down=(2, 1), kinds=kinds)
    template = read_csv(built["template"])
    instrument = load_instrument(INSTRUMENT)
    truth_rows = [
        [row["respondent_id"], row["organization"], row["set"],
         *("" if truth[item].option is None else answer_value(instrument, truth[item].option)
           for item in instrument.item_ids)]
        for row, truth in zip(template, truths, strict=True)
    ]
    truth_csv = tmp_path / "truth.csv"
    truth_csv.write_text(csv_text(list(template[0]), truth_rows), encoding="utf-8")
    # pages in a shuffled order, split over a PDF and a folder of JPEG and PNG files
    order = rng.permutation(len(scans))
    first, second = order[: len(order) // 2], order[len(order) // 2:]
    pdf = sim.write_pdf([scans[i] for i in first], tmp_path / "batch1.pdf")
    folder = tmp_path / "batch2"
    folder.mkdir()
    import cv2

    for n, i in enumerate(second):
        cv2.imwrite(str(folder / f"page{n:02d}.{'png' if n % 2 else 'jpg'}"), scans[i])
    result, out = run_scan([pdf, folder, built["template"]], tmp_path)
    assert result.exit_code == 0, result.output
    assert read_csv(out / "review.csv") == []
    got = read_responses(out / "responses.csv", instrument).frame
    want = read_responses(truth_csv, instrument).frame
    got = got.sort_values("respondent_id").reset_index(drop=True)
    want = want.sort_values("respondent_id").reset_index(drop=True)
    assert got.equals(want)
    got_scores = score(got, instrument).frame
    want_scores = score(want, instrument).frame
    assert got_scores.equals(want_scores)
    # and `surveyor score` takes the scanned file as it is
    for name, source in (("scanned", out / "responses.csv"), ("truth", truth_csv)):
        result = CliRunner().invoke(cli, ["score", str(source), "--no-reports", "--out",
                                          str(tmp_path / f"scored-{name}")])
        assert result.exit_code == 0, result.output
    scored = {
        name: sorted(map(tuple, (row.values() for row in
                                 read_csv(tmp_path / f"scored-{name}" / "scores.csv"))))
        for name in ("scanned", "truth")
    }
    assert scored["scanned"] == scored["truth"] and len(scored["truth"]) == copies


def test_missing_duplicate_and_unknown_pages_are_reported(tmp_path):
    rng = np.random.default_rng(31)
    # long names make the densest page codes
    built, layout = build_form(tmp_path, organization="Acme Health NHS Foundation Trust",
                               set="Leadership set 3 (spring)", count=2)
    printed = sim.rasterise(built["pdf"])
    scans, _ = simulate(printed, layout, 2, rng, upside_down=None)
    blank = np.full_like(scans[0], 235)
    # copy 1: page 2 missing; copy 2: page 1 scanned twice; plus a page of something else
    pdf = sim.write_pdf([scans[0], scans[2], scans[3], scans[2], blank], tmp_path / "s.pdf")
    # the page code holds only the respondent code: the names come from the pack list
    result, out = run_scan([pdf], tmp_path)
    assert result.exit_code == 2 and "-template.csv" in result.output, result.output
    result, out = run_scan([pdf, built["template"]], tmp_path)
    assert result.exit_code == 0, result.output
    review = read_csv(out / "review.csv")
    codes = [row["respondent_id"] for row in read_csv(built["template"])]
    assert {"respondent_id": codes[0], "page": "2", "item": "",
            "reason": "page 2 of 2 not in the scans"} in review
    pages = {(row["file_page"], row["status"]) for row in read_csv(out / "pages.csv")}
    assert {("4", "duplicate"), ("5", "unidentified")} <= pages
    assert "page 5" in result.output and "is not in the scans" in result.output
    rows = read_csv(out / "responses.csv")
    assert [(r["respondent_id"], r["organization"], r["set"]) for r in rows] == [
        (code, "Acme Health NHS Foundation Trust", "Leadership set 3 (spring)")
        for code in codes
    ]
    # same input, same bytes
    again = tmp_path / "again"
    result = CliRunner().invoke(cli, ["scan", str(pdf), str(built["template"]),
                                      "--instrument", INSTRUMENT, "--out", str(again)])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    assert names == ["boxes.csv", "pages.csv", "responses.csv", "review.csv", "review.pdf",
                     "sheets.csv"]
    assert names == sorted(p.name for p in again.iterdir())
    for name in names:
        assert (out / name).read_bytes() == (again / name).read_bytes(), name


def test_bilevel_scans_are_read(tmp_path):
    # office scanners in black-and-white mode write 1-bit pages: rendered, not extracted
    from PIL import Image

    rng = np.random.default_rng(51)
    built, layout = build_form(tmp_path)
    kinds = {"tick": 0.6, "cross": 0.3, "blank": 0.1}
    scans, truths = simulate(sim.rasterise(built["pdf"]), layout, 2, rng, upside_down=None,
                             kinds=kinds)
    pages = [Image.fromarray(scan).point(lambda v: 255 if v > 140 else 0, mode="1")
             for scan in scans]
    pdf = tmp_path / "bw.pdf"
    pages[0].save(pdf, "PDF", resolution=200, save_all=True, append_images=pages[1:])
    result, out = run_scan([pdf, "--organization", "O", "--set", "S"], tmp_path)
    assert result.exit_code == 0, result.output
    check_quality(out, truths, blank_ids(pdf, 2))


def test_missing_scan_libraries_are_named(monkeypatch):
    import builtins

    from surveyor.errors import SurveyorError
    from surveyor.scan import require

    real_import = builtins.__import__

    def no_zxing(name, *args, **kwargs):
        if name == "zxingcpp":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_zxing)
    with pytest.raises(SurveyorError, match=r"zxing-cpp.*pip install 'surveyor\[scan\]'"):
        require()


def test_forms_printed_with_a_brand_need_its_template_dir(tmp_path):
    # A brand that widens the answer columns moves every box: read without the brand
    # folder, no page is read at the wrong places; with it, every page is read.
    brand = tmp_path / "brand"
    brand.mkdir()
    (brand / "custom.css").write_text(".grid col.col-choice { width: 13.5mm; }\n",
                                      encoding="utf-8")
    rng = np.random.default_rng(61)
    options = QuestionnaireOptions(organization="North Trust", set="Set D", count=2)
    built = {b.kind: b.path
             for b in build_instrument(INSTRUMENT, tmp_path / "form", options, [brand])}
    layout = FormLayout.from_json(built["layout"].read_text(encoding="utf-8"))
    assert layout != form_layout(INSTRUMENT, "a4", False)
    kinds = {"tick": 0.6, "cross": 0.3, "blank": 0.1}
    scans, truths = simulate(sim.rasterise(built["pdf"]), layout, 2, rng, upside_down=None,
                             kinds=kinds)
    pdf = sim.write_pdf(scans, tmp_path / "s.pdf")
    result, _ = run_scan([pdf, built["template"]], tmp_path)
    assert result.exit_code == 2 and "--template-dir" in result.output
    result, out = run_scan([pdf, built["template"], "--template-dir", brand], tmp_path)
    assert result.exit_code == 0, result.output
    codes = [row["respondent_id"] for row in read_csv(built["template"])]
    check_quality(out, truths, codes)


@pytest.mark.parametrize("turns", [1, 2, 3])
def test_a_page_fed_turned_is_read_upright(tmp_path, turns):
    from surveyor.scan.identify import identify
    from surveyor.scan.marks import DECIDED, page_levels, prepare, read_item
    from surveyor.scan.register import register, upright

    rng = np.random.default_rng(70 + turns)
    built, layout = build_form(tmp_path)
    kinds = {"tick": 0.6, "cross": 0.3, "blank": 0.1}
    scans, truths = simulate(sim.rasterise(built["pdf"]), layout, 1, rng, upside_down=None,
                             kinds=kinds)
    turned = np.ascontiguousarray(np.rot90(scans[0], turns))
    identified = identify(turned)
    assert identified.turns == (4 - turns) % 4
    registered = register(upright(turned, identified.turns), "a4")
    assert registered.residual < 1.0
    image = prepare(registered.image)
    levels = page_levels(image, layout.fiducials)
    for place in layout.page(1).items:
        reading = read_item(image, place, levels)
        want = truths[0][place.item].option
        assert (reading.option if reading.decision == DECIDED else None) == want, place.item


def test_blank_forms_need_a_batch_name(tmp_path):
    rng = np.random.default_rng(41)
    built, layout = build_form(tmp_path)
    scans, _ = simulate(sim.rasterise(built["pdf"]), layout, 1, rng, upside_down=None)
    pdf = sim.write_pdf(scans, tmp_path / "s.pdf")
    result, out = run_scan([pdf], tmp_path)
    assert result.exit_code == 2
    assert "--organization and --set" in result.output
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("scan.pdf", b"%PDF-1.4 not really", "cannot be read as a PDF"),
        ("scan.png", b"\x89PNG\r\n\x1a\n broken", "cannot be decoded as an image"),
        ("scan.docx", b"PK", "not a scan surveyor can read"),
    ],
)
def test_unreadable_input_exits_2_with_a_clear_message(tmp_path, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)
    result, _ = run_scan([path], tmp_path)
    assert result.exit_code == 2
    assert message in result.output and str(path) in result.output
    assert "Traceback" not in result.output


def test_missing_input(tmp_path):
    result, _ = run_scan([tmp_path / "nowhere.pdf"], tmp_path)
    assert result.exit_code == 2 and "no such file or folder" in result.output


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("item,value\n1,2\n", "not a pack list"),
        ("respondent_id,organization,set\nK7QD-001-M,North Trust,\n", "row 2, column "
         "respondent_id: 'K7QD-001-M' has no organisation or set"),
        ("respondent_id,organization,set\nK7QD-001-M,A,B\nK7QD-001-M,C,D\n",
         "row 3, column respondent_id: 'K7QD-001-M' is already listed for A / B"),
    ],
)
def test_a_bad_pack_list_exits_2_naming_the_row(tmp_path, text, message):
    path = tmp_path / "pack-template.csv"
    path.write_text(text, encoding="utf-8")
    result, _ = run_scan([path], tmp_path)
    assert result.exit_code == 2
    assert message in result.output and str(path) in result.output
    assert "Traceback" not in result.output
