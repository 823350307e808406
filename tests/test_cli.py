"""The CLI through click's runner: summary, JSON schema, filters, exit codes, bad input."""

from __future__ import annotations

import json
import re
import zipfile
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from forewarn.cli import main
from forewarn.readers import read

SCHEMA = json.loads((resources.files("forewarn") / "schema" / "report-v1.json").read_text())
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "harbour-lights.txt"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_sample_summary_shows_declared_and_detected(sample_path: Path) -> None:
    code, out, _ = run("scan", str(sample_path))
    assert code == 1  # the author did not declare everything detected
    assert "Declared:" in out and "NO" in out
    for name in ("Violence", "Blood"):
        assert name in out
    assert "AO3 rating:" in out


def test_sample_declared_warnings_are_found_and_matched(sample_path: Path) -> None:
    _, out, _ = run("scan", "--json", str(sample_path))
    report = json.loads(out)["reports"][0]
    assert {"violence", "blood", "sexual-content"} <= {w["id"] for w in report["warnings"]}
    assert {"violence", "blood", "sexual-content"} <= set(report["comparison"]["matching"])


def test_sample_json_validates_and_offsets_slice_the_text(sample_path: Path) -> None:
    code, out, _ = run("scan", "--json", str(sample_path))
    assert code == 1
    doc = json.loads(out)
    jsonschema.validate(doc, SCHEMA)
    (report,) = doc["reports"]
    text = read(sample_path).text
    assert "".join(text[p["start"] : p["end"]] for p in report["passages"]) == text
    assert report["work"]["characters"] == len(text)
    declared = {d["warning_id"] for d in report["declared"]}
    assert {"violence", "torture", "strong-language", "blood", "sexual-content"} <= declared
    detected = {w["id"] for w in report["warnings"]}
    assert {"violence", "blood"} <= detected
    assert report["comparison"]["missing"], "expected an undeclared detection"
    for w in report["warnings"]:
        assert w["evidence"], w["id"]
        for e in w["evidence"]:
            assert 0 <= e["start"] < e["end"] <= len(text)


def test_only_and_ignore_filter_warnings() -> None:
    _, out, _ = run("scan", "--json", "--only", "blood,violence", str(EXAMPLE))
    ids = {w["id"] for w in json.loads(out)["reports"][0]["warnings"]}
    assert ids <= {"blood", "violence"}
    _, out, _ = run("scan", "--json", "--ignore", "blood", str(EXAMPLE))
    assert "blood" not in {w["id"] for w in json.loads(out)["reports"][0]["warnings"]}


PARTIAL = "(from the selected warnings only)"


def test_filtered_scan_says_its_ao3_suggestions_are_partial_in_every_report(tmp_path: Path) -> None:
    """Regression: --only/--ignore silently lowered the suggested rating (here Teen -> General)."""
    _, full, _ = run("scan", "--scorer", "lexicon", str(EXAMPLE))
    assert "AO3 rating: Teen And Up Audiences" in full and PARTIAL not in full
    html = tmp_path / "r.html"
    _, out, _ = run("scan", "--scorer", "lexicon", "--only", "strong-language", "--html", str(html), str(EXAMPLE))
    assert f"AO3 rating {PARTIAL}: General Audiences" in " ".join(out.split())
    assert f"AO3 archive warnings {PARTIAL}:" in " ".join(out.split())
    assert "From the selected warnings only (only: strong-language)" in html.read_text()
    _, out, _ = run("scan", "--scorer", "lexicon", "--json", "--ignore", "violence", str(EXAMPLE))
    doc = json.loads(out)
    jsonschema.validate(doc, SCHEMA)
    settings = doc["reports"][0]["settings"]
    assert settings["filtered"] is True and "violence" not in settings["considered"]
    assert "blood" in settings["considered"]


def test_unfiltered_json_says_so_and_older_reports_still_validate() -> None:
    _, out, _ = run("scan", "--scorer", "lexicon", "--json", str(EXAMPLE))
    doc = json.loads(out)
    settings = doc["reports"][0]["settings"]
    assert settings["filtered"] is False and {"violence", "blood"} <= set(settings["considered"])
    for key in ("filtered", "considered"):  # reports written before these fields existed
        del settings[key]
    jsonschema.validate(doc, SCHEMA)


def test_json_gives_the_works_language_as_read(tmp_path: Path) -> None:
    """Regression: the JSON had no work language, though the readers read it (EPUB dc:language,
    AO3 "Language:", a header's "Language:"); null when the work gives none, and optional."""
    from readers_fixtures import ao3_html, write_epub, xhtml

    write_epub(
        tmp_path / "w.epub",
        [("c1.xhtml", xhtml("<h2>Chapter 1</h2><p>The ferry left at noon without him.</p>"))],
        metadata="<dc:title>Die F\u00e4hre</dc:title><dc:language>pt-BR</dc:language>",
    )
    (tmp_path / "ao3.html").write_text(ao3_html(), encoding="utf-8")
    (tmp_path / "h.txt").write_text("Title: Der Hafen\nLanguage: Deutsch\n\nDie Boote lagen still im Hafen.\n")
    (tmp_path / "none.txt").write_text("The boats lay still in the harbour.\n")
    names = ["w.epub", "ao3.html", "h.txt", "none.txt"]
    _, out, _ = run("scan", "--scorer", "lexicon", "--json", *(str(tmp_path / n) for n in names))
    doc = json.loads(out)
    jsonschema.validate(doc, SCHEMA)
    languages = {Path(r["work"]["path"]).name: r["work"]["language"] for r in doc["reports"]}
    assert languages == {"w.epub": "pt-BR", "ao3.html": "English", "h.txt": "Deutsch", "none.txt": None}
    for report in doc["reports"]:  # reports written before the field existed
        del report["work"]["language"]
    jsonschema.validate(doc, SCHEMA)


def test_a_work_not_in_english_gets_a_caveat_in_every_report_form(tmp_path: Path) -> None:
    """Regression: a German story with a stabbing scanned clean ("General Audiences") and said
    nothing of forewarn reading English only."""
    from test_language import OTHER

    (tmp_path / "de.txt").write_text("Title: Der Hof\n\n" + OTHER["de"] + "\n", encoding="utf-8")
    (tmp_path / "fr.txt").write_text(OTHER["fr"] + "\n", encoding="utf-8")
    code, out, _ = run(
        "scan", "--scorer", "lexicon", "--json", str(tmp_path / "de.txt"), str(tmp_path / "fr.txt"), str(EXAMPLE)
    )
    doc = json.loads(out)
    jsonschema.validate(doc, SCHEMA)
    de, fr, en = doc["reports"]
    assert (de["work"]["detected_language"], fr["work"]["detected_language"], en["work"]["detected_language"]) == (
        "de",
        "fr",
        "en",
    )
    assert "reads as German, not English" in de["caveats"][0] and "French" in fr["caveats"][0] and en["caveats"] == []
    _, out, _ = run("scan", "--scorer", "lexicon", "--html", str(tmp_path / "de.html"), str(tmp_path / "de.txt"))
    assert "Caveat: This work reads as German" in out.replace("\n", " ")
    page = (tmp_path / "de.html").read_text(encoding="utf-8")
    assert 'role="alert">Caveat: This work reads as German' in page
    for report in doc["reports"]:  # reports written before these fields existed
        del report["caveats"], report["work"]["detected_language"]
    jsonschema.validate(doc, SCHEMA)


