"""ASGI middleware: request ids, body size limits (413 before the body is read), security headers."""

from __future__ import annotations

import json
import uuid
from typing import Any

from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        b"object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    ),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cache-control", b"no-store"),
]


class _TooLarge(StarletteHTTPException):
    """Raised while the body streams in; FastAPI passes HTTP exceptions through its body parsing."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body is over the limit of {limit} bytes")


def _problem_413(limit: int) -> bytes:
    return json.dumps(
        {
            "type": "urn:interdict:problem:payload_too_large",
            "title": "Payload too large",
            "status": 413,
            "detail": f"request body is over the limit of {limit} bytes",
            "code": "payload_too_large",
            "errors": [],
        }
    ).encode()


class GuardMiddleware:
    def __init__(
        self, app: ASGIApp, max_body: int, max_upload: int, hsts: bool = False, max_import: int | None = None
    ) -> None:
        self.app = app
        self.max_body = max_body
        self.max_upload = max_upload
        self.max_import = max_import or max_upload
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        path = scope["path"]
        if path.endswith("/attachments"):
            limit = self.max_upload
        elif path.endswith("/imports"):
            limit = self.max_import
        else:
            limit = self.max_body
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        too_large = declared is not None and (not declared.isdigit() or int(declared) > limit)
        if too_large and scope["path"].startswith("/api/"):
            await self._reject(send, limit, request_id)
            return
        # Pages: the streamed limit below still stops reading at the limit; the app then answers
        # with a page in the user's language instead of JSON.
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLarge(limit)
            return message

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                extra = [*SECURITY_HEADERS, (b"x-request-id", request_id.encode())]
                if self.hsts or scope.get("scheme") == "https":
                    extra.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (k, v) for k, v in extra if k not in names
                ]
            await send(message)

        try:
            await self.app(scope, limited_receive, send_with_headers)
        except _TooLarge:
            if not started:
                await self._reject(send, limit, request_id)

    @staticmethod
    async def _reject(send: Send, limit: int, request_id: str) -> None:
        body = _problem_413(limit)
        start: dict[str, Any] = {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
                (b"x-request-id", request_id.encode()),
                *SECURITY_HEADERS,
            ],
        }
        await send(start)
        await send({"type": "http.response.body", "body": body})
