"""Brand settings: defaults, validation with locations, and the shipped example brand."""

from __future__ import annotations

from pathlib import Path

import pytest

from surveyor.errors import ValidationError
from surveyor.reports.brand import DEFAULT_STRINGS, Brand, load_brand, read_brand

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "brand"


def write(folder: Path, text: str) -> Path:
    path = folder / "brand.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_brand_file(tmp_path):
    brand = load_brand([tmp_path])
    assert brand == Brand()
    assert brand.text("fewer_than", n=5) == "fewer than 5 responses"
    assert brand.css() == ""
    assert brand.logo_data_url() == ""


def test_first_brand_file_wins(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    write(second, '[brand]\nconsultancy = "Second"\n')
    assert load_brand([first, second]).consultancy == "Second"
    write(first, '[brand]\nconsultancy = "First"\n')
    assert load_brand([first, second]).consultancy == "First"


def test_every_problem_reported_with_its_location(tmp_path):
    write(tmp_path, "\n".join([
        "[brand]",
        'consultancy = "X"',
        'colour = "#fff"',
        "[colours]",
        'accent = "red"',
        'sparkle = "#123456"',
        "[strings]",
        'fewer_than = "under {count}"',
        'nonsense = "x"',
        "[extra]",
        "a = 1",
    ]))
    with pytest.raises(ValidationError) as caught:
        load_brand([tmp_path])
    locations = {p.location for p in caught.value.problems}
    assert locations == {"[brand] colour", "[colours] accent", "[colours] sparkle",
                         "[strings] fewer_than", "[strings] nonsense", "[extra]"}
    assert "{count}" in str(caught.value)


def test_valid_overrides(tmp_path):
    write(tmp_path, '[colours]\naccent = "#ABC"\n[strings]\nfewer_than = "< {n}"\n')
    brand = load_brand([tmp_path])
    assert brand.colours["accent"] == "#abc"
    assert brand.css() == ":root { --accent: #abc; }"
    assert brand.text("fewer_than", n=3) == "< 3"
    assert brand.strings["results"] == DEFAULT_STRINGS["results"]


def test_css_never_carries_anything_but_hex(tmp_path):
    write(tmp_path, '[colours]\naccent = "#fff; } body { background: url(x)"\n')
    with pytest.raises(ValidationError):
        load_brand([tmp_path])


@pytest.mark.parametrize("logo", ["../outside.svg", "missing.svg", "logo.gif"])
def test_logo_must_be_an_image_inside_the_folder(tmp_path, logo):
    brand_dir = tmp_path / "brand"
    brand_dir.mkdir()
    (tmp_path / "outside.svg").write_text("<svg/>")
    write(brand_dir, f'[brand]\nlogo = "{logo}"\n')
    with pytest.raises(ValidationError) as caught:
        load_brand([brand_dir])
    assert caught.value.problems[0].location == "[brand] logo"


def test_logo_symlink_out_of_the_folder_is_refused(tmp_path):
    brand_dir = tmp_path / "brand"
    brand_dir.mkdir()
    (tmp_path / "secret.svg").write_text("<svg/>")
    (brand_dir / "logo.svg").symlink_to(tmp_path / "secret.svg")
    write(brand_dir, '[brand]\nlogo = "logo.svg"\n')
    with pytest.raises(ValidationError):
        load_brand([brand_dir])


def test_invalid_toml_names_the_file(tmp_path):
    path = write(tmp_path, "[brand\n")
    with pytest.raises(ValidationError, match="invalid TOML"):
        read_brand(path)


def test_example_brand_loads():
    brand = load_brand([EXAMPLE])
    assert brand.consultancy == "Thornbury Learning Partners"
    assert brand.logo == (EXAMPLE / "logo.svg").resolve()
    assert brand.logo_data_url().startswith("data:image/svg+xml;base64,")
    assert brand.palette().point == brand.colours["point"] == "#2f5d50"
    assert "--accent: #2f5d50;" in brand.css()


# ------------------------------------- a bad brand folder stops the run, writes nothing


def score_with_brand(csv: Path, mini: Path, brand: Path, out: Path):
    from click.testing import CliRunner

    from surveyor.cli import cli

    return CliRunner().invoke(cli, ["score", str(csv), "-i", str(mini), "-o", str(out),
                                    "--jobs", "1", "--template-dir", str(brand)])


@pytest.mark.parametrize(("name", "text", "expected"), [
    ("report_set.html", "{% extends 'default:report_set.html' %}\n{% block nope %}",
     "report_set.html, line 2: a syntax error in a brand template"),
    ("brand.toml", "[brand\nconsultancy = 1", "brand.toml: 1 problem found"),
    ("brand.toml", "[colours]\naccent = 'red; background: url(x)'", "[colours] accent"),
])
def test_a_bad_brand_folder_fails_before_anything_is_written(dozen_csv, mini_path, tmp_path,
                                                             name, text, expected):
    brand = tmp_path / "brand"
    brand.mkdir()
    (brand / name).write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = score_with_brand(dozen_csv, mini_path, brand, out)
    assert result.exit_code == 2, result.output
    assert expected in result.output
    assert "bug in surveyor" not in result.output
    assert not out.exists()


def test_a_brand_template_cannot_run_a_command(dozen_csv, mini_path, tmp_path):
    """The attack that worked: a brand template reaching os through jinja2 to put a shell
    command's output into a report. Now it stops the run with a user error."""
    brand = tmp_path / "brand"
    brand.mkdir()
    marker = tmp_path / "ran"
    (brand / "report_programme.html").write_text(
        "<p>{{ cycler.__init__.__globals__.os.popen('touch " + str(marker) + "').read() }}</p>",
        encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    result = score_with_brand(dozen_csv, mini_path, brand, out)
    assert result.exit_code == 2, result.output
    assert "report_programme.html, line 1: an error in a brand template" in result.output
    assert not marker.exists()
    assert {p.name for p in out.iterdir()} <= {".surveyor.lock"}  # no data file either
