"""Declared warnings: free-form lines, AO3 archive warnings and tags -> taxonomy ids."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from forewarn.declared import MAX_ITEM_WORDS, compare, declared_from_metadata, is_warning_list, parse_declaration
from forewarn.readers import read, read_text
from forewarn.taxonomy import load_taxonomy
from forewarn.work import Metadata

TAX = load_taxonomy()


def ids(text: str) -> list[str | None]:
    return [d.warning_id for d in parse_declaration(text, taxonomy=TAX)]


def test_sample_style_header_maps_every_item() -> None:
    items = parse_declaration(
        "Warnings: This fic will contain: Violence, torture, strong language, blood play and strong sexual themes.",
        taxonomy=TAX,
    )
    assert [d.warning_id for d in items] == ["violence", "torture", "strong-language", "blood", "sexual-content"]
    assert [d.raw for d in items][3] == "blood play"


def test_tw_lines_and_qualifiers() -> None:
    assert ids("TW: self harm, suicidal ideation") == ["self-harm", "suicide"]
    items = parse_declaration("CW - mentions of past child abuse; implied rape/non-con, graphic gore", taxonomy=TAX)
    assert [(d.warning_id, d.qualifier) for d in items] == [
        ("child-abuse", "mentioned"),
        ("sexual-assault", "implied"),
        ("blood", "graphic"),
    ]
    assert parse_declaration("Trigger warnings: eating disorder (mentioned)", taxonomy=TAX)[0].qualifier == "mentioned"


def test_unmapped_items_are_kept() -> None:
    items = parse_declaration("Warnings: fluff, hurt/comfort, canon-typical violence", taxonomy=TAX)
    assert [(d.raw, d.warning_id) for d in items] == [
        ("fluff", None),
        ("hurt/comfort", None),
        ("canon-typical violence", "violence"),
    ]


def test_metadata_sources() -> None:
    meta = Metadata(
        declaration_lines=["TW: alcohol"],
        archive_warnings=["Graphic Depictions Of Violence", "Major Character Death"],
        freeform_tags=["Angst", "Self-Harm", "Slow Burn"],
    )
    items = declared_from_metadata(meta, taxonomy=TAX)
    assert [(d.warning_id, d.source) for d in items] == [
        ("drug-use", "header"),
        ("violence", "ao3-archive-warning"),
        ("death", "ao3-archive-warning"),
        ("self-harm", "ao3-tag"),
    ]


def test_compare_missing_extra_and_special_archive_warnings() -> None:
    meta = Metadata(
        declaration_lines=["Warnings: violence, torture, gremlins"],
        archive_warnings=["Creator Chose Not To Use Archive Warnings"],
    )
    declared = declared_from_metadata(meta, taxonomy=TAX)
    comp = compare(declared, ["violence", "blood", "captivity"], taxonomy=TAX)
    assert comp.matching == ["violence"]
    assert comp.missing == ["blood", "captivity"]
    assert comp.extra == ["torture"]
    assert comp.unmapped == ["gremlins"]
    assert comp.chose_not_to_warn and not comp.no_archive_warnings


def test_narrower_declaration_covers_broader_detection() -> None:
    declared = parse_declaration("TW: torture", taxonomy=TAX)
    comp = compare(declared, ["violence"], taxonomy=TAX)
    assert comp.matching == ["violence"] and comp.missing == []
    comp = compare(parse_declaration("TW: violence", taxonomy=TAX), ["torture"], taxonomy=TAX)
    assert comp.missing == ["torture"]


def test_a_broader_declaration_is_borne_out_by_a_narrower_detection_but_does_not_cover_it() -> None:
    """Regression: declared violence, detected torture said "declared but not detected: violence"."""
    comp = compare(parse_declaration("TW: violence", taxonomy=TAX), ["torture"], taxonomy=TAX)
    assert comp.missing == ["torture"] and comp.extra == [] and comp.declared_broader == {"torture": "violence"}
    comp = compare(parse_declaration("TW: violence, blood", taxonomy=TAX), ["torture"], taxonomy=TAX)
    assert comp.extra == ["blood"]
    comp = compare(parse_declaration("TW: torture", taxonomy=TAX), ["torture"], taxonomy=TAX)
    assert comp.declared_broader == {}


@pytest.mark.parametrize(
    ("line", "severity", "milder"),
    [
        ("Warnings: mentions of violence", "depicted", {"violence": "mentioned"}),
        ("Warnings: implied violence", "graphic", {"violence": "implied"}),
        ("Warnings: mentions of violence", "mentioned", {}),
        ("Warnings: mentions of violence", "implied", {}),
        ("Warnings: violence, mentions of violence", "graphic", {}),  # also declared plainly
        ("Warnings: violence", "graphic", {}),
    ],
)
def test_a_declaration_milder_than_the_detection_is_named(line: str, severity: str, milder: dict[str, str]) -> None:
    declared = parse_declaration(line, taxonomy=TAX)
    comp = compare(declared, ["violence"], taxonomy=TAX, severities={"violence": severity})
    assert comp.milder_than_detected == milder and comp.matching == ["violence"]


def test_a_declaration_of_none_is_not_an_unmapped_warning() -> None:
    for line in ("TW: none", "Warnings: None.", "CW: n/a", "TW: none apply", "Warnings: no content warnings"):
        items = parse_declaration(line, taxonomy=TAX)
        assert [d.warning_id for d in items] == [None]
        assert compare(items, ["violence"], taxonomy=TAX).unmapped == []
    assert compare(parse_declaration("TW: nonsense", taxonomy=TAX), [], taxonomy=TAX).unmapped == ["nonsense"]
    # With a remark: "none (just fluff)" and "pure fluff" were unmapped warnings.
    for line in ("TW: none (just fluff)", "Warnings: None - pure fluff", "TW: None. Pure fluff.", "TW: nada"):
        items = parse_declaration(line, taxonomy=TAX)
        assert all(d.warning_id is None for d in items), line
        assert compare(items, ["violence"], taxonomy=TAX).unmapped == [], line
    # Other ways of saying so, from the author review: each was shown as an unmapped warning.
    for line in (
        "Warnings: zero",
        "TW: zilch",
        "CW: nope",
        "Warnings: none necessary",
        "Warnings: no warnings necessary",
        "Warnings: nothing to warn for",
        "Warnings: nothing to warn about",
        "TW: none that I know of",
        "TW: none that I can think of",
        "Warnings: it's all fluff",
        "Warnings: it\u2019s just fluff",
    ):
        items = parse_declaration(line, taxonomy=TAX)
        assert [d.warning_id for d in items] == [None], line
        assert compare(items, ["violence"], taxonomy=TAX).unmapped == [], line
    assert [d.warning_id for d in parse_declaration("TW: violence, fluff", taxonomy=TAX)] == ["violence", None]
    assert compare(parse_declaration("TW: nonexistent (fluff)", taxonomy=TAX), [], taxonomy=TAX).unmapped


def test_dialogue_in_the_story_is_not_a_declaration() -> None:
    """Regression: "Warning: the stove is hot, she said." in the story body was read as a declaration."""
    text = (
        "The Storm\n\nby wren\n\nTW: drowning, CSA\n\n"
        "She came in from the rain and shook her coat out by the door, as she always did.\n\n"
        "Warning: the stove is hot, she said.\n\nHe laughed.\n\nTW: blood, SA\n\n"
        "The end came late.\n\nA/N: CW - mentions of suicide"
    )
    lines = read_text(text).metadata.declaration_lines
    # Preface and end notes count; in between only a clear list of known warnings does.
    assert lines == ["TW: drowning, CSA", "TW: blood, SA", "A/N: CW - mentions of suicide"]
    assert not is_warning_list("Warning: the stove is hot, she said.")
    assert not is_warning_list("Warning: death awaits.")  # head-word matches do not count here
    assert is_warning_list("CW: noncon, gore, fluff")


def test_sample_declaration_is_still_found(sample_path: Path) -> None:
    assert read(sample_path).metadata.declaration_lines[0].startswith("Warnings: This fic will contain:")


def test_common_abbreviations_and_tags_map() -> None:
    assert ids("TW: SA, CSA, MCD, noncon, dub-con, suicidal ideation, gore, character death") == [
        "sexual-assault",
        *("child-abuse", "sexual-assault", "underage"),  # CSA: see test_child_sexual_abuse_declares_...
        "death",
        "sexual-assault",
        "sexual-assault",
        "suicide",
        "blood",
        "death",
    ]


def test_ao3_archive_values_in_a_declaration_are_known_not_unmapped() -> None:
    for value, flag in (
        ("Creator Chose Not To Use Archive Warnings", "chose_not_to_warn"),
        ("No Archive Warnings Apply", "no_archive_warnings"),
    ):
        items = parse_declaration(f"Archive Warnings: {value}", taxonomy=TAX)
        assert [d.warning_id for d in items] == [None]
        comp = compare(items, ["violence"], taxonomy=TAX)
        assert comp.unmapped == [] and getattr(comp, flag)


def _tag(tag: str) -> tuple[str | None, str | None] | None:
    """What one AO3 freeform tag declares: (warning id, qualifier), or None when it is dropped."""
    items = declared_from_metadata(Metadata(freeform_tags=[tag]), taxonomy=TAX)
    return (items[0].warning_id, items[0].qualifier) if items else None


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        # Regression: AO3's slash form never matched "implied\s+", so these declared nothing.
        ("Implied/Referenced Suicide", ("suicide", "implied")),
        ("Implied/Referenced Self-Harm", ("self-harm", "implied")),
        ("Implied/Referenced Character Death", ("death", "implied")),
        ("Implied/Referenced Rape/Non-con", ("sexual-assault", "implied")),
        ("Implied/Referenced Child Abuse", ("child-abuse", "implied")),
        ("Implied/Referenced Underage Sex", ("underage", "implied")),
        ("Implied/Referenced Past Self-Harm", ("self-harm", "implied")),
        ("Period-Typical Homophobia", ("homophobia", None)),
        ("Period-Typical Racism", ("racism", None)),
        ("Temporary Character Death", ("death", None)),
        ("Referenced Suicide", ("suicide", "mentioned")),
        ("Mentions of Self-Harm", ("self-harm", "mentioned")),
        ("Past Child Abuse", ("child-abuse", "mentioned")),
        ("Graphic Depictions Of Violence", ("violence", "graphic")),
        ("Major Character Death", ("death", None)),
        ("Rape/Non-Con", ("sexual-assault", None)),
        ("Underage", ("underage", None)),
        ("Non-Consensual", ("sexual-assault", None)),
        ("Dubious Consent", ("sexual-assault", None)),
        ("Suicidal Thoughts", ("suicide", None)),
        ("Blood and Gore", ("blood", None)),
        ("Blood and Injury", ("blood", None)),
        ("Domestic Violence", ("abuse", None)),
        ("Drug Addiction", ("drug-use", None)),
        ("Alcohol", ("drug-use", None)),
        ("Eating Disorders", ("eating-disorders", None)),
        ("Psychological Torture", ("torture", None)),
        ("Kidnapping", ("kidnapping", None)),
        ("Homophobic Language", ("homophobia", None)),
        ("Misogyny", ("misogyny", None)),
        ("Ableism", ("ableism", None)),
        ("Transphobia", ("transphobia", None)),
        ("Miscarriage", ("miscarriage", None)),
        ("Abortion", ("abortion", None)),
        ("Animal Death", ("animal-death", None)),
        ("Rape Recovery", ("sexual-assault", None)),
    ],
)
def test_common_ao3_warning_tags_map(tag: str, expected: tuple[str, str | None]) -> None:
    assert _tag(tag) == expected


@pytest.mark.parametrize(
    "tag",
    [
        "Fluff",
        "Hurt/Comfort",
        "Implied/Referenced Cheating",
        "Period-Typical Attitudes",
        # Regression: these mapped by their first word (strong language, death, blood, ...).
        "Language Barrier",
        "Death Eaters",
        "Blood Magic",
        "Birth Control",
        "Cutting Edge",
        "Suicide Squad",
        "Chains of Command",
    ],
)
def test_tags_that_are_not_warnings_declare_nothing(tag: str) -> None:
    assert _tag(tag) is None


@pytest.mark.parametrize(
    "line,warning,qualifier",
    [
        ("Warnings: brief mention of self-harm", "self-harm", "mentioned"),
        ("TW: minor references to suicide", "suicide", "mentioned"),
        ("CW: slight hints of abuse", "abuse", "implied"),
        # Regression: words saying how much were unmapped items; like "some" or "mild" they
        # give no qualifier (a bit of blood may still be on the page).
        ("TW: a bit of blood", "blood", None),
        ("TW: just some swearing", "strong-language", None),
        ("TW: a little violence", "violence", None),
        ("TW: a few deaths", "death", None),
        ("TW: only a little bit of gore", "blood", None),
        ("TW: just a brief mention of self-harm", "self-harm", "mentioned"),
    ],
)
def test_filler_before_an_item_or_its_qualifier_still_maps(line: str, warning: str, qualifier: str | None) -> None:
    """'brief mention of self-harm' was unmapped, so a declared self-harm showed as missing."""
    (item,) = parse_declaration(line, taxonomy=load_taxonomy())
    assert (item.warning_id, item.qualifier) == (warning, qualifier)


@pytest.mark.parametrize(
    "line,warning,qualifier",
    [
        ("Warnings: strong sexual themes", "sexual-content", "depicted"),
        ("TW: heavy violence", "violence", "depicted"),
        ("CW: intense gore", "blood", "depicted"),
        # "strong" is part of the warning's own name here, not how much of it there is.
        ("Warnings: strong language", "strong-language", None),
        ("TW: some strong language", "strong-language", None),
    ],
)
def test_strong_heavy_or_intense_content_is_declared_as_on_the_page(line: str, warning: str, qualifier: str) -> None:
    """Regression: "strong sexual themes" was read as a mere mention, so the sample chapter that
    declares it was suggested Teen And Up; strong or heavy content is on the page (depicted)."""
    (item,) = parse_declaration(line, taxonomy=load_taxonomy())
    assert (item.warning_id, item.qualifier) == (warning, qualifier)


def test_a_match_through_a_narrower_declared_warning_says_so() -> None:
    """Declared 'Past Rape/Non-con' covered a detected bar fight's violence as plain 'declared'."""
    tax = load_taxonomy()
    declared = parse_declaration("Warnings: past rape, character death", taxonomy=tax)
    result = compare(declared, ["violence", "death", "sexual-assault"], taxonomy=tax)
    assert set(result.matching) == {"violence", "death", "sexual-assault"}
    assert result.covered_by == {"violence": "sexual-assault"}


