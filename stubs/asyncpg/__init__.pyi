class PostgresMessage:
    sqlstate: str

class PostgresError(PostgresMessage, Exception): ...
