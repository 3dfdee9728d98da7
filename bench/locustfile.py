"""Locust scenario for ``bench/bench_load.py``: demo logins browsing the main pages and API lists.

Each virtual user logs in through the login form (CSRF token from the form), then requests one
of its role's pages, waits one second (think time), and so on. Roles rotate hr, manager,
director, operator; each role only requests pages it may open, so every 4xx/5xx is an error.

The measured window starts once every user has logged in (the login storm is reported on its
own) and lasts ``OPSTEAM_LOAD_SECONDS``; then the runner is stopped. Every request in the window
is written to ``OPSTEAM_LOAD_SAMPLES`` (JSON lines) so bench_load computes exact percentiles.

    locust -f bench/locustfile.py --headless -u 50 -r 10 -t 120s --host http://127.0.0.1:8000
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time

import gevent
from locust import FastHttpUser, constant, events, task

from bench.load_pages import PAGES_BY_ROLE, ROLES, SEARCH_TERMS

PASSWORD = "opsteam-demo"  # noqa: S105 - the published demo password (opsteam.org.demo)
WINDOW_SECONDS = float(os.environ.get("OPSTEAM_LOAD_SECONDS", "60"))
SAMPLES_PATH = os.environ.get("OPSTEAM_LOAD_SAMPLES", "")
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
STATIC_URL = re.compile(r'(?:href|src)="(/static/[^"]+)"')


_roles = itertools.cycle(ROLES)
_state = {"logged_in": 0, "window_start": None, "window_end": None}
_samples: list[dict] = []


def _in_window() -> bool:
    start, end = _state["window_start"], _state["window_end"]
    return start is not None and start <= time.time() <= end


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception, context, **kwargs):
    if name.startswith("setup:") or name == "login":
        if name == "login":
            _samples.append({"name": "login", "ms": response_time, "ok": exception is None})
        return
    if _in_window():
        _samples.append({"name": name, "ms": response_time, "ok": exception is None})


@events.quitting.add_listener
def _dump(environment, **kwargs):
    if not SAMPLES_PATH:
        return
    with open(SAMPLES_PATH, "w", encoding="utf-8") as handle:
        handle.write(
            json.dumps(
                {
                    "window": [_state["window_start"], _state["window_end"]],
                    "users": _state["logged_in"],
                }
            )
            + "\n"
        )
        for sample in _samples:
            handle.write(json.dumps(sample) + "\n")


def _stop_after_window(environment) -> None:
    gevent.sleep(WINDOW_SECONDS)
    environment.runner.quit()


class OpsTeamUser(FastHttpUser):
    wait_time = constant(1)

    def on_start(self) -> None:
        self.role = next(_roles)
        self.pages = PAGES_BY_ROLE[self.role]
        self.jd_ids: list[int] = []
        self._login()
        self._load_static()
        with self.client.get(
            "/api/org/job-descriptions/?status=published&page_size=100",
            name="setup: job description ids",
            catch_response=True,
        ) as response:
            if response.status_code == 200:
                self.jd_ids = [row["id"] for row in response.json()["results"]]
        _state["logged_in"] += 1
        if _state["logged_in"] == self.environment.parsed_options.num_users:
            _state["window_start"] = time.time()
            _state["window_end"] = _state["window_start"] + WINDOW_SECONDS
            gevent.spawn(_stop_after_window, self.environment)

    def _login(self) -> None:
        page = self.client.get("/accounts/login/", name="setup: login form")
        match = CSRF_FIELD.search(page.text or "")
        token = match.group(1) if match else ""
        with self.client.post(
            "/accounts/login/",
            data={"username": self.role, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": self.client.base_url + "/accounts/login/"},
            allow_redirects=False,
            name="login",
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login as {self.role} answered {response.status_code}")

    def _load_static(self) -> None:
        """A cold browser cache: fetch the home page's CSS and JavaScript once."""
        home = self.client.get("/", name="setup: first home page")
        for url in sorted(set(STATIC_URL.findall(home.text or ""))):
            self.client.get(url, name="setup: static files")

    @task
    def browse(self) -> None:
        name = random.choice(list(self.pages))
        path = self.pages[name]
        if name == "staff search":
            path = "/org/staff/?q=" + random.choice(SEARCH_TERMS)
        elif name == "job description detail":
            if not self.jd_ids:
                return
            path = f"/org/job-descriptions/{random.choice(self.jd_ids)}/"
        with self.client.get(
            path, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"{self.role}: HTTP {response.status_code}")
