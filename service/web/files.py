"""The static files' file system: a path no file can have is simply not found."""

from __future__ import annotations

from typing import Any

from litestar.file_system import BaseLocalFileSystem
from litestar.types import PathType
from litestar.types.file_types import FileInfo


class StaticFileSystem(BaseLocalFileSystem):
    """The local file system, except that a NUL byte in a path (`/static/app.css%00`) is a 404:
    the operating system refuses such a name with a `ValueError`, which would be a 500."""

    async def info(self, path: PathType, **kwargs: Any) -> FileInfo:
        if "\x00" in str(path):
            raise FileNotFoundError(path)
        return await super().info(path, **kwargs)
