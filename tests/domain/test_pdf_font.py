"""The PDF path finds a font covering Chinese and Cyrillic, or says clearly which package is missing."""

from __future__ import annotations

import pytest

from interdict.io import pdf


def test_a_cjk_font_is_found_on_this_machine() -> None:
    pdf.cjk_font.cache_clear()
    font = pdf.cjk_font()
    assert font in pdf._families("zh") and font in pdf._families("ru")


def test_missing_font_is_a_clear_refusal(monkeypatch: pytest.MonkeyPatch) -> None:
    pdf.cjk_font.cache_clear()
    monkeypatch.setattr(pdf, "_families", lambda lang: [] if lang == "zh" else ["DejaVu Sans"])
    try:
        with pytest.raises(pdf.FontMissingError, match="apt-get install fonts-noto-cjk"):
            pdf.html_to_pdf("<p>区域形势报告</p>")
    finally:
        pdf.cjk_font.cache_clear()
