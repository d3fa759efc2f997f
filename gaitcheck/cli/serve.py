"""``gaitcheck serve``, ``gaitcheck set-password`` and ``gaitcheck invite``: the page for a clinic."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from ..errors import ConfigError
from ._records import add_db, open_db


def register(sub: Any) -> None:
    """Add the ``serve``, ``set-password`` and ``invite`` commands to the CLI."""
    s = sub.add_parser("serve", help="run the page for a clinic (therapist sign-in, patients' upload links)",
                       description="Run the page for a clinic: therapists sign in with the password set by "
                                   "gaitcheck set-password; patients open their personal link (gaitcheck invite). "
                                   "Serve it behind the HTTPS reverse proxy in deploy/ (see the README); it listens "
                                   "on this machine only unless --host says otherwise.")
    add_db(s)
    s.add_argument("--host", default="127.0.0.1", help="the address to listen on (default: 127.0.0.1, this machine "
                                                       "only; the reverse proxy on the same machine reaches it)")
    s.add_argument("--port", type=int, default=8501, help="the port (default: 8501)")
    s.add_argument("--cluster", metavar="tcp://HOST:PORT", help="run the pose stage on this Dask cluster (the one "
                                                                "gaitcheck batch --cluster uses)")
    s.add_argument("--workers", type=int, default=0, metavar="N",
                   help="pose runs at once (default: one per core, or the cluster's worker threads)")
    s.add_argument("--session-minutes", type=float, default=30.0, metavar="M",
                   help="sign a therapist out after M minutes without using the page (default: 30)")
    s.add_argument("--max-upload-mb", type=int, default=200, metavar="MB",
                   help="the largest clip accepted (default: 200 MB; set the proxy's limit to match)")
    s.add_argument("--max-memory-mb", type=int, default=0, metavar="MB",
                   help="turn new uploads away (with a message to try again later) while the server holds more "
                        "than this (default: half of the machine's memory)")
    s.add_argument("--base-url", metavar="URL", help="the address patients open, for the links the page makes "
                                                      "(default: the address the therapist's browser shows)")
    s.set_defaults(run=run_serve)

    p = sub.add_parser("set-password", help="set the therapist password of the served page",
                       description="Set the password therapists sign in with on the served page. Only an Argon2id "
                                   "hash of it is stored, in the records database.")
    add_db(p)
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input (one line)")
    p.set_defaults(run=run_set_password)

    i = sub.add_parser("invite", help="make (or withdraw) a patient's personal upload link",
                       description="Print a personal upload link for one patient: opened on their phone, it shows "
                                   "their own page only (upload, feedback, their earlier sessions). The link is "
                                   "signed and expires; --revoke withdraws every link of the patient at once.")
    i.add_argument("patient", metavar="CODE", help="the patient's code (created if new)")
    i.add_argument("--days", type=float, default=14.0, help="how long the link works (default: 14 days)")
    i.add_argument("--revoke", action="store_true", help="withdraw the patient's links instead")
    i.add_argument("--base-url", default="http://localhost:8501", metavar="URL",
                   help="the address patients open (default: http://localhost:8501)")
    add_db(i)
    i.set_defaults(run=run_invite)


def run_serve(args: argparse.Namespace) -> int:
    """Run ``serve``: start the page for a clinic; return the exit code."""
    from ..serve.server import check_ready, run_server
    from ..serve.settings import ServeSettings

    if not 0 < args.port < 65536:
        raise ConfigError(f"--port must be 1-65535, not {args.port}")
    if args.workers < 0:
        raise ConfigError("--workers must be 0 (one per core) or more")
    if args.max_memory_mb < 0:
        raise ConfigError("--max-memory-mb must be 0 (half of the machine's memory) or more")
    settings = ServeSettings(served=True, session_minutes=args.session_minutes, slots=args.workers,
                             cluster=args.cluster, base_url=args.base_url, max_upload_mb=args.max_upload_mb,
                             max_memory_mb=args.max_memory_mb)
    ServeSettings.from_env(settings.to_env())  # the same range checks as the page applies
    where = check_ready(args.db, settings)
    print(f"Serving gaitcheck on http://{args.host}:{args.port} (records: {where}); stop with Ctrl-C.", flush=True)
    return run_server(args.db, settings, args.host, args.port)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise ConfigError("no terminal to ask for the password: use --password-stdin")
    first = getpass.getpass("New therapist password: ")
    if getpass.getpass("Again: ") != first:
        raise ConfigError("the two passwords differ; nothing was changed")
    return first


def run_set_password(args: argparse.Namespace) -> int:
    """Run ``set-password``: store the therapist's password hash; return the exit code."""
    from ..serve.access import set_password

    password = _read_password(args.password_stdin)
    with open_db(args) as store:
        set_password(store, password)
        print(f"The therapist password is set for {store.where}.")
    return 0


def run_invite(args: argparse.Namespace) -> int:
    """Run ``invite``: print (or revoke) a patient's personal upload link; return the exit code."""
    from ..serve.access import make_invite

    with open_db(args) as store:
        if args.revoke:
            n = store.revoke_links(args.patient)
            print(f"Withdrew {n} link(s) of patient {args.patient}.")
            return 0
        invite = make_invite(store, args.patient, args.base_url, args.days)
    print(f"Upload link for {invite.patient}, valid until {invite.expires_at:%Y-%m-%d %H:%M} UTC:")
    print(invite.url)
    return 0