def test_long_declarations_parse_in_linear_time() -> None:
    """Every prefix of a long item was looked up, and the separators' surrounding spaces were
    matched at every space: 80 KB of 'mentions of implied' took 35 s, 10,000 spaces 6 s."""
    start = time.perf_counter()
    (long_item,) = parse_declaration("TW: " + "mentions of implied " * 2000 + "(mentioned)", taxonomy=TAX)
    spaced = parse_declaration("TW: violence" + " " * 10000 + "(mentioned), blood", taxonomy=TAX)
    assert time.perf_counter() - start < 2
    assert long_item.warning_id is None and long_item.raw.count("implied") == 2000  # kept whole, unmapped
    assert [(d.warning_id, d.qualifier) for d in spaced] == [("violence", "mentioned"), ("blood", None)]


def test_an_alias_after_many_qualifiers_still_maps() -> None:
    """The words read per item are capped; a qualified alias is far within the cap."""
    assert all(len(key.split()) <= MAX_ITEM_WORDS // 4 for key in TAX._index)  # type: ignore[attr-defined]
    (item,) = parse_declaration("TW: brief mentions of past graphic depiction of violence scenes", taxonomy=TAX)
    assert (item.warning_id, item.qualifier) == ("violence", "mentioned")


# A story that mentions no warning, for checking that a header's words are not scored as story.
CALM_STORY = (
    "Mara walked to the harbour in the early morning. The gulls were loud, and the boats rocked "
    "gently against the pier while the fishermen sorted their nets and argued about the weather.\n\n"
    "She bought bread from the baker and sat on the sea wall to eat it, watching the tide come in "
    "over the flat grey sand. Nothing much happened that day, and she was glad of it.\n"
)


def _scan(header: str) -> tuple[list[str | None], list[str]]:
    """Declared ids and detected ids when ``header`` tops a calm story (lexicon scorer)."""
    from forewarn.pipeline import scan
    from forewarn.score.cascade import CascadeScorer

    report = scan(header + "\n\n" + CALM_STORY, format="text", scorer=CascadeScorer())
    return [d.warning_id for d in report.declared], [w.id for w in report.warnings]


@pytest.mark.parametrize(
    "header",
    [
        "CW// self-harm, suicide",
        "TW// self-harm, suicide",
        "TWs: self-harm, suicide",
        "CWs: self-harm, suicide",
        "TW/CW: self-harm, suicide",
        "Chapter Warnings: self-harm, suicide",
        "Warning(s): self-harm, suicide",
        "Trigger Warning(s): self-harm, suicide",
        "\u26a0\ufe0f Warnings: self-harm, suicide",
        "TW for this chapter: self-harm, suicide",
        "CW for this chapter: self-harm, suicide",
        "TWs for chapter 3: self-harm, suicide",
        "Chapter 3 warnings: self-harm, suicide",
        "Warnings for chapter 3: self-harm, suicide",
        "CN: self-harm, suicide",
        "CNs - self-harm, suicide",
        "Content notes: self-harm, suicide",
        "Content note: self-harm, suicide",
    ],
)
def test_common_header_styles_are_declarations(header: str) -> None:
    """These headers were not recognised: nothing was declared and their words were scored as story
    (those "for this chapter", "for chapter 3", "Chapter 3 warnings", "CN" and "Content notes" until
    this release)."""
    assert ids(header) == ["self-harm", "suicide"]
    assert _scan(header) == (["self-harm", "suicide"], [])


@pytest.mark.parametrize("bullet", ["- ", "* ", "\u2022 ", "\u2022"])
def test_a_warnings_header_with_a_bullet_list_below_is_read(bullet: str) -> None:
    """'Warnings:' over '- violence' lines gave 'Declared: nothing found' and three undeclared warnings."""
    header = f"Title: Harbour\nWarnings:\n{bullet}violence\n{bullet}self-harm\n{bullet}death"
    assert read_text(header + "\n\n" + CALM_STORY).metadata.declaration_lines == [
        "Warnings: violence, self-harm, death"
    ]
    assert _scan(header) == (["violence", "self-harm", "death"], [])
    # The list ends at the first blank line; a bare header over prose declares nothing.
    story = read_text("Warnings:\n- violence\n\n- a list in the story\n\n" + CALM_STORY)
    assert story.metadata.declaration_lines == ["Warnings: violence"]


def test_declaration_lists_are_blanked_before_scoring() -> None:
    from forewarn.pipeline import scoring_text

    text = "Warnings:\n- death\n* blood\nShe died.\n- a dash in the story\nTW// death"
    assert [ln.strip() for ln in scoring_text(text).split("\n")] == [
        "",
        "",
        "",
        "She died.",
        "- a dash in the story",
        "",
    ]


@pytest.mark.parametrize(
    "header",
    [
        "Title: Harbour\nSummary: Mara goes to the harbour. TW: self-harm, death",
        "---\ntitle: Harbour\nwarnings: [self-harm]\nsummary: >\n  Mara by the sea,\n  after a death.\n"
        'description: "TW: death"\ntags: [Angst, Major Character Death]\n---',
    ],
)
def test_metadata_the_readers_parsed_is_not_scored_as_story(header: str) -> None:
    """A summary line or a front matter block was scored: death and self-harm were 'detected'
    with the author's own header as the evidence."""
    declared, detected = _scan(header)
    assert "death" in declared and "self-harm" in declared
    assert detected == []


@pytest.mark.parametrize(
    "item,expected",
    [
        # Regression: the longest alias prefix mapped these to the wrong warning.
        ("non-con drug use", "drug-use"),
        ("death threats", None),
        ("cutting off contact", None),
        ("birth control", None),
        ("language barrier", None),
        ("blood magic", None),
        ("abuse of power", None),  # "of" + someone it is done to maps ("abuse of a child"); power is no one
        ("abuse of a child", "abuse"),
        # An alias followed by words that only say how it appears still maps.
        ("blood play", "blood"),
        ("strong sexual themes", "sexual-content"),
        ("blood play scenes", "blood"),
        ("self-harm mentions", "self-harm"),
        ("violence references", "violence"),
        ("gore imagery", "blood"),
    ],
)
def test_the_head_word_fallback_only_skips_modifiers(item: str, expected: str | None) -> None:
    (declared,) = parse_declaration(f"Warnings: {item}", taxonomy=TAX)
    assert declared.warning_id == expected
    unmapped = compare([declared], [], taxonomy=TAX).unmapped
    assert unmapped == ([] if expected else [item])  # what does not map stays visible


@pytest.mark.parametrize(
    "item,expected",
    [
        ("death of a parent", "death"),
        ("violence against women", "violence"),
        ("child abuse survivor", "child-abuse"),
        ("dub-con drug use", "drug-use"),  # a longer alias ending the item
        ("no major character death", None),
        ("violence with no major character death", None),  # a negated tail is no alias
        ("hair cutting", None),
    ],
)
def test_the_fallback_reads_objects_and_trailing_aliases(item: str, expected: str | None) -> None:
    assert ids(f"TW: {item}") == [expected]


@pytest.mark.parametrize(
    "item,expected,unmapped",
    [
        ("violence but no gore", ["violence", None], []),
        ("violence, but no gore", ["violence", None], []),
        ("violence BUT no gore", ["violence", None], []),
        ("violence, no gore", ["violence", None], []),
        ("violence (no gore)", ["violence"], []),
        ("no gore", [None], []),
        ("without any blood", [None], []),
        ("fighting but no major character death", ["violence", None], []),
        ("no graphic violence", [None], []),
        ("blood but nothing graphic", ["blood"], []),  # present, only not graphic
        ("gore, not explicit", ["blood"], []),
        # Not negations, or not of a warning: as before.
        ("non-con", ["sexual-assault"], []),
        ("no archive warnings apply", [None], []),
        ("no warnings", [None], []),
        ("nothing but fluff", [None, None], []),
        ("not a happy ending", [None], ["not a happy ending"]),
        ("hurt but no comfort", [None, None], ["hurt", "no comfort"]),
    ],
)
def test_a_warning_the_author_says_is_absent_is_not_declared(
    item: str, expected: list[str | None], unmapped: list[str]
) -> None:
    """Regression: "violence but no gore" was one unmapped item, and "fighting but no major
    character death" declared death (its tail matched). "but" now splits items, and an item
    negating a warning ("no gore") declares nothing and is no unmapped phrase either."""
    items = parse_declaration(f"TW: {item}", taxonomy=TAX)
    assert [d.warning_id for d in items] == expected
    assert compare(items, [], taxonomy=TAX).unmapped == unmapped


def test_a_negated_warning_is_shown_as_written() -> None:
    """The terminal and the HTML show "no gore" as the author wrote it, not as unmapped."""
    line, html = _displays("TW: violence but no gore")
    assert line == "Declared: violence, no gore"
    assert "no warning named" in html and "not in the taxonomy" not in html


def test_commas_inside_parentheses_do_not_split_items() -> None:
    """'abuse (physical, emotional)' gave an unmapped 'emotional)'; 'self-harm (past, not
    graphic)' lost its 'past' and added an unmapped 'not graphic)'."""
    items = parse_declaration(
        "Warnings: abuse (physical, emotional), self-harm (past, not graphic), blood [brief, mild]", taxonomy=TAX
    )
    assert [(d.raw, d.warning_id, d.qualifier) for d in items] == [
        ("abuse (physical, emotional)", "abuse", None),
        ("self-harm (past, not graphic)", "self-harm", "mentioned"),
        ("blood [brief, mild]", "blood", "mentioned"),
    ]
    assert compare(items, [], taxonomy=TAX).unmapped == []
    assert ids("TW: SA (sexual assault), violence") == ["sexual-assault", "violence"]


@pytest.mark.parametrize(
    "tag,expected",
    [
        ("Rape/Non-con Elements", [("sexual-assault", None)]),
        ("Non-Con Elements", [("sexual-assault", None)]),
        ("Dubcon Elements", [("sexual-assault", None)]),
        ("Underage Rape/Non-con", [("underage", None), ("sexual-assault", None)]),
        ("Major Character Death (temporary)", [("death", None)]),
        ("Implied Rape/Non-con", [("sexual-assault", "implied")]),
        ("Attempted Rape/Non-con", [("sexual-assault", None)]),
        ("Underage Drinking", [("drug-use", None)]),
    ],
)
def test_more_common_ao3_tags_map(tag: str, expected: list[tuple[str, str | None]]) -> None:
    """AO3 tags map by exact alias; these common ones declared nothing."""
    items = declared_from_metadata(Metadata(freeform_tags=[tag]), taxonomy=TAX)
    assert [(d.warning_id, d.qualifier) for d in items] == expected
    assert all(d.raw == tag for d in items)


def _displays(header: str) -> tuple[str, str]:
    """The terminal's "Declared:" line and the HTML's declared list for ``header`` atop a calm story."""
    import io

    from rich.console import Console

    from forewarn.pipeline import scan
    from forewarn.report.html import render_html
    from forewarn.report.terminal import render
    from forewarn.score.cascade import CascadeScorer

    report = scan(header + "\n\n" + CALM_STORY, format="text", scorer=CascadeScorer())
    out = io.StringIO()
    render(report, console=Console(file=out, width=200, no_color=True))
    line = next(ln for ln in out.getvalue().splitlines() if ln.startswith("Declared:"))
    html = render_html(report)
    return line, html[
        html.index("What the author declared") : html.index("</ul>", html.index("What the author declared"))
    ]


@pytest.mark.parametrize(
    "header",
    ["Archive Warnings: No Archive Warnings Apply", "Warnings: Creator Chose Not To Use Archive Warnings"],
)
def test_ao3_no_warning_values_in_a_header_are_not_shown_as_unmapped(header: str) -> None:
    """The JSON comparison knew them; the terminal said '(unmapped)', the HTML 'not in the taxonomy'."""
    line, html = _displays(header)
    value = header.split(": ", 1)[1]
    assert line == f"Declared: {value}"
    assert "not in the taxonomy" not in html and "no warning named" in html


def test_emoji_bullets_and_stacked_fillers() -> None:
    """'TW: 🔪 violence 🩸 blood' was one unmapped item; 'very brief mention of blood' was unmapped."""
    assert ids("TW: \U0001f52a violence \U0001fa78 blood \u26a0\ufe0f death") == ["violence", "blood", "death"]
    (item,) = parse_declaration("Warnings: very brief mention of blood", taxonomy=TAX)
    assert (item.warning_id, item.qualifier) == ("blood", "mentioned")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("TW: self-harm, Self Harm, blood play", "self-harm, blood (blood play)"),
        ("TW: blood & gore, violence", "blood (gore), violence"),
        ("TW: blood play, gore, violence, no gore, blood", "blood (blood play, gore), violence, no gore"),
    ],
)
def test_a_declared_warning_is_shown_once(header: str, expected: str) -> None:
    """The terminal showed 'self-harm (self-harm)' for a declared 'self-harm', and each item
    naming a warning apart: 'blood & gore' was 'blood, blood (gore)'."""
    line, _ = _displays(header)
    assert line == f"Declared: {expected}"


