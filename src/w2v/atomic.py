"""Atomic file writes: write to a temporary file beside the target, then rename.

An interrupted or failed save never leaves a half-written file under the target's name,
nor a temporary file beside it: the old file stays as it was.  Temporary files are named
``.NAME.w2v-tmp-PID-RANDOM``; ones left by a killed process (their PID is gone) are removed
by the next save to the same target.  A symlink is written through (its target is
replaced atomically); devices, FIFOs and folders are refused.  Overwriting keeps the old
file's mode and, where permitted, its owner.
"""
import contextlib
import errno
import os
import re
import secrets
import stat

from .errors import SaveError

# Read once: setting and restoring the umask for each write would race with other threads.
_UMASK = os.umask(0)
os.umask(_UMASK)


def _resolve(path):
    """The file a save to ``path`` replaces: symlinks followed (a dangling one to its target)."""
    return os.path.realpath(path) if os.path.islink(path) else os.path.abspath(path)


def check_target(path):
    """Fail now, naming ``path``, if a save to it cannot succeed (call before long work).

    Checks that the folder exists and a file can be created in it, and that ``path`` is not
    a folder, device or FIFO.  Returns the real path that will be replaced.
    """
    shown = os.fspath(path)
    real = _resolve(shown)
    try:
        st = os.stat(real)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise SaveError(f"{shown}: cannot write: {exc.strerror}") from None
    if st is not None and not stat.S_ISREG(st.st_mode):
        what = "a folder" if stat.S_ISDIR(st.st_mode) else "a device" if stat.S_ISCHR(st.st_mode) or \
            stat.S_ISBLK(st.st_mode) else "a FIFO" if stat.S_ISFIFO(st.st_mode) else "not a regular file"
        raise SaveError(f"{shown}: cannot write: it is {what}; give a file name")
    directory = os.path.dirname(real)
    if not os.path.isdir(directory):
        raise SaveError(f"{shown}: cannot write: the folder {os.path.dirname(shown) or directory} does not exist")
    probe = os.path.join(directory, f".{os.path.basename(real)}.w2v-tmp-{os.getpid()}-check")
    try:
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        os.unlink(probe)
    except FileExistsError:
        pass
    except OSError as exc:
        raise SaveError(f"{shown}: cannot write: {exc.strerror}") from None
    return real


def _remove_stale(real):
    directory, name = os.path.split(real)
    pattern = re.compile(re.escape(f".{name}.w2v-tmp-") + r"(\d+)-")
    try:
        entries = os.listdir(directory)
    except OSError:
        return
    for entry in entries:
        match = pattern.match(entry)
        if not match:
            continue
        pid = int(match.group(1))
        try:
            os.kill(pid, 0)
            continue  # alive (or not ours to signal): its save may be in progress
        except ProcessLookupError:
            pass
        except PermissionError:
            continue
        with contextlib.suppress(OSError):
            os.unlink(os.path.join(directory, entry))


def _fsync_dir(directory):
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def atomic_write(path, mode="wb", encoding=None, newline=None):
    """Open a temporary file next to ``path``; on success, fsync and rename it into place.

    Failures to write (disk full, read-only file system, permission denied) raise
    :class:`SaveError` naming ``path``; nothing is left behind and an old file is intact.
    """
    shown = os.fspath(path)
    real = check_target(shown)
    _remove_stale(real)
    directory = os.path.dirname(real)
    tmp = os.path.join(directory, f".{os.path.basename(real)}.w2v-tmp-{os.getpid()}-{secrets.token_hex(4)}")
    try:
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, mode, encoding=encoding, newline=newline) as handle:
                yield handle
                handle.flush()
                os.fsync(handle.fileno())
            # the temporary file is private (0600); give it the permissions a plain open() would:
            # those (and the owner) of the file it replaces, or the default ones for a new file
            try:
                old = os.stat(real)
            except FileNotFoundError:
                os.chmod(tmp, 0o666 & ~_UMASK)
            else:
                os.chmod(tmp, stat.S_IMODE(old.st_mode))
                if (old.st_uid, old.st_gid) != (os.geteuid(), os.getegid()):
                    with contextlib.suppress(PermissionError):
                        os.chown(tmp, old.st_uid, old.st_gid)
            os.replace(tmp, real)
        except OSError as exc:
            if isinstance(exc, SaveError):
                raise
            reason = exc.strerror or str(exc)
            if exc.errno == errno.ENOSPC:
                reason += " (the old file, if any, is unchanged)"
            raise SaveError(f"{shown}: cannot save: {reason}") from None
        _fsync_dir(directory)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
