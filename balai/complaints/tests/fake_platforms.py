"""A tiny stand-in for the Graph API (WhatsApp) and the Bot API (Telegram) on 127.0.0.1.

It records every request and serves media bytes, so the tests exercise the real HTTP code of
``balai.complaints.channels.senders`` without reaching the network.

Routes:
- ``POST /<phone_number_id>/messages``            WhatsApp send → ``{"messages": [{"id": ...}]}``
- ``GET /<media_id>``                             WhatsApp media metadata → ``{"url": .../media-bytes/<id>}``
- ``GET /media-bytes/<id>``                       the bytes registered with :meth:`FakePlatforms.add_media`
- ``POST /bot<token>/getFile`` / ``sendMessage``  Telegram methods
- ``GET /file/bot<token>/<file_path>``            Telegram file download
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class FakePlatforms:
    requests: list[Recorded] = field(default_factory=list)
    media: dict[str, bytes] = field(default_factory=dict)
    server: ThreadingHTTPServer | None = None
    thread: threading.Thread | None = None
    webhook: str = ""  # the URL the bot's setWebhook registered

    @property
    def base(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def add_media(self, media_id: str, content: bytes) -> None:
        self.media[media_id] = content

    def sent_texts(self) -> list[str]:
        """The bodies of the text messages sent, in order, on either platform."""
        texts = []
        for r in self.requests:
            if r.path.endswith("/messages") and isinstance(r.body, dict):
                texts.append(r.body["text"]["body"])
            elif r.path.endswith("/sendMessage") and isinstance(r.body, dict):
                texts.append(r.body["text"])
        return texts

    def start(self) -> FakePlatforms:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # silence the test output
                pass

            def _answer(self, status: int, body: bytes, content_type: str = "application/json") -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _json(self, data: Any, status: int = 200) -> None:
                self._answer(status, json.dumps(data).encode())

            def _record(self) -> Any:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body: Any = json.loads(raw) if raw else None
                fake.requests.append(Recorded(self.command, self.path, dict(self.headers.items()), body))
                return body

            def do_GET(self) -> None:
                self._record()
                parts = self.path.strip("/").split("/")
                if parts[0] in ("media-bytes", "file") and parts[-1] in fake.media:
                    self._answer(200, fake.media[parts[-1]], "image/png")
                elif len(parts) == 1 and parts[0] in fake.media:
                    content = fake.media[parts[0]]
                    self._json(
                        {
                            "url": f"{fake.base}/media-bytes/{parts[0]}",
                            "mime_type": "image/png",
                            "file_size": len(content),
                            "id": parts[0],
                            "messaging_product": "whatsapp",
                        }
                    )
                else:
                    self._json({"error": {"message": "not found"}}, 404)

            def do_POST(self) -> None:
                body = self._record() or {}
                if self.path.endswith("/messages"):
                    self._json(
                        {"messaging_product": "whatsapp", "messages": [{"id": f"wamid.out{len(fake.requests)}"}]}
                    )
                elif self.path.endswith("/sendMessage"):
                    self._json({"ok": True, "result": {"message_id": len(fake.requests), "text": body.get("text")}})
                elif self.path.endswith("/getFile"):
                    file_id = body.get("file_id", "")
                    if file_id in fake.media:
                        self._json(
                            {
                                "ok": True,
                                "result": {
                                    "file_id": file_id,
                                    "file_size": len(fake.media[file_id]),
                                    "file_path": f"photos/{file_id}",
                                },
                            }
                        )
                    else:
                        self._json({"ok": False, "description": "Bad Request: invalid file_id"}, 400)
                elif self.path.endswith(("/setWebhook", "/deleteWebhook")):
                    fake.webhook = body.get("url", "") if self.path.endswith("/setWebhook") else ""
                    self._json({"ok": True, "result": True, "description": "Webhook was set"})
                elif self.path.endswith("/getWebhookInfo"):
                    self._json({"ok": True, "result": {"url": fake.webhook, "pending_update_count": 0}})
                else:
                    self._json({"error": "unknown route"}, 404)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
