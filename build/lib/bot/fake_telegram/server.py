"""The fake Bot API over real HTTP, for running the bot as a separate process.

    with FakeBotApiServer(api) as server:
        bot = Bot(api.token, base_url=server.base_url, base_file_url=server.base_file_url)

Serves ``GET|POST /bot<token>/<method>`` (form-urlencoded, multipart/form-data or JSON bodies,
or a query string) and ``GET /file/bot<token>/<file_path>``. getUpdates long-polls; each request
runs in its own thread, so a waiting poll never blocks other requests.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qsl, unquote, urlsplit

from bot.fake_telegram.limits import TIMEOUT, TransportFault
from bot.fake_telegram.telegram_api import FakeBotApi

_UNAUTHORIZED = b'{"ok":false,"error_code":401,"description":"Unauthorized"}'
_NOT_FOUND = b'{"ok":false,"error_code":404,"description":"Not Found"}'


def _fix(text: str) -> str:
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def parse_body(
    content_type: str, body: bytes
) -> tuple[dict[str, object], dict[str, tuple[str, bytes]]]:
    """Decode a Bot API request body into (params, files)."""
    params: dict[str, object] = {}
    files: dict[str, tuple[str, bytes]] = {}
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind == "application/json" and body:
        decoded = json.loads(body)
        if isinstance(decoded, dict):
            params.update(decoded)
    elif kind == "multipart/form-data":
        head = f"Content-Type: {content_type}\r\n\r\n".encode()
        message = BytesParser(policy=HTTP).parsebytes(head + body)
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if not isinstance(name, str):
                continue
            payload = part.get_payload(decode=True)
            data = payload if isinstance(payload, bytes) else b""
            filename = part.get_filename()
            if filename is not None:
                files[_fix(name)] = (_fix(filename), data)
            else:
                params[_fix(name)] = data.decode("utf-8")
    elif body:
        params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    return params, files


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep test output clean

    def _reply(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _serve(self) -> None:
        api = self.server.api
        url = urlsplit(self.path)
        path = unquote(url.path)
        if path.startswith("/file/bot"):
            token, _, file_path = path.removeprefix("/file/bot").partition("/")
            if token != api.token:
                self._reply(401, _UNAUTHORIZED)
                return
            data = api.download(file_path)
            if data is None:
                self._reply(404, _NOT_FOUND)
            else:
                self._reply(200, data, "application/octet-stream")
            return
        token, _, method = path.removeprefix("/bot").partition("/")
        if not path.startswith("/bot") or not method or "/" in method:
            self._reply(404, _NOT_FOUND)
            return
        if token != api.token:
            self._reply(401, _UNAUTHORIZED)
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        params: dict[str, object] = dict(parse_qsl(url.query, keep_blank_values=True))
        try:
            form, files = parse_body(self.headers.get("Content-Type", ""), body)
        except ValueError:
            self._reply(400, b'{"ok":false,"error_code":400,"description":"Bad Request"}')
            return
        params.update(form)
        try:
            status, payload = api.handle(method, params, files, wait=True)
        except TransportFault as fault:  # no answer: held past the client's timeout, or dropped
            if fault.kind == TIMEOUT:
                time.sleep(self.server.timeout_hold)
            self.close_connection = True
            self.connection.close()
            return
        self._reply(status, payload)

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()


class _KeepAlive(_Handler):
    protocol_version = "HTTP/1.1"  # as Telegram's servers: one connection, many calls


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # a bot opens many connections at once; the default 5 drops some

    def __init__(
        self, address: tuple[str, int], api: FakeBotApi, timeout_hold: float, keep_alive: bool
    ) -> None:
        self.api = api
        self.timeout_hold = timeout_hold
        super().__init__(address, _KeepAlive if keep_alive else _Handler)

    def handle_error(self, request: object, client_address: object) -> None:
        # A bot that stops while its long poll is open closes the socket under our reply.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


class FakeBotApiServer:
    """Serves a ``FakeBotApi`` on ``host:port`` (port 0 picks a free one) in a thread."""

    def __init__(
        self,
        api: FakeBotApi,
        host: str = "127.0.0.1",
        port: int = 0,
        timeout_hold: float = 6.0,
        *,
        keep_alive: bool = False,
    ) -> None:
        self.api = api
        self.timeout_hold = timeout_hold  # a "timeout" fault holds the reply this long, then drops
        # HTTP/1.1 keep-alive (the bench: many calls a second); off, each call closes its
        # connection, so no test leaves a socket open.
        self.keep_alive = keep_alive
        self._address = (host, port)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeBotApiServer is not started")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """For ``Bot(base_url=...)``: PTB appends the token, then ``/<method>``."""
        return f"http://{self._address[0]}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://{self._address[0]}:{self.port}/file/bot"

    def start(self) -> FakeBotApiServer:
        if self._server is None:
            self._server = _Server(self._address, self.api, self.timeout_hold, self.keep_alive)
            self._thread = threading.Thread(
                target=self._server.serve_forever, name="fake-bot-api", daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            if self._thread is not None:
                self._thread.join(timeout=5)
            self._server, self._thread = None, None

    def __enter__(self) -> FakeBotApiServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