def test_progress_on_a_terminal_names_each_stage_and_counts_passages() -> None:
    """Regression: the bar showed "0/?" through loading, reading and splitting (~10 s on 20 MB)."""
    result = CliRunner().invoke(main, ["scan", "--scorer", "lexicon", str(EXAMPLE)], env={"TTY_COMPATIBLE": "1"})
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", result.stderr)
    assert "loading the lexicon scorer" in shown
    assert re.search(r"scanning harbour-lights\.txt: scoring \S* 5/5 passages", shown), shown
    assert run("scan", "--scorer", "lexicon", str(EXAMPLE))[2] == ""  # not a terminal: no progress at all


def test_threshold_one_detects_nothing_and_exits_zero() -> None:
    code, out, _ = run("scan", "--json", "--threshold", "1.0", str(EXAMPLE))
    assert code == 0
    assert json.loads(out)["reports"][0]["warnings"] == []


def test_unknown_warning_is_a_usage_error() -> None:
    code, _, err = run("scan", "--only", "not-a-warning", str(EXAMPLE))
    assert code == 2 and "unknown warning" in err


@pytest.mark.parametrize("value", ["", " , ,"])
def test_an_empty_warning_list_is_a_usage_error_not_a_clean_report(value: str) -> None:
    code, out, err = run("scan", "--scorer", "lexicon", "--only", value, str(EXAMPLE))
    assert code == 2 and "--only needs at least one warning" in err and out == ""
    code, out, err = run("scan", "--scorer", "lexicon", "--ignore", value, str(EXAMPLE))
    assert code in (0, 1) and out, err  # ignores nothing, as the Python API and HTTP do


def _truncated_epub(path: Path) -> Path:
    full = path.with_suffix(".full.epub")
    with zipfile.ZipFile(full, "w") as z:
        z.writestr("mimetype", "application/epub+zip")
        z.writestr("META-INF/container.xml", "<container/>")
        z.writestr("OEBPS/ch1.xhtml", "<html><body><p>" + "words " * 5000 + "</p></body></html>")
    data = full.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


@pytest.mark.parametrize(
    "name,make",
    [
        ("empty.txt", lambda p: p.write_bytes(b"")),
        ("binary.txt", lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40)),
        ("broken.epub", _truncated_epub),
        ("huge.txt", lambda p: p.open("wb").truncate(50 * 1024 * 1024)),
    ],
)
def test_bad_input_gives_one_line_error_and_exit_2(tmp_path: Path, name: str, make) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / name
    make(path)
    code, out, err = run("scan", str(path))
    assert code == 2
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("forewarn: error:"), err
    assert "Traceback" not in err + out


def test_invalid_utf8_is_read_not_rejected(tmp_path: Path) -> None:
    path = tmp_path / "mixed.txt"
    path.write_bytes("Caf\u00e9 au lait.\n\n".encode() + b"He paid \xff\xfe twice.\n\n" + b"The end.\n")
    code, out, err = run("scan", "--json", str(path))
    assert code in (0, 1), err
    assert json.loads(out)["reports"][0]["work"]["words"] > 3


def test_one_bad_file_does_not_lose_the_good_ones(tmp_path: Path) -> None:
    bad = tmp_path / "empty.txt"
    bad.write_bytes(b"")
    code, out, _ = run("scan", "--json", str(EXAMPLE), str(bad))
    doc = json.loads(out)
    assert code == 2
    assert len(doc["reports"]) == 1 and doc["errors"][0]["path"] == str(bad)
    jsonschema.validate(doc, SCHEMA)


def test_warnings_lists_the_whole_taxonomy_with_quality() -> None:
    code, out, _ = run("warnings", "--json")
    rows = json.loads(out)
    assert code == 0 and len(rows) >= 37
    assert all(r["measured_on"] for r in rows)
    measured = [r for r in rows if r["f1"] is not None]
    assert {r["id"] for r in measured} >= {"violence", "war", "death", "racism"}
    # Each figure comes with its 95% bootstrap interval, which holds it.
    assert all(r["f1_ci"][0] <= r["f1"] <= r["f1_ci"][1] for r in measured)
    _, card, _ = run("warnings", "violence")
    assert "95% interval" in " ".join(card.split())


def test_warnings_table_has_names_and_fits_80_columns() -> None:
    result = CliRunner().invoke(main, ["warnings"], env={"COLUMNS": "80"})
    lines = result.stdout.splitlines()
    assert result.exit_code == 0 and max(len(line) for line in lines) <= 80
    rows = {line.split()[0]: line for line in lines[1:] if not line.startswith(("[", "`"))}
    assert len(rows) >= 37  # one line per warning, none wrapped
    assert "Drug and alcohol use" in rows["drug-use"] and "Self-harm" in rows["self-harm"]
    assert any(line.startswith("[1] measured on: ") for line in lines)


def test_warnings_table_on_a_narrow_terminal_keeps_the_figures_whole() -> None:
    """Regression: at 40 columns rich squeezed every column, F1 and n to "…", the names away;
    now name and group (then n) are left out and the figures stay."""
    result = CliRunner().invoke(main, ["warnings"], env={"COLUMNS": "40"})
    lines = result.stdout.splitlines()
    assert result.exit_code == 0 and max(len(line) for line in lines) <= 40 and "\u2026" not in result.stdout
    assert lines[0].split() == ["id", "F1", "bal.acc", "on"]
    (violence,) = [line for line in lines if line.startswith("violence ")]
    assert re.fullmatch(r"violence +0\.\d\d +0\.\d\d +\[\d\]", violence), violence


def test_a_warnings_card_in_a_file_has_no_trailing_spaces() -> None:
    """Regression: rich padded every cell of the card to its column's width."""
    code, out, _ = run("warnings", "self-harm", "violence")
    assert code == 0 and "aliases" in out and not [line for line in out.splitlines() if line.endswith(" ")]


def test_warnings_by_id_or_alias_shows_description_aliases_and_ao3_mapping() -> None:
    code, out, _ = run("warnings", "noncon")  # an alias: shows the warning it maps to
    text = " ".join(out.split())
    assert code == 0 and text.startswith("sexual-assault: Sexual assault")
    assert "Any sexual act without consent" in text and "dubcon" in text
    assert "archive warning: Rape/Non-Con" in text and "Sexual content (sexual-content)" in text
    _, out, _ = run("warnings", "--json", "MCD", "death")
    (row,) = json.loads(out)  # both name the same warning
    assert row["id"] == "death" and "mcd" in row["aliases"] and row["description"]
    assert run("warnings", "gremlins")[0] == 2


