"""The README and the code cannot drift: every hook and command is documented."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

from readiness import hookspecs

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_every_hook_is_in_the_readme_and_has_a_docstring():
    hooks = {name: fn for name, fn in inspect.getmembers(hookspecs, inspect.isfunction) if name.startswith("readiness_")}
    documented = set(re.findall(r"^\| `(readiness_\w+)\(", README, re.M))
    assert documented == set(hooks)
    for name, function in hooks.items():
        assert inspect.getdoc(function), name


def test_readme_opens_with_the_install_and_test_commands_ci_runs():
    blocks = re.findall(r"```sh\n(.*?)\n```", README, re.S)
    install_and_demo, test_command = blocks[0], blocks[1]
    assert "readiness scan fixtures/demo" in install_and_demo
    ci = (Path(__file__).resolve().parent.parent / ".ci/run").read_text()
    assert ci.rstrip().endswith(test_command)