# A calm story around one line (the hunt's reproduction): the line is neither its first nor its last.
_AROUND = (
    "They walked along the fence for an hour without talking, the sun low over the fields.\n\n"
    "The sign on the gate was old and rusted.\n\n{}\n\n"
    "They turned back toward the car and drove home in silence."
)


@pytest.mark.parametrize(
    "line",
    [
        "Warning: anyone who comes closer will be shot and killed, he shouted, raising his rifle.",
        "WARNING - he shot the dog and then shot the man who came running, blood everywhere.",
        "CW - the guard stabbed her twice and blood pooled on the stones.",
        "Summary: the guard stabbed her twice and blood pooled on the stones.",
        "Tags: the guard stabbed her twice and blood pooled on the stones.",
        "Characters: the guard stabbed her twice and blood pooled on the stones.",
    ],
)
def test_a_story_line_that_starts_like_a_declaration_or_header_is_scored(line: str) -> None:
    """Every line starting "Warning:", "CW -", "Summary:", ... was blanked before scoring, though
    not read as a declaration: the shooting was not detected and the work came out clean."""
    from forewarn.pipeline import scan
    from forewarn.score.cascade import CascadeScorer

    report = scan(_AROUND.format(line), scorer=CascadeScorer())
    assert report.declared == []
    assert "violence" in [w.id for w in report.warnings]
    (evidence,) = [e for w in report.warnings if w.id == "violence" for e in w.evidence]
    assert line in report.work.text[evidence.start : evidence.end]