def test_warnings_json_lists_aliases_for_every_warning() -> None:
    _, out, _ = run("warnings", "--json")
    rows = json.loads(out)
    assert all(r["aliases"] and r["description"] and r["name"] for r in rows)


def test_help_has_examples() -> None:
    for cmd in (["--help"], ["scan", "--help"], ["warnings", "--help"]):
        code, out, _ = run(*cmd)
        assert code == 0 and "Example" in out


@pytest.mark.parametrize("name", sorted(main.commands))
def test_every_command_has_help_examples_that_use_its_own_options(name: str) -> None:
    """STYLE: every command has --help with an example; each example's options are the command's."""
    import re

    command = main.commands[name]
    out = CliRunner().invoke(main, [name, "--help"]).output
    examples = out.split("Example", 1)[1].split("Options:", 1)[0] if "Example" in out else ""
    lines = [line.strip() for line in examples.splitlines() if line.strip().startswith(f"forewarn {name}")]
    assert lines, f"forewarn {name} --help shows no example"
    options = {o for p in command.params for o in (*p.opts, *p.secondary_opts)}
    for line in lines:
        used = re.findall(r"(?<![\w-])--[a-z][a-z-]*", line.split("|")[0].split("#")[0])
        assert set(used) <= options, (line, set(used) - options)


def test_evaluate_scores_labeled_passages_as_a_scan_does(tmp_path: Path) -> None:
    data = tmp_path / "labeled.jsonl"
    rows = [
        {"warning": "blood", "label": 1, "text": "Blood pooled on the stones under him.", "work_id": "a"},
        {"warning": "blood", "label": 0, "text": "She ordered a blood orange sorbet.", "work_id": "b"},
        {"warning": "war", "label": 1, "text": "The shelling went on all night along the front line.", "work_id": "c"},
        {"warning": "war", "label": 0, "text": "They planted tulips along the garden path.", "work_id": "d"},
    ]
    data.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    out = tmp_path / "metrics.json"
    for scorer in ("lexicon", "cascade"):
        result = CliRunner().invoke(main, ["evaluate", "--data", str(data), "--scorer", scorer, "--json", str(out)])
        assert result.exit_code == 0, result.output
        doc = json.loads(out.read_text())
        assert scorer in doc["evaluation"]
        assert set(doc["per_warning"]) == {"blood", "war"}
        # The idiom veto keeps "blood orange" out; the calm garden passage never reaches the war head.
        assert doc["per_warning"]["blood"]["precision"] == 1.0
        assert doc["per_warning"]["war"]["recall"] == 1.0 and doc["per_warning"]["war"]["precision"] == 1.0


def test_evaluate_works_scans_each_labeled_work(tmp_path: Path) -> None:
    works = tmp_path / "works.jsonl"
    rows = [
        {"id": "1", "text": "Blood pooled on the stones under him.", "warnings": ["blood"], "scored": ["blood"]},
        {"id": "2", "text": "She ordered a blood orange sorbet.", "warnings": [], "scored": ["blood"]},
    ]
    works.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    out = tmp_path / "works-metrics.json"
    code, stdout, _ = run("evaluate", "--works", str(works), "--scorer", "lexicon", "--json", str(out))
    assert code == 0 and "blood" in stdout
    assert json.loads(out.read_text())["per_warning"]["blood"]["f1"] == 1.0
    result = CliRunner().invoke(main, ["evaluate", "--works", str(works), "--data", str(works)])
    assert result.exit_code == 2 and "either --data" in result.output


LABELED = [
    {"warning": "blood", "label": 1, "text": "Blood pooled on the stones under him.", "work_id": "a"},
    {"warning": "blood", "label": 0, "text": "She ordered a blood orange sorbet.", "work_id": "b"},
]


@pytest.mark.parametrize("command", ["train", "evaluate"])
def test_training_without_scikit_learn_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    import sys

    for name in [m for m in sys.modules if m == "sklearn" or m.startswith("sklearn.")] or ["sklearn"]:
        monkeypatch.setitem(sys.modules, name, None)
    data = tmp_path / "labeled.jsonl"
    data.write_text("\n".join(json.dumps(r) for r in LABELED) + "\n")
    extra = ["--out", str(tmp_path / "m")] if command == "train" else ["--folds", "5"]
    result = CliRunner().invoke(main, [command, "--data", str(data), *extra])
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit), result.output
    assert "needs scikit-learn" in result.stderr and "pip install 'forewarn[train]'" in result.stderr


@pytest.mark.parametrize("command", ["train", "evaluate"])
def test_labeled_data_that_is_not_utf8_names_the_file_and_line(tmp_path: Path, command: str) -> None:
    data = tmp_path / "latin1.jsonl"
    rows = [*LABELED, {"warning": "blood", "label": 0, "text": "Un café crème.", "work_id": "c"}]
    data.write_bytes("\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode("latin-1") + b"\n")
    extra = ["--out", str(tmp_path / "m")] if command == "train" else []
    result = CliRunner().invoke(main, [command, "--data", str(data), *extra])
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit), result.output
    assert result.stderr.strip() == f"forewarn: error: {data}:3: not UTF-8 text (save the file as UTF-8)"


@pytest.mark.parametrize("command", ["train", "evaluate"])
def test_data_the_folds_cannot_train_on_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    """Regression: `forewarn evaluate --folds 5 --data data/written/eval.jsonl` ended in a
    traceback ("warning 'strong-language' needs positive and negative examples", raised in a
    fold), exit 1; `forewarn train` said the same in one line, exit 2."""
    pytest.importorskip("sklearn")
    import forewarn.evaluate

    def fails(*args: object, **kwargs: object) -> None:
        raise ValueError("warning 'blood' needs positive and negative examples")

    monkeypatch.setattr(forewarn.evaluate, "cross_validate", fails)
    data = tmp_path / "labeled.jsonl"
    rows = [{**r, "work_id": f"{r['work_id']}{i}"} for i in range(2) for r in LABELED]
    data.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    extra = ["--out", str(tmp_path / "m")] if command == "train" else []
    result = CliRunner().invoke(main, [command, "--data", str(data), "--folds", "2", *extra])
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit), result.output
    assert result.stderr.splitlines()[-1] == (
        "forewarn: error: cannot train on this data: warning 'blood' needs positive and negative examples"
    )


def test_evaluate_warns_when_the_data_is_the_bundles_training_data(tmp_path: Path) -> None:
    body = "\n".join(json.dumps(r) for r in LABELED) + "\n"
    (tmp_path / "tune.jsonl").write_text(body)  # a name in the bundle's config.json data_files
    (tmp_path / "held-out.jsonl").write_text(body)
    result = CliRunner().invoke(main, ["evaluate", "--data", str(tmp_path / "tune.jsonl"), "--scorer", "lexicon"])
    assert result.exit_code == 0 and "trained on tune.jsonl" in result.stderr and "not held-out" in result.stderr
    result = CliRunner().invoke(main, ["evaluate", "--data", str(tmp_path / "held-out.jsonl"), "--scorer", "lexicon"])
    assert result.exit_code == 0 and "not held-out" not in result.stderr
    assert "--folds" in CliRunner().invoke(main, ["evaluate", "--help"]).output


