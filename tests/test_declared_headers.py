"""Warnings headers as authors write them, read end to end: the reader finds the lines,
``declared`` maps them, ``compare`` says what is unmapped. Each header tops a calm story."""

from __future__ import annotations

import pytest

from forewarn.declared import DeclaredItem, compare, declared_from_metadata
from forewarn.readers import read_text
from forewarn.taxonomy import load_taxonomy

TAX = load_taxonomy()
CALM = (
    "Mara walked to the harbour in the early morning. The gulls were loud, and the boats rocked "
    "gently against the pier while the fishermen sorted their nets and argued about the weather.\n\n"
    "She bought bread from the baker and sat on the sea wall to eat it, watching the tide come in "
    "over the flat grey sand. Nothing much happened that day, and she was glad of it.\n"
)


def declared(header: str) -> list[DeclaredItem]:
    """What ``header`` atop a calm story declares."""
    return declared_from_metadata(read_text(f"{header}\n\n{CALM}").metadata, taxonomy=TAX)


def ids(header: str) -> list[str | None]:
    return [d.warning_id for d in declared(header)]


def unmapped(header: str) -> list[str]:
    return compare(declared(header), [], taxonomy=TAX).unmapped


@pytest.mark.parametrize(
    "header",
    [
        "Warnings:\nviolence\nblood\nmajor character death",
        "Warnings:\n1. violence\n2. blood\n3. major character death",
        "Warnings:\n1) violence\n2) blood\n3) major character death",
        "Warnings:\n\U0001f52a violence\n\U0001fa78 blood\n\U0001f480 major character death",
        "TW:\n\u2728 violence\n\u2728 blood\n\u2728 major character death",
        "Content notes:\n- violence\n- blood\n- major character death",
    ],
)
def test_a_list_under_a_bare_header_is_read_whole(header: str) -> None:
    """Regression: only the first line of a list of plain, numbered or emoji-bulleted lines
    was declared ("1. violence" unmapped at that), and the rest were scored as story: the
    author's own "major character death" line was an undeclared death."""
    from forewarn.pipeline import scan
    from forewarn.score.cascade import CascadeScorer

    assert ids(header) == ["violence", "blood", "death"]
    report = scan(f"{header}\n\n{CALM}", format="text", scorer=CascadeScorer())
    assert report.warnings == []


@pytest.mark.parametrize(
    "text",
    [
        "Warnings:\nviolence\nShe ran down to the harbour before anyone could stop her.\n\n" + CALM,
        "Warnings:\nviolence\n\nblood\n\n" + CALM,
        "Warnings:\nviolence\nThe sea was loud.\n" + CALM,
    ],
)
def test_a_bare_header_list_ends_at_a_sentence_or_a_blank_line(text: str) -> None:
    """Only short lines that are no sentence join the list: the story after it is story."""
    assert read_text(text).metadata.declaration_lines == ["Warnings: violence"]


@pytest.mark.parametrize(
    "header",
    [
        "Triggers: self-harm, suicide",
        "Trigger: self-harm, suicide",
        "Heads up: self-harm, suicide",
        "Heads-up - self-harm, suicide",
        "A/N: Triggers: self-harm, suicide",
        "---\ntitle: Salt\ntriggers: [self-harm, suicide]\n---",
    ],
)
def test_triggers_and_heads_up_headers_are_declarations(header: str) -> None:
    """Regression: "Triggers:" and "Heads up:" headers declared nothing."""
    assert ids(header) == ["self-harm", "suicide"]


def test_a_heads_up_in_the_story_is_dialogue() -> None:
    """In the story only a list of known warnings is a declaration, for the new words too."""
    text = f"{CALM}\nHeads up: the guards are coming, she said.\n\nTriggers: none of them fired.\n\n{CALM}"
    assert read_text(text).metadata.declaration_lines == []


@pytest.mark.parametrize(
    "header",
    [
        "Warnings: Author chose not to use archive warnings",
        "Warnings: Creator chose not to warn",
        "Warnings: chose not to warn.",
        "Archive Warnings: Author Chose Not To Use Archive Warnings",
        "TW: I chose not to use archive warnings",
    ],
)
def test_the_choice_not_to_warn_in_an_authors_words_is_known(header: str) -> None:
    """Regression: only AO3's exact wording counted; these were unmapped warnings, and the
    reports did not say the author chose not to warn."""
    items = declared(header)
    comp = compare(items, ["violence"], taxonomy=TAX)
    assert [d.warning_id for d in items] == [None]
    assert comp.chose_not_to_warn and comp.unmapped == []


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Rating: M for language and violence", ["strong-language", "violence"]),
        ("Rating: T (for swearing)", ["strong-language"]),
        ("Rating: Mature due to blood, gore and mentions of suicide", ["blood", "blood", "suicide"]),
        ("Rating: M for a reason", []),  # names no warning: nothing, and nothing unmapped
        ("Rating: M", []),
    ],
)
def test_the_reason_for_a_rating_declares_what_it_names(header: str, expected: list[str]) -> None:
    """Regression: "Rating: M for language and violence" declared nothing, so the author's own
    reason came back as undeclared strong language and violence."""
    assert ids(header) == expected
    assert unmapped(header) == []


