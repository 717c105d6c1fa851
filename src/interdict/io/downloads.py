"""Answers that hand a stored file to the user: always a download, never rendered by the browser."""

from __future__ import annotations

from urllib.parse import quote

from starlette.responses import Response


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback name and the exact UTF-8 name (RFC 6266 / 5987), so names
    in Chinese, Russian or Thai survive and never break the header."""
    fallback = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def download(data: bytes, filename: str, content_type: str) -> Response:
    return Response(
        data,
        media_type=content_type,
        headers={"Content-Disposition": content_disposition(filename), "X-Content-Type-Options": "nosniff"},
    )