def test_train_help_example_is_the_command_that_built_the_bundle() -> None:
    import re

    config = json.loads((resources.files("forewarn") / "models" / "default" / "config.json").read_text())
    help_text = CliRunner().invoke(main, ["train", "--help"]).output.split("Options:")[0]
    assert [Path(d).name for d in re.findall(r"--data (\S+)", help_text)] == config["data_files"]
    assert "--seed 0" in help_text and "--seed 0" in config["created_by"]


def test_stdin_one_passage_and_thousands_in_the_summary() -> None:
    result = CliRunner().invoke(main, ["scan", "--scorer", "lexicon", "-"], input="He stabbed the guard.\n")
    assert result.exit_code in (0, 1), result.output
    assert "<stdin>" in result.stdout and "1 passage\n" in result.stdout and "1 passages" not in result.stdout
    long_text = "\n\n".join(f"Chapter {i}\n\nThey walked along the quiet shore." for i in range(1, 1100))
    result = CliRunner().invoke(main, ["scan", "--scorer", "lexicon", "-"], input=long_text)
    assert re.search(r"\d{1,3}(,\d{3})+ passages", result.stdout), result.stdout[:200]


def test_json_with_show_passages_says_the_text_is_not_in_json() -> None:
    result = CliRunner().invoke(main, ["scan", "--scorer", "lexicon", "--json", "--show-passages", str(EXAMPLE)])
    assert json.loads(result.stdout)["reports"] and "--json never contains the work's text" in result.stderr


def test_top_level_help_does_not_cut_command_descriptions() -> None:
    listing = CliRunner().invoke(main, ["--help"]).output.split("Commands:")[1]
    assert len(listing.strip().splitlines()) == len(main.commands)
    assert "..." not in listing


def test_serve_on_a_busy_port_is_one_error_line_and_exit_2() -> None:
    """Regression: it printed "serving on http://..." then uvicorn's own error, and exited 3."""
    import socket

    pytest.importorskip("uvicorn")

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, out, err = run("serve", "--port", str(port))
    assert code == 2 and "serving on" not in out + err
    assert err.splitlines() == [
        f"forewarn: error: cannot listen on 127.0.0.1:{port}: Address already in use "
        "(another server is using it: stop it or pick another --port)"
    ]
    code, _, err = run("serve", "--port", "70000")
    assert code == 2 and "70000" in err


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.db", None, "forewarn: error: no database at {db} (create one with `forewarn batch`)"),
        ("notes.db", b"just some text\n", "forewarn: error: {db}: not a forewarn results database"),
    ],
)
def test_serve_refuses_a_database_it_cannot_read_before_listening(
    tmp_path: Path, name: str, content: bytes | None, message: str
) -> None:
    """As the README says: no "serving on" and exit 2 (one deleted while serving is a 503 then:
    tests/test_web.py). A separate process, so a server that started anyway times out the test."""
    import os
    import subprocess
    import sys

    pytest.importorskip("uvicorn")
    db = tmp_path / name
    if content is not None:
        db.write_bytes(content)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    done = subprocess.run(
        [sys.executable, "-m", "forewarn", "serve", "--port", "0", "--db", str(db)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 2 and message.format(db=db) in done.stderr and "serving on" not in done.stderr
    assert done.stderr.count("\n") == 1, done.stderr  # one line: a missing one printed click's usage too
    assert db.exists() == (content is not None)  # not created


@pytest.mark.parametrize("command", [["query"], ["stats"], ["export", "--out", "x.csv"]])
def test_a_missing_database_is_one_line_for_the_reading_commands(tmp_path: Path, command: list[str]) -> None:
    """Regression: it was click's usage error (four lines), though _open_existing and the README
    promise one line; a file that is not a database already was."""
    db = tmp_path / "missing.db"
    result = CliRunner().invoke(main, [command[0], "--db", str(db), *command[1:]])
    assert result.exit_code == 2 and not db.exists()
    assert result.stderr == f"forewarn: error: no database at {db} (create one with `forewarn batch`)\n"


def test_serve_says_serving_on_the_bound_address_and_answers_there() -> None:
    """With --port 0 the line names the port really bound, and the server answers on it."""
    import os
    import subprocess
    import sys
    import urllib.request

    pytest.importorskip("uvicorn")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "forewarn", "serve", "--port", "0"], stderr=subprocess.PIPE, text=True, env=env
    )
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        m = re.fullmatch(r"forewarn: serving on (http://127\.0\.0\.1:(\d+)/) \(Ctrl\+C to stop\)\n", line)
        assert m and m.group(2) != "0", line
        with urllib.request.urlopen(m.group(1) + "healthz", timeout=10) as r:
            assert json.loads(r.read())["status"] == "ok"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_serve_scores_with_the_scorer_asked_for(tmp_path: Path) -> None:
    """--scorer and --model as for scan: a broken bundle is one line before "serving on"."""
    import os
    import subprocess
    import sys
    import urllib.request

    pytest.importorskip("uvicorn")
    code, out, err = run("serve", "--port", "0", "--model", str(tmp_path))
    assert code == 2 and "serving on" not in out + err and len(err.splitlines()) == 1, err
    code, _, err = run("serve", "--port", "0", "--scorer", "lexicon", "--model", str(tmp_path))
    assert code == 2 and "--model has no effect with --scorer lexicon" in err
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    command = [sys.executable, "-m", "forewarn", "serve", "--port", "0", "--scorer", "lexicon"]
    proc = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stderr is not None
        m = re.search(r"(http://\S+/) ", proc.stderr.readline())
        assert m
        ask = urllib.request.Request(
            m.group(1) + "api/scan", data=b"He stabbed the guard.", headers={"Content-Type": "text/plain"}
        )
        with urllib.request.urlopen(ask, timeout=30) as r:
            assert json.loads(r.read())["report"]["model_version"].startswith("lexicon")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def terminal_output(width: int, confidence: float | None = None, *, drop_first_evidence: bool = False) -> str:
    """The terminal summary of a four-chapter work with violence in each, at ``width`` columns."""
    import io

    from conftest import FakeModel
    from rich.console import Console

    from forewarn.pipeline import scan_work
    from forewarn.readers import read_text
    from forewarn.report.terminal import render
    from forewarn.score.cascade import CascadeScorer

    calm = "They walked home along the harbour wall and talked about the weather and the nets. " * 6
    fight = "He stabbed the guard in the narrow alley and the guard fell against the wall. " * 6
    text = "\n\n".join(f"Chapter {i}: Part {i}\n\n{calm}\n\n{fight}\n\n{calm}\n\n{fight}" for i in range(1, 5))
    report = scan_work(read_text(text), scorer=CascadeScorer(model=FakeModel({"violence": "stabbed"})))
    if confidence is not None:
        report.warnings[0].confidence = confidence
    if drop_first_evidence:  # as when later passages are likelier than the first
        report.warnings[0].evidence = report.warnings[0].evidence[1:]
    out = io.StringIO()
    render(report, console=Console(file=out, width=width, color_system=None, soft_wrap=False))
    return out.getvalue()


