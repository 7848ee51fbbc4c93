"""Atomic file writes: written beside the target, then renamed, so no reader ever sees half
a file and a failure leaves nothing behind. Standard library only."""

import json
import os
import tempfile


def write_atomically(path, write, suffix=""):
    """Calls `write(staging_path)` on a temporary file beside `path`, then renames it there.

    Args:
        path: str, the target file; its folder is created if missing.
        write: callable taking the temporary path and writing the whole file.
        suffix: str, the temporary file's suffix (some writers pick the format by it).

    Returns:
        `path`.

    Example:

    >>> write_atomically("out/figure.png", lambda tmp: figure.savefig(tmp), suffix=".png")
    """
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    handle, staging = tempfile.mkstemp(prefix=".tmp-", suffix=suffix, dir=directory)
    os.close(handle)
    try:
        write(staging)
        os.replace(staging, path)
    except BaseException:
        if os.path.exists(staging):
            os.unlink(staging)
        raise
    return path


def write_json_atomically(data, path, indent=None):
    """Writes `data` as JSON to `path` with `write_atomically`; returns `path`."""
    def write(staging):
        with open(staging, "w") as stream:
            json.dump(data, stream, indent=indent)

    return write_atomically(path, write, suffix=".json")
