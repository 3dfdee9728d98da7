"""Messages to IM group robots: DingTalk, Feishu/Lark, WeCom and Slack webhooks (pure; no Django).

``build_request`` turns a ``Message`` into the provider's real JSON body (signed where the robot
has a secret), ``parse_response`` reads the provider's answer into a ``SendResult`` that says
whether trying again later can help, and ``send`` does both around one HTTP POST. Webhook
addresses carry the robot's token, so nothing here ever puts the address into an error text.

User-written text is escaped where the format would otherwise turn it into markup that notifies
people (Feishu ``<at>`` tags, Slack ``<!channel>``, WeCom ``<@userid>``) and cut to the
providers' size limits without splitting a character.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import requests


class Provider(StrEnum):
    DINGTALK = "dingtalk"
    FEISHU = "feishu"
    WECOM = "wecom"
    SLACK = "slack"


LABELS = {
    Provider.DINGTALK: "DingTalk",
    Provider.FEISHU: "Feishu",
    Provider.WECOM: "WeCom",
    Provider.SLACK: "Slack",
}

# Shown when a title is blank: every format needs a non-empty heading.
FALLBACK_TITLE = "OpsTeam"
TITLE_MAX_CHARS = 200
# DingTalk and Feishu: Feishu refuses request bodies over 20 KB, so the body (and the list of
# mentioned names) is cut well below that, leaving room for title, link and JSON.
BODY_MAX_BYTES = 12_000
MENTIONS_MAX_BYTES = 3_000
WECOM_MAX_BYTES = 4096
WECOM_MENTIONS_MAX_BYTES = 1_000
SLACK_HEADER_MAX_CHARS = 150
SLACK_SECTION_MAX_CHARS = 3000
SLACK_BUTTON_MAX_CHARS = 75
SLACK_URL_MAX_CHARS = 3000
ANSWER_MAX_BYTES = 64 * 1024
SNIPPET_CHARS = 200

# Provider result codes meaning "too many messages right now": worth trying again later.
# -1 is DingTalk's and WeCom's documented "system busy, try again".
RATE_LIMIT_CODES = {
    Provider.DINGTALK: frozenset({130101, -1}),
    Provider.FEISHU: frozenset({11232}),
    Provider.WECOM: frozenset({45009, -1}),
    Provider.SLACK: frozenset(),
}

HEADERS = {"Content-Type": "application/json; charset=utf-8"}
ELLIPSIS = "…"


@dataclass(frozen=True)
class Message:
    title: str
    body: str = ""  # plain text, may be multi-line, user-written
    url: str = ""  # absolute link back into OpsTeam ("" = no button/link)
    link_label: str = "Open"  # already translated by the caller
    mentions: tuple[str, ...] = ()  # display names listed at the end as text


@dataclass(frozen=True)
class OutgoingRequest:
    url: str  # final URL (DingTalk: with timestamp and sign appended when a secret is set)
    payload: dict[str, Any]  # JSON body


@dataclass(frozen=True)
class SendResult:
    ok: bool
    status_code: int | None  # None when there was no HTTP answer
    error: str  # "" when ok
    retryable: bool


# -- signing -------------------------------------------------------------------------------


def sign_dingtalk(secret: str, timestamp_ms: str) -> str:
    """DingTalk's signature: base64(HMAC-SHA256(key=secret, msg="{timestamp}\\n{secret}")).

    The value before URL-quoting; ``build_request`` quotes it into the address.
    """
    string_to_sign = f"{timestamp_ms}\n{secret}"
    digest = hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def sign_feishu(secret: str, timestamp_s: str) -> str:
    """Feishu's signature: base64(HMAC-SHA256(key="{timestamp}\\n{secret}", msg=b""))."""
    string_to_sign = f"{timestamp_s}\n{secret}"
    digest = hmac.new(string_to_sign.encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


# -- text helpers --------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _clean(text: str) -> str:
    """Text safe to encode: lone surrogates replaced, newlines unified, control chars dropped."""
    text = (text or "").encode("utf-8", "replace").decode("utf-8")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text).strip()


def _one_line(text: str) -> str:
    return " ".join(_clean(text).split())


