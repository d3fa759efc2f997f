"""Alembic's environment script: runs the migrations on the connection gaitcheck hands it.

gaitcheck opens the transaction (and its lock) itself and passes the connection in
``config.attributes["connection"]`` (see ``gaitcheck.records._db``), so that checking the version
and migrating happen in one transaction.
"""

from __future__ import annotations

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, transactional_ddl=True,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
