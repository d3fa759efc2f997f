"""The session store: open a records database, save sessions, read them back, erase a patient.

Every save is one transaction (the patient, the session, its thumbnails and, if asked, its clip),
so a crash or a kill mid-save leaves nothing of it; on SQLite, writers from several processes take
turns (``BEGIN IMMEDIATE`` with a busy timeout) instead of failing.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy import URL, Connection, Engine, Row, delete, exists, func, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from .._io import sha256_file
from ..errors import InputError, RecordNotFoundError, RecordsError
from ..report import Report
from . import _db
from ._tables import links, patients, sessions, settings, thumbnails, videos
from .sessions import (
    NUMBER_FIELDS,
    STATUS_FIELDS,
    History,
    KeyNumbers,
    PatientSummary,
    Session,
    Thumbnail,
    build_history,
    check_code,
    key_numbers,
)

__all__ = ["RecordStore", "open_store"]

ReportLike = Report | Mapping[str, Any]


def _utc(when: datetime) -> datetime:
    """``when`` in UTC; a time without a zone is taken as local time (as typed by the user)."""
    return (when if when.tzinfo is not None else when.astimezone()).astimezone(UTC)


def _from_db(when: datetime) -> datetime:
    """A stored time as UTC (SQLite hands back the stored UTC digits without their zone)."""
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _report_dict(report: ReportLike) -> dict[str, Any]:
    if isinstance(report, Report):
        return report.to_dict()
    try:
        Report.from_dict(report)  # the same checks as for a report read from a file
    except InputError as exc:
        raise InputError(f"{exc}; nothing was saved") from None
    return dict(report)


@contextlib.contextmanager
def _errors(where: str) -> Iterator[None]:
    try:
        yield
    except DBAPIError as exc:
        raise RecordsError(f"records database {where}: {_db.db_message(exc)}") from None


class RecordStore:
    """An open records database. Use :func:`open_store`; close it (or use ``with``) when done.

    Example:
        >>> import os, tempfile
        >>> store = open_store(os.path.join(tempfile.mkdtemp(), "clinic.sqlite3"))
        >>> store.patients()
        []
        >>> session = store.add(gaitcheck.analyze("walk.mp4"), "P-0042", video="walk.mp4")  # doctest: +SKIP
        >>> [s.numbers.slouch for s in store.history("P-0042").sessions]  # doctest: +SKIP
        ['flag', 'pass']
        >>> store.close()
    """

    def __init__(self, engine: Engine, url: URL) -> None:
        self._engine = engine
        self.url = url
        #: The database as shown to the user (the file for SQLite; the URL without its password).
        self.where = _db.describe(url)

    def close(self) -> None:
        """Close the connections (the store cannot be used afterwards)."""
        self._engine.dispose()

    def __enter__(self) -> RecordStore:
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    @contextlib.contextmanager
    def _read(self) -> Iterator[Connection]:
        with _errors(self.where), self._engine.connect() as conn, conn.begin():
            yield conn

    @contextlib.contextmanager
    def _write(self) -> Iterator[Connection]:
        with _errors(self.where), self._engine.connect().execution_options(**_db.write_options()) as conn, \
                conn.begin():
            yield conn

    # --- saving ----------------------------------------------------------------------------------

    def add(self, report: ReportLike, patient: str, *, video: str | os.PathLike[str] | None = None,
            clip_sha256: str | None = None, note: str | None = None, display_name: str | None = None,
            recorded_at: datetime | None = None, keep_video: bool = False) -> Session:
        """Save one analysis as a session of ``patient`` (created if new), in one transaction.

        Args:
            report: from :func:`gaitcheck.analyze` (then with key-moment thumbnails, if ``video``
                is given), or a report dict (``Report.to_dict()`` or a loaded JSON report).
            patient: the patient's code (pseudonymous, e.g. ``P-0042``).
            video: the analysed clip (only read): its sha256, recording time and key moments.
            clip_sha256: the clip's sha256, if already known (else computed from ``video``).
            note: the therapist's note.
            display_name: the patient's display name (replaces the stored one when given).
            recorded_at: when the clip was recorded (default: the clip's own creation time, else
                its file time; without ``video``, the time of saving). A time without a zone is
                local time.
            keep_video: store the clip itself too (off by default: only its hash is kept).

        Raises:
            ConfigError: ``patient`` is not a valid code.
            InputError: ``report`` is not a gaitcheck report; ``video`` cannot be read.
            RecordsError: the database cannot be written (nothing was saved).
        """
        from ._clip import recorded_time
        from ._clip import thumbnails as key_thumbnails

        code = check_code(patient)
        d = _report_dict(report)
        numbers = key_numbers(d)
        now = datetime.now(UTC)
        thumbs: list[Thumbnail] = []
        data: bytes | None = None
        source = "given"
        try:
            if video is not None:
                clip_sha256 = clip_sha256 or sha256_file(video)
                if recorded_at is None:
                    recorded_at, source = recorded_time(video)
                if isinstance(report, Report):
                    thumbs = key_thumbnails(video, report)
                data = Path(video).read_bytes() if keep_video else None
        except OSError as exc:
            raise InputError(f"cannot read the clip {video}: {exc.strerror or exc}; nothing was saved") from None
        if recorded_at is None:
            recorded_at, source = now, "analysed"
        software: Mapping[str, Any] = d["software"] if isinstance(d.get("software"), Mapping) else {}
        values = {
            "recorded_at": _utc(recorded_at), "recorded_at_source": source, "analysed_at": now,
            "clip_name": Path(str(d["video"].get("path") or video or "")).name or None, "clip_sha256": clip_sha256,
            "report_json": json.dumps(d, ensure_ascii=False, allow_nan=False),
            "report_schema_version": d["schema_version"],
            **{f"{k}_status": getattr(numbers, k) for k in STATUS_FIELDS},
            **{k: getattr(numbers, k) for k in NUMBER_FIELDS},
            "thresholds_json": json.dumps({**(d.get("settings") or {}), "height_cm": d.get("height_cm")},
                                          ensure_ascii=False, allow_nan=False),
            "gaitcheck_version": software.get("gaitcheck"), "model_name": software.get("model"),
            "model_sha256": software.get("model_sha256"), "note": note or None,
        }
        with self._write() as conn:
            pid = self._patient_id(conn, code, display_name, now)
            key = conn.execute(insert(sessions).values(patient_id=pid, **values)).inserted_primary_key
            if key is None:  # a driver that cannot say which id it gave
                raise RecordsError(f"records database {self.where}: the new session's id is unknown")
            sid = int(key[0])
            if thumbs:
                conn.execute(insert(thumbnails), [{"session_id": sid, "position": t.position, "frame": t.frame,
                                                   "t_s": t.t_s, "label": t.label, "title": t.title, "jpeg": t.jpeg}
                                                  for t in thumbs])
            if data is not None:
                conn.execute(insert(videos).values(session_id=sid, file_name=Path(os.fspath(video or "")).name,
                                                   data=data))
            row = conn.execute(self._session_query().where(sessions.c.id == sid)).one()
        return self._session(row)

    @staticmethod
    def _patient_id(conn: Connection, code: str, display_name: str | None, now: datetime) -> int:
        """The id of patient ``code``, created if new (safe when another process creates it at once)."""
        found = conn.execute(select(patients.c.id).where(patients.c.code == code)).scalar()
        if found is None:
            try:
                with conn.begin_nested():
                    conn.execute(insert(patients).values(code=code, display_name=display_name, created_at=now))
            except IntegrityError:  # created by another writer since (PostgreSQL; SQLite writers take turns)
                pass
            found = conn.execute(select(patients.c.id).where(patients.c.code == code)).scalar_one()
        elif display_name:
            conn.execute(update(patients).where(patients.c.id == found).values(display_name=display_name))
        return int(found)

    def set_note(self, session_id: int, note: str | None) -> Session:
        """Replace a session's note (None or "" removes it).

        Raises:
            RecordNotFoundError: there is no such session.
        """
        with self._write() as conn:
            done = conn.execute(update(sessions).where(sessions.c.id == session_id).values(note=note or None))
            if done.rowcount == 0:
                raise RecordNotFoundError(f"no session {session_id} in {self.where}")
            row = conn.execute(self._session_query().where(sessions.c.id == session_id)).one()
        return self._session(row)

    # --- reading ---------------------------------------------------------------------------------

    @staticmethod
    def _session_query() -> Any:
        has_video = exists().where(videos.c.session_id == sessions.c.id)
        return (select(sessions, patients.c.code, has_video.label("has_video"))
                .join(patients, patients.c.id == sessions.c.patient_id))

    @staticmethod
    def _session(row: Row[Any]) -> Session:
        m = row._mapping
        numbers = KeyNumbers(**{k: m[f"{k}_status"] for k in STATUS_FIELDS}, **{k: m[k] for k in NUMBER_FIELDS})
        return Session(id=m["id"], patient=m["code"], recorded_at=_from_db(m["recorded_at"]),
                       recorded_at_source=m["recorded_at_source"], analysed_at=_from_db(m["analysed_at"]),
                       clip_name=m["clip_name"], clip_sha256=m["clip_sha256"], note=m["note"], numbers=numbers,
                       thresholds=json.loads(m["thresholds_json"]), gaitcheck_version=m["gaitcheck_version"],
                       model_name=m["model_name"], model_sha256=m["model_sha256"], has_video=bool(m["has_video"]))

    def _patient_row(self, conn: Connection, patient: str) -> Row[Any]:
        row = conn.execute(select(patients).where(patients.c.code == check_code(patient))).first()
        if row is None:
            raise RecordNotFoundError(f"no patient {patient} in {self.where} (see gaitcheck patients)")
        return row

    def patients(self) -> list[PatientSummary]:
        """Every patient, by code, with their number of sessions and last visit."""
        q = (select(patients.c.code, patients.c.display_name, func.count(sessions.c.id),
                    func.max(sessions.c.recorded_at))
             .outerjoin(sessions, sessions.c.patient_id == patients.c.id)
             .group_by(patients.c.id, patients.c.code, patients.c.display_name).order_by(patients.c.code))
        with self._read() as conn:
            rows = conn.execute(q).all()
        return [PatientSummary(code, name, int(n), None if last is None else _from_db(_as_datetime(last)))
                for code, name, n, last in rows]

    def sessions(self, patient: str) -> list[Session]:
        """The patient's sessions, oldest recording first.

        Raises:
            RecordNotFoundError: no such patient.
        """
        with self._read() as conn:
            pid = self._patient_row(conn, patient).id
            rows = conn.execute(self._session_query().where(sessions.c.patient_id == pid)
                                .order_by(sessions.c.recorded_at, sessions.c.id)).all()
        return [self._session(r) for r in rows]

    def session(self, session_id: int) -> Session:
        """One session by id.

        Raises:
            RecordNotFoundError: no such session.
        """
        with self._read() as conn:
            row = conn.execute(self._session_query().where(sessions.c.id == session_id)).first()
        if row is None:
            raise RecordNotFoundError(f"no session {session_id} in {self.where}")
        return self._session(row)

    def history(self, patient: str) -> History:
        """The patient's sessions, oldest first, each with what changed since the one before.

        Raises:
            RecordNotFoundError: no such patient.
        """
        with self._read() as conn:
            prow = self._patient_row(conn, patient)
            rows = conn.execute(self._session_query().where(sessions.c.patient_id == prow.id)
                                .order_by(sessions.c.recorded_at, sessions.c.id)).all()
        reports = [Report.from_dict(json.loads(r._mapping["report_json"])) for r in rows]
        return build_history(prow.code, prow.display_name, [self._session(r) for r in rows], reports)

    def report(self, session_id: int) -> dict[str, Any]:
        """The session's full report, exactly as saved (the ``Report.to_dict()`` JSON contract).

        Raises:
            RecordNotFoundError: no such session.
        """
        with self._read() as conn:
            text = conn.execute(select(sessions.c.report_json).where(sessions.c.id == session_id)).scalar()
        if text is None:
            raise RecordNotFoundError(f"no session {session_id} in {self.where}")
        out: dict[str, Any] = json.loads(text)
        return out

    def thumbnails(self, session_id: int) -> list[Thumbnail]:
        """The session's key-moment pictures (JPEG), in the order the report shows them."""
        with self._read() as conn:
            rows = conn.execute(select(thumbnails).where(thumbnails.c.session_id == session_id)
                                .order_by(thumbnails.c.position)).all()
        return [Thumbnail(r.position, r.frame, r.t_s, r.label, r.title, bytes(r.jpeg)) for r in rows]

    def video(self, session_id: int) -> tuple[str, bytes] | None:
        """The stored clip (file name, bytes), or None when only its hash was kept (the default)."""
        with self._read() as conn:
            row = conn.execute(select(videos.c.file_name, videos.c.data).where(videos.c.session_id == session_id)
                               ).first()
        return None if row is None else (row.file_name, bytes(row.data))

    # --- settings and upload links (for the served page, :mod:`gaitcheck.serve`) -----------------

    def setting(self, key: str) -> str | None:
        """A stored setting of the served page (None when not set)."""
        with self._read() as conn:
            value: str | None = conn.execute(select(settings.c.value).where(settings.c.key == key)).scalar()
        return value

    def set_setting(self, key: str, value: str, *, only_if_unset: bool = False) -> str:
        """Store a setting (replacing it, unless ``only_if_unset``); returns the value now stored."""
        with self._write() as conn:
            old = conn.execute(select(settings.c.value).where(settings.c.key == key)).scalar()
            if old is None:
                try:
                    with conn.begin_nested():
                        conn.execute(insert(settings).values(key=key, value=value))
                except IntegrityError:  # set by another writer since (PostgreSQL)
                    old = conn.execute(select(settings.c.value).where(settings.c.key == key)).scalar_one()
            if old is not None and only_if_unset:
                return str(old)
            if old is not None:
                conn.execute(update(settings).where(settings.c.key == key).values(value=value))
        return value

    def add_link(self, patient: str, nonce: str, expires_at: datetime) -> None:
        """Record an upload link of ``patient`` (created if new), valid until ``expires_at``."""
        code = check_code(patient)
        now = datetime.now(UTC)
        with self._write() as conn:
            pid = self._patient_id(conn, code, None, now)
            conn.execute(insert(links).values(patient_id=pid, nonce=nonce, created_at=now,
                                              expires_at=_utc(expires_at)))

    def link(self, nonce: str) -> tuple[str, datetime, datetime | None] | None:
        """The link ``nonce``: (patient code, expires at, revoked at or None); None when unknown."""
        q = (select(patients.c.code, links.c.expires_at, links.c.revoked_at)
             .join(patients, patients.c.id == links.c.patient_id).where(links.c.nonce == nonce))
        with self._read() as conn:
            row = conn.execute(q).first()
        if row is None:
            return None
        return row.code, _from_db(row.expires_at), None if row.revoked_at is None else _from_db(row.revoked_at)

    def revoke_links(self, patient: str) -> int:
        """Withdraw every upload link of ``patient``; returns how many were still usable.

        Raises:
            RecordNotFoundError: no such patient.
        """
        now = datetime.now(UTC)
        with self._write() as conn:
            pid = self._patient_row(conn, patient).id
            done = conn.execute(update(links).where(links.c.patient_id == pid, links.c.revoked_at.is_(None),
                                                    links.c.expires_at > now).values(revoked_at=now))
            conn.execute(update(links).where(links.c.patient_id == pid, links.c.revoked_at.is_(None))
                         .values(revoked_at=now))
        return int(done.rowcount)

    # --- export and erase ------------------------------------------------------------------------

    def export(self, patient: str, out: str | os.PathLike[str]) -> Path:
        """Write everything stored for ``patient`` to the zip file ``out`` (see :func:`export_patient`)."""
        from .export import export_patient

        path: Path = export_patient(self, patient, out)
        return path

    def forget(self, patient: str) -> int:
        """Erase the patient and everything stored for them, in one transaction.

        Returns how many sessions were erased. On SQLite the freed pages are overwritten and the write-ahead log is
        emptied, so the data is gone from the file too.

        Raises:
            RecordNotFoundError: no such patient.
        """
        with self._write() as conn:
            pid = self._patient_row(conn, patient).id
            ids = select(sessions.c.id).where(sessions.c.patient_id == pid).scalar_subquery()
            conn.execute(delete(thumbnails).where(thumbnails.c.session_id.in_(ids)))
            conn.execute(delete(videos).where(videos.c.session_id.in_(ids)))
            conn.execute(delete(links).where(links.c.patient_id == pid))
            n = conn.execute(delete(sessions).where(sessions.c.patient_id == pid)).rowcount
            conn.execute(delete(patients).where(patients.c.id == pid))
        if self.url.get_backend_name() == "sqlite":
            with _errors(self.where):
                _db.checkpoint(self._engine)
        return int(n)


def _as_datetime(v: Any) -> datetime:
    # SQLite returns max() of a DATETIME column as its stored text
    return v if isinstance(v, datetime) else datetime.fromisoformat(str(v))


def open_store(db: str | os.PathLike[str] | None = None) -> RecordStore:
    """Open the records database, creating it or bringing its schema up to date as needed.

    Args:
        db: a file path (SQLite) or an SQLAlchemy URL (e.g. ``postgresql://user@host/records``,
            which uses psycopg 3). Default: ``$GAITCHECK_DB``, else ``records.sqlite3`` in the
            user's data folder (:func:`gaitcheck.records.default_db_path`).

    Raises:
        ConfigError: a bad path or URL, or its driver is not installed.
        DatabaseVersionError: it was written by a newer gaitcheck (it is left untouched).
        RecordsError: it cannot be opened, or is not a gaitcheck records database.
    """
    engine, url = _db.connect(db)
    return RecordStore(engine, url)
