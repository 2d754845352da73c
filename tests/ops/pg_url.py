"""Print a DATABASE_URL for the cluster pg_virtualenv started (from its PG* variables)."""

import os
from urllib.parse import quote

env = os.environ
print(
    "postgres://{user}:{password}@{host}:{port}/{db}".format(
        user=quote(env.get("PGUSER", "postgres"), safe=""),
        password=quote(env.get("PGPASSWORD", ""), safe=""),
        host=env.get("PGHOST", "localhost"),
        port=env.get("PGPORT", "5432"),
        db=quote(env.get("PGDATABASE", "postgres"), safe=""),
    )
)
