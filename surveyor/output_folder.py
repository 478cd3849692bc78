"""A run's output folder as a unit: locked, built aside, swapped in, cleaned by record.

A run never writes into the live folder while it works. It takes the folder's lock (a
second run into the same folder is refused), writes every file into a hidden staging
folder inside it, and only when everything is complete moves the files into place, with
Ctrl-C held back for those few renames, the manifest last. An interrupted run leaves the
folder exactly as the previous run left it.

Cleaning up follows surveyor's own record: a file an earlier run wrote and this one does
not is deleted only when the previous ``manifest.json`` lists it with a SHA-256 that its
current bytes still match, it lies inside the folder, and it is none of this run's inputs.
A ``manifest.json`` surveyor did not write, or a report someone has since edited, can
therefore never make surveyor delete anything; such a file is kept and named in a warning.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from surveyor.errors import OutputError
from surveyor.files import ensure_dir, sha256_file

LOCK_NAME = ".surveyor.lock"
STAGING_PREFIX = ".surveyor-staging-"
# Written into each staging folder, so a later run can tell one left by a killed run
# (which may hold scores.csv) from anything else and remove it.
STAGING_MARK = ".surveyor-staging"
MANIFEST = "manifest.json"
# Only files of the kinds surveyor writes are ever deleted, whatever a record says.
DELETABLE_SUFFIXES = {".csv", ".pdf", ".html", ".json"}


class OutputFolder:
    """The output folder of one run (a context manager).

    Parameters
    ----------
    out
        The output folder (created if missing).
    inputs
        The run's input files: never overwritten, never deleted.

    Notes
    -----
    ``stage`` is where the run writes; :meth:`commit` swaps the staged files in. Leaving
    the ``with`` block without a commit (an error, Ctrl-C) discards the staging folder.
    """

    def __init__(self, out: Path, inputs: Iterable[Path | None] = ()) -> None:
        self.out = Path(out)
        self.inputs = [Path(p) for p in inputs if p is not None and Path(p).is_file()]
        self.stage: Path | None = None
        self._lock = None

    def __enter__(self) -> OutputFolder:
        from filelock import FileLock, Timeout

        ensure_dir(self.out)
        lock = FileLock(str(self.out / LOCK_NAME), timeout=0)
        try:
            lock.acquire()
        except Timeout:
            raise OutputError(
                f"{self.out}: another surveyor run is writing to this folder (it holds "
                f"{LOCK_NAME}); wait for it to finish, or choose another --out"
            ) from None
        except OSError as exc:
            raise OutputError(f"{self.out}: cannot lock the output folder ({exc})") from exc
        self._lock = lock
        _remove_abandoned_stages(self.out)
        try:
            self.stage = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=self.out))
            (self.stage / STAGING_MARK).write_bytes(b"")
        except OSError as exc:
            lock.release()
            raise OutputError(f"{self.out}: cannot be written ({exc.strerror})") from exc
        return self

    def __exit__(self, *exc_info) -> None:
        try:
            if self.stage is not None:
                shutil.rmtree(self.stage, ignore_errors=True)
                self.stage = None
        finally:
            if self._lock is not None:
                self._lock.release()
                self._lock = None

    def refuse_inputs(self, names: Iterable[str]) -> None:
        """Raise OutputError when writing ``names`` (relative paths) would replace an input."""
        for name in names:
            target = self.out / name
            for source in self.inputs:
                if _same_file(target, source):
                    raise OutputError(
                        f"{source}: is an input of this run and also where surveyor would "
                        f"write {name}; move the input out of {self.out}, or choose another "
                        "--out (surveyor never writes over an input)"
                    )

    def staged(self) -> dict[str, Path]:
        """Every file the run has written so far, by its path relative to the folder."""
        assert self.stage is not None
        return {
            p.relative_to(self.stage).as_posix(): p
            for p in sorted(self.stage.rglob("*")) if p.is_file() and p.name != STAGING_MARK
        }

    def commit(self, record: dict[str, str]) -> list[str]:
        """Swap the staged files in (``manifest.json`` last) and remove what is stale.

        Parameters
        ----------
        record
            Every file the folder holds from this run (staged or kept unchanged from the
            last one), relative path -> SHA-256; the manifest lists it as ``outputs``.

        Returns
        -------
        list of str
            Warnings: files of an earlier run that are no longer part of the output but
            could not be proved surveyor's and so were kept.
        """
        staged = self.staged()
        self.refuse_inputs(staged)
        for rel in staged:
            if (self.out / rel).is_dir():
                raise OutputError(f"{self.out / rel}: is a folder where surveyor writes {rel}; "
                                  "move it, or choose another --out")
        previous = previous_record(self.out)
        with _interrupts_deferred():
            for rel in sorted(staged):
                if rel != MANIFEST:
                    self._move(staged[rel], rel)
            warnings = self._remove_stale(previous, record)
            if MANIFEST in staged:
                self._move(staged[MANIFEST], MANIFEST)
        return warnings

    def _move(self, source: Path, rel: str) -> None:
        target = self.out / rel
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)
        except OSError as exc:
            raise OutputError(f"{target}: cannot be written ({exc.strerror})") from exc

    def _remove_stale(self, previous: dict[str, str], record: dict[str, str]) -> list[str]:
        kept = []
        for rel, digest in sorted(previous.items()):
            if rel in record or rel == MANIFEST:
                continue
            path = self.out / rel
            if not path.exists() and not path.is_symlink():
                continue
            if remove_if_ours(self.out, rel, digest, self.inputs):
                continue
            kept.append(
                f"{path}: written by an earlier run and no longer part of the output, but "
                "changed since (or not provably surveyor's), so it was kept; delete it by "
                "hand before sharing the folder"
            )
        return kept


def _remove_abandoned_stages(out: Path) -> None:
    """Remove staging folders that a killed run (no chance to clean up) left behind."""
    for folder in out.glob(f"{STAGING_PREFIX}*"):
        if folder.is_dir() and not folder.is_symlink() and (folder / STAGING_MARK).is_file():
            shutil.rmtree(folder, ignore_errors=True)


def remove_if_ours(root: Path, rel: str, digest: str, inputs: Sequence[Path] = ()) -> bool:
    """Delete ``root/rel`` only if it is provably the file surveyor wrote there.

    That is: a regular file (not a link) inside ``root``, of a kind surveyor writes, not
    one of ``inputs``, whose bytes still have the SHA-256 ``digest`` that surveyor's record
    gives. Folders left empty go too. Returns whether the file was deleted.
    """
    root = Path(root)
    path = root / rel
    try:
        resolved = path.resolve()
        inside = resolved.is_relative_to(root.resolve()) and resolved != root.resolve()
        if (
            not inside
            or path.is_symlink()
            or not path.is_file()
            or path.suffix.lower() not in DELETABLE_SUFFIXES
            or not isinstance(digest, str)
            or any(_same_file(path, source) for source in inputs)
            or sha256_file(path) != digest
        ):
            return False
        path.unlink()
    except OSError:
        return False
    folder = path.parent
    top = root.resolve()
    while folder.resolve() != top and folder.resolve().is_relative_to(top):
        try:
            folder.rmdir()
        except OSError:
            break
        folder = folder.parent
    return True


def previous_record(out: Path) -> dict[str, str]:
    """What the last run's manifest says surveyor wrote into ``out``: path -> SHA-256.

    Its ``outputs`` list when it has one; for a manifest from before that list existed,
    its data files, its reports (under ``reports/``) and their HTML copies, which such a
    manifest did not hash, counted as surveyor's only where the PDF beside them is.
    """
    try:
        data = json.loads((Path(out) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}

    def pairs(entries, prefix: str = "") -> Iterator[tuple[str, str]]:
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, dict) and isinstance(entry.get("path"), str):
                yield prefix + entry["path"], entry.get("sha256")

    if "outputs" in data:
        return {path: digest for path, digest in pairs(data["outputs"])
                if isinstance(digest, str)}
    record = {path: digest for path, digest in pairs(data.get("files"))
              if isinstance(digest, str)}
    for path, digest in pairs(data.get("reports"), "reports/"):
        if not isinstance(digest, str) or not path.endswith(".pdf"):
            continue
        record[path] = digest
        companion = Path(out) / (path[: -len(".pdf")] + ".html")
        pdf = Path(out) / path
        # The PDF's own hash matching is the proof that this part of the folder is ours.
        if companion.is_file() and pdf.is_file() and sha256_file(pdf) == digest:
            record[path[: -len(".pdf")] + ".html"] = sha256_file(companion)
    return record


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


@contextlib.contextmanager
def _interrupts_deferred() -> Iterator[None]:
    """Hold Ctrl-C back while the staged files are renamed into place, then deliver it.

    The renames take milliseconds; letting SIGINT land between two of them would leave
    the folder holding two runs. (Only the main thread can set signal handlers; elsewhere
    the block runs as is.)
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda number, frame: caught.append(number))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        raise KeyboardInterrupt
