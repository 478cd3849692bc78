"""Every command has help, and every command is documented in the README."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from surveyor.cli import cli

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def commands(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, command in sorted(group.commands.items()):
        path = (*prefix, name)
        if isinstance(command, click.Group):
            yield from commands(command, path)
        else:
            yield path


ALL = list(commands(cli))


def test_there_are_commands():
    assert ("score",) in ALL and ("instrument", "build") in ALL


@pytest.mark.parametrize("path", ALL, ids=lambda p: " ".join(p))
def test_command_has_help(path):
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output
    command = cli
    for name in path:
        command = command.commands[name]
    assert command.help and command.help.strip()


@pytest.mark.parametrize("path", ALL, ids=lambda p: " ".join(p))
def test_command_is_in_readme(path):
    assert f"surveyor {' '.join(path)}" in README


def test_version():
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0 and "surveyor, version" in result.output


def test_unknown_command_exits_2():
    assert CliRunner().invoke(cli, ["nonsense"]).exit_code == 2