def test_warning_lists_and_notes_the_readers_took_are_still_not_scored() -> None:
    """What the readers read as declarations stays blanked: a list of known warnings in the
    story (a chapter's header, also past the 30 lines the readers look at), and a declaration
    after a sentence in the end notes."""
    from forewarn.pipeline import scoring_text

    filler = "\n\n".join(f"Day {i} by the harbour was calm, and the boats came home." for i in range(40))
    text = f"{CALM_STORY}\nChapter 2\n\nTW: violence, blood\n\n{filler}\n\nCW - gore, torture\n\n{CALM_STORY}"
    text += "\nThe end.\n\nA/N: Thanks to my beta! TW: murder"
    blanked = scoring_text(text)
    assert len(blanked) == len(text)
    for gone in ("TW: violence, blood", "CW - gore, torture", "A/N: Thanks to my beta! TW: murder"):
        at = text.index(gone)
        assert blanked[at : at + len(gone)] == " " * len(gone)
    assert "Chapter 2" in blanked and "Day 39" in blanked
    from forewarn.pipeline import scan
    from forewarn.score.cascade import CascadeScorer

    report = scan(text, format="text", scorer=CascadeScorer())
    assert report.work.metadata.declaration_lines == ["TW: violence, blood", "CW - gore, torture", "TW: murder"]
    assert report.warnings == []


