"""Errors as RFC 9457 problem+json, one handler map for the whole app; denials are audited."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from interdict.api.middleware import SECURITY_HEADERS
from interdict.domain.errors import InterdictError
from interdict.services.audit import AuditEvent
from interdict.services.context import Actor

log = logging.getLogger("interdict.api")
PROBLEM = "application/problem+json"


class ProblemField(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    """The body of every error answer (RFC 9457), whatever its status."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: list[ProblemField]


# Declared on every operation: any 4xx comes as a Problem (401, 403, 404, 409, 413, 422, 429, ...).
RESPONSES: dict[int | str, dict[str, Any]] = {
    "4XX": {
        "description": "A problem: the request was refused (RFC 9457 problem+json).",
        "content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
}


def problem(
    status: int,
    title: str,
    detail: str,
    code: str,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"urn:interdict:problem:{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        "errors": errors or [],
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def _audit_denial(request: Request, status: int, code: str) -> None:
    """Denied requests are logged in a unit of their own (the request's own work was rolled back)."""
    platform = request.app.state.platform
    actor: Actor | None = getattr(request.state, "actor", None)
    if actor is None:
        from interdict.api.context import RequestContext

        actor = RequestContext(request).anonymous()
    try:
        with platform.db.unit() as session:
            platform.audit.record(
                session,
                actor,
                AuditEvent(
                    "request.denied",
                    "denied",
                    detail={
                        "method": request.method,
                        "path": request.url.path[:300],
                        "status": status,
                        "code": code,
                    },
                ),
            )
    except Exception:  # the answer to the client must not depend on the audit write
        log.exception("could not audit a denied request")


def _field(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def install(app: FastAPI) -> None:
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        """FastAPI's document, plus the Problem schema the ``RESPONSES`` declarations refer to."""
        if app.openapi_schema is None:
            problem_schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
            schemas = generate().setdefault("components", {}).setdefault("schemas", {})
            schemas.update(problem_schema.pop("$defs", {}), Problem=problem_schema)
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi  # type: ignore[method-assign]

    @app.exception_handler(InterdictError)
    async def _domain(request: Request, exc: InterdictError) -> JSONResponse:
        if exc.status in (401, 403, 404, 429):
            _audit_denial(request, exc.status, exc.code)
        errors = [{"field": k, "message": v} for k, v in exc.errors.items()]
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return problem(exc.status, exc.title, exc.detail, exc.code, errors, headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = []
        for err in exc.errors():
            if err.get("type") == "json_invalid":
                return problem(
                    400,
                    "Malformed request",
                    "the request body is not valid JSON",
                    "malformed_request",
                    [{"field": "body", "message": str(err.get("msg", "invalid JSON"))[:200]}],
                )
            errors.append({"field": _field(err.get("loc", ())), "message": str(err.get("msg", ""))[:300]})
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
        return problem(422, "Invalid input", detail or "invalid input", "invalid_input", errors)

    @app.exception_handler(DataError)
    async def _data(request: Request, exc: DataError) -> JSONResponse:
        # e.g. a NUL character in a query or path parameter, which PostgreSQL cannot compare or store.
        log.warning("database refused a value on %s %s: %s", request.method, request.url.path, exc.orig)
        return problem(
            422, "Invalid input", "a value in the request cannot be stored or searched for", "invalid_input"
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        html_error = getattr(request.app.state, "html_error", None)
        if html_error is not None and not request.url.path.startswith("/api/"):
            return html_error(request, exc.status_code)  # type: ignore[no-any-return]
        titles = {
            404: ("Not found", "not_found"),
            405: ("Method not allowed", "method_not_allowed"),
            413: ("Payload too large", "payload_too_large"),
        }
        title, code = titles.get(exc.status_code, ("Error", "http_error"))
        detail = "no such resource" if exc.status_code == 404 else str(exc.detail)[:200]
        return problem(exc.status_code, title, detail, code, headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        rid = getattr(request.state, "request_id", "")
        # Answered by Starlette's outermost middleware, past GuardMiddleware: add its headers here.
        headers = {k.decode(): v.decode() for k, v in SECURITY_HEADERS} | {"x-request-id": rid}
        return problem(
            500,
            "Internal error",
            f"the server failed; quote request id {rid} to the administrators",
            "internal_error",
            headers=headers,
        )