def truncate_chars(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, ending in "…" when cut."""
    if len(text) <= limit:
        return text
    if limit <= 0:
        return ""
    return text[: limit - 1] + ELLIPSIS


def truncate_bytes(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` UTF-8 bytes at a character boundary, with "…"."""
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return text
    room = limit - len(ELLIPSIS.encode("utf-8"))
    if room <= 0:
        return ""
    # "ignore" drops only the incomplete character at the cut; the rest is valid UTF-8.
    return encoded[:room].decode("utf-8", "ignore") + ELLIPSIS


def _within(pieces: list[str], limit: int, size: Callable[[str], int] = len) -> str:
    """Join escaped ``pieces``, stopping (with "…") before ``size`` would pass ``limit``.

    Cutting after escaping could split an entity like ``&amp;`` in half; this never does.
    """
    if sum(size(piece) for piece in pieces) <= limit:
        return "".join(pieces)
    room = limit - size(ELLIPSIS)
    if room < 0:
        return ""
    out: list[str] = []
    for piece in pieces:
        room -= size(piece)
        if room < 0:
            break
        out.append(piece)
    return "".join(out) + ELLIPSIS


def _utf8_size(text: str) -> int:
    return len(text.encode("utf-8"))


def _md_url(url: str) -> str:
    """A URL usable as a markdown link target: spaces, brackets and non-ASCII percent-encoded."""
    return urllib.parse.quote(url, safe="/:?#[]@!$&'*+,;=%~")


def _md_label(label: str) -> str:
    return _one_line(label).replace("[", "(").replace("]", ")") or "Open"


def _mentions_text(mentions: tuple[str, ...] | list[str]) -> str:
    names = (_one_line(name) for name in mentions or ())
    return " ".join(f"@{name}" for name in names if name)


def _title(message: Message) -> str:
    return truncate_chars(_one_line(message.title), TITLE_MAX_CHARS) or FALLBACK_TITLE


_FEISHU_ESCAPES = {"<": "&#60;", ">": "&#62;"}
_SLACK_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_ENTITY = re.compile(r"&#?\w+;")


def _feishu_markdown(text: str, limit_bytes: int) -> str:
    # Tags such as <at id=all></at> or <font> would act; numeric entities show the characters.
    # "&" only needs escaping where it would start an entity the user typed as text.
    pieces = [
        "&#38;" if char == "&" and _ENTITY.match(text, index) else _FEISHU_ESCAPES.get(char, char)
        for index, char in enumerate(text)
    ]
    return _within(pieces, limit_bytes, _utf8_size)


def _slack_mrkdwn(text: str, limit: int) -> str:
    return _within([_SLACK_ESCAPES.get(char, char) for char in text], limit)


def _wecom_text(text: str) -> str:
    # "<@userid>" in WeCom markdown notifies that person; a zero-width space keeps it as text.
    return text.replace("<@", "<\u200b@")


# -- building requests ---------------------------------------------------------------------


def build_request(
    provider: Provider | str, webhook_url: str, secret: str, message: Message, *, now: float
) -> OutgoingRequest:
    """The URL and JSON body that post ``message`` to the robot (``now`` in epoch seconds)."""
    provider = Provider(provider)
    builder = {
        Provider.DINGTALK: _dingtalk,
        Provider.FEISHU: _feishu,
        Provider.WECOM: _wecom,
        Provider.SLACK: _slack,
    }[provider]
    return builder(webhook_url, secret, message, now)


def _dingtalk(webhook_url: str, secret: str, message: Message, now: float) -> OutgoingRequest:
    title = _title(message)
    parts = [f"#### {title}"]
    body = truncate_bytes(_clean(message.body), BODY_MAX_BYTES)
    if body:
        parts.append(body)
    if message.url:
        parts.append(f"[{_md_label(message.link_label)}]({_md_url(message.url)})")
    mentions = truncate_bytes(_mentions_text(message.mentions), MENTIONS_MAX_BYTES)
    if mentions:
        parts.append(mentions)
    payload = {
        "msgtype": "markdown",
        "markdown": {"title": title, "text": "\n\n".join(parts)},
        "at": {"isAtAll": False},
    }
    url = webhook_url
    if secret:
        timestamp = str(int(now * 1000))
        sign = urllib.parse.quote_plus(sign_dingtalk(secret, timestamp))
        url += ("&" if urllib.parse.urlsplit(url).query else "?") + (
            f"timestamp={timestamp}&sign={sign}"
        )
    return OutgoingRequest(url=url, payload=payload)


def _feishu(webhook_url: str, secret: str, message: Message, now: float) -> OutgoingRequest:
    text = _clean(message.body)
    mentions = truncate_bytes(_mentions_text(message.mentions), MENTIONS_MAX_BYTES)
    if mentions:
        text = f"{text}\n\n{mentions}" if text else mentions
    elements: list[dict[str, Any]] = []
    content = _feishu_markdown(text, BODY_MAX_BYTES + MENTIONS_MAX_BYTES)
    if content:
        elements.append({"tag": "markdown", "content": content})
    if message.url:
        button = {
            "tag": "button",
            "text": {"tag": "plain_text", "content": _one_line(message.link_label) or "Open"},
            "type": "primary",
            "url": message.url,
        }
        elements.append({"tag": "action", "actions": [button]})
    payload: dict[str, Any] = {}
    if secret:
        timestamp = str(int(now))
        payload.update(timestamp=timestamp, sign=sign_feishu(secret, timestamp))
    payload.update(
        msg_type="interactive",
        card={
            "config": {"wide_screen_mode": True},
            "header": {
                "title": {"tag": "plain_text", "content": _title(message)},
                "template": "blue",
            },
            "elements": elements,
        },
    )
    return OutgoingRequest(url=webhook_url, payload=payload)


def _wecom(webhook_url: str, secret: str, message: Message, now: float) -> OutgoingRequest:
    head = _wecom_text(f"**{_title(message)}**")
    link = f"[{_md_label(message.link_label)}]({_md_url(message.url)})" if message.url else ""
    mentions = _wecom_text(
        truncate_bytes(_mentions_text(message.mentions), WECOM_MENTIONS_MAX_BYTES)
    )
    fixed = "\n".join(part for part in (head, link, mentions) if part)
    body = _wecom_text(_clean(message.body))
    # The body gets what title, link and names leave of the limit (+1 for its line break).
    room = WECOM_MAX_BYTES - _utf8_size(fixed) - 1
    body = truncate_bytes(body, room) if room > 0 else ""
    content = "\n".join(part for part in (head, body, link, mentions) if part)
    payload = {
        "msgtype": "markdown",
        "markdown": {"content": truncate_bytes(content, WECOM_MAX_BYTES)},
    }
    return OutgoingRequest(url=webhook_url, payload=payload)


def _slack(webhook_url: str, secret: str, message: Message, now: float) -> OutgoingRequest:
    title = _title(message)
    body = _clean(message.body)
    mentions = _mentions_text(message.mentions)
    section = "\n\n".join(part for part in (body, mentions) if part)
    blocks: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": {
                "type": "plain_text",
                "text": truncate_chars(title, SLACK_HEADER_MAX_CHARS),
                "emoji": True,
            },
        }
    ]
    if section:
        blocks.append(
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": _slack_mrkdwn(section, SLACK_SECTION_MAX_CHARS),
                },
            }
        )
    if message.url and len(message.url) <= SLACK_URL_MAX_CHARS:
        label = truncate_chars(_one_line(message.link_label) or "Open", SLACK_BUTTON_MAX_CHARS)
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": label, "emoji": True},
                        "url": message.url,
                    }
                ],
            }
        )
    second_line = " ".join(part for part in (body, message.url) if part)
    fallback = "\n".join(part for part in (title, second_line) if part)
    text = _slack_mrkdwn(fallback, SLACK_SECTION_MAX_CHARS)
    return OutgoingRequest(url=webhook_url, payload={"text": text, "blocks": blocks})