CALM_HARBOUR = " ".join(["They walked along the harbour wall and talked about the nets and the weather."] * 6)


@pytest.mark.parametrize(
    "summary",
    [
        "Summary:\nAnna comes home after the war and learns to live again, with help from an unlikely friend.",
        "Summary: Anna comes home after the war and learns to live again, with help\nfrom an unlikely friend.",
    ],
)
def test_a_wrapped_summary_does_not_end_the_header(summary: str) -> None:
    """Regression (review s14 finding 1): the header block ended at the first line of prose, so
    the Rating: and Tags: lines after a summary on two lines were not read, and the tags were
    scored as story: the author's own tags became undeclared detections."""
    from forewarn import scan
    from forewarn.pipeline import scoring_text

    tags = "Tags: angst, hurt/comfort, suicidal thoughts, major character death"
    text = (
        f"Title: Salt\nFandom: Original Work\n{summary}\nRating: Mature\n{tags}\n\n{CALM_HARBOUR}\n\n{CALM_HARBOUR}\n"
    )
    for work in (read(text.encode(), name="a.txt"), read_text(text)):
        meta = work.metadata
        assert meta.rating == "Mature" and "suicidal thoughts" in meta.freeform_tags
        assert meta.summary is not None and meta.summary.endswith("from an unlikely friend.")
        report = scan(work, scorer="lexicon")
        assert not {"suicide", "death"} & set(report.comparison.missing)
    blanked = scoring_text(text)
    assert "Tags" not in blanked and "Rating" not in blanked and "unlikely friend" not in blanked
    assert blanked.count("harbour wall") == 12


