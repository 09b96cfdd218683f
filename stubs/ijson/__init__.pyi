from collections.abc import Iterator
from typing import IO, Any

# The (key, value) pairs of the objects found at ``prefix`` ("" is the top-level object).
def kvitems(
    source: IO[bytes], prefix: str, *, use_float: bool = False, **config: Any
) -> Iterator[tuple[str, Any]]: ...
