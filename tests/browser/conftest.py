"""Browser tests: the real pages in Debian's headless Chromium, driven by Playwright for Python.

- ``live``: one live server per test process (so one per pytest-xdist worker): uvicorn serving
  ``create_app(platform=...)`` from a background thread on a free 127.0.0.1 port, over a fresh migrated
  SQLite database. Tests build their own agencies and users with ``world`` (unique codes), so they do
  not depend on each other's data.
- ``browser``: Chromium from ``/usr/bin/chromium`` (INTERDICT_CHROMIUM to override), never a downloaded
  one. test.sh installs it (and a CJK font) with apt; when it is missing the tests skip, or fail with
  CI=true.
- ``pages``: opens a browser context in a given language and returns a ``Pages`` helper whose
  ``check(page, step)`` runs axe-core (vendored by test.sh under .cache/node, evaluated in the page so the
  page's own CSP stays in force), asserts the language of the page, and saves a full-page screenshot
  to test-artifacts/screenshots/<journey>-<step>-<lang>.png.
"""

from __future__ import annotations

import functools
import os
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyotp
import pytest
import uvicorn

from interdict.api.app import create_app
from interdict.api.context import utcnow
from interdict.services.auth import totp_step
from interdict.services.platform import Platform
from interdict.store.migrate import upgrade
from interdict.web.i18n import CATALOGUES, translations
from tests.conftest import IN_CI, make_settings
from tests.factories import World

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("INTERDICT_CHROMIUM", "/usr/bin/chromium"))
AXE = ROOT / ".cache" / "node" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
CJK = re.compile(r"[\u3400-\u9fff]")
BROWSER_LOCALES = {"en": "en-GB", "zh": "zh-CN", "ru": "ru-RU"}


def _missing(what: str) -> None:
    message = f"{what} (run ./test.sh, which installs it)"
    if IN_CI:
        pytest.fail(f"browser tests need {message}; CI=true makes this a failure", pytrace=False)
    pytest.skip(f"browser tests need {message}")


@dataclass
class Live:
    url: str
    platform: Platform


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    data = tmp_path_factory.mktemp("live")
    db_url = f"sqlite:///{data / 'interdict.db'}"
    upgrade(db_url)
    platform = Platform(make_settings(db_url, data))
    app = create_app(platform=platform)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the live server did not start")
        time.sleep(0.02)
    yield Live(f"http://127.0.0.1:{port}", platform)
    server.should_exit = True
    thread.join(10)
    sock.close()
    platform.db.dispose()


