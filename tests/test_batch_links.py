"""Symbolic links in a collection: followed, each real file once, loops ended, broken ones reported."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from forewarn.batch import iter_sources, list_sources, run_batch
from forewarn.cli import main

PARA = "He stabbed the guard and blood pooled on the stones. They walked home by the harbour, talking of nothing."


def work(path: Path, title: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"Title: {title}\n\n{PARA} {title}.\n", encoding="utf-8")
    return path


def link(path: Path, to: str | Path) -> None:
    """``path`` -> ``to``; the test is skipped where symbolic links cannot be made (Windows without the right)."""
    try:
        os.symlink(to, path)
    except (OSError, NotImplementedError) as e:
        pytest.skip(f"no symbolic links here: {e}")


def names(target: Path | str) -> list[str]:
    return sorted(s.name for s in iter_sources(target))


def cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout


@pytest.fixture
def collection(tmp_path: Path) -> Path:
    """c/a/{one,two}.txt and c/b/three.txt, with c/again -> a (a folder of the collection) and
    c/b/same.txt -> ../a/one.txt (a file of it)."""
    c = tmp_path / "c"
    work(c / "a" / "one.txt", "One")
    work(c / "a" / "two.txt", "Two")
    work(c / "b" / "three.txt", "Three")
    link(c / "again", "a")
    link(c / "b" / "same.txt", Path("..") / "a" / "one.txt")
    return c


def test_a_linked_folder_or_file_of_the_collection_is_listed_once_by_its_real_path(collection: Path) -> None:
    """Regression: c/b/same.txt -> ../a/one.txt was listed beside one.txt, and the glob c/*/*.txt
    went through c/again -> a: each such file counted twice in the batch's progress and in stats."""
    real = [str(collection / p) for p in ("a/one.txt", "a/two.txt", "b/three.txt")]
    assert names(collection) == real
    assert names(f"{collection}/*/*.txt") == real
    assert names(f"{collection}/**/*.txt") == real
    assert names(f"{collection}/**") == real


def test_a_batch_over_linked_files_counts_each_file_once(collection: Path, tmp_path: Path) -> None:
    """The batch's totals and the database's files: three files, not five."""
    db = tmp_path / "r.db"
    totals: list[int] = []
    summary = run_batch(collection, db=db, workers=1, mode="lexicon", on_progress=lambda s, n: totals.append(n))
    assert (summary.scanned, summary.duplicates, summary.skipped, summary.failed) == (3, 0, 0, 0)
    assert set(totals) == {3}
    stats = json.loads(cli("stats", "--db", str(db), "--json")[1])
    assert (stats["works"], stats["files"]) == (3, 3)


def test_a_folder_linked_from_outside_is_followed(tmp_path: Path) -> None:
    """Regression: a collection made of links to folders elsewhere (c/more -> ../elsewhere) lost
    their works without a word; they are listed under the link, inside the collection."""
    c = tmp_path / "c"
    work(c / "here.txt", "Here")
    work(tmp_path / "elsewhere" / "there.txt", "There")
    work(tmp_path / "elsewhere" / "deeper" / "below.txt", "Below")
    link(c / "more", Path("..") / "elsewhere")
    link(c / "again", Path("..") / "elsewhere")  # the same folder twice: its files once, by the first link
    expected = [str(c / "here.txt"), str(c / "again" / "deeper" / "below.txt"), str(c / "again" / "there.txt")]
    assert names(c) == sorted(expected)
    assert names(f"{c}/**/*.txt") == sorted(expected)


def test_link_loops_end_and_list_each_file_once(collection: Path) -> None:
    """A folder linking to its parent or to itself, and a link out to the collection's parent,
    are walked once: no hang, no deeper copies of the same files."""
    link(collection / "a" / "up", "..")
    link(collection / "b" / "self", ".")
    link(collection / "a" / "out", Path("..") / "..")  # the folder holding the collection
    real = [str(collection / p) for p in ("a/one.txt", "a/two.txt", "b/three.txt")]
    assert names(collection) == real
    assert names(f"{collection}/**/*.txt") == real
    assert names(f"{collection}/**") == real


def test_a_broken_link_is_a_failed_file_with_its_reason(collection: Path, tmp_path: Path) -> None:
    """Regression: a link to a file since deleted (or a link to itself) was left out without a
    word, as if not there; now it fails with a reason and the rest of the collection is scanned."""
    link(collection / "b" / "gone.txt", "deleted.txt")
    link(collection / "b" / "loop.txt", "loop.txt")
    db = tmp_path / "r.db"
    assert len(list_sources(collection)) == 5
    summary = run_batch(collection, db=db, workers=1, mode="lexicon")
    assert (summary.scanned, summary.failed) == (3, 2)
    errors = dict(summary.errors)
    assert errors == {
        str(collection / "b" / "gone.txt"): "a broken symbolic link: deleted.txt is not there",
        str(collection / "b" / "loop.txt"): "a symbolic link that leads back to itself",
    }
    code, out = cli("query", "--db", str(db), "--failed", "--json")
    assert code == 0 and {r["path"]: r["error"] for r in json.loads(out)} == errors
    stats = json.loads(cli("stats", "--db", str(db), "--json")[1])
    assert (stats["works"], stats["files"], stats["errors"], stats["error_files"]) == (3, 3, 2, 2)


def test_a_link_path_stored_before_each_file_was_listed_once_leaves_the_database(
    collection: Path, tmp_path: Path
) -> None:
    """Regression: a database from before each file was listed once holds a file under a link
    path too (c/b/same.txt -> ../a/one.txt, c/again/two.txt). A re-run over the folder no longer
    lists them, and they exist, so they were never taken out: stats counted 5 files for 3. They
    leave the database, and the batch says so; a hidden file scanned on its own stays."""
    from forewarn.store import add_path, open_db

    db = tmp_path / "r.db"
    run_batch(collection, db=db, workers=1, mode="lexicon")
    work(collection / ".hidden.txt", "Hidden")
    run_batch(collection / ".hidden.txt", db=db, workers=1, mode="lexicon")
    conn = open_db(db)
    for real, old in (("a/one.txt", "b/same.txt"), ("a/two.txt", "again/two.txt")):
        row = conn.execute("SELECT content_hash, model_version FROM works WHERE path = ?", (str(collection / real),))
        content_hash, version = row.fetchone()
        add_path(conn, content_hash=content_hash, model_version=version, path=str(collection / old))
    conn.close()
    result = CliRunner().invoke(
        main, ["batch", str(collection), "--db", str(db), "--workers", "1", "--scorer", "lexicon", "--no-progress"]
    )
    assert result.exit_code == 0, result.output
    assert "2 link paths to files recorded under their own paths were removed from the database" in result.stderr
    assert "no longer there" not in result.stderr, result.stderr
    stats = json.loads(cli("stats", "--db", str(db), "--json")[1])
    assert (stats["works"], stats["files"]) == (4, 4)
    paths = {r["path"] for r in json.loads(cli("query", "--db", str(db), "--json")[1])}
    assert paths == {str(collection / p) for p in ("a/one.txt", "a/two.txt", "b/three.txt", ".hidden.txt")}
