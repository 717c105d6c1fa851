"""The `interdict` command (Typer)."""
