"""The public Python API as a developer integrating forewarn meets it: what ``forewarn.__all__``
offers, the errors it raises (also across processes) and the scorer it shares."""

from __future__ import annotations

import inspect
import os
import pickle
import re
import subprocess
import sys
import typing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

import forewarn as fw
from forewarn.readers import TooLargeError, too_large
from forewarn.readers.html import NestingError
from forewarn.work import ReadError

ROOT = Path(__file__).resolve().parent.parent


def test_every_public_name_is_documented_typed_and_takes_its_options_by_keyword() -> None:
    for name in fw.__all__:
        obj = getattr(fw, name)
        if not (inspect.isfunction(obj) or inspect.isclass(obj)):
            continue
        assert inspect.getdoc(obj), f"forewarn.{name} has no docstring"
        if inspect.isfunction(obj):
            hints = typing.get_type_hints(obj)
            params = list(inspect.signature(obj).parameters.values())
            assert "return" in hints and all(p.name in hints for p in params), name
            assert all(p.kind is p.KEYWORD_ONLY for p in params[1:]), f"forewarn.{name}: options by keyword"


@pytest.mark.parametrize(
    "error",
    [
        ReadError("file not found", path="stroy.epub"),
        ReadError("EPUB is damaged: file is not a zip file"),
        too_large(30 << 20, 25 << 20),
        too_large(30 << 20, 25 << 20, what="text"),
        NestingError("cannot read HTML: tags are nested too deeply"),
        fw.BundleError("model bundle m has no SHA256SUMS"),
    ],
)
def test_errors_survive_pickling_as_a_process_pool_sends_them(error: ValueError) -> None:
    """A TooLargeError could not be unpickled (its __init__ takes size and limit), so a scan in a
    ProcessPoolExecutor of a file over max_bytes broke the whole pool (BrokenProcessPool) instead
    of raising fw.ReadError."""
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is type(error) and str(back) == str(error) and back.args == error.args
    assert vars(back) == vars(error)


def test_a_read_error_keeps_the_path_it_names() -> None:
    with pytest.raises(fw.ReadError) as caught:
        fw.scan("no-such-story.epub", scorer="lexicon")
    assert caught.value.path == "no-such-story.epub" and caught.value.reason == "file not found"
    assert str(caught.value) == "no-such-story.epub: file not found"
    assert ReadError("empty file: nothing to scan").path is None


def _scan_small(path: str) -> str:
    return fw.scan(path, scorer="lexicon", max_bytes=16).rating.name


def test_a_scan_in_a_process_pool_raises_read_error_in_the_caller(tmp_path: Path) -> None:
    story = tmp_path / "story.txt"
    story.write_text("He stabbed the guard and blood pooled on the stones.", encoding="utf-8")
    with ProcessPoolExecutor(1) as pool, pytest.raises(TooLargeError, match="over the 16 bytes limit") as caught:
        pool.submit(_scan_small, str(story)).result(timeout=60)
    assert isinstance(caught.value, fw.ReadError) and caught.value.limit == 16


def test_the_packaged_scorer_loads_once_however_its_bundle_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    """default_scorer("cascade", bundle) loaded the model again (about 100 MiB) for the packaged
    bundle's own path, once more for it as a Path, and a relative path meant another bundle
    after a chdir; ``bundle`` was positional, where every other option is by keyword."""
    from forewarn.score import cascade, model

    loads: list[object] = []
    monkeypatch.setattr(cascade, "load_model", lambda path=None: loads.append(path) or None)
    cascade._SCORERS.clear()
    try:
        packaged = model.default_bundle()
        first = cascade.default_scorer("cascade")
        assert cascade.default_scorer("cascade", bundle=packaged) is first
        assert cascade.default_scorer("cascade", bundle=str(packaged)) is first
        monkeypatch.chdir(packaged.parent)
        assert cascade.default_scorer("cascade", bundle=packaged.name) is first
        assert cascade.default_scorer("cascade", bundle=Path("elsewhere")) is not first
        assert len(loads) == 2
        with pytest.raises(TypeError):
            cascade.default_scorer("cascade", "elsewhere")  # type: ignore[misc]
    finally:
        cascade._SCORERS.clear()


