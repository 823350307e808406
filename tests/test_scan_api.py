"""The Python API: one call, many kinds of input, the same report."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import forewarn as fw
from forewarn.readers import read, read_text
from forewarn.report.json import dumps
from forewarn.score.cascade import CascadeScorer
from forewarn.work import ReadError

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "harbour-lights.txt"
LEXICON = CascadeScorer()


def ids(report: fw.Report) -> list[str]:
    return [w.id for w in report.warnings]


def test_path_str_bytes_text_and_work_agree() -> None:
    by_path = fw.scan(EXAMPLE, scorer=LEXICON)
    assert by_path.warnings
    assert ids(fw.scan(str(EXAMPLE), scorer=LEXICON)) == ids(by_path)
    assert ids(fw.scan(EXAMPLE.read_bytes(), scorer=LEXICON)) == ids(by_path)
    assert ids(fw.scan(EXAMPLE.read_text(), scorer=LEXICON)) == ids(by_path)
    assert ids(fw.scan(read(EXAMPLE), scorer=LEXICON)) == ids(by_path)
    assert by_path.work.metadata.title == "Harbour Lights"
    assert by_path.timings["total_s"] >= 0


def test_only_ignore_and_unknown_names() -> None:
    report = fw.scan(EXAMPLE, scorer=LEXICON, only=["blood", "drug use"])
    assert set(ids(report)) <= {"blood", "drug-use"}
    assert "blood" not in ids(fw.scan(EXAMPLE, scorer=LEXICON, ignore=["gore"]))  # an alias of blood
    with pytest.raises(ValueError, match="unknown warning"):
        fw.scan(EXAMPLE, scorer=LEXICON, only=["gremlins"])


def test_undeclared_matches_the_comparison() -> None:
    report = fw.scan(EXAMPLE, scorer=LEXICON)
    assert [w.id for w in report.undeclared] == [w for w in ids(report) if w in report.comparison.missing]


def test_progress_is_reported_and_chunked_scoring_changes_nothing() -> None:
    from forewarn.split import split_work

    text = "\n\n".join(f"Paragraph {i}: he stabbed the guard and walked home by the sea." for i in range(400))
    work = read_text(text)
    calls: list[tuple[int, int]] = []
    with_progress = fw.scan_work(work, scorer=LEXICON, on_progress=lambda d, t: calls.append((d, t)))
    plain = fw.scan_work(work, scorer=LEXICON)
    total = len(split_work(work))
    assert total > 64 and calls[-1] == (total, total) and len(calls) > 1
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    assert [(w.id, w.confidence, w.passages) for w in with_progress.warnings] == [
        (w.id, w.confidence, w.passages) for w in plain.warnings
    ]


def test_every_stage_is_reported_before_passages_are_scored(tmp_path: Path) -> None:
    """Regression: reading and splitting a 20 MB file took ~10 s with a progress bar stuck at "0/?"."""
    path = tmp_path / "long.txt"
    path.write_text("\n\n".join(f"Paragraph {i}: he stabbed the guard by the sea." for i in range(800)))
    events: list[object] = []
    report = fw.scan(path, scorer=LEXICON, on_stage=events.append, on_progress=lambda d, t: events.append((d, t)))
    total = len(report.passages)
    stages = [e for e in events if isinstance(e, str)]
    assert stages == list(fw.STAGES) == ["reading", "splitting", "scoring"]
    progress = events[len(stages) :]
    assert progress[0] == (0, total) and progress[-1] == (total, total) and len(progress) > 2
    events.clear()
    fw.scan_work(read(path), scorer=LEXICON, on_stage=events.append)  # already read: no "reading"
    assert events == ["splitting", "scoring"]


@pytest.mark.parametrize("missing", ["stroy.epub", "/tmp/nonexist/story.txt", "C:\\My Fics\\rain.md", "./drafts/fic"])
def test_a_missing_path_string_is_file_not_found_not_text(missing: str) -> None:
    """Regression: a typo'd path was scanned as one word of pasted text."""
    with pytest.raises(ReadError, match="file not found"):
        fw.scan(missing, scorer=LEXICON)
    with pytest.raises(ReadError, match="file not found"):
        fw.scan(Path(missing), scorer=LEXICON)


