"""Migration Hub's settings, unchanged, with the bench URLs on top.

Both servers of a benchmark run with this module, so they share middleware, database and
every other setting; only the view differs.
"""

from migration_hub.config.settings import *  # noqa: F403

ROOT_URLCONF = "bench_project.urls"
WSGI_APPLICATION = "bench_project.wsgi.application"