@pytest.mark.parametrize(
    "preface",
    [
        "For my sister.\n\nWarnings: a character dies by suicide",
        "For my sister, who knows why.\n\nThanks to my beta! TW: suicide attempt, self-harm, blood",
        "Do not go gentle into that good night,\nOld age should burn and rave at close of day;\n"
        "Rage, rage against the dying of the light.\nThough wise men at their end know dark is right,\n\n"
        "Warnings: a character dies by suicide",
    ],
)
def test_a_declaration_in_a_folded_preface_is_declared_and_not_scored(preface: str) -> None:
    """Regression (review s14 finding 2): the readers folded a short preface into chapter 1 by
    paragraphs, scan_lines read its declarations by lines and meta_spans had no preface rule, so
    a warnings line in a dedication was read as declared and still scored (the author's own
    line was the evidence of undeclared warnings), or (a 4-line epigraph) not read at all."""
    from forewarn import scan
    from forewarn.pipeline import meta_spans

    prose = " ".join(["She walked along the river and thought about the summer."] * 12)
    text = f"{preface}\n\nChapter 1\n\n{prose}\n\nChapter 2\n\n{prose}"
    warnings_line = preface.rsplit("\n", 1)[-1]
    declared = warnings_line[warnings_line.index("TW") :] if "TW" in warnings_line else warnings_line
    work = read_text(text)
    assert [c.title for c in work.chapters] == ["Chapter 1", "Chapter 2"]
    assert declared in work.metadata.declaration_lines
    assert [text[a:b] for a, b in meta_spans(text)] == [warnings_line]
    report = scan(text, scorer="lexicon")
    assert not {"suicide", "self-harm", "blood"} & set(report.comparison.missing)  # the epigraph itself is story


def test_a_lead_in_word_must_end_at_a_word_boundary() -> None:
    """Regression: the lead-in "for"/"contains" was cut from the start of longer words, so
    "forced pregnancy" declared "ced pregnancy" and "foreplay" declared "eplay"."""
    raws = [d.raw for d in parse_declaration("TW: forced pregnancy, forced marriage", taxonomy=TAX)]
    assert raws == ["forced pregnancy", "forced marriage"]
    for item in ("foreplay", "force-feeding", "containment breach", "included scenes"):
        assert [d.raw for d in parse_declaration(f"TW: {item}", taxonomy=TAX)] == [item]
    assert ids("TW: contains violence") == ["violence"]  # a whole lead-in word still goes
    assert ids("This chapter contains: blood") == ["blood"]


