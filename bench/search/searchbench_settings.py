"""Migration Hub's own settings, unchanged, plus what the search benchmark needs.

- `BENCH_SEARCH_POSTGRES_URL`, when set, adds a second database alias `postgresql` (with the
  project's own connection options).
- A router sends every ORM query of the process to `Router.alias` ("default" unless the
  benchmark switches it), so the unchanged search code runs on either database in one process
  (`core.search` picks its connection through the router too).
"""

import os

from migration_hub.config.database import database_config
from migration_hub.config.settings import *  # noqa: F403
from migration_hub.config.settings import DATA_DIR, DATABASES

_postgres_url = os.environ.get("BENCH_SEARCH_POSTGRES_URL")
if _postgres_url:
    DATABASES = {
        **DATABASES,
        "postgresql": database_config(_postgres_url, DATA_DIR / "unused.sqlite3"),
    }

DATABASE_ROUTERS = ["searchbench_settings.Router"]


class Router:
    alias = "default"

    def db_for_read(self, model, **hints):
        return Router.alias

    def db_for_write(self, model, **hints):
        return Router.alias
