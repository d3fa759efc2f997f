"""The migrations, oldest first (alembic reads each file's ``revision`` and ``down_revision``)."""
