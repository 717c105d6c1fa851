"""HTML to PDF with WeasyPrint, with a font that covers Chinese and Cyrillic embedded.

Reports carry Chinese, Russian and English text. WeasyPrint finds fonts through fontconfig and embeds
(subsets of) the fonts it uses, so the PDF reads the same everywhere; but where no installed font
covers Chinese it would silently draw boxes. ``cjk_font`` therefore asks fontconfig (``fc-list
:lang=zh``) for a family covering Chinese, preferring a sans-serif Noto CJK face (which also covers
Cyrillic and Latin), and ``html_to_pdf`` refuses with a clear message when there is none.
"""

from __future__ import annotations

import shutil
import subprocess
from functools import cache
from typing import Any

from interdict.domain.errors import InterdictError

PREFERRED = ("Noto Sans CJK SC", "Noto Sans CJK TC", "Noto Sans CJK JP", "Noto Serif CJK SC", "WenQuanYi Zen Hei")
NO_FONT = (
    "no installed font covers Chinese, so the PDF cannot show Chinese text; install one "
    "(Debian/Ubuntu: apt-get install fonts-noto-cjk) and try again"
)


class FontMissingError(InterdictError):
    """The PDF cannot be made on this server (no CJK font, or WeasyPrint's system libraries missing)."""

    status = 503
    title = "PDF unavailable"
    code = "pdf_unavailable"


def _families(lang: str) -> list[str]:
    if shutil.which("fc-list") is None:
        return []
    try:
        out = subprocess.run(
            ["fc-list", f":lang={lang}", "family"], capture_output=True, text=True, timeout=30, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return sorted({name.strip() for line in out.splitlines() for name in line.split(",") if name.strip()})


@cache
def cjk_font() -> str:
    """The family to set the report in: covers Chinese and Cyrillic; FontMissingError when none."""
    zh = _families("zh")
    ru = set(_families("ru"))
    for name in (*PREFERRED, *zh):
        if name in zh and name in ru:
            return name
    raise FontMissingError(NO_FONT if not zh else NO_FONT.replace("Chinese, so", "both Chinese and Cyrillic, so"))


def _weasyprint() -> Any:
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: the Pango/HarfBuzz libraries are missing
        raise FontMissingError(
            f"the PDF renderer cannot start ({exc}); install WeasyPrint's system libraries "
            "(Debian/Ubuntu: apt-get install libpango-1.0-0 libpangoft2-1.0-0)"
        ) from None
    return weasyprint


def html_to_pdf(html: str) -> bytes:
    """The PDF of a self-contained HTML document (inline SVG and CSS, no fetching)."""
    html_class = _weasyprint().HTML
    cjk_font()

    def no_fetch(url: str, timeout: int = 10, ssl_context: object = None) -> dict[str, object]:
        raise ValueError(f"the report must not fetch {url!r}")

    return bytes(html_class(string=html, url_fetcher=no_fetch).write_pdf())
