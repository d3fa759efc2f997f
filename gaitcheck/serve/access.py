"""Who may use the served page: the therapist's password, slowed failed attempts, patients' upload links.

Nothing here is home-made cryptography: the password is hashed with Argon2id (argon2-cffi, with its
recommended parameters), links are signed with itsdangerous (HMAC-SHA1 over a key of 32 random
bytes that is made once and kept in the records database), and random values come from
:mod:`secrets`. A link's token carries only a random nonce: the patient's code, the expiry and
whether the link was withdrawn are looked up in the database, so a token reveals nothing about
whom it belongs to, and withdrawing it takes effect at once.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlencode, urlsplit, urlunsplit

from ..errors import ConfigError, LinkError

if TYPE_CHECKING:
    from ..records import RecordStore

__all__ = ["LINK_PARAM", "MIN_PASSWORD_LENGTH", "Invite", "Throttle", "check_password", "has_password",
           "link_url", "make_invite", "open_link", "set_password"]

#: The URL query parameter that carries a patient's link token.
LINK_PARAM = "link"
MIN_PASSWORD_LENGTH = 10
_PASSWORD_KEY = "therapist_password_argon2"
_SECRET_KEY = "link_signing_key"
_SALT = "gaitcheck-upload-link-v1"


def set_password(store: RecordStore, password: str) -> None:
    """Store the therapist's password (as an Argon2id hash; the password itself is never stored).

    Raises:
        ConfigError: the password is shorter than :data:`MIN_PASSWORD_LENGTH` characters.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ConfigError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    from argon2 import PasswordHasher

    store.set_setting(_PASSWORD_KEY, PasswordHasher().hash(password))


def has_password(store: RecordStore) -> bool:
    """Whether a therapist password has been set (``gaitcheck set-password``)."""
    return store.setting(_PASSWORD_KEY) is not None


def check_password(store: RecordStore, password: str) -> bool:
    """Whether ``password`` is the therapist's (False also when none is set)."""
    from argon2 import PasswordHasher
    from argon2.exceptions import InvalidHashError, VerificationError

    stored = store.setting(_PASSWORD_KEY)
    if stored is None:
        return False
    hasher = PasswordHasher()
    try:
        hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False
    if hasher.check_needs_rehash(stored):  # parameters raised by a newer argon2-cffi
        store.set_setting(_PASSWORD_KEY, hasher.hash(password))
    return True


class Throttle:
    """Slows password guessing for the whole server: after each failed attempt, the next one must wait.

    The wait doubles with each failure in a row (2, 4, 8 … s, at most ``max_wait_s``) and is the
    same for every browser, so opening new sessions does not help a guesser; a success resets it.
    """

    def __init__(self, max_wait_s: float = 30.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_wait_s = max_wait_s
        self._clock = clock
        self._lock = threading.Lock()
        self._failures = 0
        self._next_allowed = 0.0

    def _now(self) -> float:
        return self._clock()

    def wait_s(self) -> float:
        """Seconds until the next attempt is accepted (0 = now)."""
        with self._lock:
            return max(0.0, self._next_allowed - self._now())

    def failed(self) -> None:
        with self._lock:
            self._failures += 1
            self._next_allowed = self._now() + min(self.max_wait_s, 2.0 ** self._failures)

    def succeeded(self) -> None:
        with self._lock:
            self._failures = 0
            self._next_allowed = 0.0


@dataclass(frozen=True)
class Invite:
    """A patient's personal upload link.

    Attributes:
        patient: the patient's code.
        url: the link to give the patient (``base_url`` with the token).
        token: the signed token in it.
        expires_at: when it stops working (UTC).
    """

    patient: str
    url: str
    token: str
    expires_at: datetime


def _serializer(store: RecordStore) -> object:
    from itsdangerous import URLSafeSerializer

    key = store.set_setting(_SECRET_KEY, secrets.token_hex(32), only_if_unset=True)
    return URLSafeSerializer(key, salt=_SALT)


def link_url(base_url: str, token: str) -> str:
    """``base_url`` with the token as its query (anything already in its query or fragment is dropped).

    >>> link_url("https://gait.clinic.example/", "abc")
    'https://gait.clinic.example/?link=abc'
    """
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"{base_url!r} is not a web address: give one such as https://gait.clinic.example")
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", urlencode({LINK_PARAM: token}), ""))


def make_invite(store: RecordStore, patient: str, base_url: str, days: float = 14.0) -> Invite:
    """Make a personal upload link for ``patient`` (created in the records if new), valid for ``days``.

    Raises:
        ConfigError: ``patient`` is not a valid code, ``days`` is not positive or ``base_url`` is not
            a web address.
    """
    if not 0 < days <= 366:
        raise ConfigError(f"--days must be between 0 and 366, not {days:g}")
    nonce = secrets.token_urlsafe(24)
    expires = datetime.now(UTC) + timedelta(days=days)
    token = str(_serializer(store).dumps(nonce))  # type: ignore[attr-defined]
    url = link_url(base_url, token)
    store.add_link(patient, nonce, expires)
    return Invite(patient, url, token, expires)


def open_link(store: RecordStore, token: str) -> str:
    """The patient whose valid link ``token`` is.

    Raises:
        LinkError: the token was altered or is not one of ours, the link expired, or it was withdrawn
            (the message is plain words for the person holding the link).
    """
    from itsdangerous import BadData

    try:
        nonce = _serializer(store).loads(token)  # type: ignore[attr-defined]
    except BadData:
        raise LinkError("This link is not valid. Please use the link exactly as your therapist sent it, "
                        "or ask them for a new one.") from None
    found = store.link(str(nonce)) if isinstance(nonce, str) else None
    if found is None:
        raise LinkError("This link is not valid any more. Please ask your therapist for a new one.")
    patient, expires_at, revoked_at = found
    if revoked_at is not None:
        raise LinkError("This link has been withdrawn. Please ask your therapist for a new one.")
    if expires_at <= datetime.now(UTC):
        raise LinkError(f"This link expired on {expires_at:%d %B %Y}. Please ask your therapist for a new one.")
    return patient
