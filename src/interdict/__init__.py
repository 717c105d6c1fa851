"""Interdict: a cooperation platform for drug-law-enforcement agencies."""

__version__ = "0.1.0"
