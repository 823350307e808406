"""The splitter: passages tile the text exactly and follow paragraph boundaries."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from forewarn.split import split_work
from forewarn.work import Chapter, Span, Work


def make_work(text: str, chapter_starts: list[int] | None = None) -> Work:
    """Paragraphs = runs separated by blank lines; chapters start where told."""
    paras = [Span(m.start(), m.end()) for m in re.finditer(r"\S(?:.*\S)?(?:\n(?!\s*\n).*\S)*", text)]
    starts = sorted({0, *(chapter_starts or [])})
    chapters = []
    for k, s in enumerate(starts):
        e = starts[k + 1] if k + 1 < len(starts) else len(text)
        chapters.append(Chapter(k, None, s, e, [p for p in paras if s <= p.start < e]))
    return Work(text=text, chapters=chapters)


def words(n: int, word: str = "word") -> str:
    return " ".join([word] * n)


def test_short_paragraphs_merge_and_long_ones_split() -> None:
    paras = [words(20), words(20), words(30), words(600, "long.")]
    text = "\n\n".join(paras)
    passages = split_work(make_work(text))
    assert "".join(p.text for p in passages) == text
    assert passages[0].words == 70  # the three short paragraphs merged
    assert all(p.words <= 250 for p in passages)
    assert len(passages) >= 4  # the 600-word paragraph was cut at sentence ends


def test_a_heading_before_a_long_paragraph_is_not_a_passage_alone() -> None:
    """Regression: a chapter's heading (or any short paragraph) before a paragraph over 250 words
    was a passage of its own ("Chapter 7: Blood Moon", scored and shown as evidence alone), though
    short paragraphs merge with the following ones: the long one is cut anyway."""
    first = "\n\n".join([words(80)] * 2)
    second = "Chapter 2: Blood Moon\n\n" + " ".join(["Some words go on here."] * 80)
    text = first + "\n\n" + second
    cut = len(first) + 2
    passages = split_work(make_work(text, [cut]))
    assert "".join(p.text for p in passages) == text
    heading = next(p for p in passages if p.start == cut)
    assert heading.text.startswith("Chapter 2: Blood Moon\n\nSome words") and heading.words <= 250
    assert all(p.words <= 250 for p in passages)


def test_passages_never_cross_a_chapter_start() -> None:
    first = "\n\n".join([words(40)] * 3)
    second = "Chapter 2\n\n" + "\n\n".join([words(40)] * 3)
    text = first + "\n\n" + second
    cut = len(first) + 2
    passages = split_work(make_work(text, [cut]))
    assert cut in {p.start for p in passages}
    assert {p.chapter for p in passages} == {0, 1}
    for p in passages:
        assert not (p.start < cut < p.end)


def test_positions_are_percentages_in_order() -> None:
    text = "\n\n".join([words(80)] * 10)
    passages = split_work(make_work(text))
    assert passages[0].position == 0.0
    assert passages[-1].end_position == 100.0
    assert [p.position for p in passages] == sorted(p.position for p in passages)
    assert [p.index for p in passages] == list(range(len(passages)))


def test_chapter_positions_restart_in_each_chapter() -> None:
    """A reader on an AO3 chapter page skips by the chapter, not by the whole work."""
    first = "\n\n".join([words(80)] * 2)
    second = "\n\n".join([words(80)] * 4)
    text = first + "\n\n" + second
    cut = len(first) + 2
    passages = split_work(make_work(text, [cut]))
    ch2 = [p for p in passages if p.chapter == 1]
    assert ch2[0].chapter_position == 0.0 and ch2[0].position > 30
    assert ch2[-1].chapter_end_position == 100.0
    for p in ch2:
        assert p.chapter_position == round(100 * (p.start - cut) / (len(text) - cut), 2)
    one = split_work(make_work(second))
    assert [(p.chapter_position, p.chapter_end_position) for p in one] == [(p.position, p.end_position) for p in one]


def test_wall_of_text_without_sentence_ends_is_cut_on_whitespace() -> None:
    text = words(1000, "run")
    passages = split_work(make_work(text))
    assert "".join(p.text for p in passages) == text
    assert max(p.words for p in passages) <= 250


def test_empty_text_gives_no_passages() -> None:
    assert split_work(Work(text="", chapters=[])) == []


paragraph = st.lists(
    st.text(alphabet=st.sampled_from(list("abc .!?\u2019\u201d")), min_size=1, max_size=60),
    min_size=1,
    max_size=40,
).map(lambda ws: " ".join(ws))


@settings(max_examples=150, deadline=None)
@given(
    paras=st.lists(paragraph, min_size=1, max_size=30),
    seps=st.lists(st.sampled_from(["\n\n", "\n\n\n", "\n \n", "\n"]), min_size=30, max_size=30),
    chapter_every=st.integers(min_value=0, max_value=8),
)
def test_spans_reproduce_text(paras: list[str], seps: list[str], chapter_every: int) -> None:
    text = ""
    starts = []
    for i, p in enumerate(paras):
        if chapter_every and i and i % chapter_every == 0:
            starts.append(len(text))
        text += p + seps[i]
    work = make_work(text, starts)
    passages = split_work(work, min_words=5, max_words=20)
    assert "".join(text[p.start : p.end] for p in passages) == text
    assert all(p.text == text[p.start : p.end] for p in passages)
    for s in starts:
        assert any(p.start == s for p in passages)


def test_a_passage_starts_where_yaml_front_matter_ends() -> None:
    """Regression: front matter and the story's first paragraphs were one passage, so its
    evidence quote opened with the metadata block."""
    from forewarn.readers import read_text

    story = "He stabbed the guard in the alley. " * 4
    work = read_text(f"---\ntitle: Rain\nwarnings: [violence]\n---\n\n{story}\n\n{story}\n")
    passages = split_work(work)
    assert passages[0].text.startswith("---") and passages[0].text.rstrip().endswith("---")
    assert passages[1].text.startswith("He stabbed")
    assert "".join(p.text for p in passages) == work.text
    plain = read_text(f"Title: Rain\n\n{story}\n\n{story}\n")  # no front matter: one passage as before
    assert len(split_work(plain)) == 1


def test_positions_leave_out_the_authors_header_and_end_notes() -> None:
    """Regression: a header and 150-word summary before "Chapter 1" (folded into chapter 1 so
    chapters keep their numbers) put chapter 1's first line at 66% of the chapter and the work."""
    from forewarn.readers import read_text

    summary = "A quiet summary about friendship and the sea. " * 20
    body = ("They walked along the beach and talked for hours. " * 20).strip()
    text = (
        f"Title: Sea\nWarnings: violence\nSummary: {summary}\n\nChapter 1\n\nHe stabbed the guard.\n\n"
        f"{body}\n\nChapter 2\n\n{body}\n\nA/N: Thanks for reading! TW: blood\n"
    )
    work = read_text(text)
    passages = split_work(work)
    stab = next(p for p in passages if "He stabbed" in p.text)
    assert (stab.chapter, stab.position, stab.chapter_position) == (0, 0.0, 0.0)
    ch2 = [p for p in passages if p.chapter == 1]
    story = (text.index("Chapter 1"), text.index("\n\nA/N"))
    assert ch2[0].position == round(100 * (text.index("Chapter 2") - story[0]) / (story[1] - story[0]), 2)
    assert passages[-1].end_position == passages[-1].chapter_end_position == 100.0
    # Without metadata the story is the whole text, as before.
    assert split_work(read_text(f"{body}\n\n{body}\n"))[0].position == 0.0