@pytest.mark.parametrize(
    "line",
    ["TW: self-harm/suicide", "TW: Self-Harm & Suicide", "TW: self-harm and suicide", "TW: self harm / suicide"],
)
def test_an_item_joining_two_warnings_declares_both(line: str) -> None:
    """Regression: the alias "self-harm and suicide" (normalized without "and", "/" a space)
    made these declare suicide only, so a detected self-harm was reported as undeclared."""
    assert ids(line) == ["self-harm", "suicide"]
    assert compare(parse_declaration(line, taxonomy=TAX), ["self-harm"], taxonomy=TAX).missing == []


@pytest.mark.parametrize(
    "tag,expected",
    [
        ("Self-Harm and Suicide", [("self-harm", None), ("suicide", None)]),
        ("Kidnapping and Abduction", [("kidnapping", None), ("abduction", None)]),
        ("Implied/Referenced Self-Harm/Suicide", [("self-harm", "implied"), ("suicide", "implied")]),
        ("Sex and Violence", [("sexual-content", None), ("violence", None)]),
        ("Blood and Gore", [("blood", None)]),  # one warning, once
        ("Hurt/Comfort", []),  # the parts do not map: nothing
        ("Life and Death", []),  # nor does one of them
    ],
)
def test_a_tag_joining_two_warnings_declares_each(tag: str, expected: list[tuple[str, str | None]]) -> None:
    items = declared_from_metadata(Metadata(freeform_tags=[tag]), taxonomy=TAX)
    assert [(d.warning_id, d.qualifier) for d in items] == expected
    assert all(d.raw == tag for d in items)


@pytest.mark.parametrize(
    "line,expected",
    [
        ("TW: underage non-con", ["underage", "sexual-assault"]),
        ("TW: Underage Rape/Non-Con", ["underage", "sexual-assault"]),
        ("TW: underage sexual content", ["underage", "sexual-content"]),
        ("TW: underage noncon", ["underage", "sexual-assault"]),
        ("TW: implied underage rape", ["underage", "sexual-assault"]),
        # Not sexual: no underage.
        ("TW: underage drinking", ["drug-use"]),
        ("TW: underage drug use", ["drug-use"]),
    ],
)
def test_underage_before_another_warning_declares_both(line: str, expected: list[str]) -> None:
    """Regression: the tail match ("non-con" ends "underage non-con") was taken first, so
    these declared only sexual assault or sexual content and lost underage."""
    assert ids(line) == expected


@pytest.mark.parametrize(
    "line,qualifier",
    [
        ("TW: CSA", None),
        ("TW: child sexual abuse", None),
        ("TW: Childhood Sexual Abuse", None),
        ("TW: past CSA", "mentioned"),
        ("TW: CSA (implied)", "implied"),
    ],
)
def test_child_sexual_abuse_declares_sexual_assault_and_underage_too(line: str, qualifier: str | None) -> None:
    """Regression: CSA declared child abuse only, so a detected sexual assault was "missing" and
    the declaration suggested neither Rape/Non-Con nor Underage."""
    from forewarn.rating import suggest_archive_warnings

    items = parse_declaration(line, taxonomy=TAX)
    assert [(d.warning_id, d.qualifier) for d in items] == [
        ("child-abuse", qualifier),
        ("sexual-assault", qualifier),
        ("underage", qualifier),
    ]
    assert compare(items, ["sexual-assault", "child-abuse"], taxonomy=TAX).missing == []
    assert [s.name for s in suggest_archive_warnings([], taxonomy=TAX, declared=items)] == ["Rape/Non-Con", "Underage"]
    assert ids("TW: child abuse") == ["child-abuse"]


def test_domestic_violence_and_physical_abuse_declare_violence_too() -> None:
    """Regression: "TW: domestic violence" declared abuse only, so the beating it warns of was
    reported as undeclared violence. Emotional abuse declares abuse only."""
    for line in ("TW: domestic violence", "TW: physical abuse (past)", "CW: Domestic Violence, blood"):
        items = parse_declaration(line, taxonomy=TAX)
        assert {"abuse", "violence"} <= {d.warning_id for d in items}, line
        assert compare(items, ["abuse", "violence"], taxonomy=TAX).missing == []
    assert ids("TW: emotional abuse") == ["abuse"]
    assert not {"abuse", "violence"} & set(ids("TW: no domestic violence"))


@pytest.mark.parametrize(
    "line",
    [
        "TW: violence \u00b7 blood \u00b7 death",
        "TW: violence \u2219 blood \u2219 death",
        "TW: violence \u2013 blood \u2014 death",
        "TW: violence - blood - death",
        "TW: violence/blood/death",
        "TW: violence \u25e6 blood \u2023 death",
        "TW: violence \u25aa blood \u2043 death",
        "TW: violence\uff0cblood\u3001death",
        "TW: violence, blood and/or death",
    ],
)
def test_common_list_separators_split_items(line: str) -> None:
    """Regression: each of these lines was one unmapped item ("and/or" left "/or death")."""
    assert ids(line) == ["violence", "blood", "death"]


@pytest.mark.parametrize(
    "item,expected",
    [
        ("noncon/dubcon", ["sexual-assault"]),
        ("transphobia/misgendering", ["transphobia"]),
        # Slash forms that map whole stay whole.
        ("Rape/Non-Con", ["sexual-assault"]),
        ("Implied/Referenced Self-Harm", ["self-harm"]),
        ("s/a", ["sexual-assault"]),
        ("hurt/comfort", [None]),
        ("self-harm", ["self-harm"]),  # a hyphen without spaces does not split
    ],
)
def test_a_slash_splits_an_item_only_when_its_parts_map(item: str, expected: list[str | None]) -> None:
    items = parse_declaration(f"TW: {item}", taxonomy=TAX)
    assert [d.warning_id for d in items] == expected
    assert all(d.raw == item for d in items)


