"""Templates and instruments travel inside the wheel and are found there."""

from __future__ import annotations

import subprocess
import sys
import zipfile

import pytest

from surveyor.resources import instruments_dir, templates_dir

ROOT = templates_dir().parent


def test_resources_found_in_checkout():
    assert (templates_dir() / "base.html").is_file()
    assert (instruments_dir() / "learning-inaction.yaml").is_file()


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        capture_output=True, text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot build a wheel here: {done.stderr[-300:]}")
    return next(out.glob("surveyor-*.whl"))


def test_wheel_carries_templates_and_instruments(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "surveyor/templates/base.html" in names
    assert "surveyor/templates/report_set.html" in names
    assert "surveyor/instruments/learning-inaction.yaml" in names
    assert "surveyor/instruments/learning-inaction-short.yaml" in names
    assert "surveyor/py.typed" in names


def test_installed_wheel_finds_its_resources_from_any_folder(wheel, tmp_path):
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site),
         str(wheel)],
        check=True,
    )
    code = (
        "import surveyor.resources as r, surveyor.instrument.model as i; "
        "print(r.templates_dir()); print(sorted(i.shipped_instruments()))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"}, check=True,
    )
    folder, ids = done.stdout.splitlines()
    assert folder.startswith(str(site))
    assert "learning-inaction" in ids