# -- answers -------------------------------------------------------------------------------


def _snippet(text: str) -> str:
    return " ".join(text[:SNIPPET_CHARS].split())


def parse_response(provider: Provider | str, status_code: int, text: str) -> SendResult:
    """Read the provider's answer: success, or a short reason and whether a retry can help."""
    provider = Provider(provider)
    label = LABELS[provider]
    http_retryable = status_code == 429 or status_code >= 500
    success_status = 200 <= status_code < 300

    if provider is Provider.SLACK:
        if success_status and text.strip() == "ok":
            return SendResult(True, status_code, "", False)
        detail = _snippet(text) or "no answer text"
        if success_status:
            error = f"Slack answered HTTP {status_code} without 'ok': {detail}"
        else:
            error = f"Slack answered HTTP {status_code}: {detail}"
        return SendResult(False, status_code, error, http_retryable)

    data = _json_object(text)
    code, msg = _result_code(provider, data) if data is not None else (None, "")
    if not success_status:
        if code is not None:
            error = f"{label} answered HTTP {status_code} (error {code}: {msg})"
        elif text.strip():
            error = f"{label} answered HTTP {status_code}: {_snippet(text)}"
        else:
            error = f"{label} answered HTTP {status_code}"
        retryable = http_retryable or code in RATE_LIMIT_CODES[provider]
        return SendResult(False, status_code, error, retryable)
    if data is None:
        error = f"{label} answered with something other than JSON: {_snippet(text) or '(empty)'}"
        return SendResult(False, status_code, error, False)
    if code is None:
        error = f"{label} answer has no result code: {_snippet(text)}"
        return SendResult(False, status_code, error, False)
    if code == 0:
        return SendResult(True, status_code, "", False)
    error = f"{label} error {code}: {msg}" if msg else f"{label} error {code}"
    return SendResult(False, status_code, error, code in RATE_LIMIT_CODES[provider])


def _json_object(text: str) -> dict[str, Any] | None:
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _result_code(provider: Provider, data: dict[str, Any]) -> tuple[int | None, str]:
    if provider is Provider.FEISHU:
        # Current answers carry "code"/"msg"; older ones only "StatusCode"/"StatusMessage".
        raw = data.get("code", data.get("StatusCode"))
        msg = data.get("msg", data.get("StatusMessage"))
    else:
        raw = data.get("errcode")
        msg = data.get("errmsg")
    try:
        code = int(raw) if raw is not None and not isinstance(raw, bool) else None
    except (TypeError, ValueError):
        code = None
    return code, _snippet(str(msg)) if msg is not None else ""


