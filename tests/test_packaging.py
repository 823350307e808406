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
