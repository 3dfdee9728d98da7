"""A local stand-in for the IM providers' webhook endpoints, for tests and browser journeys.

``WebhookReceiver`` listens on 127.0.0.1 (a free port) and checks each POST the way the
provider would, written independently of ``opsteam.collab.im`` so that a mistake there cannot
hide itself: it recomputes DingTalk's and Feishu's signatures from the secret, refuses a
timestamp more than an hour off, requires UTF-8 JSON with the provider's required keys and
size limits, and answers with the provider's success or error JSON (Slack: plain text).

    with WebhookReceiver(secrets={"t1": "SEC..."}) as receiver:
        url = receiver.url("dingtalk", "t1")
        ...  # send
        receiver.wait_for(1)
        assert receiver.received[0].verified

The success answers and the codes 310000, 130101 (DingTalk), 19021, 9499, 11232 (Feishu),
93000, 45009 (WeCom) and Slack's texts follow the providers' documentation; the codes for
other malformed bodies are close stand-ins.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import urllib.parse
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

HOUR_S = 3600
MAX_BODY = 1024 * 1024
FEISHU_MAX_BODY = 20 * 1024
WECOM_MAX_CONTENT = 4096
PROVIDERS = ("dingtalk", "feishu", "wecom", "slack")

# Real answers, by provider.
DINGTALK_OK = {"errcode": 0, "errmsg": "ok"}
DINGTALK_SIGN = {"errcode": 310000, "errmsg": "sign not match"}
DINGTALK_TIMESTAMP = {"errcode": 310000, "errmsg": "invalid timestamp"}
DINGTALK_TOO_FAST = {"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"}
DINGTALK_NO_TOKEN = {"errcode": 300001, "errmsg": "token is not exist"}
FEISHU_OK = {"StatusCode": 0, "StatusMessage": "success", "code": 0, "data": {}, "msg": "success"}
FEISHU_SIGN = {
    "code": 19021,
    "data": {},
    "msg": "sign match fail or timestamp is not within one hour from current time",
}
FEISHU_BAD_REQUEST = {"code": 9499, "data": {}, "msg": "Bad Request"}
FEISHU_LIMITED = {"code": 11232, "data": {}, "msg": "frequency limited"}
FEISHU_NO_TOKEN = {
    "code": 19001,
    "data": {},
    "msg": "param invalid: incoming webhook access token invalid",
}
WECOM_OK = {"errcode": 0, "errmsg": "ok"}
WECOM_INVALID = {"errcode": 93000, "errmsg": "invalid webhook url"}
WECOM_LIMITED = {"errcode": 45009, "errmsg": "api freq out of limit"}


@dataclass(frozen=True)
class Received:
    """One POST as it arrived, with the verdict and the answer it got."""

    provider: str  # "" for an unknown path
    token: str
    url: str  # the full URL requested, query included
    payload: Any  # the parsed JSON body, None when it was not valid UTF-8 JSON
    verified: bool  # passed every check the provider makes (False for forced failures)
    status: int = 200  # HTTP status answered
    answer: str = ""  # body answered
    problem: str = ""  # why it was refused ("" when verified)
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes = b""


@dataclass(frozen=True)
class _Failure:
    status: int
    body: str
    delay: float
    rate_limit: bool = False


@dataclass
class _Answer:
    status: int
    body: dict[str, Any] | str
    problem: str = ""
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def verified(self) -> bool:
        return not self.problem


class WebhookReceiver:
    """A threaded HTTP server on 127.0.0.1 that verifies and records webhook posts.

    ``secrets`` maps a robot's token to its signing secret; robots whose token is absent have
    no signature check (as a robot without "signature" security set up).
    """

    def __init__(self, secrets: dict[str, str] | None = None) -> None:
        self.secrets: dict[str, str] = dict(secrets or {})
        self.received: list[Received] = []
        self._revoked: set[str] = set()
        self._failures: deque[_Failure] = deque()
        self._lock = threading.Condition()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------

    def __enter__(self) -> WebhookReceiver:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> None:
        """Start listening on a free port (idempotent)."""
        if self._server is not None:
            return
        self._stopping.clear()
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        server.daemon_threads = True
        server.receiver = self  # type: ignore[attr-defined]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"webhook-receiver-{server.server_address[1]}",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop listening and free the port (idempotent)."""
        server, thread = self._server, self._thread
        if server is None:
            return
        self._stopping.set()  # wakes handlers that are delaying an answer
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._server = self._thread = None

    # -- addresses ------------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("The webhook receiver is not running; use it as a context manager.")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, provider: str, token: str = "t1") -> str:  # noqa: S107
        """A webhook address on this receiver shaped like the provider's own."""
        quoted = urllib.parse.quote(token, safe="")
        paths = {
            "dingtalk": f"/dingtalk/robot/send?access_token={quoted}",
            "feishu": f"/feishu/open-apis/bot/v2/hook/{quoted}",
            "wecom": f"/wecom/cgi-bin/webhook/send?key={quoted}",
            "slack": f"/slack/services/{quoted}",
        }
        if str(provider) not in paths:
            raise ValueError(f"Unknown provider {provider!r}")
        return self.base_url + paths[str(provider)]

    # -- test controls --------------------------------------------------------------------

    def fail_next(self, n: int = 1, status: int = 500, body: str = "", *, delay: float = 0) -> None:
        """Answer the next ``n`` posts with ``status`` and ``body`` (after ``delay`` seconds),
        whatever they contain."""
        with self._lock:
            self._failures.extend(_Failure(status, body, delay) for _ in range(n))

    def rate_limit_next(self, n: int = 1) -> None:
        """Answer the next ``n`` posts with the provider's own rate-limit answer."""
        with self._lock:
            self._failures.extend(_Failure(0, "", 0, rate_limit=True) for _ in range(n))

    def revoke(self, token: str) -> None:
        """The robot was removed: posts to ``token`` get the provider's invalid-webhook answer."""
        with self._lock:
            self._revoked.add(token)

    def clear(self) -> None:
        """Forget what arrived and any pending failures."""
        with self._lock:
            self.received.clear()
            self._failures.clear()

    def wait_for(self, count: int, timeout: float = 5) -> list[Received]:
        """Block until ``count`` posts have arrived; TimeoutError after ``timeout`` seconds."""
        with self._lock:
            if not self._lock.wait_for(lambda: len(self.received) >= count, timeout=timeout):
                raise TimeoutError(
                    f"{len(self.received)} webhook post(s) arrived within {timeout} s, "
                    f"expected {count}"
                )
            return list(self.received)

    @property
    def verified(self) -> list[Received]:
        """The posts that passed the provider's checks."""
        with self._lock:
            return [item for item in self.received if item.verified]

    # -- handling (called on the server's threads) ------------------------------------------

    def _record(self, item: Received) -> None:
        with self._lock:
            self.received.append(item)
            self._lock.notify_all()

    def _take_failure(self) -> _Failure | None:
        with self._lock:
            return self._failures.popleft() if self._failures else None

    def _is_revoked(self, token: str) -> bool:
        with self._lock:
            return token in self._revoked


