"""Rendering the regional situation report: its charts and map (io/charts.py, io/worldmap.py), the page
body, the standalone HTML document and the PDF. The web page, the API and the CLI all render here."""

from __future__ import annotations

from typing import Any

from interdict.io.charts import bar_chart, period_key, time_series
from interdict.io.pdf import cjk_font, html_to_pdf
from interdict.io.worldmap import MapPoint, render_map
from interdict.services.situation_report import SituationReport
from interdict.web.forms import N_
from interdict.web.i18n import substance_name, translations
from interdict.web.render import render
from interdict.web.seizure_pages import key_value


def visuals(report: SituationReport, lang: str) -> dict[str, Any]:
    """The report's charts and map as inline SVG, titles in ``lang``."""
    gt = translations(lang).gettext
    note = gt(N_("Chart; the same figures are in the tables of this report."))
    kg = gt(N_("kg"))
    series = {
        substance_name(sub, lang): sorted(points.items(), key=lambda kv: period_key(kv[0]))
        for sub, points in list(report.monthly.items())[:8]
    }
    countries = sorted(report.by_country.items(), key=lambda kv: (-kv[1], kv[0]))
    ports = sorted(report.by_port_type.items(), key=lambda kv: (-kv[1], kv[0]))
    points = [MapPoint(p.lat, p.lon, p.mass_kg, p.port or p.country) for p in report.places]
    return {
        "series_svg": time_series(series, title=gt(N_("Kilograms seized by substance, by month")), unit=kg, desc=note),
        "country_svg": bar_chart(countries, title=gt(N_("Kilograms seized by country")), unit=kg, desc=note),
        "port_svg": bar_chart(
            [(key_value("port_type", k, lang), v) for k, v in ports],
            title=gt(N_("Kilograms seized by type of location")),
            unit=kg,
            desc=note,
        ),
        "map_svg": render_map(
            points,
            report.by_country,
            title=gt(N_("Where the seizures were made")),
            desc=gt(N_("Map; the country totals are in the chart by country.")),
            legend=gt(N_("Circle area is proportional to the kilograms; largest {largest} kg")),
        ),
    }


def page_context(report: SituationReport, lang: str) -> dict[str, Any]:
    return {
        "report": report,
        "sname": lambda code: substance_name(code, lang),
        "kv": lambda key, value: key_value(key, value, lang),
        **visuals(report, lang),
    }


def document_html(report: SituationReport, lang: str, *, for_pdf: bool = False) -> str:
    """A self-contained HTML document of the report (inline CSS and SVG)."""
    font = cjk_font() if for_pdf else ""
    return render("situation/document.html", lang, font=font, **page_context(report, lang))


def document_pdf(report: SituationReport, lang: str) -> bytes:
    return html_to_pdf(document_html(report, lang, for_pdf=True))