@pytest.mark.parametrize(
    "text",
    [
        "He stabbed the guard and walked home.",
        "I saved it as notes.txt before the fight.",
        "hurt/comfort",
        "Warnings: violence\n\nstory.txt",
        # One line longer than a file name may be: is_file() raised "File name too long".
        "He stabbed the guard, " * 20 + "and walked home.",
    ],
)
def test_pasted_text_that_mentions_files_is_still_text(text: str) -> None:
    assert not fw.looks_like_path(text)
    assert fw.scan(text, scorer=LEXICON).work.source_format == "markdown"  # pasted text, read as Markdown


HTML = "<html><head><title>Night Shift</title></head><body><h1>One</h1><p>He stabbed the guard twice.</p></body></html>"


def test_format_is_honoured_for_str_and_unknown_formats_are_refused() -> None:
    """Regression: a str was always prose (the markup was scanned) and format='pdf' passed silently."""
    as_html = fw.scan(HTML, format="html", scorer=LEXICON)
    assert as_html.work.source_format == "html" and "<p>" not in as_html.work.text
    assert ids(as_html) == ids(fw.scan(HTML.encode(), format="html", scorer=LEXICON))
    assert "<p>" in fw.scan(HTML, scorer=LEXICON).work.text  # no format: pasted text, as before
    for source in ("He stabbed the guard.", b"He stabbed the guard.", EXAMPLE):
        with pytest.raises(ValueError, match=r"unknown format 'pdf' \(use one of: epub, html, markdown, text"):
            fw.scan(source, format="pdf", scorer=LEXICON)
    with pytest.raises(ValueError, match="needs the file's bytes or its path"):
        fw.scan("He stabbed the guard.", format="epub", scorer=LEXICON)


def test_only_and_ignore_take_one_comma_separated_str() -> None:
    """Regression: a str was iterated as letters: "unknown warning 'v'"."""
    text = "He stabbed the guard and blood pooled on the stones. She cut herself again that night."
    assert ids(fw.scan(text, only="violence", scorer=LEXICON)) == ["violence"]
    both = fw.scan(text, only="violence, self-harm", scorer=LEXICON)
    assert both.settings["only"] == ["violence", "self-harm"]
    assert ids(both) == ids(fw.scan(text, only=["violence", "self-harm"], scorer=LEXICON))
    ignored = fw.scan(text, ignore="violence,gore", scorer=LEXICON)  # gore: an alias of blood
    assert ignored.settings["ignore"] == ["blood", "violence"] and not {"violence", "blood"} & set(ids(ignored))
    with pytest.raises(ValueError, match="unknown warning 'gremlins'"):
        fw.scan(text, only="violence,gremlins", scorer=LEXICON)


@pytest.mark.parametrize("bad", [2, -1, 1.5, float("nan")])
def test_threshold_outside_0_to_1_is_refused(bad: float) -> None:
    with pytest.raises(ValueError, match="threshold must be from 0 to 1"):
        fw.scan("He stabbed the guard.", threshold=bad, scorer=LEXICON)
    with pytest.raises(ValueError, match="threshold must be from 0 to 1"):
        fw.scan_work(read_text("He stabbed the guard."), threshold=bad, scorer=LEXICON)


def test_threshold_at_the_bounds_and_of_another_type() -> None:
    assert fw.scan("He stabbed the guard.", threshold=0, scorer=LEXICON).settings["threshold"] == 0
    assert fw.scan("He stabbed the guard.", threshold=1.0, scorer=LEXICON).warnings == []
    with pytest.raises(ValueError, match="threshold must be a number"):
        fw.scan("He stabbed the guard.", threshold=[0.5], scorer=LEXICON)  # type: ignore[arg-type]


