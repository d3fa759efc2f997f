"""``gaitcheck serve``: the page for a clinic, run by Streamlit with settings fit for serving.

The process becomes ``python -m streamlit run`` on the page that ships in this package, with
Streamlit's options pinned here (XSRF protection on, no usage statistics, no error details or
developer menu for visitors, the upload limit); put it behind the reverse proxy in ``deploy/`` for
HTTPS (see the README).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ..errors import ConfigError
from .settings import ServeSettings

__all__ = ["PAGE_SCRIPT", "check_ready", "streamlit_command"]

#: The page's Streamlit script inside the package (``app.py`` at the top of a checkout runs the same page).
PAGE_SCRIPT = Path(__file__).resolve().parents[1] / "page" / "_script.py"


def streamlit_command(settings: ServeSettings, host: str, port: int) -> list[str]:
    """The command line that runs the page with ``settings`` on ``host``:``port``."""
    options = {
        "server.address": host, "server.port": str(port), "server.headless": "true",
        "server.enableXsrfProtection": "true", "server.enableCORS": "true",
        "server.maxUploadSize": str(settings.max_upload_mb), "server.maxMessageSize": str(settings.max_upload_mb),
        "server.fileWatcherType": "none", "server.runOnSave": "false", "server.enableStaticServing": "false",
        "browser.gatherUsageStats": "false", "client.toolbarMode": "viewer", "client.showErrorDetails": "none",
        "client.showSidebarNavigation": "false", "global.developmentMode": "false", "logger.level": "warning",
    }
    return [sys.executable, "-m", "streamlit", "run", str(PAGE_SCRIPT), *(f"--{k}={v}" for k, v in options.items())]


def check_ready(db: str | None, settings: ServeSettings) -> str:
    """Open the records database (migrating it) and check a therapist can sign in; returns where it is.

    Raises:
        ConfigError: no therapist password is set.
        RecordsError, DatabaseVersionError: the database cannot be used.
    """
    from ..records import open_store
    from .access import has_password

    with open_store(db) as store:
        if not has_password(store):
            hint = f" --db {db}" if db else ""
            raise ConfigError(f"no therapist password is set for {store.where}: run "
                              f"gaitcheck set-password{hint} first")
        return store.where


def run_server(db: str | None, settings: ServeSettings, host: str, port: int) -> int:
    """Run the page until stopped (the process is replaced by Streamlit's where the system allows)."""
    env = {**os.environ, **settings.to_env()}
    if db:
        from ..records import DB_ENV

        env[DB_ENV] = db
    cmd = streamlit_command(settings, host, port)
    if os.name == "posix":
        sys.stdout.flush()
        sys.stderr.flush()
        os.execve(sys.executable, cmd, env)
    return subprocess.call(cmd, env=env)
