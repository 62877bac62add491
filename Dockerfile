# Klynge API. The same steps as the README: install the project, migrate, serve.
# Runs on PostgreSQL in production: set KLYNGE_DATABASE_URL=postgresql+asyncpg://...
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    KLYNGE_HOST=0.0.0.0 \
    KLYNGE_PORT=8000 \
    KLYNGE_DATABASE_URL=sqlite+aiosqlite:////data/klynge.db

RUN groupadd --system klynge && useradd --system --gid klynge --home-dir /app klynge \
    && mkdir -p /data && chown klynge:klynge /data

WORKDIR /app
# Dependencies first, so code changes do not reinstall them.
COPY pyproject.toml README.md ./
RUN mkdir app && touch app/__init__.py && pip install -e . && rm -rf app
COPY app ./app
COPY migrations ./migrations
COPY alembic.ini ./
RUN pip install --no-deps -e .

USER klynge
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health/live')"
# `klynge serve` applies migrations, then starts uvicorn (and the mail sender); pass
# `--workers N` to scale. With several containers, run one more from this image with the
# command `klynge worker` and set KLYNGE_RUN_WORKER_IN_API=false on the API containers.
# Reminders of overdue invoices: run `klynge send-reminders` from this image once a day
# (a scheduled job); the yearly fee run is `klynge fee-run --network … --year …` or the API.
CMD ["klynge", "serve"]
