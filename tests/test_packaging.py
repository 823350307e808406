"""pyproject.toml metadata that installers read: `make demo` must install without warnings."""

from __future__ import annotations

import re
import tomllib

from conftest import ROOT


def test_license_is_an_spdx_string_with_a_setuptools_that_reads_it() -> None:
    """Regression: a `license = {text = ...}` table made every `pip install` print a deprecation warning."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["license"] == "MIT"
    (setuptools,) = [r for r in pyproject["build-system"]["requires"] if r.startswith("setuptools")]
    minimum = re.fullmatch(r"setuptools>=(\d+)(?:\.\d+)*", setuptools)
    assert minimum and int(minimum.group(1)) >= 77  # SPDX license strings (PEP 639) need setuptools 77


def test_the_package_is_marked_typed_for_its_users_type_checkers() -> None:
    """Regression: without a py.typed marker, mypy on a user's `forewarn.scan(...)` said "module is
    installed, but missing library stubs or py.typed marker" and typed every result as Any,
    though forewarn is annotated throughout (PEP 561)."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "py.typed" in pyproject["tool"]["setuptools"]["package-data"]["forewarn"]
    assert (ROOT / "forewarn" / "py.typed").is_file()
