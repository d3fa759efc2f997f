"""Alembic migrations of the records database, applied by :func:`gaitcheck.records.open_store`.

Each file in ``versions/`` is one step, named by its ``revision`` and chained by its
``down_revision``. To change the schema, add a new file there (copy the newest one's pattern),
write its ``upgrade()`` with ``alembic.op`` (on SQLite, column changes need
``op.batch_alter_table``), change ``gaitcheck/records/_tables.py`` to match, and extend the
migration test. Never edit a migration that has been released: databases out there were made by it.
"""
