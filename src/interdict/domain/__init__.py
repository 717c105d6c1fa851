"""Pure rules and types. Nothing here imports from the rest of the package or does I/O."""