@pytest.mark.parametrize(
    ("text", "rating"),
    [
        ("M for language and violence", "Mature"),
        ("T due to swearing", "Teen And Up Audiences"),
        ("Explicit because of later chapters", "Explicit"),
        ("Rated T for language", "Teen And Up Audiences"),
    ],
)
def test_a_rating_with_its_reason_is_still_that_rating(text: str, rating: str) -> None:
    """Regression: these named no rating, so `forewarn query --rating-mismatch` skipped them."""
    from forewarn.rating import declared_rating

    assert declared_rating(text) == rating


@pytest.mark.parametrize(
    ("header", "qualifier"),
    [
        ("TW: self harm mentions", "mentioned"),
        ("TW: blood mention", "mentioned"),  # an alias of its own
        ("TW: suicide references", "mentioned"),
        ("TW: self-harm mentioned", "mentioned"),
        ("TW: violence implied", "implied"),
        ("TW: unalive mention", "mentioned"),
        ("TW: self harm mentions (very graphic)", "graphic"),  # the note says more
    ],
)
def test_a_mention_after_the_warning_qualifies_it(header: str, qualifier: str) -> None:
    """Regression: "mentions of self-harm" was a mention but "self harm mentions" was declared
    plainly, so a self-harm scene on the page was not named as milder than declared."""
    (item,) = declared(header)
    assert item.warning_id is not None and item.qualifier == qualifier
    if qualifier != "graphic":
        comp = compare([item], [item.warning_id], taxonomy=TAX, severities={item.warning_id: "depicted"})
        assert comp.milder_than_detected == {item.warning_id: qualifier}


@pytest.mark.parametrize(
    "header",
    [
        "Warnings: nothing sexual",
        "Warnings: not a death fic!",
        "Warnings: no rape, nothing sexual, not a death story",
        "Warnings: none really",
        "TW: nothing major",
        "Warnings: None! Just fluff!",
        "Warnings: nothing graphic",
    ],
)
def test_saying_a_warning_or_any_is_absent_declares_nothing_and_is_no_unmapped_phrase(header: str) -> None:
    """Regression: these declared nothing, as they should, but showed as warnings 'not in the
    taxonomy'."""
    assert set(ids(header)) == {None}
    assert unmapped(header) == []


@pytest.mark.parametrize(
    "header",
    [
        "Warnings: violence, though nothing graphic",
        "Warnings: violence, but no graphic descriptions",
        "Warnings: violence (no graphic details)",
    ],
)
def test_a_not_graphic_note_in_other_words_stays_on_its_item(header: str) -> None:
    """Regression: "though nothing graphic" and "no graphic descriptions" were unmapped items."""
    assert [(d.warning_id, d.qualifier) for d in declared(header)] == [("violence", None)]
    assert unmapped(header) == []


def test_no_graphic_violence_does_not_declare_violence() -> None:
    """The author says violence is not graphic, not that it is there: nothing is declared, and
    a detected violence stays undeclared for the author to check (README)."""
    comp = compare(declared("Warnings: implied/referenced rape, no graphic violence"), ["violence"], taxonomy=TAX)
    assert comp.missing == [] and comp.covered_by == {"violence": "sexual-assault"}  # rape covers violence
    comp = compare(declared("Warnings: no graphic violence"), ["violence"], taxonomy=TAX)
    assert comp.missing == ["violence"] and comp.unmapped == []


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("TW: child abuse & neglect", [("child-abuse", None)]),
        ("TW: neglect", [("child-abuse", None)]),
        ("Warnings: sexual references", [("sexual-content", "mentioned")]),
        ("Warnings: death fic", [("death", None)]),
    ],
)
def test_more_common_header_words_map(header: str, expected: list[tuple[str, str | None]]) -> None:
    """Regression: "neglect", "sexual references" and "death fic" were unmapped."""
    assert [(d.warning_id, d.qualifier) for d in declared(header)][: len(expected)] == expected
    assert unmapped(header) == []


