"""Message ids that templates translate from a variable, listed here so that message extraction
(``pybabel extract -F babel.cfg``) finds them: the role codes of the page header (``{{ _(r) }}`` in
base.html) and the error titles (``{{ _(title) }}`` in error.html). Codes shown through a label macro
(intel/_labels.html, admin/_labels.html) need nothing here. Nothing imports this module;
tests/web/test_catalogue.py checks it against the enums it mirrors.
"""

from __future__ import annotations


def N_(message: str) -> str:
    """Marks a string for extraction without translating it."""
    return message


ROLES = (
    N_("reader"),
    N_("analyst"),
    N_("investigator"),
    N_("liaison_officer"),
    N_("supervisor"),
    N_("agency_admin"),
    N_("platform_admin"),
)

# interdict.web.context.ERROR_TITLES, and its fallback
ERROR_TITLES = (
    N_("You may not do this"),
    N_("Not found"),
    N_("Someone else changed this first"),
    N_("Too large"),
    N_("Method not allowed"),
    N_("Please correct the form"),
    N_("Too many attempts"),
    N_("Error"),
)
