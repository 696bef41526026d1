"""Files and folders only their owner can read: the database holds every number, name and
note of every team, and a backup is the same thing in one portable file."""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def private_dir(path: Path) -> None:
    """`mkdir -p`; each folder it creates is 0700 whatever the umask (existing ones are the
    operator's choice and stay as they are)."""
    missing: list[Path] = []
    while not os.path.lexists(path) and path != path.parent:
        missing.append(path)
        path = path.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=PRIVATE_DIR)
        except FileExistsError:  # made meanwhile by someone else: theirs
            continue
        os.chmod(folder, PRIVATE_DIR)  # mkdir's mode is reduced by the umask, never raised


def private_file(path: Path) -> bool:
    """Create `path` empty and 0600 unless it exists; True if it was created. An empty file
    is an empty SQLite database, and SQLite gives the -wal, -shm and -journal files it makes
    next to a database the database file's own mode."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        return False
    try:
        os.fchmod(fd, PRIVATE_FILE)  # exactly 0600, also under a umask such as 0o277
    finally:
        os.close(fd)
    return True