def test_the_at_column_starts_with_the_first_flagged_passage_and_always_names_one() -> None:
    """Regression: it listed the likeliest passages only ("ch1 76%, ch2 26%" for a warning that
    starts at ch1 26%), and at 40 columns just "+8"."""
    (row,) = [line for line in terminal_output(120, drop_first_evidence=True).splitlines() if line.startswith("Vio")]
    assert row.endswith("ch1 26%, ch1 76%, ch2 26% +5"), row
    narrow = terminal_output(40, drop_first_evidence=True)
    assert re.search(r"^  \w+, at ch1 26%, .* \+\d$", narrow, re.M), narrow


@pytest.mark.parametrize("width", [40, 34])
def test_a_narrow_terminal_stacks_each_row_instead_of_wrapping_it_mid_row(width: int) -> None:
    """Regression: at 40 columns the five columns wrapped, the locations landing under the
    next row's name; now severity and locations go on an indented line of their own."""
    lines = terminal_output(width).splitlines()
    assert all(len(line) <= width and line == line.rstrip() for line in lines), lines
    row = next(i for i, line in enumerate(lines) if line.startswith("Violence"))
    assert re.fullmatch(r"Violence\s+\d\.\d\d\s+NO", lines[row]), lines[row]
    assert re.fullmatch(r"  (mentioned|implied|depicted|graphic), at ch1 \d+%.*\+\d+", lines[row + 1]), lines[row + 1]
    assert lines[row - 1].split() == ["detected", "conf", "decl."]
    assert "+N: N more flagged passages" in lines


@pytest.mark.parametrize("width", [80, 60, 50])
def test_terminal_table_fits_keeps_whole_locations_and_explains_plus_n(width: int) -> None:
    out = terminal_output(width)
    lines = out.splitlines()
    assert all(line == line.rstrip() for line in lines), "no trailing spaces"
    assert all(len(line) <= width for line in lines)
    assert "…" not in out
    (row,) = [line for line in lines if line.startswith("Violence")]
    where = re.search(r"(?:ch\d+ \d+%(?:, ch\d+ \d+%)*)?(?: ?\+(\d+))?$", row)
    assert where and where.group(0).strip(), row
    assert where.group(1), "eight passages, at most three shown: the rest are counted"
    assert "+N: N more flagged passages" in out
    if width == 80:
        assert "█" in row and "ch1 " in row and "ch2 " in row
    else:
        assert "█" not in row  # the bar goes before locations are folded into +N


def test_terminal_marks_unsure_undeclared_detections_softly() -> None:
    sure = [line for line in terminal_output(80).splitlines() if line.startswith("Violence")][0]
    unsure = [line for line in terminal_output(80, confidence=0.4).splitlines() if line.startswith("Violence")][0]
    assert " NO " in sure and " no? " in unsure
    assert "no?: not declared, low confidence" in terminal_output(80, confidence=0.4)


def test_a_clean_terminal_result_is_not_presented_as_a_guarantee(tmp_path: Path) -> None:
    calm = tmp_path / "calm.txt"
    calm.write_text("They walked to the bakery and bought two loaves of bread in the sun.\n", encoding="utf-8")
    code, out, _ = run("scan", "--scorer", "lexicon", str(calm))
    assert code == 0 and "Detected: no warnings." in out and "Not a guarantee" in out


def test_show_passages_cuts_long_quotes_at_a_word_with_an_ellipsis(tmp_path: Path) -> None:
    """Snippets were cut mid-word at 300 characters with '...'."""
    long = tmp_path / "long.txt"
    words = " ".join(["He stabbed the guard and blood pooled on the stone floor of the cellar."] * 12)
    long.write_text(words + "\n", encoding="utf-8")
    code, out, _ = run("scan", "--scorer", "lexicon", "--show-passages", str(long))
    assert code == 1 and "stabbed\u2026" in out and "..." not in out  # cut after a whole word


@pytest.mark.parametrize("where", ["missing/r.html", "afile.txt/r.html"])
def test_an_unwritable_html_path_is_one_line_before_scanning(tmp_path: Path, where: str) -> None:
    """--html into a missing folder printed a FileNotFoundError traceback after the scan, exit 1."""
    (tmp_path / "afile.txt").write_text("not a folder")
    code, out, err = run("scan", "--scorer", "lexicon", "--html", str(tmp_path / where), str(EXAMPLE))
    assert code == 2 and out == ""  # refused before scanning: no report
    assert err.strip().startswith("forewarn: error: cannot write") and len(err.strip().splitlines()) == 1, err