def test_repr_shows_sizes_not_the_text() -> None:
    """Regression: repr(report) printed the whole text (40 KB for a 2,600-word chapter)."""
    text = "\n\n".join(f"Paragraph {i}: he stabbed the guard and walked home by the sea." for i in range(300))
    report = fw.scan(text, scorer=LEXICON)
    shown = repr(report)
    assert len(shown) < 1000 and "Paragraph 12" not in shown
    assert f"<{len(text):,} chars, {report.work.word_count:,} words>" in shown
    assert f"passages=<{len(report.passages):,} passages>" in shown and "violence" in shown
    assert len(repr(report.work)) < 300 and "Paragraph" not in repr(report.work)


def test_chapter_is_a_0_based_index_in_the_json_and_1_based_for_people() -> None:
    """The JSON's chapter stays 0-based (schema compatibility); the schema and README say so."""
    import json
    from importlib import resources

    from forewarn.report.json import report_to_dict

    text = "# One\n\nThey walked home by the sea.\n\n# Two\n\nHe stabbed the guard and blood pooled on the stones."
    report = fw.scan(text, scorer=LEXICON)
    violence = next(w for w in report.warnings if w.id == "violence")
    as_json = report_to_dict(report)
    assert [e["chapter"] for w in as_json["warnings"] if w["id"] == "violence" for e in w["evidence"]] == [1]
    assert as_json["work"]["chapters"][1]["index"] == 1 and violence.evidence[0].chapter == 1
    assert "chapter 2" in report.rating.reason  # what people read
    schema = json.loads((resources.files("forewarn") / "schema" / "report-v1.json").read_text())
    report_schema = schema["$defs"]["report"]["properties"]
    evidence = report_schema["warnings"]["items"]["properties"]["evidence"]["items"]["properties"]
    for field in (evidence["chapter"], report_schema["passages"]["items"]["properties"]["chapter"]):
        assert (
            field["description"].startswith("0-based index into work.chapters")
            and "count from 1" in field["description"]
        )
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    assert (
        "`chapter` (in `evidence` and `passages`) is an index into\n`work.chapters`, so the first chapter is `0`"
        in readme
    )


def test_lone_surrogates_in_a_str_are_replaced_not_a_tokenizer_error() -> None:
    """A lone surrogate ('\\udcff', from a bad decode) made the default scorer's tokenizer raise
    "TextEncodeInput must be..." and format='html' raise UnicodeEncodeError."""
    text = "She stabbed him \udcff. Blood pooled on the floor."
    report = fw.scan(text)  # the default cascade scorer, whose encoder tokenizes
    assert report.work.text == text.replace("\udcff", "\ufffd")  # same length: offsets still slice the text
    html = fw.scan(f"<p>{text}</p>", format="html", scorer=LEXICON)
    assert "\ufffd" in html.work.text
    from forewarn.readers import read_text

    work = read_text(text)  # scan_work on a Work read from such a str still reached the tokenizer
    assert fw.scan_work(work).work.text == report.work.text


@pytest.mark.parametrize("empty", ["", " , ", []])
def test_an_empty_only_is_refused_not_a_clean_report(empty: str | list[str]) -> None:
    """only='' selected nothing and returned an empty report that reads as safe (CLI and web refuse it)."""
    with pytest.raises(ValueError, match="only needs at least one warning"):
        fw.scan(EXAMPLE, scorer=LEXICON, only=empty)
    with pytest.raises(ValueError, match="only needs at least one warning"):
        fw.scan_work(read(EXAMPLE), scorer=LEXICON, only=empty)
    assert fw.scan(EXAMPLE, scorer=LEXICON, ignore=empty).warnings  # an empty ignore skips nothing


def test_only_wholly_ignored_is_refused_like_an_empty_only() -> None:
    with pytest.raises(ValueError, match="only and ignore leave no warning to look for"):
        fw.scan(EXAMPLE, scorer=LEXICON, only="violence", ignore=["violence", "blood"])
    assert fw.scan(EXAMPLE, scorer=LEXICON, only="violence,drug-use", ignore="violence").settings["considered"] == [
        "drug-use"
    ]