def _python_blocks() -> list[tuple[str, str]]:
    """Every ```python block of the README and docs/, named by file and line."""
    blocks = []
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = doc.read_text(encoding="utf-8")
        for m in re.finditer(r"^```python\n(.*?)^```", text, flags=re.S | re.M):
            blocks.append((f"{doc.name}:{text.count(chr(10), 0, m.start()) + 1}", m.group(1)))
    return blocks


@pytest.mark.parametrize(("where", "code"), _python_blocks(), ids=[w for w, _ in _python_blocks()])
def test_the_documented_python_runs_as_written_in_a_fresh_interpreter(where: str, code: str) -> None:
    """Regression (README): it named files that do not exist and a variable it never defined.
    Run as a reader would, from the project's folder in a new process: nothing of the tests'
    state (a loaded model, imports) can help it."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0 and not done.stderr, f"{where}:\n{done.stderr}"
    if where.startswith("README.md"):
        assert '"path": "examples/harbour-lights.txt"' in done.stdout and '"schema": "forewarn.report/1"' in done.stdout


def test_the_docs_name_only_project_files_and_modules_that_exist() -> None:
    """Regression: the code moved into packages (cli/, pipeline/, declared/...) and the README's
    list of the command's modules left out cli/export.py; every path the docs name must exist."""
    docs = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    for doc in docs:
        text = doc.read_text(encoding="utf-8")
        for path in re.findall(r"\b(?:forewarn|bench|examples)/[\w./-]*\w", text):
            assert (ROOT / path).exists(), f"{doc.name} names {path}"
    readme = docs[0].read_text(encoding="utf-8")
    listed = readme[readme.index("a module per group") :].split("for what they share")[0]
    named = set(re.findall(r"`(\w+)`", listed))
    modules = {p.stem for p in (ROOT / "forewarn" / "cli").glob("*.py")} - {"__init__", "__main__"}
    assert named == modules


@pytest.mark.parametrize(
    "header",
    [
        "Warnings: none",
        "Warnings:",
        "TW: none of the above",
        "Archive Warning: Creator Chose Not To Use Archive Warnings",
    ],
)
def test_an_empty_or_refused_declaration_validates_against_the_schema(header: str) -> None:
    """What a pipeline stores for a work that declares nothing, or declines to: a valid report."""
    import json

    import jsonschema

    from forewarn.report.json import dumps

    schema = json.loads((ROOT / "forewarn" / "schema" / "report-v1.json").read_text(encoding="utf-8"))
    checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
    for story in ("He stabbed the guard and blood pooled on the stones.", "A quiet walk by the sea."):
        doc = json.loads(dumps([fw.scan(f"{header}\n\n{story}", scorer="lexicon")]))
        jsonschema.Draft202012Validator(schema, format_checker=checker).validate(doc)
        assert not doc["reports"][0]["comparison"]["matching"]


def test_the_reader_takes_what_scan_takes_and_names_a_wrong_source() -> None:
    """forewarn.readers.read, the README's first stage, took bytes but failed on a bytearray or
    memoryview (which fw.scan takes) with os.fspath's "expected str, bytes or os.PathLike
    object, not bytearray", and on any other type with that TypeError."""
    from forewarn.readers import read

    text = b"He stabbed the guard and blood pooled on the stones."
    for source in (bytearray(text), memoryview(text)):
        work = read(source)
        assert work.text == text.decode() and work.source_format == "text"
    assert read(memoryview(b"<p>Rain.</p>"), name="a.html").source_format == "html"
    for bad in (123, None, ["a.txt"]):
        with pytest.raises(ValueError, match="source must be a path or bytes, not"):
            read(bad)  # type: ignore[arg-type]


def test_the_constants_and_errors_load_nothing_heavy() -> None:
    """``fw.SCHEMA`` (to check a stored report's schema) and ``fw.STAGES`` loaded the whole
    pipeline, numpy and the readers with it: nearly a second, for two constants."""
    code = (
        "import sys, forewarn as fw\n"
        "assert fw.SCHEMA == 'forewarn.report/1' and fw.STAGES[0] == 'reading'\n"
        "fw.ReadError, fw.__version__\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('numpy', 'onnxruntime', 'lxml', 'ftfy'))\n"
        "print(heavy, 'forewarn.pipeline' in sys.modules)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == "[] False"
    from forewarn.pipeline import SCHEMA, STAGES

    assert (fw.SCHEMA, fw.STAGES) == (SCHEMA, STAGES)
