"""Alembic environment: runs on the connection that `portfolio init` hands over."""

from alembic import context

import portfolio.projections.tables  # noqa: F401 - registers the read-model tables
from portfolio.db import metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # plain `alembic` CLI use: build an engine from the environment
    from portfolio.config import Settings
    from portfolio.runtime import make_engine

    engine = make_engine(Settings.from_env())
    with engine.begin() as connection:
        context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=metadata,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()
