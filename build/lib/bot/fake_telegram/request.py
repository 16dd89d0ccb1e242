"""An in-process PTB transport that hands every request to a ``FakeBotApi``.

Build the application with both request objects pointing at the same fake::

    app = (
        Application.builder().token(api.token)
        .request(FakeRequest(api)).get_updates_request(FakeRequest(api))
        .build()
    )
"""

from __future__ import annotations

import json
from urllib.parse import unquote, urlsplit

from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.fake_telegram.limits import TIMEOUT, TransportFault
from bot.fake_telegram.telegram_api import FakeBotApi


class FakeRequest(BaseRequest):
    """``telegram.request.BaseRequest`` that talks to a ``FakeBotApi`` without any network.

    Parameters are taken from ``request_data.json_parameters`` (what PTB puts on the wire) and
    files from ``request_data.multipart_data``, so the fake sees what Telegram would see.
    """

    __slots__ = ("_api", "_initialized", "_read_timeout")

    def __init__(self, api: FakeBotApi, read_timeout: float | None = 5.0) -> None:
        self._api = api
        self._read_timeout = read_timeout
        self._initialized = False

    @property
    def api(self) -> FakeBotApi:
        return self._api

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        self._initialized = True

    async def shutdown(self) -> None:
        self._initialized = False

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if not self._initialized:
            raise RuntimeError("This FakeRequest is not initialized!")
        path = unquote(urlsplit(url).path)
        token = self._api.token
        if f"/file/bot{token}/" in path:
            data = self._api.download(path.split(f"/file/bot{token}/", 1)[1])
            if data is None:
                return 404, json.dumps(
                    {"ok": False, "error_code": 404, "description": "Not Found"}
                ).encode()
            return 200, data
        prefix, _, api_method = path.rpartition("/")
        if not prefix.endswith(f"/bot{token}"):
            return 401, b'{"ok":false,"error_code":401,"description":"Unauthorized"}'
        params: dict[str, object] = {}
        files: dict[str, tuple[str, bytes]] = {}
        if request_data is not None:
            params.update(request_data.json_parameters)
            for name, (file_name, content, _mime) in request_data.multipart_data.items():
                if not isinstance(content, bytes):
                    content = content.read()
                files[name] = (file_name, content)
        if not api_method:
            raise NetworkError("FakeRequest: no Bot API method in URL " + url)
        try:
            return await self._api.handle_async(api_method, params, files)
        except TransportFault as fault:  # what httpx would raise; nothing was delivered
            if fault.kind == TIMEOUT:
                raise TimedOut("Timed out (fake fault)") from None
            raise NetworkError("httpx.RemoteProtocolError: connection reset (fake fault)") from None
