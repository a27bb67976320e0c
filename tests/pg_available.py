"""Exit 0 when the PostgreSQL URL given as argument accepts a connection (used by the Makefile)."""

import sys

from sqlalchemy import create_engine, text

from service.config import normalize_db_url

if __name__ == "__main__":
    try:
        engine = create_engine(normalize_db_url(sys.argv[1]), connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("select 1"))
    except Exception as err:  # any failure means "not reachable"
        print(f"PostgreSQL: {err.__class__.__name__}", file=sys.stderr)
        sys.exit(1)
    sys.exit(0)
