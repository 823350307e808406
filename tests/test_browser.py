"""End to end in headless Chromium against the real server: upload, read, hide, reveal, XSS.

Needs Debian's chromium and chromium-driver (`make test` installs them as root). Outside CI a
missing browser skips these tests; in CI (CI=true) it fails them.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("selenium")
uvicorn = pytest.importorskip("uvicorn")

from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import NoAlertPresentException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

from forewarn.web.app import create_app  # noqa: E402

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
if not (CHROMIUM and DRIVER):
    if os.environ.get("CI"):
        raise RuntimeError("CI needs chromium and chromedriver (make browser-deps)")
    pytest.skip("chromium/chromedriver not installed", allow_module_level=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    port = free_port()
    config = uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not srv.started and time.time() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM or ""
    profile = tempfile.mkdtemp(prefix="forewarn-chrome-")
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        "--window-size=1200,900",
    ):
        opts.add_argument(flag)
    driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path=DRIVER), options=opts)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def sample_file(tmp_path: Path) -> Path:
    shared = Path(__file__).resolve().parent.parent.parent / "shared" / "samples" / "000_91f485cde857f4d1.txt"
    if shared.exists():
        return shared
    path = tmp_path / "story.txt"
    path.write_text("\n\n".join(["He stabbed the guard and blood pooled on the stones."] * 4 + ["A calm walk."] * 4))
    return path


def upload(browser: webdriver.Chrome, server: str, path: Path) -> None:
    browser.get(server + "/")
    browser.find_element(By.ID, "file").send_keys(str(path))
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    deadline = time.time() + 60
    while "/works/" not in browser.current_url and time.time() < deadline:
        time.sleep(0.1)


def section_content_visible(browser: webdriver.Chrome) -> bool:
    section = browser.find_element(By.CSS_SELECTOR, 'section.flagged[data-warnings~="violence"]')
    return bool(section.find_element(By.CSS_SELECTOR, ".content").is_displayed())


def test_upload_read_hide_and_reveal(browser: webdriver.Chrome, server: str, tmp_path: Path) -> None:
    upload(browser, server, sample_file(tmp_path))
    assert "/works/" in browser.current_url
    rows = browser.find_elements(By.CSS_SELECTOR, "table.warnings tbody th")
    names = [r.text for r in rows]
    assert "Violence" in names and "Blood" in names
    # Evidence is hidden until asked for.
    details = browser.find_element(By.CSS_SELECTOR, "table.warnings details")
    assert details.get_attribute("open") is None
    box = browser.find_element(By.CSS_SELECTOR, 'input[name="hide"][value="violence"]')
    box.click()
    section = browser.find_element(By.CSS_SELECTOR, 'section.flagged[data-warnings~="violence"]')
    content = section.find_element(By.CSS_SELECTOR, ".content")
    notice = section.find_element(By.CSS_SELECTOR, ".notice")
    assert not content.is_displayed() and notice.is_displayed()
    assert "Violence" in notice.text and "hidden" in notice.text
    ARTIFACTS.mkdir(exist_ok=True)
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", notice)
    browser.save_screenshot(str(ARTIFACTS / "web-reading-mode.png"))
    reveal = section.find_element(By.CSS_SELECTOR, "input.reveal")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", reveal)
    reveal.click()
    assert content.is_displayed() and reveal.is_selected()
    assert "shown anyway" in notice.text and "hidden" not in notice.text  # it said "hidden" still
    # The choice persists in the browser.
    browser.refresh()
    assert browser.find_element(By.CSS_SELECTOR, 'input[name="hide"][value="violence"]').is_selected()
    # ... and the reader can forget it.
    forget = browser.find_element(By.ID, "forget")
    assert forget.is_displayed() and browser.find_element(By.ID, "remembered").is_displayed()
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", forget)
    forget.click()
    assert not browser.find_element(By.CSS_SELECTOR, 'input[name="hide"][value="violence"]').is_selected()
    assert browser.execute_script("return localStorage.getItem('forewarn:hide')") is None
    assert section_content_visible(browser)
    browser.set_window_size(375, 800)
    browser.save_screenshot(str(ARTIFACTS / "web-mobile.png"))
    browser.set_window_size(1200, 900)


def test_script_in_text_and_title_never_runs(browser: webdriver.Chrome, server: str, tmp_path: Path) -> None:
    payload = '<script>window.pwned=1;alert(1)</script><img src=x onerror="window.pwned=2;alert(2)">'
    path = tmp_path / "xss.txt"
    path.write_text(f"Title: {payload}\n\n" + f"He stabbed the guard. Blood pooled. {payload}\n\n" * 3 + "The end.\n")
    upload(browser, server, path)
    assert "/works/" in browser.current_url
    time.sleep(0.5)
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text  # noqa: B018
    assert browser.execute_script("return window.pwned === undefined")
    assert payload.split(">")[0] + ">" in browser.find_element(By.TAG_NAME, "h1").text
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "web-xss.png"))


def test_hiding_works_without_javascript(browser: webdriver.Chrome, server: str, tmp_path: Path) -> None:
    upload(browser, server, sample_file(tmp_path))
    url = browser.current_url
    browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    try:
        browser.get(url)
        assert browser.execute_script("return document.querySelector('section.flagged').className") == "flagged"
        section = browser.find_element(By.CSS_SELECTOR, 'section.flagged[data-warnings~="violence"]')
        content = section.find_element(By.CSS_SELECTOR, ".content")
        notice = section.find_element(By.CSS_SELECTOR, ".notice")
        start = section.find_element(By.CSS_SELECTOR, ".marker.start")
        assert content.is_displayed() and not notice.is_displayed()
        assert "starts" in start.text and "Violence" in start.text
        # Nothing here remembers: the page must not say it does (reader review).
        assert not browser.find_element(By.ID, "remembered").is_displayed()
        browser.find_element(By.CSS_SELECTOR, 'input[name="hide"][value="violence"]').click()
        assert not content.is_displayed() and notice.is_displayed() and start.is_displayed()
        reveal = section.find_element(By.CSS_SELECTOR, "input.reveal")
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", reveal)
        reveal.click()
        assert content.is_displayed()
        assert "shown anyway" in notice.text and "hidden" not in notice.text  # by CSS alone
        reveal.click()
        assert not content.is_displayed() and "hidden, as you chose" in notice.text
    finally:
        browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})


def test_table_is_whole_at_400px(browser: webdriver.Chrome, server: str, tmp_path: Path) -> None:
    upload(browser, server, sample_file(tmp_path))
    browser.set_window_size(400, 900)
    try:
        severity = browser.find_element(By.CSS_SELECTOR, 'table.warnings td[data-label="Severity"]')
        where = browser.find_element(By.CSS_SELECTOR, 'table.warnings td[data-label="Where"] .where')
        assert severity.is_displayed() and where.is_displayed()
        width = browser.execute_script("return document.documentElement.clientWidth")
        right = browser.execute_script("return arguments[0].getBoundingClientRect().right", where)
        assert right <= width
        assert browser.execute_script("return document.documentElement.scrollWidth") <= width
    finally:
        browser.set_window_size(1200, 900)


CALM = "They walked home along the harbour wall and talked about the weather and the nets. " * 6


def report_page(tmp_path: Path, name: str, *paragraphs: str) -> str:
    """A ``forewarn scan --html`` page written to ``tmp_path``; its file:// URL."""
    from conftest import FakeModel

    from forewarn.pipeline import scan_work
    from forewarn.readers import read_text
    from forewarn.report.html import render_html
    from forewarn.score.cascade import CascadeScorer

    scorer = CascadeScorer(model=FakeModel({"violence": "stabbed", "blood": "blood"}))
    report = scan_work(read_text("\n\n".join(paragraphs)), scorer=scorer)
    path = tmp_path / name
    path.write_text(render_html(report), encoding="utf-8")
    return path.as_uri()