def test_only_and_ignore_may_be_generators_read_once() -> None:
    """A generator was used up by the check before the scan, so the report was empty."""
    report = fw.scan(EXAMPLE, scorer=LEXICON, only=(n for n in ["blood", "violence"]), ignore=iter(["violence"]))
    assert ids(report) == ["blood"] and report.settings["ignore"] == ["violence"]


def test_a_numpy_threshold_is_a_python_float_in_the_report() -> None:
    """threshold=np.float32(.5) passed the check, then the report's JSON raised TypeError."""
    report = fw.scan(EXAMPLE, threshold=np.float32(0.5), scorer=LEXICON)
    assert type(report.settings["threshold"]) is float and report.settings["threshold"] == 0.5
    assert json.loads(dumps([report]))["reports"][0]["settings"]["threshold"] == 0.5


@pytest.mark.parametrize("name", ["story\ud800.txt", "a\x00b.txt"])
def test_a_path_no_file_can_have_is_a_read_error(name: str) -> None:
    """A lone surrogate or a NUL in a path string escaped as UnicodeEncodeError / ValueError."""
    from forewarn.work import ReadError

    with pytest.raises(ReadError, match="not a valid file name"):
        fw.scan(name, scorer=LEXICON)


def test_a_narrower_declaration_still_covers_when_only_the_broader_warning_is_scanned() -> None:
    """--only violence (or --ignore torture) dropped the declared torture before the comparison,
    so the violence it covers was reported as undeclared (exit 1)."""
    text = (
        "Warnings: torture\n\nThey tied him to the chair and broke his fingers one by one to make him talk, "
        "then beat the guard with the rifle butt until he lay still."
    )
    for kwargs in ({"only": "violence"}, {"ignore": "torture"}):
        report = fw.scan(text, scorer=LEXICON, **kwargs)  # type: ignore[arg-type]
        assert "violence" in report.comparison.matching and report.comparison.covered_by == {"violence": "torture"}
        assert "torture" not in report.comparison.extra  # not looked for: not "declared but not found"


def test_a_scorer_whose_score_takes_only_texts_still_works_with_only() -> None:
    """Regression: --only passed labels= to every scorer, so a subclass overriding score(texts)
    (or a test double) raised TypeError (a 500 in the web app)."""
    from forewarn.score.cascade import CascadeScorer

    class Plain(CascadeScorer):
        def score(self, texts):  # type: ignore[no-untyped-def,override]
            return super().score(texts)

    report = fw.scan(EXAMPLE, scorer=Plain(), only="violence,drug-use")
    assert {w.id for w in report.warnings} <= {"violence", "drug-use"} and report.warnings


ALL_IDS = [d.id for d in fw.pipeline.load_taxonomy().warnings]


@pytest.mark.parametrize("ignore", [ALL_IDS, ",".join(ALL_IDS), [*ALL_IDS, "gore"]])
def test_ignoring_every_warning_is_refused_like_only_inside_ignore(ignore: str | list[str]) -> None:
    """ignore naming every warning gave a clean "General Audiences" report (exit 0 in the CLI,
    200 over HTTP), while only wholly inside ignore was refused for that very reason."""
    with pytest.raises(ValueError, match="ignore leaves no warning to look for"):
        fw.scan("He stabbed the guard. She was raped.", scorer=LEXICON, ignore=ignore)
    with pytest.raises(ValueError, match="ignore leaves no warning to look for"):
        fw.scan_work(read_text("He stabbed the guard."), scorer=LEXICON, ignore=ignore)
    one_left = fw.scan("He stabbed the guard.", scorer=LEXICON, ignore=[i for i in ALL_IDS if i != "violence"])
    assert one_left.settings["considered"] == ["violence"] and ids(one_left) == ["violence"]


