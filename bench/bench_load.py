"""25 people at once on a real `streamlit run`: log in, open the protocols, open the editor, save a section.

Each person is a browser context of one headless Chromium (Debian's, as in tests/e2e), each a dirigente
of their own school editing their own protocol. Every step is timed from the click to the page settling
with the expected text; the floor is one person doing the same steps alone on the same server. Any
exception on screen, error message or step that does not finish is counted as an error: there must be none.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import statistics
import tempfile
import time
from pathlib import Path

from bench.harness import Result
from models.accounts import auth, schools
from models.core import db as database
from models.core.permissions import Actor
from models.demo import demo
from models.protocols import protocol as protocols
from ui import strings as S

SESSIONS = int(os.environ.get("BENCH_LOAD_SESSIONS", 25))
STEPS = ["accesso", "elenco dei protocolli", "editor della sezione", "salvataggio di una versione"]
STEP_TIMEOUT_MS = 180_000  # a loaded 2-core machine: generous, but bounded
SCENARIO_TIMEOUT_S = 900
SECTION = "Chi fa che cosa"
NEW_TEXT = "Riunione della commissione numero {n}."
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"


class StepFailed(Exception):
    pass


def prepare(folder: Path) -> None:
    """The demo network and SESSIONS more upper secondary schools, each with its dirigente and protocol."""
    db = database.connect(folder / "e2e.db")  # the file tests/e2e's Server starts streamlit on
    demo.install_demo(db, with_pupils=False)
    system = Actor.system("bench")
    for n in range(SESSIONS + 2):  # the crowd, the one alone and a first visit that warms the server up
        code = f"MIIS9{n:04d}X"
        schools.create_school(db, system, code, f"Istituto di carico {n}", demo.NETWORK[0],
                              "secondaria_secondo_grado")
        user = auth.create_user(db, system, username(n), demo.DEMO_PASSWORD, "dirigente", school_code=code)
        protocols.create_school_protocol(db, auth.actor_for_user(db, user.id), code)
    db.conn.close()


def username(n: int) -> str:
    return f"carico{n:02d}"


async def settle(page) -> None:
    """Streamlit has finished the run for what is on screen (twice: a rerun may follow at once)."""
    await page.wait_for_selector(IDLE, timeout=STEP_TIMEOUT_MS)
    await page.wait_for_timeout(300)
    await page.wait_for_selector(IDLE, timeout=STEP_TIMEOUT_MS)


async def check_screen(page) -> None:
    errors = page.locator("[data-testid='stException'], [data-testid='stAlertContentError']")
    if await errors.count():
        raise StepFailed((await errors.first.inner_text())[:200])


async def journey(browser, base_url: str, n: int, timings: dict[str, list[float]], errors: list[str]) -> None:
    context = await browser.new_context(locale="it-IT", viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    page.set_default_timeout(STEP_TIMEOUT_MS)

    current = [""]
    main = page.locator("[data-testid='stMain']")

    async def step(name: str, action, arrived) -> None:
        """Time `action` until Streamlit is idle and `arrived` (a locator) is on screen."""
        current[0] = name
        began = time.perf_counter()
        await action()
        await settle(page)
        await arrived.first.wait_for()
        await check_screen(page)
        timings.setdefault(name, []).append(time.perf_counter() - began)

    async def log_in():
        await page.get_by_role("textbox", name=S.USERNAME).fill(username(n))
        await page.get_by_role("textbox", name=S.PASSWORD).fill(demo.DEMO_PASSWORD)
        await page.get_by_role("button", name=S.LOGIN_BUTTON).click()

    async def open_section():
        await main.get_by_role("link", name=S.OPEN_EDITOR, exact=True).last.click()
        await settle(page)
        box = page.get_by_role("combobox", name=S.CHOOSE_SECTION)
        await box.click()
        await box.fill(SECTION)
        await page.get_by_role("option").filter(has_text=SECTION).first.wait_for()
        await box.press("Enter")

    async def save():
        editor = page.get_by_role("textbox", name=S.RICH_SECTION_TEXT)  # the rich-text editor sends by itself
        await editor.click()
        await editor.press("Control+End")
        await editor.press("Enter")
        await editor.type(NEW_TEXT.format(n=n))
        await main.get_by_text(S.UNSAVED_HERE.split(" (")[0]).wait_for(timeout=STEP_TIMEOUT_MS)
        await settle(page)
        await page.get_by_role("button", name=S.SAVE_SECTION).click()

    try:
        await page.goto(base_url + "/")
        await settle(page)
        await step(STEPS[0], log_in, page.get_by_role("button", name=S.LOGOUT_BUTTON))
        await step(STEPS[1], lambda: page.get_by_role("link", name=S.PAGE_PROTOCOLS).first.click(),
                   main.get_by_role("link", name=S.OPEN_EDITOR, exact=True))
        await step(STEPS[2], open_section, page.get_by_role("textbox", name=S.RICH_SECTION_TEXT))
        await step(STEPS[3], save, main.get_by_text(S.SAVED_VERSION.format(version=2)))
    except Exception as error:  # counted, and the figures say how many
        shot = Path(tempfile.gettempdir()) / f"approdo-load-{username(n)}.png"
        with contextlib.suppress(Exception):  # the screen as it was, for whoever reads the error
            await page.screenshot(path=str(shot), full_page=True)
        errors.append(f"{username(n)}, {current[0]}: {type(error).__name__}: {str(error).splitlines()[0][:200]}"
                      f" (schermata: {shot})")
    finally:
        await context.close()


async def scenario(base_url: str, people: list[int]) -> tuple[dict[str, list[float]], list[str]]:
    from playwright.async_api import async_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_FLAGS

    timings: dict[str, list[float]] = {}
    errors: list[str] = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        try:
            await asyncio.wait_for(
                asyncio.gather(*(journey(browser, base_url, n, timings, errors) for n in people)),
                SCENARIO_TIMEOUT_S)
        except TimeoutError:
            errors.append(f"scenario over {SCENARIO_TIMEOUT_S} s")
        finally:
            await browser.close()
    return timings, errors


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_problems(log: Path) -> list[str]:
    """Tracebacks and lock errors the server logged, even those no screen showed."""
    text = log.read_text(errors="replace")
    return [line.strip()[:200] for line in text.splitlines()
            if "Traceback" in line or "database is locked" in line]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run() -> list[Result]:
    from tests.e2e.conftest import CHROMIUM, Server

    if not CHROMIUM.exists():
        print("bench_load: Debian's chromium is missing (make test installs it as root): skipped")
        return []
    folder = Path(tempfile.mkdtemp(prefix="approdo-load-"))
    prepare(folder)
    server = Server(folder, own_process=True)  # a server of its own, as `make run` starts it
    try:
        # A first visit pays the imports of every page once; then the floor, one person alone, warm.
        _, warm_up_errors = asyncio.run(scenario(server.url, [SESSIONS + 1]))
        cpu_start = cpu_seconds(server.process.pid)
        alone, alone_errors = asyncio.run(scenario(server.url, [SESSIONS]))
        cpu_alone = cpu_seconds(server.process.pid) - cpu_start
        began = time.perf_counter()
        crowd, crowd_errors = asyncio.run(scenario(server.url, list(range(SESSIONS))))
        crowd_seconds = time.perf_counter() - began
        cpu_crowd = cpu_seconds(server.process.pid) - cpu_start - cpu_alone
    finally:
        server.stop()
    errors = warm_up_errors + alone_errors + crowd_errors + server_problems(folder / "streamlit.log")
    for error in errors:
        print("bench_load ERRORE:", error)
    results = []
    for name in STEPS:
        done = crowd.get(name, [])
        floor = statistics.median(alone.get(name, [float("nan")]))
        for label, share in (("p50", 0.5), ("p95", 0.95)):
            ours = percentile(done, share) if done else float("nan")
            results.append(Result(f"{SESSIONS} sessioni, {name} {label}", ours, floor, "1 sessione da sola",
                                  errors=len(errors) if label == "p95" else None))
        if len(done) != SESSIONS:
            print(f"bench_load: {name}: {len(done)} of {SESSIONS} sessions got there")
    # Where the time goes: the server's own CPU per person, crowd against alone (near 1x: it scales
    # linearly, and the waits above are the machine's cores shared by the server and the 25 browsers).
    results.append(Result(f"{SESSIONS} sessioni, CPU del server per sessione", cpu_crowd / SESSIONS, cpu_alone,
                          "CPU del server, 1 sessione da sola"))
    print(f"bench_load: {SESSIONS} sessions took {crowd_seconds:.0f} s in all, of which the server used"
          f" {cpu_crowd:.1f} s of CPU; the rest is the browsers and whatever else shares the machine")
    return results
