"""An authenticator app's present code, for tests that sign in with the second factor."""

import time

import pyotp

STEP_SECONDS = 30


def fresh_code(secret: str, margin: float = 2) -> str:
    """The present code, taken at least ``margin`` seconds before its step ends.

    The app accepts only the present step's code (a code lives at most 30 s), so a code read in
    the last moment of a step could reach the server after the step has ended.
    """
    left = STEP_SECONDS - time.time() % STEP_SECONDS
    if left < margin:
        time.sleep(left + 0.05)
    return pyotp.TOTP(secret).now()