def test_a_failed_html_write_is_one_line_and_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full_disk(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_text", full_disk)
    code, _, err = run("scan", "--scorer", "lexicon", "--html", str(tmp_path / "r.html"), str(EXAMPLE))
    assert code == 2 and err.strip() == f"forewarn: error: cannot write {tmp_path / 'r.html'}: No space left on device"


@pytest.mark.parametrize("charset", ["cp1252", "ascii"])
def test_a_stdout_that_cannot_encode_the_report_gets_ascii_not_a_crash(tmp_path: Path, charset: str) -> None:
    """`> out.txt` on Windows (cp1252) crashed on the bar's characters with UnicodeEncodeError."""
    path = tmp_path / "title.txt"
    path.write_text("Title: Caf\u00e9 \u65e5\u672c\n\nShe stabbed him. Blood pooled on the floor.\n", encoding="utf-8")
    runner = CliRunner(charset=charset)
    result = runner.invoke(main, ["scan", "--scorer", "lexicon", str(path), str(EXAMPLE)], catch_exceptions=False)
    assert result.exit_code == 1 and "AO3 rating" in result.stdout
    assert re.search(r"  [.#]*#[.#]*  ", result.stdout)  # the bars, in ASCII
    assert "Caf" in result.stdout and " ??" in result.stdout  # unencodable title characters as "?"
    result = runner.invoke(main, ["scan", "--json", "--scorer", "lexicon", str(path)], catch_exceptions=False)
    assert json.loads(result.stdout)["reports"][0]["work"]["title"] == "Caf\u00e9 \u65e5\u672c"  # escaped, not lost


def test_control_characters_from_the_work_are_not_printed_raw(tmp_path: Path) -> None:
    """ESC sequences in a title or passage reached the terminal: set its title, cleared the screen."""
    path = tmp_path / "esc.txt"
    path.write_text(
        "Title: Evil\x1b]0;PWNED\x07\x1b[2J\x9b31mRED\n\nShe stabbed him. \x1b[8mhidden\x1b[0m Blood pooled.\n",
        encoding="utf-8",
    )
    code, out, _ = run("scan", "--scorer", "lexicon", "--show-passages", str(path))
    assert code == 1 and "PWNED" in out and "hidden" in out  # the text is kept, its controls are not
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", out)
    assert "Evil\ufffd]0;PWNED" in out


def test_a_folder_among_the_inputs_is_its_error_and_the_rest_are_scanned(tmp_path: Path) -> None:
    """A folder made the whole call a usage error: no JSON, though the README promises the others."""
    code, out, err = run("scan", "--json", "--scorer", "lexicon", str(EXAMPLE), str(tmp_path))
    doc = json.loads(out)
    assert code == 2 and len(doc["reports"]) == 1
    assert doc["errors"] == [{"path": str(tmp_path), "error": doc["errors"][0]["error"]}]
    assert "is a folder" in doc["errors"][0]["error"] and "forewarn batch" in err
    jsonschema.validate(doc, SCHEMA)


def test_stdin_over_max_size_does_not_claim_a_size() -> None:
    """stdin is read up to the limit, so the error said "file is 1,025 bytes" whatever the size."""
    result = CliRunner().invoke(
        main, ["scan", "--scorer", "lexicon", "-", "--max-size", "1KiB"], input="She ran. " * 2000
    )
    assert result.exit_code == 2 and "1,025" not in result.stderr
    assert result.stderr.strip() == (
        "forewarn: error: <stdin>: input is more than 1,024 bytes, the --max-size limit (stdin is read up to it)"
    )


def test_stdin_is_named_as_its_report_names_it(tmp_path: Path) -> None:
    """Regression: the report said "<stdin>" while the error line, the JSON's errors and the rule
    between inputs said "-"."""
    empty = CliRunner().invoke(main, ["scan", "--scorer", "lexicon", "-", "--json"], input="")
    assert empty.stderr.strip() == "forewarn: error: <stdin>: empty file: nothing to scan"
    assert json.loads(empty.stdout)["errors"][0]["path"] == "<stdin>"
    story = tmp_path / "story.txt"
    story.write_text("She walked home along the harbour wall.", encoding="utf-8")
    both = CliRunner().invoke(main, ["scan", "--scorer", "lexicon", "-", str(story)], input="He sang all the way home.")
    assert both.exit_code in (0, 1)
    rules = [line.strip("─ ") for line in both.stdout.splitlines() if line.startswith("─")]
    assert rules == ["<stdin>", str(story)]


def test_file_names_are_printed_as_text_not_markup_or_escapes(tmp_path: Path) -> None:
    """A name with '[/]' crashed the rule between inputs (rich MarkupError); a ZIP member's name
    with an escape sequence reached the terminal raw in batch's failure lines."""
    (tmp_path / "a[").mkdir()
    odd = tmp_path / "a[" / "]b.txt"
    odd.write_text("He stabbed the guard.\n", encoding="utf-8")
    plain = tmp_path / "[bold red]c.txt"
    plain.write_text("A calm afternoon.\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["scan", "--scorer", "lexicon", str(odd), str(plain)])
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert str(odd) in result.stdout and "[bold red]c.txt" in result.stdout
    archive = tmp_path / "w.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("\x1b]0;PWNED\x07.txt", b"\x00\x01\x02" * 100)
    result = CliRunner().invoke(main, ["batch", str(archive), "--db", str(tmp_path / "r.db"), "--workers", "1"])
    assert "failed: " in result.stderr and "\x1b" not in result.stderr and "\x07" not in result.stderr


def test_nan_is_not_a_probability(tmp_path: Path) -> None:
    """click's FloatRange(0, 1) accepts 'nan': --threshold nan was a traceback (exit 1, the
    'undeclared' code) and query --min-confidence nan silently matched no work."""
    result = CliRunner().invoke(main, ["scan", "--scorer", "lexicon", str(EXAMPLE), "--threshold", "nan"])
    assert result.exit_code == 2 and "nan is not a number from 0 to 1" in result.output
    result = CliRunner().invoke(main, ["query", "--db", str(tmp_path / "r.db"), "--min-confidence", "nan"])
    assert result.exit_code == 2 and "nan is not a number from 0 to 1" in result.output


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        # Regression: "forewarn: error: x.txt: file not found: x.txt", then "file not found: x.txt"
        # (the path after the reason, unlike every other read error), and in --json
        # {"path": "x.txt", "error": "file not found: x.txt"}.
        ("x.txt", "file not found"),
        ("empty.txt/x.txt", "Not a directory"),  # it was "cannot read PATH: Not a directory"
        ("empty.txt", "empty file: nothing to scan"),
    ],
)
def test_a_read_error_names_the_file_once_and_first(tmp_path: Path, name: str, reason: str) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    path = str(tmp_path / name)
    code, _, err = run("scan", "--scorer", "lexicon", path)
    assert code == 2 and err == f"forewarn: error: {path}: {reason}\n"
    code, out, _ = run("scan", "--scorer", "lexicon", "--json", path)
    assert code == 2 and json.loads(out)["errors"] == [{"path": path, "error": reason}]


def test_a_partly_read_epub_says_so_in_every_report(tmp_path: Path) -> None:
    """The spine names a chapter file the archive lacks (its name is untrusted text)."""
    from readers_fixtures import write_epub, xhtml

    docs = [("c1.xhtml", xhtml("<p>He punched the wall until his knuckles bled.</p>")), ("lost.xhtml", xhtml("x"))]
    whole = zipfile.ZipFile(write_epub(tmp_path / "whole.epub", docs))
    opf = whole.read("OEBPS/content.opf").decode().replace('href="lost.xhtml"', 'href="&lt;b&gt;lost.xhtml"')
    with zipfile.ZipFile(tmp_path / "part.epub", "w") as zf:
        for info in whole.infolist():
            if info.filename == "OEBPS/content.opf":
                zf.writestr(info, opf)
            elif info.filename != "OEBPS/lost.xhtml":
                zf.writestr(info, whole.read(info))
    path = str(tmp_path / "part.epub")
    code, out, _ = run("scan", path)
    assert code in (0, 1) and "Read in part: EPUB is damaged: OEBPS/<b>lost.xhtml (2nd of 2)" in " ".join(out.split())
    _, out, _ = run("scan", "--json", path)
    doc = json.loads(out)
    jsonschema.validate(doc, SCHEMA)
    (notice,) = doc["reports"][0]["work"]["notices"]
    assert "OEBPS/<b>lost.xhtml" in notice
    run("scan", "--html", str(tmp_path / "part.html"), path)
    page = (tmp_path / "part.html").read_text()
    assert "Read in part: EPUB is damaged: <bdi>OEBPS/&lt;b&gt;lost.xhtml</bdi> (2nd" in page and "<b>lost" not in page
    # The notice was a .notice, which the reading mode's stylesheet hides until a block is hidden.
    (cls,) = re.findall(r'<p class="([\w-]+)" role="alert">Read in part', page)
    assert not re.search(rf"\.{cls}\s*{{[^}}]*display:\s*none", page)


