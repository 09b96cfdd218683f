"""The scheduled-post pipeline: one schedule model, one outbox, one poster.

``cadence`` says when something is due, ``outbox`` claims and records each occurrence
in the database (exactly once across processes), ``ownership`` says which process's
shards serve a guild, and ``pipeline`` (the Discord side) sends with a nonce,
retries transient failures and pauses on 403/404. Features supply a ``Feed``: what
is due, what to post, and what to record when it was sent.
"""