@pytest.mark.parametrize(
    "header",
    [
        "Warnings:\n\nviolence, blood, major character death",
        "Warnings:\n\n- violence\n- blood\n- major character death",
        "Title: Salt\nWarnings: violence,\nblood, major character death",
        "TW: violence, blood,\nmajor character death",
    ],
)
def test_a_list_after_a_blank_line_or_wrapped_onto_the_next_is_read(header: str) -> None:
    """Regression: "Warnings:" over a blank line declared nothing, and a list wrapped after a
    comma declared its first line only; the rest was scored as story."""
    from forewarn.pipeline import scan
    from forewarn.score.cascade import CascadeScorer

    assert ids(header) == ["violence", "blood", "death"]
    assert scan(f"{header}\n\n{CALM}", format="text", scorer=CascadeScorer()).warnings == []


def test_a_blank_line_after_a_bare_header_does_not_take_the_story() -> None:
    text = "Warnings:\n\nShe ran down to the harbour before anyone could stop her, and the rain came.\n\n" + CALM
    assert read_text(text).metadata.declaration_lines == ["Warnings:"]
    text = f'{CALM}\nWarning: the stove is hot,\n"she said," and laughed.\n\n{CALM}'
    assert read_text(text).metadata.declaration_lines == []


@pytest.mark.parametrize(
    "header",
    [
        "Warnings \u26a0\ufe0f: violence, blood",
        "~ TW: violence, blood ~",
        "[Warnings: violence, blood]",
        "(TW: violence, blood.)",
    ],
)
def test_decorated_and_bracketed_headers(header: str) -> None:
    """Regression: an emoji after the word or a "~" before it hid the header; a header in
    brackets declared "blood]" (shown so)."""
    assert [(d.raw, d.warning_id) for d in declared(header)] == [("violence", "violence"), ("blood", "blood")]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        # "unalive" alone is a death (killing or suicide: a death either way); of oneself, or as
        # thoughts or an attempt, it is suicide.
        ("TW: unalive thoughts", "suicide"),
        ("TW: unaliving himself", "suicide"),
        ("TW: unalive attempt", "suicide"),
        ("TW: sewerslide", "suicide"),
        ("TW: unalive", "death"),
        ("TW: r@pe", "sexual-assault"),
        ("TW: s3x", "sexual-content"),
        ("TW: k!lling", "death"),
    ],
)
def test_more_censored_spellings_map(header: str, expected: str) -> None:
    """Regression: these censored spellings were unmapped ("unalive thoughts" is suicidal
    thoughts, not a death)."""
    assert ids(header) == [expected]


@pytest.mark.parametrize(
    "header",
    ["Warnings: see tags", "Warnings: Please read the tags!", "CW: see end notes for warnings", "TW: check the notes"],
)
def test_a_pointer_to_the_tags_or_notes_is_no_unmapped_warning(header: str) -> None:
    """Regression: "see tags" was shown as a declared warning not in the taxonomy."""
    assert ids(header) == [None] and unmapped(header) == []


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("TW: self harm. Please be careful.", ["self-harm", None]),
        ("Warnings: Major character death. Sorry!", ["death", None]),
        ("TW: blood, gore. Stay safe!", ["blood", "blood", None]),
        ("TW: suicide. Mentions of self-harm.", ["suicide", "self-harm"]),
        ("Warnings: None. Pure fluff.", [None, None]),
    ],
)
def test_a_sentence_end_inside_a_warnings_line_ends_an_item(header: str, expected: list[str | None]) -> None:
    """Regression: "self harm. Please be careful" was one unmapped item, so the self-harm the
    author warned of was not declared."""
    assert ids(header) == expected
    assert unmapped(header) == []


@pytest.mark.parametrize(
    "opening",
    [
        "Warning: thin ice. Mara read the sign twice, stepped onto the lake anyway, and the man behind her "
        "stabbed her in the back; blood pooled on the ice.",
        "Heads up - the guard said. Then he stabbed her twice and blood pooled on the stones.",
    ],
)
def test_a_story_that_opens_like_a_header_is_story(opening: str) -> None:
    """Regression: a first line of story starting "Warning:" was read as the work's declaration:
    its clauses were declared warnings "not in the taxonomy", and the stabbing in it was kept
    out of scoring, so the work came out clean."""
    from forewarn.pipeline import scan
    from forewarn.score.cascade import CascadeScorer

    report = scan(f"{opening}\n\n{CALM}", format="text", scorer=CascadeScorer())
    assert report.declared == []
    assert {"violence", "blood"} & {w.id for w in report.warnings}


@pytest.mark.parametrize(
    "header",
    ["Warning: this one gets dark. There is blood.", "A/N: Warnings: violence. Lots of it.", "TW: None. Pure fluff."],
)
def test_a_warnings_line_of_sentences_that_names_a_warning_is_still_read(header: str) -> None:
    assert read_text(f"{header}\n\n{CALM}").metadata.declaration_lines == [header]


