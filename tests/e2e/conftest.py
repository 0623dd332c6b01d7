"""A real `streamlit run` on 127.0.0.1 and Debian's headless Chromium driven by Playwright."""

from __future__ import annotations

import atexit
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import expect

from models.core import clock
from tests.conftest import ROOT, copy_prepared

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]

pytestmark = pytest.mark.e2e


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Forked:
    """A server forked by the fork server (not a child of this process): what Server uses of a Popen."""

    def __init__(self, pid: int):
        self.pid, self.returncode = pid, None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:  # ended (the fork server's children are reaped at once)
                self.returncode = -1
        return self.returncode

    def _signal(self, number: int) -> None:
        try:
            os.kill(self.pid, number)
        except ProcessLookupError:
            pass

    def terminate(self) -> None:
        self._signal(signal.SIGTERM)

    def kill(self) -> None:
        self._signal(signal.SIGKILL)

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"server {self.pid}", timeout)
            time.sleep(0.05)
        return self.returncode


class _ForkServer:
    """`python -m tests.e2e.serve --fork-server`, started at the first server of this test process: it imports
    what a server imports once, then forks each server (tests/e2e/serve.py)."""

    def __init__(self):
        self.process: subprocess.Popen | None = None

    def start(self, arguments: list[str], env: dict[str, str], log: Path) -> _Forked:
        if self.process is None or self.process.poll() is not None:
            self.process = subprocess.Popen([sys.executable, "-m", "tests.e2e.serve", "--fork-server"], cwd=ROOT,
                                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            atexit.register(self.stop)
        self.process.stdin.write(json.dumps({"args": arguments, "env": env, "log": str(log), "cwd": str(ROOT)})
                                 + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline()
        if not answer.strip():
            raise RuntimeError(f"the fork server ended: {self.process.poll()}")
        return _Forked(int(answer))

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.stdin.close()  # it ends at the end of its input
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


_FORKS = _ForkServer()


class Server:
    """A freshly started Approdo on the demo database."""

    def __init__(self, tmp: Path, *, port: int | None = None, args: tuple[str, ...] = (),
                 env: dict[str, str] | None = None, wait: bool = True, own_process: bool = False):
        """`own_process`: a `python -m tests.e2e.serve` started for it alone (a benchmark measuring a server),
        rather than a fork of the process that has imported everything once (`_ForkServer`)."""
        self.db = tmp / "e2e.db"
        moved_clock = clock.OFFSET_ENV in (env or {})
        env = {**os.environ, **(env or {}), "APPRODO_DB": str(self.db)}
        if self.db.exists():  # a database already there (bench_load's users, a journey's earlier server) is kept
            pass
        elif not moved_clock:  # the same demo database for every server on today's clock: made once, copied
            copy_prepared("init-db --demo", self.db)
        else:  # the demo's cases date from its day: made on the server's own day
            subprocess.run([sys.executable, "cli.py", "init-db", "--demo"], cwd=ROOT, env=env,
                           check=True, capture_output=True)
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(tmp / "streamlit.log", "w")  # noqa: SIM115 - closed in stop()
        arguments = ["run", "server.py", "--server.port", str(self.port), "--server.address", "127.0.0.1",
                     "--server.headless", "true", *args]
        if own_process:
            self.process = subprocess.Popen([sys.executable, "-m", "tests.e2e.serve", *arguments],
                                            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        else:
            self.process = _FORKS.start(arguments, env, tmp / "streamlit.log")
        if wait:
            self.wait_healthy()

    def wait_healthy(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited: {self.process.returncode}")
            try:
                with urllib.request.urlopen(self.url + "/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("streamlit did not become healthy")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


# The test this process runs after the current one (pytest knows it; xdist's workers too), so that its server can
# start while the current test runs.
_NEXT: dict[str, pytest.Item | None] = {"item": None}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    _NEXT["item"] = nextitem
    return (yield)


def _uses_a_fresh_server(item) -> bool:
    """Whether `item` takes its server from the `server` fixture below (a module may define its own)."""
    definitions = getattr(getattr(item, "_fixtureinfo", None), "name2fixturedefs", {}).get("server")
    return bool(definitions) and definitions[-1].func.__module__ == __name__


class _Spare:
    """The next test's server, started (on its own copy of the demo database) while the current test runs: each
    test still gets a server of its own that nobody has visited, and waits less for it."""

    def __init__(self):
        self.waiting: Server | None = None

    def take(self, tmp_path_factory) -> Server:
        running, self.waiting = self.waiting, None
        if running is None:
            return Server(tmp_path_factory.mktemp("server"))
        running.wait_healthy()
        return running

    def prepare(self, tmp_path_factory) -> None:
        self.waiting = Server(tmp_path_factory.mktemp("server"), wait=False)

    def close(self) -> None:
        if self.waiting is not None:
            self.waiting.stop()
            self.waiting = None


@pytest.fixture(scope="session")
def _spare_server():
    spare = _Spare()
    yield spare
    spare.close()


@pytest.fixture
def server(tmp_path_factory, _spare_server):
    """A fresh server per test: some tests need one that no session has visited yet. The next test's is started
    meanwhile (its own database and process), so its start is hidden behind this test."""
    running = _spare_server.take(tmp_path_factory)
    following = _NEXT["item"]
    if following is not None and _uses_a_fresh_server(following):
        _spare_server.prepare(tmp_path_factory)
    yield running
    running.stop()


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (make test installs it when run as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


# The page's own WebSocket, watched from inside the page: the runs the browser asks for (BackMsg rerun_script,
# field 11, or file_urls_request, 16, which an upload's rerun follows) and the runs that end (ForwardMsg
# script_finished, field 6, unless FINISHED_EARLY_FOR_RERUN = 2), read from the messages' top-level protobuf fields
# (streamlit/proto/BackMsg.proto, ForwardMsg.proto). A frame counter lets React draw what the run sent.
RUN_WATCH = """(() => {
  const watch = window.__approdoRuns = {asked: 0, done: 0, seq: 0, frame: 0, doneFrame: 0, page: Math.random()};
  const tick = () => { watch.frame += 1; requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
  const bytesOf = (data) => data instanceof ArrayBuffer ? new Uint8Array(data)
    : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : null;
  const fields = (bytes) => {
    const found = {};
    let i = 0;
    const varint = () => {
      let value = 0, scale = 1, b;
      do { b = bytes[i++]; value += (b & 0x7f) * scale; scale *= 128; } while ((b & 0x80) && i < bytes.length);
      return value;
    };
    while (i < bytes.length) {
      const tag = varint(), number = Math.floor(tag / 8), wire = tag % 8;
      if (wire === 0) found[number] = varint();
      else if (wire === 2) { const size = varint(); i += size; found[number] = true; }
      else if (wire === 1) { i += 8; found[number] = true; }
      else if (wire === 5) { i += 4; found[number] = true; }
      else break;
    }
    return found;
  };
  class Watched extends window.WebSocket {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (event) => {
        const bytes = bytesOf(event.data);
        const found = bytes ? fields(bytes) : {};
        if (6 in found && found[6] !== 2) { watch.done = ++watch.seq; watch.doneFrame = watch.frame; }
      });
    }
    send(data) {
      const bytes = bytesOf(data);
      const found = bytes ? fields(bytes) : {};
      if (11 in found || 16 in found) watch.asked = ++watch.seq;
      return super.send(data);
    }
  }
  window.WebSocket = Watched;
})();"""
SETTLED = """() => {
  const watch = window.__approdoRuns, app = document.querySelector("[data-testid='stApp']");
  return !!watch && !!app && watch.done > watch.asked && watch.frame >= watch.doneFrame + 2
    && app.getAttribute("data-test-script-state") === "notRunning";
}"""


def new_page(browser, **options):
    """A page of a new browser session (its own cookies), in Italian, whose script runs `wait_idle` can follow."""
    context = browser.new_context(**{"locale": "it-IT", "viewport": {"width": 1280, "height": 900}, **options})
    context.add_init_script(RUN_WATCH)
    opened = context.new_page()
    opened.set_default_timeout(20_000)
    return opened


@pytest.fixture
def page(browser):
    opened = new_page(browser)
    yield opened
    opened.context.close()


def wait_idle(page, timeout: float = 60_000) -> None:
    """Wait until the last script run the page asked for has ended and what it sent is on screen.

    Every run the browser asks for (a click, a choice, an upload, a page) is followed by the server's
    "script finished"; Streamlit's own indicator (data-test-script-state) must also say it is not running.
    No fixed pause: this returns as soon as the run is over. The page must come from `new_page` (or the `page`
    fixture), which installs the watch: on any other page this waits until the timeout.
    """
    page.wait_for_function(SETTLED, timeout=timeout)


ASKED_SINCE = """(before) => {
  const watch = window.__approdoRuns;
  return !!watch && (watch.page !== before.page || watch.asked > before.asked);
}"""


@contextmanager
def rerun(page, timeout: float = 60_000):
    """Do what the block does (a key, a click, an upload), then wait for the script run it asked for to end.

    `wait_idle` alone is not enough after an action whose run the browser asks for a moment later (Ctrl+Enter or
    Tab leaving a text box, Enter in a text box, an upload, a step back in the history): it may look while the
    previous run is still the last one, and return before the new run has even started; the next step then meets
    a page that the run redraws under it (a button re-made, its focus lost). So this first waits until the browser
    has asked for a run since the block began (or a new page has loaded), then until that run is over:
    `with rerun(page): editor.press("Control+Enter")`. The page must come from `new_page` (or the `page` fixture).
    """
    before = page.evaluate("() => ({page: window.__approdoRuns.page, asked: window.__approdoRuns.asked})")
    yield
    page.wait_for_function(ASKED_SINCE, arg=before, timeout=timeout)
    wait_idle(page, timeout)


@contextmanager
def changed(page, widget):
    """A widget's new value: outside a form it asks for a run, waited for as `rerun` does; inside a form nothing
    runs until the form's button is pressed, so this only waits for the page to be still."""
    if widget.evaluate("el => !!el.closest(\"[data-testid='stForm']\")"):
        yield
        wait_idle(page)
    else:
        with rerun(page):
            yield


def log_in(page, base_url: str, username: str, password: str, *, accepted: bool = True) -> None:
    """Log in through the form. An accepted login returns once the browser holds the session cookie (the page asks
    for it right after the run): a page then opened by its address (a new page load) finds the login."""
    page.goto(base_url + "/")
    wait_idle(page)
    page.get_by_role("textbox", name="Nome utente").fill(username)
    page.get_by_role("textbox", name="Password").fill(password)
    with rerun(page):
        page.get_by_role("button", name="Accedi").click()
    if accepted:
        session_cookie(page)


COOKIE = "approdo_sessione"


def session_cookie(page, *, present: bool = True, timeout: float = 30) -> dict | None:
    """The browser's session cookie, once the page has set (or, with present=False, removed) it.

    The cookie arrives from an HTTP answer that the page asks for right after a login or a
    logout, so this waits for it to be there (or gone) rather than for a fixed time.
    """
    deadline = time.monotonic() + timeout
    while True:
        found = next((c for c in page.context.cookies() if c["name"] == COOKIE), None)
        if (found is not None) == present:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"session cookie {'never set' if present else 'still there'}")
        page.wait_for_timeout(100)


SCREENSHOTS = Path(os.environ.get("APPRODO_SCREENSHOTS") or ROOT / "test-artifacts" / "screenshots")


def screenshot(page, name: str) -> Path:
    """Keep the journey's last screen (CI prints the folder; a person can look at what the test saw)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(target), full_page=True)
    return target


def leave_text_field(page) -> None:
    """Leave the text field that has the focus and, if leaving it sent its text, wait for that run.

    A person who typed in a text box and then clicks elsewhere sends the text. Clicking a select box would send it
    too, but the run it asks for may begin a moment after the click, redraw the box and close its list while the
    next keys are typed: leaving the field first takes that race away. Streamlit sends the text within a frame or
    two of the blur (React commits it, then the widget manager sends it), so the watch's count, read three frames
    later, tells whether a run was asked for (frames, not a fixed time: a slow machine draws them later)."""
    sent = page.evaluate("""() => {
      const el = document.activeElement, watch = window.__approdoRuns;
      const typing = el && (el.tagName === "TEXTAREA" || (el.tagName === "INPUT" && el.type === "text"))
        && el.getAttribute("role") !== "combobox";
      if (!typing || !watch) return false;
      const before = watch.asked;
      el.blur();
      const frame = () => new Promise((done) => requestAnimationFrame(done));
      return frame().then(frame).then(frame).then(() => watch.asked > before);
    }""")
    if sent:
        wait_idle(page)


def choose(page, label: str, option: str, attempts: int = 3) -> None:
    """Pick an option of a Streamlit selectbox by typing part of it, as a keyboard user would.

    The list re-renders while it filters, and a rerun still finishing can close it: wait for the match,
    take it with Enter (the first match has the focus), and start again if the list closed meanwhile.
    """

    for attempt in range(attempts):
        wait_idle(page)
        leave_text_field(page)
        box = page.get_by_role("combobox", name=label)
        if re.search(re.escape(option), box.input_value()):
            break  # already the choice: Streamlit runs nothing for it
        asked = page.evaluate("() => window.__approdoRuns.asked")
        box.click()
        if page.evaluate("(before) => window.__approdoRuns.asked > before", asked):
            continue  # leaving a text field sent it: the run redraws the list (a new box), start again after it
        box.fill(option)
        try:
            # Enter takes the first option: wait until the list is filtered (the unfiltered list may show the
            # option too, further down, and Enter would then take the first one, often the current choice).
            expect(page.get_by_role("option").first).to_contain_text(option, timeout=5_000)
        except AssertionError:
            if attempt == attempts - 1:
                raise
            box.press("Escape")
            continue
        with changed(page, box):
            box.press("Enter")
        if box.evaluate("el => !!el.closest(\"[data-testid='stForm']\")"):
            # In a form no run tells whether Enter took the option, and while the box has the focus its value is
            # the typed filter, which matches whether or not it did: leave the box (the filter then gives way to
            # the choice, or to nothing) and start again if nothing was taken.
            box.evaluate("el => el.blur()")
            if not re.search(re.escape(option), box.input_value()):
                continue
        break
    expect(page.get_by_role("combobox", name=label)).to_have_value(re.compile(re.escape(option)))


def pick(page, label: str, option: str) -> None:
    """Add an option to a Streamlit multiselect by typing part of it and clicking it in the list, as a person does.

    Enter is not used: the option is visible before the typed filter has settled, and Enter on a list still being
    re-filtered may take nothing (no run is asked for). The click always takes the option; the new value may be
    sent at once or only when the list closes (Escape), so both are inside the wait for the run they ask for.
    ArrowDown opens the list if typing did not (it keeps the filter)."""
    box = page.get_by_role("combobox", name=label)
    box.click()
    box.press_sequentially(option)
    box.press("ArrowDown")  # a click on a box just drawn (in an expander) may focus it without opening its list
    choice = page.get_by_role("option").filter(has_text=option).first
    choice.wait_for()
    with changed(page, box):
        choice.click()
        box.press("Escape")
    wait_idle(page)


def markdown_box(page):
    """A section's Markdown, one click below the rich-text editor (its expander opened if it is closed)."""
    from playwright.sync_api import expect

    box = page.get_by_role("textbox", name="Testo della sezione")
    if not box.is_visible():
        page.get_by_text("Testo in Markdown", exact=False).click()
    expect(box).to_be_visible()
    return box


def type_in_section(page, text: str) -> None:
    """Type `text` as a new paragraph at the end of the section's rich-text editor, as a person would, and return
    once the editor has sent it (by itself, a second after the last key) and the run it asked for is over."""
    rich = page.get_by_role("textbox", name="Testo formattato della sezione")
    rich.click()
    page.keyboard.press("Control+End")
    asked = page.evaluate("() => window.__approdoRuns.asked")
    page.keyboard.press("Enter")
    page.keyboard.type(text)
    page.wait_for_function("(before) => window.__approdoRuns.asked > before", arg=asked, timeout=3_000)
    wait_idle(page)