def test_chinese_and_japanese_count_a_word_per_character() -> None:
    """Regression: words were whitespace tokens, so 12,000 characters of Japanese were
    "200 words" and a passage held 60 paragraphs (4,000 characters)."""
    from forewarn.work import count_words

    para = (
        "朝の川辺は静かで、レナは木の杭につながれた舟を数えながら歩いた。まだ返事を書いていない手紙のことを考えていた。"
    )
    text = "\n\n".join([para] * 200) + "\n"
    work = make_work(text)
    assert work.word_count == 200 * count_words(para) == 200 * 52
    passages = split_work(work)
    assert "".join(p.text for p in passages) == text
    assert all(60 <= p.words <= 250 for p in passages) and len(passages) == 100
    # Korean puts spaces between words; other text counts as before.
    assert count_words("그는 칼을 들고 천천히 걸었다.") == 5
    line = "He said — twice — no."
    assert count_words(line) == len(line.split()) == 6
    assert count_words("iPhoneを買った。「そうか」") == 8


def test_a_long_chinese_or_japanese_paragraph_is_cut_at_sentence_ends() -> None:
    sentence = "他拔出刀，刺向守卫的腹部。"
    text = sentence * 120 + "「真的吗？」她问。" + sentence * 40
    passages = split_work(make_work(text))
    assert "".join(p.text for p in passages) == text
    assert len(passages) > 5 and all(p.words <= 250 for p in passages)
    assert all(p.text.endswith(("。", "」", "？")) for p in passages)
    wall = "啊" * 2000  # no sentence ends at all: cut between characters
    assert [p.words for p in split_work(make_work(wall))][:2] == [150, 150]


cjk_paragraph = st.lists(
    st.text(alphabet=st.sampled_from(list("漢字かなカナ。！？」、 ab.\u3000")), min_size=1, max_size=80),
    min_size=1,
    max_size=10,
).map(lambda ws: "".join(ws))


@settings(max_examples=100, deadline=None)
@given(paras=st.lists(cjk_paragraph, min_size=1, max_size=20), chapter_every=st.integers(min_value=0, max_value=6))
def test_spans_reproduce_chinese_and_japanese_text(paras: list[str], chapter_every: int) -> None:
    text = ""
    starts = []
    for i, p in enumerate(paras):
        if chapter_every and i and i % chapter_every == 0:
            starts.append(len(text))
        text += p + "\n\n"
    passages = split_work(make_work(text, starts), min_words=5, max_words=20)
    assert "".join(p.text for p in passages) == text
    assert all(p.text == text[p.start : p.end] for p in passages)
    for s in starts:
        assert any(p.start == s for p in passages)


def test_word_count_leaves_out_the_authors_metadata() -> None:
    """Regression: a work's word count took in its warnings header and front matter (the
    sample chapter was "2,620 words" with its 15-word header); AO3 counts the story only."""
    from forewarn.readers import read_text
    from forewarn.work import count_words

    story = "She walked to the harbour and counted the boats twice before the rain.\n"
    text = "Title: Harbour\nRating: Teen\nWarnings: violence, blood\n\n" + story
    work = read_text(text, name="harbour.txt")
    assert work.meta_spans, "the header is read as metadata"
    assert work.word_count == count_words(story) == 13
    assert read_text(story).word_count == 13
