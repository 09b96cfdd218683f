# Backend Mentor — slim runtime image, non-root, data in a volume.
FROM python:3.12-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
RUN useradd --create-home --uid 10001 mentor

COPY pyproject.toml README.md alembic.ini ./
COPY bot ./bot
COPY cogs ./cogs
COPY data ./data
COPY migrations ./migrations
RUN pip install . && mkdir -p /app/var && chown mentor:mentor /app/var

USER mentor
VOLUME ["/app/var"]

# Healthy while the bot is connected: it touches var/heartbeat every 30 seconds.
HEALTHCHECK --interval=60s --timeout=10s --start-period=90s --retries=3 \
    CMD ["python", "-m", "bot", "health"]

CMD ["python", "-m", "bot", "run"]