def test_a_scorer_left_with_no_warning_by_only_and_ignore_is_refused() -> None:
    """A scorer with fewer warnings than the taxonomy: ignore covering its own is no scan either."""
    narrow = CascadeScorer()
    narrow.labels_ = ["violence", "blood"]
    with pytest.raises(ValueError, match="only and ignore leave no warning to look for"):
        fw.scan("He stabbed the guard.", scorer=narrow, ignore="violence,blood")
    with pytest.raises(ValueError, match="only and ignore leave no warning to look for"):
        fw.scan("He stabbed the guard.", scorer=narrow, only="torture")


@pytest.mark.parametrize("empty", ["", [], ()])
def test_an_empty_ignore_ignores_nothing(empty: str | list[str]) -> None:
    report = fw.scan("He stabbed the guard and blood pooled on the stones.", scorer=LEXICON, ignore=empty)
    assert report.settings["ignore"] == [] and not report.filtered and "violence" in ids(report)


def test_a_path_starting_with_a_tilde_is_in_the_home_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """scan("~/story.txt") was taken as a path (looks_like_path) but never expanded: file not found."""
    (tmp_path / "story.txt").write_bytes(EXAMPLE.read_bytes())
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("USERPROFILE", str(tmp_path))
    expected = ids(fw.scan(EXAMPLE, scorer=LEXICON))
    for source in ("~/story.txt", " ~/story.txt ", Path("~/story.txt")):
        report = fw.scan(source, scorer=LEXICON)  # type: ignore[arg-type]
        assert ids(report) == expected and report.work.source_path == str(tmp_path / "story.txt")
    with pytest.raises(ReadError, match="file not found"):
        fw.scan("~/nothing-here.txt", scorer=LEXICON)
    monkeypatch.chdir(tmp_path)  # a file of that very name is that file
    (tmp_path / "~").mkdir()
    (tmp_path / "~" / "story.txt").write_text("A calm day by the sea.", encoding="utf-8")
    assert fw.scan("~/story.txt", scorer=LEXICON).work.text == "A calm day by the sea."
    pasted = "~/story.txt is where I keep it"
    assert fw.scan(pasted, scorer=LEXICON).work.text == pasted  # text stays text


@pytest.mark.parametrize("given", ["0.6", " 0.6 ", "6e-1"])
def test_a_numeric_str_threshold_is_its_number_as_over_http(given: str) -> None:
    report = fw.scan("He stabbed the guard.", threshold=given, scorer=LEXICON)
    assert report.settings["threshold"] == 0.6 and type(report.settings["threshold"]) is float


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"threshold": "high"}, "threshold must be a number from 0 to 1, not 'high'"),
        ({"threshold": "2"}, "threshold must be from 0 to 1"),
        ({"threshold": [0.5]}, "threshold must be a number from 0 to 1, not list"),
        ({"only": 123}, "only must be warning ids or aliases, a list or one comma-separated str, not int"),
        ({"ignore": b"violence"}, "ignore must be warning ids or aliases.*not bytes"),
        ({"scorer": "lexicn"}, "unknown scorer 'lexicn' \\(use one of: cascade, thorough, encoder-everywhere, lexicon"),
        ({"scorer": object()}, "scorer must be a CascadeScorer or one of: cascade, .*not object"),
        ({"on_stage": 1}, "on_stage must be callable or None, not int"),
        ({"on_progress": "print"}, "on_progress must be callable or None, not str"),
        ({"taxonomy": "taxonomy.toml"}, "taxonomy must be a Taxonomy .*not str"),
    ],
)
def test_bad_option_types_are_value_errors_before_reading(kwargs: dict[str, object], message: str) -> None:
    """README: "Bad values raise ValueError before reading"; these were TypeError or AttributeError
    (scorer="lexicon" failed deep in the scan), raised after reading the work."""
    with pytest.raises(ValueError, match=message):
        fw.scan("/no/such/file.txt", **kwargs)  # type: ignore[arg-type]  # ReadError if read first
    with pytest.raises(ValueError, match=message):
        fw.scan_work(read_text("He stabbed the guard."), **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("max_bytes", "message"), [(-1, "not -1"), (0, "not 0"), ("10", "not str"), (1.5, "not 1.5"), (True, "not True")]
)
def test_a_max_bytes_that_is_no_limit_is_a_value_error_before_reading(max_bytes: object, message: str) -> None:
    """Regression: max_bytes=-1 read the file, then said "file is 2.3 KiB, over the -1 bytes
    limit"; "10" failed as a TypeError deep in the reader (or not at all for pasted text)."""
    with pytest.raises(ValueError, match=f"max_bytes must be a whole number of bytes above zero, {message}"):
        fw.scan("/no/such/file.txt", max_bytes=max_bytes)  # type: ignore[arg-type]  # ReadError if read first


