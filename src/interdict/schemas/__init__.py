"""Pydantic models shared by the API, the CLI and the services: `XCreate / XUpdate / XPublic` families."""
