"""Writing files safely: whole or not at all.

Every output goes to a temporary name in the destination folder and is renamed into
place only when complete, so an interrupted run never leaves a half-written file.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from surveyor.errors import OutputError, SurveyorError


def ensure_dir(path: Path) -> Path:
    """Create an output folder (and parents), or explain why it cannot be."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise OutputError(f"{path}: exists and is not a folder; choose another --out")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{path}: cannot create the output folder ({exc.strerror})") from exc
    if not os.access(path, os.W_OK | os.X_OK):
        raise OutputError(f"{path}: the output folder is not writable; choose another --out")
    return path


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` on success."""
    path = Path(path)
    ensure_dir(path.parent)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OutputError(f"{path}: cannot be written ({exc.strerror})") from exc
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o644)
        os.replace(tmp_path, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp_path.unlink()
        raise


def write_bytes(path: Path, data: bytes) -> str:
    """Write ``data`` atomically and return its sha256."""
    with atomic_path(path) as tmp:
        try:
            tmp.write_bytes(data)
        except OSError as exc:
            raise OutputError(f"{path}: cannot be written ({exc.strerror})") from exc
    return hashlib.sha256(data).hexdigest()


def write_text(path: Path, text: str) -> str:
    """Write UTF-8 text atomically (``\\n`` line ends) and return its sha256."""
    return write_bytes(path, text.encode("utf-8"))


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# The largest input file read: a national file of a million respondents is about 150 MB.
MAX_INPUT_BYTES = 1 << 30


def read_input(path: Path, folder_hint: str = "give a file", limit: int | None = None) -> bytes:
    """The bytes of an input file, or a SurveyorError saying in one sentence why not.

    ``folder_hint`` finishes the sentence when ``path`` is a folder. Only regular files
    are read (a device such as /dev/zero or a pipe never ends), and at most ``limit``
    bytes (default ``MAX_INPUT_BYTES``): a larger file is refused before it fills the memory.
    """
    limit = MAX_INPUT_BYTES if limit is None else limit
    path = Path(path)
    if not path.exists():
        raise SurveyorError(f"{path}: no such file")
    if path.is_dir():
        raise SurveyorError(f"{path}: is a folder; {folder_hint}")
    if not path.is_file():
        raise SurveyorError(
            f"{path}: is not a regular file (a device, pipe or socket); save the data to a "
            "file and give that"
        )
    try:
        with open(path, "rb") as handle:
            # The size is checked first: read(limit) would reserve the whole limit.
            data = b"" if os.fstat(handle.fileno()).st_size > limit else handle.read()
    except PermissionError as exc:
        raise SurveyorError(f"{path}: cannot be read (permission denied)") from exc
    except OSError as exc:
        raise SurveyorError(f"{path}: cannot be read ({exc.strerror})") from exc
    if len(data) > limit or not data and path.stat().st_size > limit:
        raise SurveyorError(
            f"{path}: is larger than surveyor's limit of {_size(limit)} for an input file; "
            "remove the columns that are not needed (free-text answers, metadata) and save it again"
        )
    return data


def _size(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:,} {unit}" if unit == "bytes" else f"{n:g} {unit}"
        n /= 1024
    return f"{n} bytes"