def test_a_scorer_may_be_named_by_its_mode() -> None:
    report = fw.scan("He stabbed the guard and blood pooled on the stones.", scorer="lexicon")
    assert ids(report) == ids(fw.scan("He stabbed the guard and blood pooled on the stones.", scorer=LEXICON))
    assert report.model_version.startswith("lexicon/")


def test_a_bytearray_or_memoryview_is_read_as_bytes() -> None:
    """A bytearray fell into the str branch: 'a bytes-like object is required, not str'."""
    data = EXAMPLE.read_bytes()
    expected = fw.scan(data, scorer=LEXICON)
    for source in (bytearray(data), memoryview(data)):
        report = fw.scan(source, scorer=LEXICON)
        assert ids(report) == ids(expected) and report.work.text == expected.work.text
    for bad in (None, 42, ["He stabbed the guard."]):
        with pytest.raises(ValueError, match="source must be a path, bytes, a str of text or a Work"):
            fw.scan(bad, scorer=LEXICON)  # type: ignore[arg-type]


def test_the_documented_errors_are_exported() -> None:
    """The README says a missing path raises ReadError, but forewarn.ReadError did not exist."""
    from forewarn.score.model import BundleError

    assert fw.ReadError is ReadError and fw.BundleError is BundleError
    assert issubclass(fw.ReadError, ValueError) and issubclass(fw.BundleError, ValueError)
    assert {"ReadError", "BundleError"} <= set(fw.__all__) and "ReadError" in dir(fw)
    with pytest.raises(fw.ReadError, match="file not found"):
        fw.scan("no-such-story.epub", scorer=LEXICON)


def test_dumps_takes_a_list_and_errors_by_keyword() -> None:
    """Regression: dumps(report) failed as "TypeError: 'Report' object is not iterable", and
    errors was positional, against the project's keyword-only options."""
    report = fw.scan("He stabbed the guard.", scorer=LEXICON)
    with pytest.raises(ValueError, match=r"a list of Reports, also for one: dumps\(\[report\]\)"):
        dumps(report)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        dumps([report], [("a.txt", "file not found")])  # type: ignore[misc]
    doc = json.loads(dumps([report], errors=[("a.txt", "file not found")]))
    assert doc["errors"] == [{"path": "a.txt", "error": "file not found"}] and len(doc["reports"]) == 1


def test_max_bytes_holds_any_source_and_its_message_names_it(tmp_path: Path) -> None:
    """Regression: a str was held to max_bytes only when given a format (the same Markdown read
    without one had no limit), and every size error told a Python caller to "use --max-size",
    an option of the command line."""
    text = "She ran to the harbour. " * 10
    for source, fmt, limit, what in (
        (text, None, 200, "text"),
        (text, "markdown", 200, "text"),
        ("caf\u00e9 " * 70, None, 400, "text"),  # its UTF-8 bytes count: 350 characters, 420 bytes
        (text.encode(), None, 200, "file"),
    ):
        with pytest.raises(ReadError) as err:
            fw.scan(source, format=fmt, max_bytes=limit, scorer=LEXICON)
        message = str(err.value)
        assert message.startswith(f"{what} is ") and message.endswith("limit (pass a larger max_bytes)"), message
    path = tmp_path / "s.txt"
    path.write_text(text)
    with pytest.raises(ReadError, match=r"^file is 240 bytes, over the 100 bytes limit \(pass a larger max_bytes\)$"):
        fw.scan(path, max_bytes=100, scorer=LEXICON)
    assert fw.scan(text, max_bytes=len(text), scorer=LEXICON).work.word_count == 50  # at the limit: read