@pytest.fixture
def world(live: Live, monkeypatch: pytest.MonkeyPatch) -> World:
    """Factories over the live server's platform. Password hashing is made cheap for the test's duration
    (argon2's defaults take about a second a hash here, and every sign-in verifies one)."""
    from argon2 import PasswordHasher

    from interdict.services import auth

    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    return World(live.platform, utcnow)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        _missing(f"Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        _missing(f"axe-core at {AXE.relative_to(ROOT)}")
    return AXE.read_text(encoding="utf-8")


class Totp:
    """Codes for the live server's clock; each 30 s step is accepted once per user, so hand out the next
    unused step (the server accepts one step either side of now)."""

    def __init__(self) -> None:
        self.used: dict[str, int] = {}

    def code(self, secret: str) -> str:
        now = totp_step(utcnow())
        step = max(now, self.used.get(secret, -1) + 1)
        if step > now + 1:
            time.sleep((step - 1) * 30 - utcnow().timestamp() + 0.5)
        self.used[secret] = step
        return str(pyotp.TOTP(secret).at(step * 30))


@functools.cache
def english_sentences() -> tuple[str, ...]:
    """Catalogue messages of three words or more that Chinese translates: on a Chinese page, none of them
    may show in English."""
    from babel.messages.pofile import read_po

    with (CATALOGUES / "zh" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalogue = read_po(fh, locale="zh")
    return tuple(
        m.id
        for m in catalogue
        if isinstance(m.id, str)
        and len(m.id.split()) >= 3
        and "%(" not in m.id
        and m.string
        and m.string != m.id
    )


@dataclass
class Pages:
    """Opened by the ``pages`` fixture for one journey in one language."""

    base: str
    journey: str
    lang: str
    axe: str
    new_context: Callable[..., Any]
    contexts: list[Any] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    shots: list[Path] = field(default_factory=list)
    totp: Totp = field(default_factory=Totp)

    def t(self, msgid: str) -> str:
        """The text the page shows for ``msgid`` in this journey's language (from the real catalogue)."""
        return translations(self.lang).gettext(msgid)

    def open(self, lang: str | None = None) -> Any:
        """A new page in its own context (its own cookies): one per person in the journey. The browser's
        preferred language is the journey's; ``lang`` overrides it."""
        context = self.new_context(
            locale=BROWSER_LOCALES[lang or self.lang], viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(10_000)
        self.contexts.append(context)
        page = context.new_page()
        page.on("console", lambda m: self._console(page, m))
        page.on("pageerror", lambda e: self.console.append(f"{page.url}: {e}"))
        page.on("response", lambda r: self._response(page, r))
        return page

    def _console(self, page: Any, message: Any) -> None:
        # Failed loads are reported by URL in ``_response``; pages that answer 403/404 on purpose say so too.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.console.append(f"{page.url}: {message.text}")

    def _response(self, page: Any, response: Any) -> None:
        request = response.request
        if (
            response.status >= 400
            and request.resource_type != "document"
            and not request.url.endswith("/favicon.ico")
        ):
            self.console.append(f"{page.url}: {request.url} answered {response.status}")

    def go(self, page: Any, path: str) -> Any:
        return page.goto(self.base + path)

    def run_axe(self, page: Any) -> dict[str, Any]:
        """axe-core's findings for the page. Evaluated through the DevTools protocol, which the page's CSP
        does not govern, so the test runs with the same CSP as production (no bypass_csp)."""
        result: dict[str, Any] = page.evaluate(
            """async (src) => {
                if (!window.axe) { (0, eval)(src); }
                return await window.axe.run(document, {resultTypes: ['violations']});
            }""",
            self.axe,
        )
        assert result["testEngine"]["name"] == "axe-core", result.get("testEngine")
        return result

    def check(
        self, page: Any, step: str, lang: str | None = None, user_heading: bool = False
    ) -> dict[str, Any]:
        """Axe (no serious or critical violation), the page's language, no CSP or script errors, and a
        full-page screenshot. In Chinese: the header, the footer and the heading (unless it is the user's
        own text, ``user_heading``) contain Chinese, and no English sentence of the catalogue is left on
        the page. Returns axe's result."""
        lang = lang or self.lang
        page.wait_for_load_state("load")
        html_lang = page.locator("html").get_attribute("lang") or ""
        assert html_lang.split("-")[0] == lang, f"{step}: page language {html_lang!r}, expected {lang!r}"
        heading = page.locator("h1").first.inner_text()
        # The page's own words around the content (the language menu names each language in itself).
        chrome = "\n".join(page.locator("header nav, header label, header button, footer").all_inner_texts())
        if lang == "zh":
            assert CJK.search(chrome), f"{step}: header and footer {chrome!r} are not Chinese"
            if not user_heading:
                assert CJK.search(heading), f"{step}: heading {heading!r} is not Chinese"
                assert CJK.search(page.title()), f"{step}: title {page.title()!r} is not Chinese"
            text = page.locator("body").inner_text()
            left = [m for m in english_sentences() if m in text]
            assert not left, f"{step}: English left on a Chinese page: {left}"
        elif lang == "en":
            assert not CJK.search(chrome), f"{step}: {chrome!r} is not English"
            if not user_heading:
                assert not CJK.search(heading), f"{step}: heading {heading!r} is not English"
        result = self.run_axe(page)
        bad = [v for v in result["violations"] if v.get("impact") in ("serious", "critical")]
        path = SCREENSHOTS / f"{self.journey}-{step}-{lang}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path), full_page=True)
        self.shots.append(path)
        assert not bad, f"{step} ({page.url}): accessibility violations:\n" + "\n".join(
            f"- {v['id']} ({v['impact']}): {v['help']} at "
            + ", ".join(str(n["target"]) for n in v["nodes"][:5])
            for v in bad
        )
        assert not self.console, f"{step}: errors in the browser console:\n" + "\n".join(self.console)
        return result


@pytest.fixture
def pages(
    browser: Any, axe_source: str, live: Live, request: pytest.FixtureRequest
) -> Iterator[Callable[[str, str], Pages]]:
    opened: list[Pages] = []

    def make(journey: str, lang: str) -> Pages:
        p = Pages(live.url, journey, lang, axe_source, browser.new_context)
        opened.append(p)
        return p

    yield make
    report = getattr(request.node, "rep_call", None)
    for p in opened:
        for i, context in enumerate(p.contexts):
            if report is not None and report.failed:
                for j, page in enumerate(context.pages):
                    path = SCREENSHOTS / f"FAILED-{request.node.name}-{i}-{j}.png"
                    path.parent.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(path), full_page=True)
            context.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep the call's report on the test item, so ``pages`` can screenshot the pages of a failed test."""
    report = yield
    if report.when == "call":
        item.rep_call = report  # type: ignore[attr-defined]
    return report