def _route(path: str) -> tuple[str, str, dict[str, list[str]]]:
    """(provider, token, query) for a request path; provider "" when the path is unknown."""
    parts = urllib.parse.urlsplit(path)
    query = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
    route = parts.path
    if route == "/dingtalk/robot/send":
        return "dingtalk", _first(query, "access_token"), query
    if route == "/wecom/cgi-bin/webhook/send":
        return "wecom", _first(query, "key"), query
    prefix = "/feishu/open-apis/bot/v2/hook/"
    if route.startswith(prefix) and len(route) > len(prefix):
        return "feishu", urllib.parse.unquote(route[len(prefix) :]), query
    prefix = "/slack/services/"
    if route.startswith(prefix) and len(route) > len(prefix):
        return "slack", urllib.parse.unquote(route[len(prefix) :]), query
    return "", "", query


def _first(query: dict[str, list[str]], name: str) -> str:
    values = query.get(name) or [""]
    return values[0]


def _json_body(raw: bytes) -> Any:
    """The parsed body, or raise ValueError when it is not UTF-8 JSON."""
    return json.loads(raw.decode("utf-8"))  # UnicodeDecodeError is a ValueError


def _timestamp_fresh(value: str, unit: float) -> bool:
    try:
        moment = int(value) / unit
    except (TypeError, ValueError):
        return False
    return abs(time.time() - moment) <= HOUR_S


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and value.strip() != ""