def test_the_summary_says_when_a_declaration_is_broader_or_milder_than_the_detection(tmp_path: Path) -> None:
    story = tmp_path / "pliers.txt"
    story.write_text(
        "Warnings: mentions of violence\n\n"
        "The interrogator pulled out another fingernail with the pliers while the prisoner screamed.\n",
        encoding="utf-8",
    )
    code, out, _ = run("scan", str(story))
    assert code == 1 and "Declared but not detected" not in out
    assert "Declared only as a broader warning: torture (as violence)" in " ".join(out.split())
    _, out, _ = run("scan", "--json", str(story))
    doc = json.loads(out)
    jsonschema.validate(doc, SCHEMA)
    assert doc["reports"][0]["comparison"]["declared_broader"] == {"torture": "violence"}


def test_json_timings_include_reading() -> None:
    """Regression: the CLI read the work itself and reported read_s 0.0, total_s without it."""
    _, out, _ = run("scan", "--json", str(EXAMPLE))
    timings = json.loads(out)["reports"][0]["timings"]
    assert timings["read_s"] > 0
    assert timings["total_s"] >= timings["read_s"] + timings["score_s"] - 0.001  # each rounded to 0.1 ms


def test_only_wholly_ignored_is_a_usage_error() -> None:
    """Regression: --only violence --ignore violence printed "no warnings", exit 0."""
    code, out, err = run("scan", str(EXAMPLE), "--only", "violence", "--ignore", "violence")
    assert code == 2 and "--only and --ignore leave no warning to look for" in err and not out


def test_an_empty_ignore_ignores_nothing_and_ignoring_everything_is_refused() -> None:
    """`--ignore ""` was a usage error while the Python API and HTTP ignore nothing; ignoring
    every warning would print a clean report."""
    from forewarn.taxonomy import load_taxonomy

    code, out, err = run("scan", str(EXAMPLE), "--json", "--ignore", "")
    assert code in (0, 1) and json.loads(out)["reports"][0]["warnings"], err
    every = ",".join(w.id for w in load_taxonomy().warnings)
    code, out, err = run("scan", str(EXAMPLE), "--ignore", every)
    assert code == 2 and "--ignore leaves no warning to look for" in err and not out
    code, out, err = run("scan", str(EXAMPLE), "--only", "")
    assert code == 2 and "--only needs at least one warning" in err


@pytest.mark.parametrize("as_json", [False, True])
def test_a_closed_stdout_keeps_the_html_report_and_exits_quietly(tmp_path: Path, as_json: bool) -> None:
    """Regression: `forewarn scan --html r.html story | head -3` lost r.html (written after the
    terminal report, which hit the broken pipe) and exited 1 silently, the "undeclared" code."""
    import os
    import subprocess
    import sys

    from forewarn.cli import EXIT_BROKEN_PIPE

    html = tmp_path / "r.html"
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before anything is written: every write is EPIPE
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    command = [sys.executable, "-m", "forewarn", "scan", "--scorer", "lexicon", "--html", str(html), str(EXAMPLE)]
    try:
        done = subprocess.run(
            command + (["--json"] if as_json else []), stdout=write_end, stderr=subprocess.PIPE, env=env, timeout=120
        )
    finally:
        os.close(write_end)
    assert done.returncode == EXIT_BROKEN_PIPE == 141
    assert done.stderr == b""  # quiet: no traceback, no "Exception ignored"
    assert html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["scan", "--help"], ["warnings"]])
def test_a_closed_stdout_is_141_for_the_top_level_help_and_version_too(args: list[str]) -> None:
    """Regression: `forewarn --help | true` and `forewarn --version | true` exited 1 (click's
    code for a broken pipe while parsing), though the README says any command exits 141."""
    import os
    import subprocess
    import sys

    from forewarn.cli import EXIT_BROKEN_PIPE

    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before anything is written: every write is EPIPE
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    try:
        done = subprocess.run(
            [sys.executable, "-m", "forewarn", *args], stdout=write_end, stderr=subprocess.PIPE, env=env, timeout=120
        )
    finally:
        os.close(write_end)
    assert done.returncode == EXIT_BROKEN_PIPE == 141
    assert done.stderr == b""


@pytest.mark.parametrize("as_json", [False, True])
def test_a_reader_that_leaves_mid_output_gets_141_and_no_traceback(tmp_path: Path, as_json: bool) -> None:
    """Regression: `forewarn scan story.txt --json | head -1` exited 1 ("undeclared"), the rest of
    the report lost in silence: the reader took the first bytes and closed the pipe while a long
    write was under way, and Python's text layer ignores a write that went out only in part.
    The reader here takes 64 bytes and leaves while forewarn is still writing (the output is far
    larger than the pipe holds); the scan ends with 141, as a program SIGPIPE ended, and nothing
    on stderr: no traceback, no "Exception ignored"."""
    import fcntl
    import os
    import subprocess
    import sys

    from forewarn.cli import EXIT_BROKEN_PIPE

    if as_json:  # one long work (about 240 KB of JSON: a row per passage)
        long = tmp_path / "long.txt"
        long.write_text("\n\n".join([EXAMPLE.read_text(encoding="utf-8")] * 100), encoding="utf-8")
        args = [str(long), "--json"]
    else:  # 60 works, each with its quoted evidence (about 130 KB)
        args = [str(EXAMPLE)] * 60 + ["--show-passages"]
    read_end, write_end = os.pipe()
    if hasattr(fcntl, "F_SETPIPE_SZ"):  # the smallest pipe, whatever the system's default
        fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, 4096)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    command = [sys.executable, "-m", "forewarn", "scan", "--scorer", "lexicon", *args]
    try:
        proc = subprocess.Popen(command, stdout=write_end, stderr=subprocess.PIPE, env=env)
    finally:
        os.close(write_end)
    with os.fdopen(read_end, "rb") as reader:
        first = reader.read(64)
    _, err = proc.communicate(timeout=120)
    assert len(first) == 64 and (first.startswith(b"{") or not as_json)
    assert err == b"", err.decode(errors="replace")  # quiet: no traceback, no "Exception ignored"
    assert proc.returncode == EXIT_BROKEN_PIPE == 141


