"""Saving under faults: checked targets, disk full, read-only, permissions, stale temps, symlinks."""
import errno
import os
import stat
import subprocess
import sys
import time

import numpy as np
import pytest

from w2v import atomic
from w2v.atomic import atomic_write, check_target
from w2v.cli import main
from w2v.errors import SaveError, W2VError
from w2v.vectors import KeyedVectors


def _kv(n=50, dim=8):
    return KeyedVectors(dim).set_vectors([f"w{i}" for i in range(n)], np.ones((n, dim), np.float32))


def _leftovers(directory):
    return [n for n in os.listdir(directory) if ".w2v-tmp-" in n]


def test_train_into_a_missing_folder_fails_at_once_naming_the_path(tmp_path, capsys):
    corpus = tmp_path / "c.txt"
    corpus.write_text("a b c\n" * 10)
    start = time.perf_counter()
    code = main(["train", str(corpus), "-o", "nodir/m.w2v", "--epochs", "1000", "--min-count", "1"])
    err = capsys.readouterr().err
    assert code == 2 and time.perf_counter() - start < 1.0
    assert err.strip() == "w2v: error: nodir/m.w2v: cannot write: the folder nodir does not exist"


@pytest.mark.parametrize("argv", [
    ["convert", "{src}", "{bad}"], ["items", "train", "{sessions}", "-o", "{bad}"],
    ["plot", "{src}", "-o", "{bad}"], ["show", "{src}", "w1", "-o", "{bad}"],
    ["analogy", "{src}", "w1", "-", "w2", "+", "w3", "--plot", "{bad}"],
])
def test_every_writing_command_checks_its_output_first(tmp_path, capsys, argv):
    src = tmp_path / "v.w2v"
    _kv().save(src)
    sessions = tmp_path / "s.txt"
    sessions.write_text("a b c\n" * 10)
    bad = tmp_path / "missing" / "out.png"
    argv = [a.format(src=src, bad=bad, sessions=sessions) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and "does not exist" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("target", ["/dev/null"])
def test_devices_and_fifos_are_refused(tmp_path, target):
    with pytest.raises(SaveError, match="device"):
        _kv().save(target)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(SaveError, match="FIFO"):
        _kv().save(fifo)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    with pytest.raises(SaveError, match="folder"):
        check_target(tmp_path)


def test_symlink_is_written_through(tmp_path):
    real = tmp_path / "real.w2v"
    link = tmp_path / "link.w2v"
    real.write_bytes(b"old")
    link.symlink_to(real)
    _kv().save(link)
    assert link.is_symlink() and KeyedVectors.load(real).index_to_key[:2] == ["w0", "w1"]
    assert not _leftovers(tmp_path)


def test_mode_is_kept_when_overwriting(tmp_path):
    target = tmp_path / "m.w2v"
    target.write_bytes(b"old")
    os.chmod(target, 0o640)
    _kv().save(target)
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640


@pytest.mark.skipif(os.geteuid() != 0, reason="changing a file's owner needs root")
def test_owner_is_kept_when_overwriting(tmp_path):
    target = tmp_path / "m.w2v"
    target.write_bytes(b"old")
    os.chown(target, 1234, 5678)
    _kv().save(target)
    st = os.stat(target)
    assert (st.st_uid, st.st_gid) == (1234, 5678)


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS, errno.EACCES])
def test_injected_write_failures_are_one_error_old_file_intact_no_temp(tmp_path, monkeypatch, code):
    target = tmp_path / "m.w2v"
    target.write_bytes(b"the old file")
    real_fsync = os.fsync

    def failing_fsync(fd):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(atomic.os, "fsync", failing_fsync)
    with pytest.raises(SaveError) as info:
        _kv().save(target)
    monkeypatch.setattr(atomic.os, "fsync", real_fsync)
    assert str(info.value).startswith(f"{target}: cannot save: {os.strerror(code)}")
    assert target.read_bytes() == b"the old file"
    assert not _leftovers(tmp_path)


def test_injected_disk_full_on_the_cli_is_one_line_exit_2(tmp_path, monkeypatch, capsys):
    src = tmp_path / "v.w2v"
    _kv().save(src)
    target = tmp_path / "out.txt"
    target.write_text("old")

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(atomic.os, "fsync", full)
    assert main(["convert", str(src), str(target)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"w2v: error: {target}: cannot save: No space left on device") and err.count("\n") == 1
    assert target.read_text() == "old" and not _leftovers(tmp_path)


@pytest.fixture
def small_tmpfs(tmp_path):
    mount = tmp_path / "small"
    mount.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)], capture_output=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {result.stderr.decode().strip() or 'not permitted'}")
    yield mount
    subprocess.run(["umount", str(mount)], check=False)


def test_real_disk_full(small_tmpfs):
    target = small_tmpfs / "m.w2v"
    target.write_bytes(b"old")
    with pytest.raises(SaveError, match="No space left on device"):
        _kv(5000, 16).save(target)  # 320 kB does not fit in 64 kB
    assert target.read_bytes() == b"old" and not _leftovers(small_tmpfs)


def test_real_read_only_file_system(small_tmpfs):
    target = small_tmpfs / "m.w2v"
    target.write_bytes(b"old")
    if subprocess.run(["mount", "-o", "remount,ro", str(small_tmpfs)], capture_output=True).returncode != 0:
        pytest.skip("cannot remount read-only here")
    try:
        with pytest.raises(SaveError, match="Read-only file system"):
            check_target(target)
        with pytest.raises(SaveError, match="Read-only file system"):
            _kv().save(target)
        assert target.read_bytes() == b"old"
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(small_tmpfs)], check=False)


def test_temp_files_of_a_killed_process_are_removed_by_the_next_save(tmp_path):
    target = tmp_path / "m.w2v"
    script = ("import os, sys\nfrom w2v.atomic import atomic_write\n"
              "with atomic_write(sys.argv[1]) as f:\n    f.write(b'partial'); f.flush(); os._exit(9)\n")
    subprocess.run([sys.executable, "-c", script, str(target)], check=False)
    orphans = _leftovers(tmp_path)
    assert len(orphans) == 1 and not target.exists()
    alive = tmp_path / f".m.w2v.w2v-tmp-{os.getpid()}-abcd"  # a live process's temp file is left alone
    alive.write_bytes(b"in progress")
    _kv().save(target)
    assert _leftovers(tmp_path) == [alive.name]


def test_save_error_is_a_w2v_error_and_an_os_error():
    assert issubclass(SaveError, W2VError) and issubclass(SaveError, OSError)