class _Handler(BaseHTTPRequestHandler):
    server_version = "WebhookReceiver/1"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests read ``received`` instead."""

    def do_GET(self) -> None:
        self._send(405, "method not allowed")

    def do_PUT(self) -> None:
        self._send(405, "method not allowed")

    def do_POST(self) -> None:
        receiver: WebhookReceiver = self.server.receiver  # type: ignore[attr-defined]
        provider, token, query = _route(self.path)
        url = f"http://127.0.0.1:{self.server.server_address[1]}{self.path}"
        headers = {name.lower(): value for name, value in self.headers.items()}
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            self._send(411, "length required")
            return
        if length < 0 or length > MAX_BODY:
            self._send(413, "request entity too large")
            return
        raw = self.rfile.read(length)
        try:
            payload = _json_body(raw)
        except ValueError:
            payload = None

        failure = receiver._take_failure()
        if failure is not None:
            answer = self._forced(provider, failure, receiver)
        elif not provider:
            answer = _Answer(404, "not found", problem="unknown path")
        elif receiver._is_revoked(token) or not token:
            answer = _revoked(provider)
        else:
            secret = receiver.secrets.get(token, "")
            check = {
                "dingtalk": _check_dingtalk,
                "feishu": _check_feishu,
                "wecom": _check_wecom,
                "slack": _check_slack,
            }[provider]
            answer = check(secret, query, headers, raw, payload)

        body = answer.body if isinstance(answer.body, str) else json.dumps(answer.body)
        receiver._record(
            Received(
                provider=provider,
                token=token,
                url=url,
                payload=payload,
                verified=failure is None and answer.verified,
                status=answer.status,
                answer=body,
                problem=answer.problem if failure is None else "forced failure",
                headers=headers,
                raw=raw,
            )
        )
        self._send(answer.status, answer.body, answer.headers)

    def _forced(self, provider: str, failure: _Failure, receiver: WebhookReceiver) -> _Answer:
        if failure.delay and receiver._stopping.wait(failure.delay):
            return _Answer(503, "receiver stopping", problem="forced failure")
        if failure.rate_limit:
            return _rate_limited(provider)
        return _Answer(failure.status, failure.body, problem="forced failure")

    def _send(
        self, status: int, body: dict[str, Any] | str, headers: dict[str, str] | None = None
    ) -> None:
        if isinstance(body, str):
            data, content_type = body.encode("utf-8"), "text/plain; charset=utf-8"
            if body.lstrip().startswith(("{", "[")):
                content_type = "application/json; charset=utf-8"
        else:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            content_type = "application/json; charset=utf-8"
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test): nothing left to answer


def _revoked(provider: str) -> _Answer:
    problem = "unknown or removed robot"
    if provider == "dingtalk":
        return _Answer(200, DINGTALK_NO_TOKEN, problem)
    if provider == "feishu":
        return _Answer(200, FEISHU_NO_TOKEN, problem)
    if provider == "wecom":
        return _Answer(200, WECOM_INVALID, problem)
    return _Answer(404, "no_service", problem)


def _rate_limited(provider: str) -> _Answer:
    problem = "forced failure"
    if provider == "dingtalk":
        return _Answer(200, DINGTALK_TOO_FAST, problem)
    if provider == "feishu":
        return _Answer(200, FEISHU_LIMITED, problem)
    if provider == "wecom":
        return _Answer(200, WECOM_LIMITED, problem)
    return _Answer(429, "rate_limited", problem, {"Retry-After": "1"})


def _check_dingtalk(
    secret: str, query: dict[str, list[str]], headers: dict[str, str], raw: bytes, payload: Any
) -> _Answer:
    if not headers.get("content-type", "").lower().startswith("application/json"):
        return _Answer(200, {"errcode": 43004, "errmsg": "无效的HTTP HEADER Content-Type"}, "type")
    if secret:
        timestamp, sign = _first(query, "timestamp"), _first(query, "sign")
        if not _timestamp_fresh(timestamp, 1000):
            return _Answer(200, DINGTALK_TIMESTAMP, "timestamp missing or more than an hour off")
        string_to_sign = f"{timestamp}\n{secret}".encode()
        expected = base64.b64encode(
            hmac.new(secret.encode(), string_to_sign, hashlib.sha256).digest()
        ).decode()
        # parse_qs has already URL-decoded the value (a "+" left unquoted arrives as a space).
        if not hmac.compare_digest(sign.encode(), expected.encode()):
            return _Answer(200, DINGTALK_SIGN, "signature does not match")
    if not isinstance(payload, dict):
        return _Answer(200, {"errcode": 40035, "errmsg": "缺少参数 json"}, "body is not JSON")
    msgtype = payload.get("msgtype")
    if msgtype not in ("text", "markdown", "link", "actionCard", "feedCard"):
        return _Answer(200, {"errcode": 40035, "errmsg": "缺少参数 msgtype"}, "bad msgtype")
    if msgtype == "markdown":
        section = payload.get("markdown")
        if not (
            isinstance(section, dict)
            and _is_text(section.get("title"))
            and _is_text(section.get("text"))
        ):
            return _Answer(200, {"errcode": 40035, "errmsg": "缺少参数 markdown"}, "markdown")
    return _Answer(200, DINGTALK_OK)


def _check_feishu(
    secret: str, query: dict[str, list[str]], headers: dict[str, str], raw: bytes, payload: Any
) -> _Answer:
    if len(raw) > FEISHU_MAX_BODY:
        return _Answer(400, FEISHU_BAD_REQUEST, "body over 20 KB")
    if not isinstance(payload, dict):
        return _Answer(400, FEISHU_BAD_REQUEST, "body is not JSON")
    if secret:
        timestamp = str(payload.get("timestamp", ""))
        sign = payload.get("sign")
        if not _timestamp_fresh(timestamp, 1) or not isinstance(sign, str):
            return _Answer(200, FEISHU_SIGN, "timestamp missing or more than an hour off")
        key = f"{timestamp}\n{secret}".encode()
        expected = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
        if not hmac.compare_digest(sign.encode(), expected.encode()):
            return _Answer(200, FEISHU_SIGN, "signature does not match")
    msg_type = payload.get("msg_type")
    if msg_type == "interactive":
        card = payload.get("card")
        if not isinstance(card, dict) or not isinstance(card.get("elements", []), list):
            return _Answer(400, FEISHU_BAD_REQUEST, "card missing")
        header = card.get("header", {})
        title = header.get("title", {}) if isinstance(header, dict) else None
        if not isinstance(title, dict) or not _is_text(title.get("content", "-")):
            return _Answer(400, FEISHU_BAD_REQUEST, "card title missing")
        for element in card.get("elements", []):
            if not isinstance(element, dict) or "tag" not in element:
                return _Answer(400, FEISHU_BAD_REQUEST, "card element without tag")
            if element["tag"] == "markdown" and not _is_text(element.get("content")):
                return _Answer(400, FEISHU_BAD_REQUEST, "empty markdown element")
    elif msg_type in ("text", "post", "image", "share_chat"):
        if not isinstance(payload.get("content"), dict):
            return _Answer(400, FEISHU_BAD_REQUEST, "content missing")
    else:
        return _Answer(400, FEISHU_BAD_REQUEST, "bad msg_type")
    return _Answer(200, FEISHU_OK)


def _check_wecom(
    secret: str, query: dict[str, list[str]], headers: dict[str, str], raw: bytes, payload: Any
) -> _Answer:
    if not isinstance(payload, dict):
        return _Answer(200, {"errcode": 40035, "errmsg": "invalid json"}, "body is not JSON")
    msgtype = payload.get("msgtype")
    if msgtype not in ("text", "markdown", "markdown_v2", "image", "news", "file"):
        return _Answer(200, {"errcode": 40008, "errmsg": "invalid message type"}, "bad msgtype")
    if msgtype in ("text", "markdown", "markdown_v2"):
        section = payload.get(msgtype)
        content = section.get("content") if isinstance(section, dict) else None
        if not _is_text(content):
            return _Answer(200, {"errcode": 44004, "errmsg": "empty content"}, "empty content")
        limit = 2048 if msgtype == "text" else WECOM_MAX_CONTENT
        if len(content.encode("utf-8")) > limit:
            answer = {"errcode": 40058, "errmsg": f"{msgtype}.content exceed max length {limit}"}
            return _Answer(200, answer, "content too long")
    return _Answer(200, WECOM_OK)


def _check_slack(
    secret: str, query: dict[str, list[str]], headers: dict[str, str], raw: bytes, payload: Any
) -> _Answer:
    if not isinstance(payload, dict):
        return _Answer(400, "invalid_payload", "body is not JSON")
    blocks = payload.get("blocks")
    if not _is_text(payload.get("text")) and not blocks:
        return _Answer(400, "no_text", "neither text nor blocks")
    if blocks is not None and not _slack_blocks_valid(blocks):
        return _Answer(400, "invalid_blocks", "blocks break Slack's limits")
    return _Answer(200, "ok")


def _slack_text(obj: Any, kind: str, limit: int) -> bool:
    return (
        isinstance(obj, dict)
        and obj.get("type") == kind
        and _is_text(obj.get("text"))
        and len(obj["text"]) <= limit
    )


def _slack_blocks_valid(blocks: Any) -> bool:
    if not isinstance(blocks, list) or len(blocks) > 50:
        return False
    for block in blocks:
        if not isinstance(block, dict):
            return False
        kind = block.get("type")
        if kind == "header":
            if not _slack_text(block.get("text"), "plain_text", 150):
                return False
        elif kind == "section":
            text = block.get("text")
            if not (_slack_text(text, "mrkdwn", 3000) or _slack_text(text, "plain_text", 3000)):
                return False
        elif kind == "actions":
            elements = block.get("elements")
            if not isinstance(elements, list) or not 1 <= len(elements) <= 25:
                return False
            for element in elements:
                if not isinstance(element, dict) or element.get("type") != "button":
                    return False
                if not _slack_text(element.get("text"), "plain_text", 75):
                    return False
                url = element.get("url", "")
                if not isinstance(url, str) or len(url) > 3000:
                    return False
        elif kind not in ("divider", "context", "image", "rich_text"):
            return False
    return True


__all__ = ["PROVIDERS", "Received", "WebhookReceiver"]