def remembered(browser: webdriver.Chrome, ids: list[str]) -> None:
    """Reload until this page sees ``ids`` stored: Chrome commits localStorage from another
    page's process asynchronously, so an immediate navigation may still read the old list (the
    test flaked on a busy machine; a reader does not switch pages within milliseconds)."""
    deadline = time.time() + 10
    while browser.execute_script("return localStorage.getItem('forewarn:hide')") != json.dumps(ids).replace(" ", ""):
        if time.time() > deadline:
            break
        time.sleep(0.1)
        browser.refresh()


def cleared(browser: webdriver.Chrome) -> None:
    """Forget the remembered choices and reload until this page reads none: a removal made
    just before a navigation (the last test's) may reach the next page late, or not at all."""
    deadline = time.time() + 10
    while True:
        browser.execute_script("localStorage.removeItem('forewarn:hide')")
        browser.refresh()
        if browser.execute_script("return localStorage.getItem('forewarn:hide')") is None or time.time() > deadline:
            return
        time.sleep(0.1)


def in_new_tab(browser: webdriver.Chrome, url: str) -> str:
    """Open ``url`` in a new tab and return the tab it was opened from. The tests keep a page
    that has just written its choices open until another has read them: leaving it at once
    lost the write now and then on a busy machine (two flaky runs)."""
    opener = browser.current_window_handle
    browser.switch_to.new_window("tab")
    browser.get(url)
    return opener


