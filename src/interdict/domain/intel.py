"""Intelligence report vocabulary: categories and the grading agencies use (the 4x4 system)."""

from __future__ import annotations

import enum


class IntelCategory(enum.StrEnum):
    TRAFFICKING_ROUTE = "trafficking_route"
    MODUS_OPERANDI = "modus_operandi"
    SYNDICATE = "syndicate"
    PRECURSOR_DIVERSION = "precursor_diversion"
    EMERGING_THREAT = "emerging_threat"
    ONLINE_SALE = "online_sale"
    OTHER = "other"


class SourceReliability(enum.StrEnum):
    """A: reliable; B: mostly reliable; C: not reliable; X: cannot be judged."""

    A = "A"
    B = "B"
    C = "C"
    X = "X"


# 1: known true without reservation; 2: known personally to the source but not to the officer;
# 3: not known personally to the source but corroborated; 4: cannot be judged.
INFO_ACCURACY = (1, 2, 3, 4)
