"""Every CLI command and option is documented in the README (as sqlite-utils' test_docs does)."""

from __future__ import annotations

import re

import click
import pytest

import cli
from tests.conftest import ROOT

# The README's command lines, with backslash continuations joined.
README_LINES = re.sub(r"\\\n\s*", " ", (ROOT / "README.md").read_text(encoding="utf-8")).splitlines()
COMMANDS = sorted(cli.cli.commands.items())


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=[name for name, _ in COMMANDS])
def test_command_and_its_options_are_in_the_readme(name: str, command: click.Command):
    shown = "\n".join(line for line in README_LINES if re.search(rf"cli\.py {re.escape(name)}(\s|$)", line))
    assert shown, f"the README does not show `cli.py {name}`"
    for param in command.params:
        if isinstance(param, click.Option):
            assert any(re.search(rf"{re.escape(opt)}\b", shown) for opt in param.opts), \
                f"the README does not show {param.opts[0]} of `cli.py {name}`"
