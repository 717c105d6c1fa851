"""Use cases. Each takes a unit of work (SQLAlchemy session) and an ``Actor`` and commits nothing itself:
the caller's unit of work commits once, so a use case and its audit rows land together or not at all."""
