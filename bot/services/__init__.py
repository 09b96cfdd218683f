"""Domain logic. Async, no ``discord`` import: cogs call these, these call the database."""
