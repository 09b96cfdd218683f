"""Prometheus metrics: what an operator watches (``METRICS_PORT`` serves them at /metrics).

Defined once at import, in the default registry, as Prometheus' client expects. Every
name starts with ``mentor_``; labels stay low-cardinality (command names, kinds,
outcomes, shard ids — never user or guild ids).
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram, start_http_server

INTERACTIONS = Counter(
    "mentor_interactions_total",
    "Slash commands and component clicks handled, by command and outcome (ok, user_error, error).",
    ["command", "outcome"],
)
INTERACTION_SECONDS = Histogram(
    "mentor_interaction_seconds",
    "Time from Discord creating an interaction to its handler finishing.",
    ["command"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0),
)
DELIVERIES = Counter(
    "mentor_deliveries_total",
    "Scheduled posts (daily question, challenge, reminder, ...) by kind and result "
    "(sent, retry, failed, paused, skipped).",
    ["kind", "result"],
)
DATABASE_ERRORS = Counter(
    "mentor_database_errors_total",
    "Database operations that failed with a connection or lock error, by where they happened.",
    ["where"],
)
GATEWAY_CONNECTED = Gauge(
    "mentor_gateway_connected", "1 while the shard's gateway connection is open.", ["shard"]
)
SHARD_LATENCY = Gauge(
    "mentor_shard_latency_seconds", "Gateway heartbeat latency of each shard.", ["shard"]
)


def serve(port: int) -> None:
    """Serve /metrics on ``port`` (all interfaces: Prometheus scrapes it from outside)."""
    start_http_server(port)
