"""Set sizes from the consultant: reading the roster, its errors, "6 of 8 members"."""

from __future__ import annotations

import pytest

from surveyor.errors import SurveyorError
from surveyor.inputs.roster import RosterError, check_roster, read_roster


def write(tmp_path, text: str):
    path = tmp_path / "sizes.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_sizes_by_organisation_and_set(tmp_path):
    path = write(tmp_path, "organization,set,members\nNorth,Alpha,8\nNorth,Beta,6\n\n")
    assert read_roster(path) == {("North", "Alpha"): 8, ("North", "Beta"): 6}


def test_columns_in_any_order_and_a_byte_order_mark(tmp_path):
    path = tmp_path / "sizes.csv"
    path.write_bytes("\ufeffMembers,Set,Organization\n7,Alpha,North\n".encode())
    assert read_roster(path) == {("North", "Alpha"): 7}


def test_every_problem_at_once_with_row_and_column(tmp_path):
    path = write(tmp_path, "organization,set,members\nNorth,Alpha,eight\nNorth,,6\n"
                           "North,Beta,0\nNorth,Gamma,5\nNorth,Gamma,6\n")
    with pytest.raises(RosterError) as caught:
        read_roster(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: 4 problems found")
    assert "row 2, column members: 'eight' is not a whole number of at least 1" in message
    assert "row 3, column set: is empty" in message
    assert "row 4, column members: '0' is not a whole number" in message
    assert "row 6: North / Gamma is already listed in row 5" in message


def test_missing_columns_and_missing_file(tmp_path):
    with pytest.raises(RosterError, match="missing column members"):
        read_roster(write(tmp_path, "organization,set\nNorth,Alpha\n"))
    with pytest.raises(SurveyorError, match="no such roster file"):
        read_roster(tmp_path / "nope.csv")


def test_fewer_members_than_responses_is_refused():
    check_roster({("N", "A"): 6}, {("N", "A"): 6, ("N", "B"): 9})  # B not listed: fine
    with pytest.raises(RosterError, match="gives 5 members but the responses file has 6"):
        check_roster({("N", "A"): 5}, {("N", "A"): 6})