@pytest.mark.parametrize(
    ("header", "rating", "expected"),
    [
        ("Rated T for language.", "T for language", ["strong-language"]),
        ("Title: Salt\nRated M for violence and mentions of suicide", "M for violence and mentions of suicide",
         ["violence", "suicide"]),
        ("**Rated M**", "M", []),
    ],
)  # fmt: skip
def test_a_rated_line_is_the_rating_and_its_reason(header: str, rating: str, expected: list[str]) -> None:
    """Regression: "Rated T for language." (FanFiction.Net's way) was story: no rating, nothing
    declared, and its words scored."""
    meta = read_text(f"{header}\n\n{CALM}").metadata
    assert meta.rating == rating and ids(header) == expected


def test_rated_in_the_story_is_prose() -> None:
    text = f"Rated by critics as the best bakery in town, the shop was always full.\n\n{CALM}"
    assert read_text(text).metadata.rating is None
    assert read_text(f"{CALM}\nRated M for mature, he joked.\n\n{CALM}").metadata.rating is None


def test_warnings_listed_in_the_note_of_an_unmapped_item_are_declared() -> None:
    """Regression: "the usual (swearing, canon-typical violence)" was one unmapped item."""
    header = "Warnings: the usual (swearing, canon-typical violence)"
    assert ids(header) == ["strong-language", "violence"] and unmapped(header) == []
    assert ids("Warnings: hurt/comfort (lots of it, and fluff)") == [None]  # not every part maps


@pytest.mark.parametrize(
    "opening",
    [
        "Warning - he's got a gun, she shouted.",
        "Warning: the bridge is out, Mara yelled across the square.",
        "Heads up - they're coming, said Tom.",
    ],
)
def test_a_first_line_of_dialogue_is_story(opening: str) -> None:
    """Regression: a one-sentence first line that starts like a header but ends in a dialogue
    tag (", she shouted.") was the work's declaration: "he's got a gun" and "she shouted"
    were declared warnings not in the taxonomy, and the line was kept out of scoring."""
    work = read_text(f"{opening}\n\n{CALM}")
    assert work.metadata.declaration_lines == [] and work.meta_spans == []


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Warning - graphic violence", ["violence"]),
        ("Warning: major character death", ["death"]),
        ("Warning - graphic violence, blood.", ["violence", "blood"]),
    ],
)
def test_a_first_line_that_names_warnings_stays_a_declaration(header: str, expected: list[str]) -> None:
    assert ids(header) == expected


@pytest.mark.parametrize(
    "line",
    [
        "Author chose not to use archive warnings",
        "Author chose not to use archive warnings.",
        "Creator Chose Not To Use Archive Warnings",
        "**Author chose not to use archive warnings**",
        "- creator chose not to warn",
    ],
)
def test_the_choice_not_to_warn_on_a_line_of_its_own_is_declared(line: str) -> None:
    """Regression: without an "Archive Warning:" label in front, the line was a title or the
    story's first sentence: nothing declared, and the reports did not say the author chose
    not to warn."""
    text = f"Title: Salt\n{line}\n\n{CALM}"
    comp = compare(declared(f"Title: Salt\n{line}"), ["violence"], taxonomy=TAX)
    assert comp.chose_not_to_warn and comp.unmapped == []
    assert any(text[s.start : s.end].strip() == line for s in read_text(text).meta_spans)


def test_no_archive_warnings_apply_on_a_line_of_its_own_is_declared() -> None:
    comp = compare(declared("Rating: T\nNo Archive Warnings Apply"), [], taxonomy=TAX)
    assert comp.no_archive_warnings and not comp.chose_not_to_warn


def test_the_choice_not_to_warn_in_the_story_is_prose() -> None:
    """Only in the preface and end notes: "I chose not to warn him." in chapter 1 is story."""
    text = f"{CALM}\nI chose not to warn him.\n\n{CALM}"
    assert read_text(text).metadata.archive_warnings == []
    assert read_text(f"I chose not to warn him.\n\n{CALM}").metadata.archive_warnings == []


def test_the_choice_not_to_warn_in_notes_is_declared() -> None:
    """A summary's or notes' line of its own, as the AO3 and EPUB readers read them."""
    from forewarn.readers.text import scan_notes
    from forewarn.work import Metadata

    meta = Metadata()
    scan_notes("Thanks for reading!\nAuthor chose not to use archive warnings.", meta)
    assert meta.archive_warnings == ["Author chose not to use archive warnings"]