def close_other_tabs(browser: webdriver.Chrome) -> None:
    """Close every tab but this one, which stays current."""
    keep = browser.current_window_handle
    for handle in browser.window_handles:
        if handle != keep:
            browser.switch_to.window(handle)
            browser.close()
    browser.switch_to.window(keep)


def stored_choices(browser: webdriver.Chrome) -> list[str]:
    return list(browser.execute_script("return JSON.parse(localStorage.getItem('forewarn:hide'))") or [])


def test_a_choice_for_a_warning_this_report_lacks_is_remembered(browser: webdriver.Chrome, tmp_path: Path) -> None:
    """Regression: ticking a box rebuilt the remembered list from this page's boxes only, so
    hiding Blood in report B forgot that the reader hides Violence (which B does not have)."""
    a = report_page(tmp_path, "a.html", CALM, "He stabbed the guard, and stabbed him again.", CALM)
    b = report_page(tmp_path, "b.html", CALM, "Blood pooled on the stones, blood on her hands.", CALM)
    browser.get(a)
    cleared(browser)
    browser.find_element(By.CSS_SELECTOR, 'input[name="hide"][value="violence"]').click()
    assert not section_content_visible(browser)
    tab_a = in_new_tab(browser, b)
    remembered(browser, ["violence"])
    assert not browser.find_elements(By.CSS_SELECTOR, 'input[name="hide"][value="violence"]')
    blood = browser.find_element(By.CSS_SELECTOR, 'input[name="hide"][value="blood"]')
    blood.click()
    assert sorted(stored_choices(browser)) == ["blood", "violence"]
    blood.click()  # unticking removes only its own id
    assert stored_choices(browser) == ["violence"]
    browser.switch_to.window(tab_a)
    remembered(browser, ["violence"])
    assert browser.find_element(By.CSS_SELECTOR, 'input[name="hide"][value="violence"]').is_selected()
    assert not section_content_visible(browser)
    close_other_tabs(browser)
    cleared(browser)


def test_a_choice_made_in_another_open_report_is_kept(browser: webdriver.Chrome, tmp_path: Path) -> None:
    """Regression: a report read the remembered list once, when it opened, and wrote it back
    from that copy: hiding Blood in report B, open since before Violence was hidden in report
    A, forgot the Violence choice."""
    a = report_page(tmp_path, "a.html", CALM, "He stabbed the guard, and stabbed him again.", CALM)
    b = report_page(tmp_path, "b.html", CALM, "Blood pooled on the stones, blood on her hands.", CALM)
    browser.get(b)
    cleared(browser)
    tab_b = in_new_tab(browser, a)
    browser.find_element(By.CSS_SELECTOR, 'input[name="hide"][value="violence"]').click()
    browser.switch_to.window(tab_b)  # not reloaded: it read an empty list when it opened
    deadline = time.time() + 10
    while stored_choices(browser) != ["violence"]:
        assert time.time() < deadline, "the other tab's choice never reached this one"
        time.sleep(0.1)
    browser.find_element(By.CSS_SELECTOR, 'input[name="hide"][value="blood"]').click()
    assert sorted(stored_choices(browser)) == ["blood", "violence"]
    close_other_tabs(browser)
    cleared(browser)