def test_names_in_batch_and_query_lines_are_isolated_on_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: a right-to-left ZIP member name reordered the words after it in batch's
    "failed:" lines and query's lines (the HTML pages put it in <bdi>), and a U+202E in it turned
    the rest of the line around. On a terminal each name is isolated (U+2068 ... U+2069); into a
    pipe, names are left as they are for scripts, but without the override."""
    import forewarn.cli.common

    rtl = "\u05e4\u05e8\u05e7"  # "chapter" in Hebrew
    archive = tmp_path / "w.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr(f"{rtl}\u202e\x1b[31m.txt", b"\x00\x01\x02" * 100)  # fails: binary
        z.writestr(f"{rtl} 2.txt", "He stabbed the guard and blood pooled on the stones.\n")
    db = str(tmp_path / "r.db")
    monkeypatch.setattr(forewarn.cli.common, "is_terminal", lambda *, err=False: True, raising=False)
    result = CliRunner().invoke(main, ["batch", str(archive), "--db", db, "--workers", "1", "--scorer", "lexicon"])
    assert result.exit_code == 1
    (failed,) = [line for line in result.stderr.splitlines() if "failed: " in line]
    assert re.fullmatch(f"  failed: \u2068[^\u2068\u2069]*{rtl}\ufffd\ufffd\\[31m\\.txt\u2069: .+", failed), failed
    code, out, _ = run("query", "--db", db)
    assert code == 0 and re.fullmatch(f"\u2068[^\u2068\u2069]*{rtl} 2\\.txt\u2069  \\[suggested: .+", out.strip()), out
    code, out, _ = run("query", "--db", db, "--failed")
    assert code == 0 and re.fullmatch(f"\u2068[^\u2068\u2069]*{rtl}\ufffd\ufffd\\[31m\\.txt\u2069: .+", out.strip())
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "a.txt").write_text("He stabbed the guard.\n", encoding="utf-8")
    (folder / "b.\u202efdp").write_bytes(b"%PDF")  # ".pdf" shown backwards, and what followed it
    result = CliRunner().invoke(main, ["batch", str(folder), "--db", str(tmp_path / "f.db"), "--scorer", "lexicon"])
    assert "of other types: 1 \u2068.\ufffdfdp\u2069 file (forewarn reads" in result.stderr, result.stderr
    monkeypatch.undo()
    code, out, _ = run("query", "--db", db, "--failed")
    assert code == 0 and re.fullmatch(f"[^\u2068\u2069]*{rtl}\ufffd\ufffd\\[31m\\.txt: .+", out.strip()), out


def test_ctrl_c_during_a_scan_is_a_quiet_130_not_the_undeclared_exit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression: Ctrl-C during a long scan printed click's "Aborted!" and exited 1, which a
    script reads as "undeclared warnings found"."""
    import forewarn.pipeline

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(forewarn.pipeline, "scan_work", interrupted)
    result = CliRunner().invoke(main, ["scan", "--scorer", "lexicon", str(EXAMPLE)])
    assert result.exit_code == 130 and result.stdout == "" and result.stderr == ""
    assert "130 interrupted (Ctrl-C)" in CliRunner().invoke(main, ["--help"]).stdout  # documented with the rest
    # batch's 143 (SIGTERM), in the README and batch --help, was missing from the group's list
    assert "143 batch: stopped by SIGTERM" in " ".join(CliRunner().invoke(main, ["--help"]).stdout.split())


def test_scan_of_stdin_at_a_terminal_says_how_to_end_the_text(monkeypatch: pytest.MonkeyPatch) -> None:
    """`forewarn scan -` at a terminal waited in silence, its progress bar redrawn over the text
    being typed; it now says how to end the text first, and reads it before any bar."""
    import forewarn.cli.scan

    monkeypatch.setattr(forewarn.cli.scan, "_stdin_is_terminal", lambda: True, raising=False)
    result = CliRunner().invoke(main, ["scan", "--scorer", "lexicon", "-"], input="He stabbed the guard.\n")
    assert result.exit_code == 1 and result.stdout.startswith("<stdin>  ")
    assert result.stderr.startswith("forewarn: reading the work from the terminal: paste or type it, then press Ctrl-")


@pytest.mark.skipif(not hasattr(__import__("os"), "openpty"), reason="needs a pseudo-terminal")
def test_colour_only_on_a_terminal_and_never_with_no_color(tmp_path: Path) -> None:
    """Checked, not a fix: piped output has no escape sequences at all; on a terminal the report
    is coloured, and NO_COLOR (no-color.org) leaves it without colour (bold and dim stay)."""
    import os
    import subprocess
    import sys

    command = [sys.executable, "-m", "forewarn", "scan", "--scorer", "lexicon", str(EXAMPLE)]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent), "COLUMNS": "100"}
    env.pop("NO_COLOR", None)
    piped = subprocess.run(command, capture_output=True, env=env, timeout=120)
    assert piped.returncode == 1 and b"\x1b" not in piped.stdout + piped.stderr

    def on_a_terminal(extra: dict[str, str]) -> str:
        leader, follower = os.openpty()
        done = subprocess.run(command, stdout=follower, stderr=subprocess.DEVNULL, env={**env, **extra}, timeout=120)
        os.close(follower)
        out = b""
        try:
            while chunk := os.read(leader, 65536):
                out += chunk
        except OSError:  # the terminal's other end is closed
            pass
        os.close(leader)
        assert done.returncode == 1
        return out.decode()

    colour = re.compile(r"\x1b\[[0-9;]*(?:3[0-79]|9[0-7]|38;)[0-9;]*m")
    assert colour.search(on_a_terminal({"TERM": "xterm-256color"}))
    plain = on_a_terminal({"TERM": "xterm-256color", "NO_COLOR": "1"})
    assert "AO3 rating" in plain and not colour.search(plain)


@pytest.mark.skipif(not hasattr(__import__("os"), "openpty"), reason="needs a pseudo-terminal")
def test_a_real_ctrl_c_is_a_quiet_130() -> None:
    """SIGINT to a scan waiting for text typed at a terminal: 130 and nothing more on stderr
    (click printed "Aborted!" and exited 1)."""
    import os
    import signal
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    leader, follower = os.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "forewarn", "scan", "--scorer", "lexicon", "-"],
        stdin=follower,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # a background job's is ignored
    )
    try:
        assert proc.stderr is not None
        hint = proc.stderr.readline()  # reading the work from the terminal: the scan is waiting
        assert hint.startswith("forewarn: reading the work from the terminal"), hint
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
        os.close(follower)
        os.close(leader)
    assert proc.returncode == 130 and out == "" and err == "", (proc.returncode, err)


def test_a_misspelled_warning_gets_a_suggestion() -> None:
    """click suggests a misspelled option or command; a misspelled warning id or alias was only
    "unknown warning 'violnce'"."""
    code, _, err = run("scan", "--only", "violnce", str(EXAMPLE))
    assert code == 2 and "unknown warning 'violnce' (did you mean 'violence'? see `forewarn warnings`)" in err
    code, _, err = run("warnings", "selfharm", "gor")
    assert code == 2 and "unknown warning 'selfharm' (did you mean 'self-harm'?" in err
    assert "did you mean 'gore' (blood)?" in run("warnings", "gor")[2]  # an alias, with its warning
    assert "did you mean" not in run("warnings", "gremlins")[2]
