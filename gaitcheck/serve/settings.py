"""How the page was started: by ``gaitcheck serve`` for a clinic, or by ``streamlit run app.py`` on one computer.

``gaitcheck serve`` hands its options to the page through environment variables of its own process
(the page runs in that process); nothing secret is among them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from ..errors import ConfigError

__all__ = ["ENV", "ServeSettings"]

#: The environment variables ``gaitcheck serve`` sets for the page.
ENV = {
    "served": "GAITCHECK_SERVED",  # "1": a clinic server (sign-in required)
    "session_minutes": "GAITCHECK_SESSION_MINUTES",
    "slots": "GAITCHECK_POSE_SLOTS",
    "cluster": "GAITCHECK_CLUSTER",
    "base_url": "GAITCHECK_BASE_URL",
    "max_upload_mb": "GAITCHECK_MAX_UPLOAD_MB",
    "max_memory_mb": "GAITCHECK_MAX_MEMORY_MB",
}


def _number(env: Mapping[str, str], key: str, default: float, lo: float, hi: float) -> float:
    text = env.get(ENV[key])
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise ConfigError(f"{ENV[key]}={text!r} is not a number") from None
    if not lo <= value <= hi:
        raise ConfigError(f"{ENV[key]}={text} is outside {lo:g}-{hi:g}")
    return value


@dataclass(frozen=True)
class ServeSettings:
    """The served page's settings.

    Attributes:
        served: started by ``gaitcheck serve``: nothing is shown before a therapist signs in or a
            patient opens a valid link. False for ``streamlit run app.py`` on the therapist's own
            computer, where the sign-in is asked only once a password has been set.
        session_minutes: a signed-in therapist is signed out after this long without using the page.
        slots: pose runs at once (0: one per core; with ``cluster``: its worker threads).
        cluster: a Dask scheduler address (``tcp://HOST:PORT``) to run the pose stage on, or None.
        base_url: the address patients open (for their links); None: the address the therapist's
            browser shows.
        max_upload_mb: the largest upload accepted.
        max_memory_mb: the server's memory budget: past it, new uploads are turned away until sessions
            end (0: half of the machine's memory, :func:`gaitcheck.serve.memory.default_budget_mb`).
    """

    served: bool = False
    session_minutes: float = 30.0
    slots: int = 0
    cluster: str | None = None
    base_url: str | None = None
    max_upload_mb: int = 200
    max_memory_mb: int = 0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ServeSettings:
        """The settings from the environment (``os.environ`` by default).

        >>> s = ServeSettings.from_env({"GAITCHECK_SERVED": "1", "GAITCHECK_SESSION_MINUTES": "15"})
        >>> s.served, s.session_minutes, s.cluster
        (True, 15.0, None)

        Raises:
            ConfigError: a value is not a number or out of range.
        """
        env = os.environ if env is None else env
        return cls(served=env.get(ENV["served"]) == "1",
                   session_minutes=_number(env, "session_minutes", 30.0, 1.0, 24 * 60.0),
                   slots=int(_number(env, "slots", 0, 0, 256)),
                   cluster=env.get(ENV["cluster"]) or None,
                   base_url=env.get(ENV["base_url"]) or None,
                   max_upload_mb=int(_number(env, "max_upload_mb", 200, 1, 4096)),
                   max_memory_mb=int(_number(env, "max_memory_mb", 0, 0, 2**22)))

    def to_env(self) -> dict[str, str]:
        """The environment variables that give these settings (see :meth:`from_env`)."""
        out = {ENV["served"]: "1" if self.served else "0", ENV["session_minutes"]: f"{self.session_minutes:g}",
               ENV["slots"]: str(self.slots), ENV["max_upload_mb"]: str(self.max_upload_mb),
               ENV["max_memory_mb"]: str(self.max_memory_mb)}
        if self.cluster:
            out[ENV["cluster"]] = self.cluster
        if self.base_url:
            out[ENV["base_url"]] = self.base_url
        return out

    @property
    def memory_budget_mb(self) -> int:
        """The memory budget in MB (``max_memory_mb``, or half of the machine's memory when 0)."""
        from .memory import default_budget_mb

        return self.max_memory_mb or default_budget_mb()