# -- sending -------------------------------------------------------------------------------

_UNUSABLE_ADDRESS = (
    requests.exceptions.InvalidURL,
    requests.exceptions.MissingSchema,
    requests.exceptions.InvalidSchema,
    requests.exceptions.URLRequired,
)


def send(
    provider: Provider | str,
    webhook_url: str,
    secret: str,
    message: Message,
    *,
    timeout: float = 5.0,
    now: float | None = None,
    session: requests.Session | None = None,
) -> SendResult:
    """Post ``message`` to the robot once; network problems come back as a ``SendResult``."""
    try:
        provider = Provider(provider)
    except ValueError:
        return SendResult(False, None, f"Unknown IM provider {str(provider)!r}.", False)
    label = LABELS[provider]
    request = build_request(
        provider, webhook_url, secret, message, now=time.time() if now is None else now
    )
    body = json.dumps(request.payload, ensure_ascii=False).encode("utf-8")
    http = session if session is not None else requests
    try:
        response = http.post(
            request.url,
            data=body,
            headers=HEADERS,
            timeout=timeout,
            allow_redirects=False,
            stream=True,
        )
        try:
            raw = _read_at_most(response, ANSWER_MAX_BYTES)
        finally:
            response.close()
    except _UNUSABLE_ADDRESS:
        return SendResult(False, None, f"{label}: the webhook address is not usable.", False)
    except requests.exceptions.Timeout:
        return SendResult(False, None, f"{label} did not answer within {timeout:g} s.", True)
    except requests.exceptions.RequestException as exc:
        return SendResult(False, None, f"{label} could not be reached: {_reason(exc)}.", True)
    except (ValueError, UnicodeError):
        # Malformed addresses can fail inside urllib3 before requests wraps the error.
        return SendResult(False, None, f"{label}: the webhook address is not usable.", False)
    return parse_response(provider, response.status_code, raw.decode("utf-8", "replace"))


def _read_at_most(response: requests.Response, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_content(8192):
        chunks.append(chunk)
        size += len(chunk)
        if size >= limit:
            break
    return b"".join(chunks)[:limit]


def _reason(exc: BaseException) -> str:
    """The operating system's reason under a requests error (never the URL, which holds the
    robot's token), else the error's class name."""
    if isinstance(exc, requests.exceptions.SSLError):
        return "TLS handshake failed"
    seen: set[int] = set()
    pending: list[BaseException] = [exc]
    while pending:
        current = pending.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, OSError) and current.strerror:
            return current.strerror.lower()
        pending.extend(
            nested
            for nested in (
                getattr(current, "reason", None),
                current.__cause__,
                current.__context__,
                *current.args,
            )
            if isinstance(nested, BaseException)
        )
    return type(exc).__name__


# -- validation ----------------------------------------------------------------------------


def validate_webhook_url(
    provider: Provider | str,
    url: str,
    *,
    allow_http_hosts: frozenset[str] = frozenset({"127.0.0.1", "localhost"}),
) -> str | None:
    """None when ``url`` can be used for the provider's robot, else an English problem sentence.

    https is required, except plain http to ``allow_http_hosts`` (local receivers, intranet
    gateways an administrator allowed). The host is not checked against the provider's own
    domains: intranet proxies in front of them are common.
    """
    try:
        provider = Provider(provider)
    except ValueError:
        return "Choose a known IM provider."
    if not url:
        return "Enter the webhook address."
    if any(char.isspace() or ord(char) < 32 for char in url):
        return "The address must not contain spaces or line breaks."
    try:
        parts = urllib.parse.urlsplit(url)
        _ = parts.port  # raises ValueError for a port out of range
    except ValueError:
        return "The address is not a valid URL."
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if scheme not in ("http", "https") or not host:
        return "The address must start with https:// and name a host."
    if scheme == "http" and host not in allow_http_hosts:
        return "The address must use https:// (plain http:// is only allowed for local hosts)."
    if parts.username is not None or parts.password is not None:
        return "The address must not contain a user name or password."
    if "#" in url:
        return "The address must not contain a #fragment."
    query = urllib.parse.parse_qs(parts.query)
    if provider is Provider.DINGTALK:
        if not query.get("access_token", [""])[0]:
            return "A DingTalk robot address needs its access_token parameter."
        if "timestamp" in query or "sign" in query:
            return "Leave timestamp and sign out of the address: they are added when sending."
    if provider is Provider.WECOM and not query.get("key", [""])[0]:
        return "A WeCom robot address needs its key parameter."
    return None