@pytest.mark.parametrize(
    "meta",
    [
        Metadata(archive_warnings=["Choose Not To Use Archive Warnings"]),
        Metadata(declaration_lines=["Archive Warnings: Choose Not To Use Archive Warnings"]),
        Metadata(archive_warnings=["Creator Chose Not To Use Archive Warnings"]),
    ],
)
def test_the_older_spelling_of_chose_not_to_warn_counts_alike(meta: Metadata) -> None:
    """Regression: AO3's older "Choose Not To Use Archive Warnings" was known (never unmapped)
    but did not set chose_not_to_warn, so the reports did not say the author chose not to warn."""
    comp = compare(declared_from_metadata(meta, taxonomy=TAX), ["violence"], taxonomy=TAX)
    assert comp.chose_not_to_warn and not comp.no_archive_warnings and comp.unmapped == []


@pytest.mark.parametrize(
    "item,qualifier",
    [
        ("violence (very graphic)", "graphic"),
        ("violence (extremely graphic)", "graphic"),
        ("violence - graphic", "graphic"),
        ("violence: very graphic", "graphic"),
        ("violence (not graphic)", None),
        ("violence (non-graphic)", None),
        ("violence (semi-graphic)", None),
        ("violence (not very graphic)", None),
        ("violence - not graphic", None),
        # Regression: after "but" or a comma these were unmapped items of their own.
        ("violence but not graphic", None),
        ("violence, but not graphic", None),
        ("violence but nothing graphic", None),
        ("violence (nothing graphic)", None),
        ("violence, not explicit", None),
        ("violence, nothing too graphic", None),
        ("violence - not very graphic", None),
        ("violence, mentioned", "mentioned"),
        ("violence but only mentioned", "mentioned"),
        ("violence (just implied)", "implied"),
        ("violence (mention)", "mentioned"),
        ("violence (referenced)", "mentioned"),
        ("violence (brief mention)", "mentioned"),
        ("violence - mentioned", "mentioned"),
        ("violence: mentioned", "mentioned"),
        ("violence \u2013 implied", "implied"),
    ],
)
def test_severity_notes_qualify_the_item(item: str, qualifier: str | None) -> None:
    """Regression: "(very graphic)" counted as a mention, "(mention)" or "(referenced)" as
    nothing, and "self harm - mentioned" or "self harm: mentioned" was unmapped. A note that
    it is not graphic gives no qualifier (it says how it is not shown, not how it is); the
    note stays in the raw item."""
    assert [(d.raw, d.warning_id, d.qualifier) for d in parse_declaration(f"TW: {item}, blood", taxonomy=TAX)] == [
        (item, "violence", qualifier),
        ("blood", "blood", None),
    ]


def test_a_very_graphic_declaration_rates_as_graphic() -> None:
    """README: a declaration counts as a mention unless it says "graphic"; "(very graphic)" does."""
    from forewarn.rating import suggest_archive_warnings, suggest_rating

    declared = parse_declaration("TW: violence (very graphic)", taxonomy=TAX)
    assert suggest_rating([], taxonomy=TAX, declared=declared).name == "Mature"
    assert [s.name for s in suggest_archive_warnings([], taxonomy=TAX, declared=declared)] == [
        "Graphic Depictions Of Violence"
    ]


@pytest.mark.parametrize(
    "line",
    [
        "Content with that, the guard stabbed her twice and blood pooled on the stones.",
        "CN Tower guards stabbed her twice and blood pooled on the stones.",
        "Content notes: the guard stabbed her twice and blood pooled on the stones.",
        "Chapter 3 was when the guard stabbed her twice and blood pooled on the stones.",
    ],
)
def test_story_lines_starting_like_the_new_headers_are_scored(line: str) -> None:
    """A story line starting "CN", "Content" or "Chapter 3" is no declaration (in the story,
    not even "Content notes:" unless its items are known warnings)."""
    from forewarn.pipeline import scan
    from forewarn.score.cascade import CascadeScorer

    report = scan(_AROUND.format(line), scorer=CascadeScorer())
    assert report.declared == []
    assert "violence" in [w.id for w in report.warnings]


def test_censored_spellings_map() -> None:
    """Authors censor words so feeds do not hide the post: these were unmapped."""
    assert ids("TW: su1c1de, su*cide, s/h, n0ncon") == ["suicide", "suicide", "self-harm", "sexual-assault"]
    # "unalive" stands for killing and for suicide alike: alone it is a death; of oneself, suicide.
    assert ids("TW: unalive, unalived, un-alive, self-unalive, unaliving myself, unalive oneself") == [
        *("death", "death", "death"),
        *("suicide", "suicide", "suicide"),
    ]
    items = parse_declaration("TW: mentions of unaliving", taxonomy=TAX)
    assert [(d.warning_id, d.qualifier) for d in items] == [("death", "mentioned")]


def test_a_declared_major_character_death_suggests_the_archive_warning() -> None:
    """Regression: "TW: major character death" (or "MCD") in a warnings line never suggested
    AO3's Major Character Death, though "TW: rape" suggests Rape/Non-Con. A death, or a minor
    character's, is not that warning."""
    from forewarn.rating import suggest_archive_warnings

    def suggested(line: str) -> list[str]:
        items = parse_declaration(line, taxonomy=TAX)
        return [s.name for s in suggest_archive_warnings([], taxonomy=TAX, declared=items)]

    for line in ("TW: major character death", "TW: MCD, blood", "Warnings: Major Character Death (implied)"):
        assert "Major Character Death" in suggested(line), line
    for line in (
        *("TW: death", "TW: minor character death", "TW: character death"),
        *("TW: fighting but no major character death", "TW: no MCD", "TW: violence, no major character death"),
    ):
        assert "Major Character Death" not in suggested(line), line


def test_discussions_of_and_suicide_ideation_are_read() -> None:
    """Regression: "discussions of suicide" (only "discussion of" was known) and "suicide
    ideation" were unmapped declarations."""
    assert [(d.warning_id, d.qualifier) for d in parse_declaration("TW: discussions of suicide", taxonomy=TAX)] == [
        ("suicide", "mentioned")
    ]
    assert ids("TW: suicide ideation") == ["suicide"]
