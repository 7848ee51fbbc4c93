"""Versioned export folders that appear whole or not at all (TF Serving layout).

An export is written into a hidden staging folder beside its target,
`<base>/.<version>.tmp-<host>-<pid>-<random>/`, and renamed into `<base>/<version>/` in
one step, so a reader (TF Serving polls `<base>` for the highest integer folder) never
sees half a version:

- a process killed while writing leaves only its staging folder, which the next export
  on the same host removes once that process is gone;
- two processes exporting at once may pick the same next version: `rename` onto a
  non-empty folder fails, and the loser retries with the version after it, so each
  gets its own complete version;
- an existing version is replaced only when asked (`overwrite=True`), by exchanging the
  two folders in one `renameat2(RENAME_EXCHANGE)` call where Linux offers it.
"""

import ctypes
import errno
import os
import re
import shutil
import socket
import tempfile

_STAGING = re.compile(r"^\.(\d+)\.(?:tmp|old)-(?P<host>.+)-(?P<pid>\d+)-[^-]+$")
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
# Versions tried after the first before giving up: only reached if that many other
# processes publish between our look at the folder and our rename.
MAX_RETRIES = 100


def versions(base_dir):
    """Returns the sorted integer versions published under `base_dir` (empty if none)."""
    if not os.path.isdir(base_dir):
        return []
    return sorted(int(n) for n in os.listdir(base_dir)
                  if n.isdigit() and os.path.isdir(os.path.join(base_dir, n)))


def next_version(base_dir):
    """Returns the next free integer version under `base_dir` (1 when there is none)."""
    return max(versions(base_dir), default=0) + 1


def check_base_dir(base_dir):
    """Raises a `ValueError` when `base_dir` (or a folder above it) is an existing file."""
    path = os.path.abspath(base_dir)
    while path and path != os.path.dirname(path):
        if os.path.exists(path) and not os.path.isdir(path):
            raise ValueError(
                "Argument `base_dir` must be a folder, or a path that does not exist yet; "
                f"{path!r} is an existing file. Received: base_dir={base_dir!r}"
            )
        path = os.path.dirname(path)


def make_staging(base_dir, version):
    """Creates and returns a fresh staging folder for `version` inside `base_dir`."""
    os.makedirs(base_dir, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=f".{version}.tmp-{_owner()}-", dir=base_dir)
    os.chmod(staging, 0o755)  # mkdtemp's 0700 would hide the version from a server's user
    return staging


def _owner():
    return f"{socket.gethostname()}-{os.getpid()}"


def _process_is_gone(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:  # a killed child that nobody has waited for yet is a zombie: gone too
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


def clean_leftovers(base_dir):
    """Removes staging folders left by processes of this host that no longer run.

    Returns:
        The list of removed folder names.
    """
    removed = []
    if not os.path.isdir(base_dir):
        return removed
    host = socket.gethostname()
    for name in os.listdir(base_dir):
        match = _STAGING.match(name)
        if match and match["host"] == host and _process_is_gone(int(match["pid"])):
            shutil.rmtree(os.path.join(base_dir, name), ignore_errors=True)
            removed.append(name)
    return removed


def publish(staging, base_dir, version=None, overwrite=False):
    """Moves a complete `staging` folder to `base_dir/<version>/` in one rename.

    Args:
        staging: str, the written folder (from `make_staging`).
        base_dir: str, the model's folder.
        version: optional int; None takes the next free version, retrying with the
            following one when another process publishes that version first.
        overwrite: bool, replace an existing `version` (atomically where the system
            can exchange two folders).

    Returns:
        The published folder's path.

    Raises:
        ValueError: `version` exists and `overwrite` is false.
    """
    if version is not None:
        target = os.path.join(base_dir, str(version))
        if os.path.exists(target):
            if not overwrite:
                raise existing_version_error(target)
            _replace(staging, target)
            return target
        try:
            os.rename(staging, target)
        except OSError as error:
            if error.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                raise
            if not overwrite:
                raise existing_version_error(target) from None
            _replace(staging, target)
        return target
    for _ in range(MAX_RETRIES):
        target = os.path.join(base_dir, str(next_version(base_dir)))
        try:
            # rename(2) replaces an *empty* folder; next_version never picks one that exists.
            os.rename(staging, target)
            return target
        except OSError as error:
            if error.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                raise
    raise RuntimeError(f"Could not claim a version under {base_dir!r} after {MAX_RETRIES} tries.")


def existing_version_error(target):
    return ValueError(
        f"Argument `version` names an existing export: {target!r}. Pass another version, "
        "leave it as None for the next free one, or pass overwrite=True to replace it."
    )


def _replace(staging, target):
    if _exchange(staging, target):
        shutil.rmtree(staging, ignore_errors=True)  # now holds the old version
        return
    # No atomic exchange here: move the old version aside first; a reader may find the
    # version missing for the moment between the two renames, never half-written.
    base_dir, version = os.path.split(target)
    old = tempfile.mkdtemp(prefix=f".{version}.old-{_owner()}-", dir=base_dir)
    os.rename(target, os.path.join(old, "v"))
    os.rename(staging, target)
    shutil.rmtree(old, ignore_errors=True)


def _exchange(a, b):
    """Swaps folders `a` and `b` in one step (Linux renameat2); False where unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), a, None, b)