def test_an_evidence_link_into_hidden_text_goes_to_the_notice(browser: webdriver.Chrome, tmp_path: Path) -> None:
    """Regression: with Violence hidden, an evidence link (#p-N, inside display:none) did not scroll."""
    calm = [CALM] * 30
    page = report_page(tmp_path, "long.html", *calm, "He stabbed the guard, and stabbed him again.", *calm)
    browser.get(page)
    cleared(browser)
    link = browser.find_element(By.CSS_SELECTOR, "table.warnings details li a")
    passage = link.get_attribute("data-passage")
    browser.find_element(By.CSS_SELECTOR, 'input[name="hide"][value="violence"]').click()
    browser.find_element(By.CSS_SELECTOR, "table.warnings details summary").click()
    browser.execute_script("window.scrollTo(0, 0)")
    link.click()
    notice = browser.find_element(By.CSS_SELECTOR, 'section.flagged[data-warnings~="violence"] .notice')
    assert notice.is_displayed() and not section_content_visible(browser)
    assert browser.execute_script("return window.scrollY") > 500
    top = browser.execute_script("return arguments[0].getBoundingClientRect().top", notice)
    assert 0 <= top < browser.execute_script("return window.innerHeight")  # the notice is on screen
    # Shown, the link goes on to the passage itself.
    browser.find_element(By.CSS_SELECTOR, 'input[name="hide"][value="violence"]').click()
    browser.execute_script("window.scrollTo(0, 0)")
    link.click()
    assert browser.execute_script("return location.hash") == f"#{passage}"
    assert browser.execute_script("return window.scrollY") > 500
    browser.execute_script("localStorage.removeItem('forewarn:hide')")


def test_a_right_to_left_paragraph_is_laid_out_right_to_left(browser: webdriver.Chrome, tmp_path: Path) -> None:
    """Regression: every paragraph was left to right (the page's), so a Hebrew sentence's "!" and
    brackets landed at its start; dir=auto lets each paragraph take its own direction."""
    hebrew = "שלום עולם, זה טקסט בעברית (בדיקה)!"
    browser.get(report_page(tmp_path, "rtl.html", CALM, hebrew, "He stabbed the guard, and stabbed him again."))
    paragraphs = browser.find_elements(By.CSS_SELECTOR, "article.work p[dir]")
    directions = {
        p.text: browser.execute_script("return getComputedStyle(arguments[0]).direction", p) for p in paragraphs
    }
    assert directions[hebrew] == "rtl" and directions[CALM.strip()] == "ltr"


def test_the_hide_status_says_what_the_boxes_hid(browser: webdriver.Chrome, tmp_path: Path) -> None:
    """Regression (reader review): ticking a box said nothing where the reader ticked it, to the
    eye or to a screen reader; the status (role=status) beside the boxes counts what is hidden."""
    fight = "He stabbed the guard, and stabbed him again."
    browser.get(report_page(tmp_path, "status.html", CALM, fight, *[CALM] * 3, fight, CALM))
    cleared(browser)
    status = browser.find_element(By.ID, "hide-status")
    assert status.get_attribute("role") == "status" and status.text == "Nothing is hidden."
    blocks = len(browser.find_elements(By.CSS_SELECTOR, 'section.flagged[data-warnings~="violence"]'))
    assert blocks == 2
    browser.find_element(By.CSS_SELECTOR, 'input[name="hide"][value="violence"]').click()
    assert status.text == "2 places in the work hidden, each behind a notice."
    reveal = browser.find_element(By.CSS_SELECTOR, "section.flagged input.reveal")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", reveal)
    reveal.click()
    assert status.text == "1 place in the work hidden, behind a notice."
    forget = browser.find_element(By.ID, "forget")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", forget)
    forget.click()
    assert status.text == "Nothing is hidden."
    cleared(browser)


