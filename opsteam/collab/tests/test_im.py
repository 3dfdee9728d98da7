"""IM robot formats and signing: real payloads reach a local receiver that checks them like the
providers do; answers become results that say whether a retry can help; addresses are checked;
any title and body give a payload within the providers' limits."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import time
import urllib.parse

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opsteam.collab import im
from opsteam.collab.im import Message, Provider
from opsteam.collab.tests.receiver import WebhookReceiver

SECRET = "SEC-test-secret"
SIGNED = (Provider.DINGTALK, Provider.FEISHU)
MESSAGE = Message(
    title="AS-9 审核等待超时",
    body="已等待 5 小时\n请尽快处理 <b>&</b>",
    url="https://ops.example.com/workflow/items/9/",
    link_label="在 OpsTeam 中打开",
    mentions=("张三", "李四"),
)


@pytest.fixture
def receiver():
    with WebhookReceiver(secrets={"t1": SECRET}) as running:
        yield running


def _send(receiver, provider, message=MESSAGE, secret=SECRET, token="t1", **kwargs):  # noqa: S107
    secret = secret if provider in SIGNED else ""
    return im.send(provider, receiver.url(provider, token), secret, message, **kwargs)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- each provider, end to end -------------------------------------------------------------


@pytest.mark.parametrize("provider", list(Provider))
def test_a_signed_message_reaches_the_robot_and_passes_its_checks(receiver, provider):
    result = _send(receiver, provider)

    assert result == im.SendResult(ok=True, status_code=200, error="", retryable=False)
    (got,) = receiver.wait_for(1)
    assert (got.provider, got.token, got.verified, got.problem) == (provider, "t1", True, "")
    assert got.headers["content-type"] == "application/json; charset=utf-8"
    assert "审核等待超时".encode() in got.raw  # sent as UTF-8, not \u escapes


def test_dingtalk_payload_and_signed_address(receiver):
    _send(receiver, Provider.DINGTALK, now=time.time())
    (got,) = receiver.wait_for(1)

    assert got.payload == {
        "msgtype": "markdown",
        "markdown": {
            "title": "AS-9 审核等待超时",
            "text": "#### AS-9 审核等待超时\n\n已等待 5 小时\n请尽快处理 <b>&</b>\n\n"
            "[在 OpsTeam 中打开](https://ops.example.com/workflow/items/9/)\n\n@张三 @李四",
        },
        "at": {"isAtAll": False},
    }
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(got.url).query)
    assert set(query) == {"access_token", "timestamp", "sign"}
    assert abs(int(query["timestamp"][0]) / 1000 - time.time()) < 60


def test_feishu_payload_is_a_signed_card(receiver):
    _send(receiver, Provider.FEISHU)
    (got,) = receiver.wait_for(1)

    payload = dict(got.payload)
    timestamp, sign = payload.pop("timestamp"), payload.pop("sign")
    assert isinstance(timestamp, str)
    assert sign == im.sign_feishu(SECRET, timestamp)
    assert payload == {
        "msg_type": "interactive",
        "card": {
            "config": {"wide_screen_mode": True},
            "header": {
                "title": {"tag": "plain_text", "content": "AS-9 审核等待超时"},
                "template": "blue",
            },
            "elements": [
                {
                    "tag": "markdown",
                    # tags in user text are shown, never acted on (<at id=all> would ping all)
                    "content": "已等待 5 小时\n请尽快处理 &#60;b&#62;&&#60;/b&#62;\n\n@张三 @李四",
                },
                {
                    "tag": "action",
                    "actions": [
                        {
                            "tag": "button",
                            "text": {"tag": "plain_text", "content": "在 OpsTeam 中打开"},
                            "type": "primary",
                            "url": "https://ops.example.com/workflow/items/9/",
                        }
                    ],
                },
            ],
        },
    }


def test_wecom_payload_is_markdown_without_signature(receiver):
    _send(receiver, Provider.WECOM)
    (got,) = receiver.wait_for(1)

    assert got.payload == {
        "msgtype": "markdown",
        "markdown": {
            "content": "**AS-9 审核等待超时**\n已等待 5 小时\n请尽快处理 <b>&</b>\n"
            "[在 OpsTeam 中打开](https://ops.example.com/workflow/items/9/)\n@张三 @李四"
        },
    }
    assert urllib.parse.urlsplit(got.url).query == "key=t1"


def test_slack_payload_has_blocks_and_escaped_text(receiver):
    _send(receiver, Provider.SLACK)
    (got,) = receiver.wait_for(1)

    assert got.payload == {
        "text": "AS-9 审核等待超时\n已等待 5 小时\n请尽快处理 &lt;b&gt;&amp;&lt;/b&gt; "
        "https://ops.example.com/workflow/items/9/",
        "blocks": [
            {
                "type": "header",
                "text": {"type": "plain_text", "text": "AS-9 审核等待超时", "emoji": True},
            },
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": "已等待 5 小时\n请尽快处理 &lt;b&gt;&amp;&lt;/b&gt;\n\n@张三 @李四",
                },
            },
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": "在 OpsTeam 中打开", "emoji": True},
                        "url": "https://ops.example.com/workflow/items/9/",
                    }
                ],
            },
        ],
    }


@pytest.mark.parametrize("provider", list(Provider))
def test_a_title_alone_gives_no_link_and_no_empty_parts(receiver, provider):
    assert _send(receiver, provider, Message(title="只有标题")).ok
    (got,) = receiver.wait_for(1)
    assert got.verified
    text = json.dumps(got.payload, ensure_ascii=False)
    assert "只有标题" in text
    assert "Open" not in text
    assert "url" not in text


@pytest.mark.parametrize("provider", SIGNED)
def test_without_a_secret_nothing_is_signed(provider):
    with WebhookReceiver() as receiver:
        assert im.send(provider, receiver.url(provider), "", MESSAGE).ok
        (got,) = receiver.wait_for(1)
    assert got.verified
    assert "sign" not in urllib.parse.urlsplit(got.url).query
    assert "sign" not in got.payload
    assert "timestamp" not in got.payload


def test_a_caller_session_is_used(receiver):
    with requests.Session() as session:
        assert _send(receiver, Provider.WECOM, session=session).ok


# -- refusals and retries ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("provider", "code"), [(Provider.DINGTALK, 310000), (Provider.FEISHU, 19021)]
)
def test_a_wrong_secret_fails_for_good_naming_the_providers_code(receiver, provider, code):
    result = _send(receiver, provider, secret="wrong-secret")

    assert not result.ok
    assert not result.retryable
    assert str(code) in result.error
    (got,) = receiver.wait_for(1)
    assert not got.verified
    assert "signature" in got.problem


@pytest.mark.parametrize(
    ("provider", "code"), [(Provider.DINGTALK, 310000), (Provider.FEISHU, 19021)]
)
def test_a_timestamp_over_an_hour_old_is_refused(receiver, provider, code):
    result = _send(receiver, provider, now=time.time() - 2 * 3600)

    assert (result.ok, result.retryable) == (False, False)
    assert str(code) in result.error


@pytest.mark.parametrize("provider", list(Provider))
@pytest.mark.parametrize(
    ("status", "retryable"), [(500, True), (503, True), (429, True), (404, False)]
)
def test_http_failures_are_retryable_only_for_429_and_5xx(receiver, provider, status, retryable):
    receiver.fail_next(1, status=status, body="busy")

    result = _send(receiver, provider)

    assert (result.ok, result.status_code, result.retryable) == (False, status, retryable)
    assert f"HTTP {status}" in result.error
    assert _send(receiver, provider).ok  # the next one goes through
    assert [r.verified for r in receiver.wait_for(2)] == [False, True]


@pytest.mark.parametrize(
    ("provider", "code"),
    [
        (Provider.DINGTALK, "130101"),
        (Provider.FEISHU, "11232"),
        (Provider.WECOM, "45009"),
        (Provider.SLACK, "429"),
    ],
)
def test_provider_rate_limits_are_retryable(receiver, provider, code):
    receiver.rate_limit_next()

    result = _send(receiver, provider)

    assert (result.ok, result.retryable) == (False, True)
    assert code in result.error


@pytest.mark.parametrize(
    ("provider", "code"),
    [
        (Provider.DINGTALK, "300001"),
        (Provider.FEISHU, "19001"),
        (Provider.WECOM, "93000"),
        (Provider.SLACK, "no_service"),
    ],
)
def test_a_removed_robot_fails_for_good(receiver, provider, code):
    receiver.revoke("t1")

    result = _send(receiver, provider)

    assert (result.ok, result.retryable) == (False, False)
    assert code in result.error


@pytest.mark.parametrize("provider", list(Provider))
def test_a_closed_port_is_retryable_without_an_http_status(provider):
    port = _closed_port()
    url = {
        Provider.DINGTALK: f"http://127.0.0.1:{port}/robot/send?access_token=TOKEN-SECRET",
        Provider.FEISHU: f"http://127.0.0.1:{port}/open-apis/bot/v2/hook/TOKEN-SECRET",
        Provider.WECOM: f"http://127.0.0.1:{port}/cgi-bin/webhook/send?key=TOKEN-SECRET",
        Provider.SLACK: f"http://127.0.0.1:{port}/services/TOKEN-SECRET",
    }[provider]

    result = im.send(provider, url, SECRET, MESSAGE, timeout=2)

    assert (result.ok, result.status_code, result.retryable) == (False, None, True)
    assert im.LABELS[provider] in result.error
    assert "TOKEN-SECRET" not in result.error  # the address is a credential
    assert "refused" in result.error


def test_a_slow_robot_times_out_as_retryable(receiver):
    receiver.fail_next(1, status=200, body='{"errcode":0,"errmsg":"ok"}', delay=2)

    started = time.monotonic()
    result = _send(receiver, Provider.WECOM, timeout=0.3)

    assert time.monotonic() - started < 1.5
    assert (result.ok, result.status_code, result.retryable) == (False, None, True)
    assert "0.3 s" in result.error


def test_redirects_are_not_followed(receiver):
    receiver.fail_next(1, status=302, body="")

    result = _send(receiver, Provider.SLACK)

    assert (result.ok, result.status_code, result.retryable) == (False, 302, False)
    assert len(receiver.wait_for(1)) == 1


def test_an_unknown_provider_is_a_result_not_an_exception():
    result = im.send("telegram", "https://example.com/hook", "", MESSAGE)
    assert (result.ok, result.status_code, result.retryable) == (False, None, False)
    assert "telegram" in result.error


# -- answers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("provider", "status", "text", "ok", "retryable", "in_error"),
    [
        (Provider.DINGTALK, 200, '{"errcode":0,"errmsg":"ok"}', True, False, ""),
        (
            Provider.DINGTALK,
            200,
            '{"errcode":310000,"errmsg":"keywords not in content"}',
            False,
            False,
            "310000",
        ),
        (Provider.DINGTALK, 200, '{"errcode":-1,"errmsg":"系统繁忙"}', False, True, "系统繁忙"),
        (Provider.FEISHU, 200, '{"code":0,"msg":"success","data":{}}', True, False, ""),
        (Provider.FEISHU, 200, '{"StatusCode":0,"StatusMessage":"success"}', True, False, ""),
        (Provider.FEISHU, 200, '{"code":19024,"msg":"Key Words Not Found"}', False, False, "19024"),
        (Provider.FEISHU, 400, '{"code":9499,"msg":"Bad Request","data":{}}', False, False, "9499"),
        (Provider.FEISHU, 200, '{"code":11232,"msg":"frequency limited"}', False, True, "11232"),
        (
            Provider.WECOM,
            200,
            '{"errcode":93000,"errmsg":"invalid webhook url"}',
            False,
            False,
            "93000",
        ),
        (
            Provider.WECOM,
            200,
            '{"errcode":45009,"errmsg":"api freq out of limit"}',
            False,
            True,
            "45009",
        ),
        (Provider.WECOM, 502, "<html>Bad Gateway</html>", False, True, "Bad Gateway"),
        (Provider.SLACK, 200, "ok", True, False, ""),
        (Provider.SLACK, 400, "invalid_payload", False, False, "invalid_payload"),
        (Provider.SLACK, 404, "no_service", False, False, "no_service"),
        (Provider.SLACK, 429, "rate_limited", False, True, "rate_limited"),
        (Provider.SLACK, 200, "<html>login</html>", False, False, "login"),
    ],
)
def test_parse_response(provider, status, text, ok, retryable, in_error):
    result = im.parse_response(provider, status, text)

    assert (result.ok, result.status_code, result.retryable) == (ok, status, retryable)
    assert (result.error == "") is ok
    assert in_error in result.error


@pytest.mark.parametrize("provider", [Provider.DINGTALK, Provider.FEISHU, Provider.WECOM])
def test_a_non_json_answer_fails_with_its_first_200_characters(provider):
    text = "<html>" + "x" * 300

    result = im.parse_response(provider, 200, text)

    assert (result.ok, result.retryable) == (False, False)
    assert ("<html>" + "x" * 194) in result.error
    assert "x" * 195 not in result.error


def test_a_json_answer_without_a_code_is_a_failure():
    result = im.parse_response("dingtalk", 200, '{"status":"ok"}')
    assert not result.ok
    assert "no result code" in result.error


# -- addresses -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("provider", "url", "problem"),
    [
        ("dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=abc", None),
        ("feishu", "https://open.feishu.cn/open-apis/bot/v2/hook/abc", None),
        ("wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc", None),
        ("slack", "https://hooks.slack.com/services/T0/B0/abc", None),
        ("slack", "https://im-gateway.corp.internal/slack/abc", None),  # intranet proxy
        ("wecom", "http://127.0.0.1:8080/cgi-bin/webhook/send?key=abc", None),
        ("feishu", "http://localhost/hook/abc", None),
        ("feishu", "http://open.feishu.cn/open-apis/bot/v2/hook/abc", "https"),
        ("slack", "ftp://hooks.slack.com/services/abc", "https"),
        ("slack", "hooks.slack.com/services/abc", "https"),
        ("dingtalk", "https://oapi.dingtalk.com/robot/send", "access_token"),
        ("dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=", "access_token"),
        (
            "dingtalk",
            "https://oapi.dingtalk.com/robot/send?access_token=a&timestamp=1&sign=x",
            "timestamp",
        ),
        ("wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send", "key"),
        ("wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?token=abc", "key"),
        ("slack", "https://user:pass@hooks.slack.com/services/abc", "password"),
        ("slack", "https://user@hooks.slack.com/services/abc", "password"),
        ("feishu", "https://open.feishu.cn/open-apis/bot/v2/hook/abc#x", "fragment"),
        ("slack", "https://hooks.slack.com/services/a b", "spaces"),
        ("slack", "https://hooks.slack.com:99999/services/abc", "valid"),
        ("slack", "", "Enter"),
        ("telegram", "https://api.telegram.org/bot1/sendMessage", "provider"),
    ],
)
def test_validate_webhook_url(provider, url, problem):
    answer = im.validate_webhook_url(provider, url)
    if problem is None:
        assert answer is None
    else:
        assert answer is not None
        assert problem in answer


def test_plain_http_to_a_host_the_administrator_allowed():
    url = "http://im-gateway.corp/cgi-bin/webhook/send?key=abc"
    assert im.validate_webhook_url("wecom", url) is not None
    assert (
        im.validate_webhook_url("wecom", url, allow_http_hosts=frozenset({"im-gateway.corp"}))
        is None
    )


def test_the_receivers_addresses_are_valid(receiver):
    for provider in Provider:
        assert im.validate_webhook_url(provider, receiver.url(provider, "t9")) is None


# -- signatures ----------------------------------------------------------------------------


def test_sign_dingtalk_known_answer():
    secret, timestamp = "SECabc123", "1700000000000"
    expected = base64.b64encode(
        hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    ).decode()

    assert im.sign_dingtalk(secret, timestamp) == expected


def test_sign_feishu_known_answer():
    secret, timestamp = "fs-secret", "1700000000"
    expected = base64.b64encode(
        hmac.new(f"{timestamp}\n{secret}".encode(), b"", hashlib.sha256).digest()
    ).decode()

    assert im.sign_feishu(secret, timestamp) == expected
    assert im.sign_feishu(secret, timestamp) != im.sign_dingtalk(secret, timestamp)


def test_dingtalk_signature_is_url_quoted_and_uses_milliseconds():
    # find a moment whose signature holds "+" or "/", which must be quoted in the address
    now = next(
        t / 1000
        for t in range(1_700_000_000_000, 1_700_000_100_000)
        if set(im.sign_dingtalk(SECRET, str(t))) & {"+", "/"}
    )
    url = "https://oapi.dingtalk.com/robot/send?access_token=abc"

    request = im.build_request("dingtalk", url, SECRET, MESSAGE, now=now)

    timestamp = str(int(now * 1000))
    sign = im.sign_dingtalk(SECRET, timestamp)
    assert request.url == (f"{url}&timestamp={timestamp}&sign={urllib.parse.quote_plus(sign)}")
    assert "+" not in request.url.split("sign=")[1]
    assert request.url.split("sign=")[1] != sign


def test_feishu_timestamp_is_in_seconds():
    request = im.build_request("feishu", "https://x.test/hook/a", SECRET, MESSAGE, now=1700000000.9)
    assert request.payload["timestamp"] == "1700000000"
    assert request.payload["sign"] == im.sign_feishu(SECRET, "1700000000")


# -- limits and escaping for any text ------------------------------------------------------

ANY_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(exclude_categories=()),  # includes lone surrogates and control chars
        st.sampled_from(list("中文字符测试😀🎉👩‍💻*_~`#[]()<>&@!|\\\n\r\t")),
    ),
    max_size=3000,
)
LONG_TEXT = st.builds(lambda part, times: part * times, ANY_TEXT, st.integers(1, 5))
URLS = st.one_of(
    st.just(""),
    st.builds(
        lambda path: "https://ops.example.com/" + urllib.parse.quote(path),
        st.text(max_size=200),
    ),
)
MESSAGES = st.builds(
    Message,
    title=ANY_TEXT,
    body=LONG_TEXT,
    url=URLS,
    link_label=st.text(max_size=100),
    mentions=st.lists(st.text(max_size=30), max_size=25).map(tuple),
)


def _encoded(payload) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(message=MESSAGES, provider=st.sampled_from(list(Provider)))
def test_any_message_gives_a_payload_within_the_limits(message, provider):
    request = im.build_request(
        provider, "https://x.test/hook?key=k&access_token=a", SECRET, message, now=1.7e9
    )

    encoded = _encoded(request.payload)  # serialisable, valid UTF-8
    assert json.loads(encoded) == request.payload
    if provider is Provider.WECOM:
        content = request.payload["markdown"]["content"]
        assert len(content.encode("utf-8")) <= 4096
        assert content.startswith("**")
        assert "<@" not in content  # no mention markup from user text
    elif provider is Provider.SLACK:
        blocks = {block["type"]: block for block in request.payload["blocks"]}
        header = blocks["header"]["text"]["text"]
        assert 0 < len(header) <= 150
        if "section" in blocks:
            section = blocks["section"]["text"]["text"]
            assert 0 < len(section) <= 3000
            assert "<" not in section
            assert ">" not in section
        if "actions" in blocks:
            assert len(blocks["actions"]["elements"][0]["text"]["text"]) <= 75
        assert "<" not in request.payload["text"]
    elif provider is Provider.FEISHU:
        assert len(encoded) <= 20 * 1024
        for element in request.payload["card"]["elements"]:
            if element["tag"] == "markdown":
                assert element["content"].strip()
                assert "<" not in element["content"]
        assert request.payload["card"]["header"]["title"]["content"].strip()
    else:
        assert len(encoded) <= 20 * 1024
        assert request.payload["markdown"]["title"].strip()
        assert "\n" not in request.payload["markdown"]["title"]


@settings(max_examples=40, deadline=None)
@given(size=st.integers(0, 20_000), char=st.sampled_from(["a", "é", "中", "😀"]))
def test_wecom_cuts_long_bodies_at_a_character_with_an_ellipsis(size, char):
    message = Message(title="标题", body=char * size, url="https://ops.example.com/x")

    content = im.build_request("wecom", "https://x.test/?key=k", "", message, now=0).payload[
        "markdown"
    ]["content"]

    assert len(content.encode("utf-8")) <= 4096
    assert content.endswith("[Open](https://ops.example.com/x)")  # the link survives
    if len(content.encode("utf-8")) < len(message.body.encode("utf-8")):
        assert "…" in content


def test_truncate_bytes_never_splits_a_character():
    assert im.truncate_bytes("中文", 6) == "中文"
    assert im.truncate_bytes("中文字", 8) == "中…"
    assert im.truncate_bytes("😀😀", 7) == "😀…"
    assert im.truncate_bytes("abc", 2) == ""


# -- the receiver itself -------------------------------------------------------------------


def test_the_receiver_refuses_what_the_providers_refuse(receiver):
    post = requests.post
    dingtalk = post(
        receiver.url("dingtalk", "nosecret"),
        data=b"not json",
        timeout=5,
        headers={"Content-Type": "application/json"},
    )
    feishu = post(receiver.url("feishu", "nosecret"), json={"msg_type": "nope"}, timeout=5)
    wecom = post(
        receiver.url("wecom"),
        json={"msgtype": "markdown", "markdown": {"content": "x" * 5000}},
        timeout=5,
    )
    slack = post(receiver.url("slack"), json={"text": "", "blocks": []}, timeout=5)
    unknown = post(receiver.base_url + "/elsewhere", json={}, timeout=5)

    assert dingtalk.json()["errcode"] != 0
    assert (feishu.status_code, feishu.json()["code"]) == (400, 9499)
    assert wecom.json()["errcode"] == 40058
    assert (slack.status_code, slack.text) == (400, "no_text")
    assert unknown.status_code == 404
    assert [r.verified for r in receiver.wait_for(5)] == [False] * 5


def test_the_receiver_wait_for_times_out(receiver):
    with pytest.raises(TimeoutError):
        receiver.wait_for(1, timeout=0.1)
