"""Two app servers behind one address share everything through the database and the throttling
store: a session opened on one is valid on the other, a throttle counted on one holds on the other.

Runs only against real servers: ``.ci/run`` starts two gunicorn servers (``make serve``) on one
PostgreSQL and one Redis and sets ``DAYCENTRE_SERVERS="http://127.0.0.1:A http://127.0.0.1:B"``
for the accounts ``make load-users`` created (``load-probe``: password and second factor).
"""

import os
import re
import secrets
import urllib.error
import urllib.parse
import urllib.request

import pytest

from loadtest.accounts import PASSWORD, totp_secret
from tests.totp import fresh_code

SERVERS = os.environ.get("DAYCENTRE_SERVERS", "").split()

pytestmark = [
    pytest.mark.two_servers,
    pytest.mark.skipif(
        len(SERVERS) != 2, reason="needs DAYCENTRE_SERVERS: two running servers (.ci/run)"
    ),
]

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
# Production names it __Host-session; the name is sent back as the server set it.
SESSION_COOKIE = re.compile(r"^\s*((?:__Host-)?session)=([^;]+)")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


class Browser:
    """One browser: one session cookie, carried to whichever server answers (as behind a proxy).

    The cookie is marked Secure in production; the servers here are plain HTTP on loopback, so it
    is kept and sent by hand.
    """

    def __init__(self):
        self.cookie = None

    def request(self, url, data=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(url, data=body)  # noqa: S310 - loopback servers
        if self.cookie:
            request.add_header("Cookie", "=".join(self.cookie))
        try:
            response = _opener.open(request, timeout=60)  # noqa: S310 - loopback servers
        except urllib.error.HTTPError as error:  # 3xx (not followed), 4xx, 5xx
            response = error
        with response:
            status, text = response.status, response.read().decode()
            for header in response.headers.get_all("Set-Cookie") or []:
                found = SESSION_COOKIE.search(header)
                if found:
                    self.cookie = found.groups()
        return status, text

    def form(self, url, fields):
        """Open the page, then send its form with the page's CSRF token."""
        _status, page = self.request(url)
        return self.request(url, {"csrf_token": TOKEN.search(page).group(1), **fields})[0]

    def sign_in(self, server, username, password):
        return self.form(f"{server}/auth/login", {"username": username, "password": password})


def test_a_session_opened_on_one_server_is_valid_on_the_other():
    first, second = SERVERS
    browser = Browser()
    # The password on the first server, the authenticator's code on the second.
    assert browser.sign_in(first, "load-probe", PASSWORD) == 302
    code = fresh_code(totp_secret("load-probe"))
    assert browser.form(f"{second}/auth/code", {"code": code}) == 302
    status, page = browser.request(f"{second}/attendance/")
    assert status == 200
    assert "/attendance/groups/" in page
    # Signing out on the second ends the session everywhere: the first refuses the same cookie.
    stale = Browser()
    stale.cookie = browser.cookie
    token = TOKEN.search(page).group(1)
    assert browser.request(f"{second}/auth/logout", {"csrf_token": token})[0] == 302
    assert stale.request(f"{first}/attendance/")[0] == 302


def test_failed_sign_ins_counted_on_one_server_throttle_the_other():
    """The account's budget is 5 failures in 15 minutes, whichever server counted them."""
    first, second = SERVERS
    username = f"nobody-{secrets.token_hex(4)}"
    for attempt in range(5):
        server = first if attempt % 2 == 0 else second
        assert Browser().sign_in(server, username, "wrong-password") == 200
    assert Browser().sign_in(first, username, "wrong-password") == 429
    assert Browser().sign_in(second, username, "wrong-password") == 429