def test_the_form_says_it_is_checking_once_sent(browser: webdriver.Chrome, server: str) -> None:
    """Regression (reader review): the form said nothing while a scan ran. The submit is held
    here (a listener added after the page's own) to read the status before the page changes."""
    browser.get(server + "/")
    status = browser.find_element(By.ID, "scan-status")
    assert status.get_attribute("role") == "status" and status.text == ""
    browser.execute_script(
        'document.querySelector("form").addEventListener("submit", function (e) { e.preventDefault(); })'
    )
    browser.find_element(By.ID, "text").send_keys("He stabbed the guard.")
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    assert status.text.startswith("Checking the work for warnings")


def test_a_bar_is_one_tab_stop_and_the_arrow_keys_move_along_it(browser: webdriver.Chrome, tmp_path: Path) -> None:
    """Regression (reader review): every mark of every bar was a Tab stop (176 for a 21,000-word
    work) between a keyboard and the next row; now a bar is one stop, and left/right, Home and
    End move along it. "How to read this" says so once the script runs."""
    from selenium.webdriver.common.keys import Keys

    fight = "He stabbed the guard, and stabbed him again."
    browser.get(report_page(tmp_path, "keys.html", CALM, fight, CALM, fight, CALM, fight, CALM))
    cleared(browser)
    marks = browser.find_elements(By.CSS_SELECTOR, ".bar a.mark")
    assert len(marks) == 3
    assert browser.find_element(By.ID, "bar-keys").is_displayed()

    def focused() -> str:
        return str(browser.execute_script("return document.activeElement.getAttribute('aria-label') || ''"))

    labels = [m.get_attribute("aria-label") for m in marks]
    browser.execute_script("arguments[0].focus()", marks[0])
    marks[0].send_keys(Keys.ARROW_RIGHT)
    assert focused() == labels[1]
    browser.switch_to.active_element.send_keys(Keys.END)
    assert focused() == labels[2]
    browser.switch_to.active_element.send_keys(Keys.HOME)
    assert focused() == labels[0]
    browser.switch_to.active_element.send_keys(Keys.ARROW_LEFT)  # stays at the first
    assert focused() == labels[0]
    browser.switch_to.active_element.send_keys(Keys.TAB)  # out of the bar, not to its next mark
    assert browser.execute_script("return document.activeElement.tagName") == "SUMMARY"
    assert [m.get_attribute("tabindex") for m in marks] == ["0", "-1", "-1"]


def test_a_bar_mark_is_big_enough_to_tap(browser: webdriver.Chrome, tmp_path: Path) -> None:
    """Regression (reader review): on a phone a bar was 14 px tall and a mark 3 px wide, far below
    a finger's 24 px (WCAG 2.5.8). With a coarse pointer the bar is 24 px tall and a tap up to
    10 px beside a mark reaches it; with a mouse nothing changes."""
    fight = "He stabbed the guard, and stabbed him again."
    url = report_page(tmp_path, "tap.html", CALM, CALM, fight, CALM, CALM, CALM, CALM, CALM)

    def beside_mark() -> tuple[float, bool]:
        browser.get(url)
        bar = browser.find_element(By.CSS_SELECTOR, ".bar")
        mark = bar.find_element(By.CSS_SELECTOR, "a.mark")
        hit = browser.execute_script(
            "const r = arguments[0].getBoundingClientRect();"
            "const e = document.elementFromPoint(r.left - 8, r.top + r.height / 2);"
            "return e !== null && e.closest('a.mark') === arguments[0];",
            mark,
        )
        return float(bar.rect["height"]), bool(hit)

    height, hit = beside_mark()
    assert height < 24 and not hit  # a mouse: as drawn
    browser.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": True, "maxTouchPoints": 1})
    try:
        height, hit = beside_mark()
        assert height >= 24 and hit
    finally:
        browser.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": False})
