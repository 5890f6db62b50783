"""What the load-test accounts share with the load test: the password and each account's
authenticator secret. No app imports: the load test runs in locust's process."""

import base64
import hashlib
import os

PASSWORD = os.environ.get("LOAD_PASSWORD", "load-test-password")


def totp_secret(username: str, password: str = PASSWORD) -> str:
    """The account's authenticator secret (base32), derived so that both sides know it."""
    digest = hashlib.sha256(f"load-test:{password}:{username}".encode()).digest()
    return base64.b32encode(digest[:20]).decode()