def test_format_or_max_bytes_with_a_work_already_read_is_a_value_error() -> None:
    """Regression: scan(work, format=..., max_bytes=...) silently left both unused (a Work is
    already read), so a caller believed a size limit or a format held that never did."""
    work = read_text("She ran to the harbour. " * 10)
    for options, names in (
        ({"format": "html"}, "format applies"),
        ({"max_bytes": 10}, "max_bytes applies"),
        ({"format": "text", "max_bytes": 10}, "format and max_bytes apply"),
    ):
        with pytest.raises(ValueError, match=f"^{names} when reading, and a Work is already read"):
            fw.scan(work, scorer=LEXICON, **options)  # type: ignore[arg-type]
    assert fw.scan(work, scorer=LEXICON).work is work  # without them: scanned as before
    assert fw.scan(work, format=None, max_bytes=None, scorer=LEXICON).work is work  # the defaults


def test_a_str_of_binary_is_a_read_error_as_its_bytes_are() -> None:
    """Regression: a str of control characters (a file's bytes decoded as latin-1) was scanned
    as a one-word work with no warnings, where the same bytes are "binary file"."""
    binary = bytes(range(256)) * 4
    with pytest.raises(ReadError, match="binary file"):
        fw.scan(binary, scorer=LEXICON)
    for text in (binary.decode("latin-1"), "\x00" * 100, "She ran.\x00"):
        with pytest.raises(ReadError, match="^binary data, not text"):
            fw.scan(text, scorer=LEXICON)


def test_threads_that_scan_at_once_share_one_load_of_the_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression: default_scorer was a bare lru_cache, so threads whose first scans ran at once
    each loaded the model (seconds and about 100 MiB each); a model's encoder, made on first
    use, likewise. One scorer serves every thread."""
    import threading
    import time

    import forewarn.score.cascade as cascade
    import forewarn.score.model as model

    loads: list[str | None] = []

    def slow_load(bundle: str | None = None) -> None:
        loads.append(bundle)
        time.sleep(0.3)

    monkeypatch.setattr(cascade, "load_model", slow_load)
    got: list[CascadeScorer] = []
    threads = [
        threading.Thread(target=lambda: got.append(cascade.default_scorer("cascade", bundle="threads-test")))
        for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert loads == ["threads-test"] and len(got) == 4 and all(s is got[0] for s in got)

    made: list[int] = []

    class SlowEncoder:
        def __init__(self, *args: object, **kwargs: object) -> None:
            made.append(1)
            time.sleep(0.3)

    monkeypatch.setattr(model, "Encoder", SlowEncoder)
    bundle = model.ModelScorer.__new__(model.ModelScorer)  # only what .encoder reads
    bundle._encoder = None
    bundle.bundle, bundle.max_length_, bundle.batch_size, bundle.threads = Path("b"), 8, 1, None
    encoders: list[object] = []
    threads = [threading.Thread(target=lambda: encoders.append(bundle.encoder)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert made == [1] and all(e is encoders[0] for e in encoders)


def test_one_scorer_shared_by_threads_gives_each_the_report_one_thread_gets() -> None:
    """What the README promises a developer reusing one scorer across threads."""
    from concurrent.futures import ThreadPoolExecutor

    from forewarn.report.json import report_to_dict
    from forewarn.score.cascade import default_scorer

    scorer = default_scorer("cascade")
    story = EXAMPLE.read_text()
    texts = [story, story.replace("harbour", "harbor"), "He stabbed the guard and blood pooled. " * 40]

    def scanned(text: str) -> dict:  # type: ignore[type-arg]
        report = report_to_dict(fw.scan(text, scorer=scorer))
        report.pop("timings")
        return report

    alone = [scanned(t) for t in texts]
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(scanned, texts * 3))
    assert together == alone * 3
