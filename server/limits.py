"""Refuse a request body larger than the limit before anything parses it."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from attestgraph.server.problems import problem_body


class BodyLimit:
    """ASGI middleware: a declared Content-Length over the limit is answered 413 at
    once; a body streamed without one is counted and cut off at the limit."""

    def __init__(self, app: ASGIApp, max_body: int):
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None:
            try:
                size = int(declared)
            except ValueError:
                return await self._refuse(send, 400, "bad request", "Content-Length is not a number")
            if size > self.max_body:
                return await self._too_large(send)
        seen = 0
        refused = False

        async def limited_receive() -> Message:
            nonlocal seen, refused
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    refused = True
                    raise _TooLarge()
            return message

        try:
            await self.app(scope, limited_receive, send)
        except _TooLarge:
            if refused:
                await self._too_large(send)

    async def _too_large(self, send: Send) -> None:
        await self._refuse(send, 413, "payload too large", f"the request body is larger than {self.max_body} bytes")

    async def _refuse(self, send: Send, status: int, title: str, detail: str) -> None:
        body = problem_body(status, title, detail)
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/problem+json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass
