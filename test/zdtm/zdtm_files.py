# SPDX-License-Identifier: GPL-2.0
"""Runner-driven C/R checks of files and terminals, registered into
zdtm_cr's tables:

  shell-job     the test runs as a job of `sh` on a pty the runner owns;
                dumped with -j, restored with -j by a criu that runs under
                another shell on another pty; the job must end up on that
                terminal, in the foreground.
  inherit-pipe  the test's stdout is a pipe the runner reads; restore
                gives the runner's write end back with --inherit-fd.
  inherit-socket  the test's stdout is a unix socket whose peer the runner
                holds; dumped with --ext-unix-sk=INO, restored with
                --inherit-fd fd[N]:socket:[INO], N an end of a new pair.
  inherit-file  the test's fd 5 is a file of the runner's: with .desc
                "external", dumped with --external file[MNT:INO] and
                restored with --inherit-fd fd[N]:file[MNT:INO] (reopened
                with its own flags and offset); without, restored with
                --inherit-fd fd[N]:PATH (N itself, offset shared).
  inherit-tty   the test's fd 5 is a pty slave whose master the runner
                holds; dumped with --external tty[RDEV:DEV], restored with
                --inherit-fd fd[N]:tty[RDEV:DEV], N the slave of a new pty.
  file-changed  a file the test holds open is changed between dump and
                restore (.desc "change": "grow" or "buildid"); restore must
                fail naming it, unless .desc "expect" is "pass".
  pty-taken     after the dump the runner opens ptys until it holds the
                index of the test's pty; restore must fail naming it and
                create nothing.
"""

import errno
import os
import pty
import re
import select
import socket
import subprocess
import time

import zdtm_proc as zp
from zdtm_cr import CUSTOM_START, SCENARIOS, Failed, Result, dump_or_fail, tree_gone


def wait_file(path, timeout, what):
    deadline = time.monotonic() + timeout
    while not os.path.exists(path):
        if time.monotonic() > deadline:
            raise Failed("%s did not appear in %ds" % (what, timeout))
        time.sleep(0.02)
    time.sleep(0.02)
    return zp.read_text(path, "").strip()


def drain(fd):
    """Read what a pty master holds, so that nothing blocks on a full terminal."""
    while select.select([fd], [], [], 0)[0]:
        try:
            if not os.read(fd, 4096):
                return
        except OSError:
            return


def shell_on_pty(r, script):
    """`sh -c script` leading a new session with a new pty as terminal."""
    master, slave = pty.openpty()
    name = os.ttyname(slave)
    r.fds.append(master)
    p = subprocess.Popen(["setsid", "-c", "sh", "-c", script], cwd=r.wd, stdin=slave,
                         stdout=slave, stderr=slave)
    os.close(slave)
    r.own(p.pid, session=True)
    return master, name


# ---- shell-job ----

def shell_job_start(r):
    cmd = " ".join("'%s'" % a for a in r.argv(["--job=1"]))
    r.master, _ = shell_on_pty(r, "set -m; %s; exec sleep 1000" % cmd)
    text = wait_file(os.path.join(r.wd, "test.pid"), r.timeout, "the job's pidfile")
    if not text.isdigit():
        raise Failed("the job wrote a bad pidfile: %r" % text)
    r.pid = int(text)
    r.own(r.pid)


def shell_job(r):
    time.sleep(r.t.desc.get("settle", 0.1))
    drain(r.master)
    if r.criu("dump", ["-t", str(r.pid), "-D", r.images, "-o", "dump.log", "-v4", "-j"]):
        raise Failed("dump -j failed", r.criu_tail("dump"))
    zp.wait_pid(r.pid, 10)
    args = [r.opts.criu, "restore", "-D", r.images, "-o", "restore.log", "-v4", "-d", "-j",
            "--pidfile", "restore.pid"]
    if r.pid_method:
        args += ["--pid-method", r.pid_method]
    rc_file = os.path.join(r.wd, "restore.rc")
    # criu runs in the shell's group, so the shell stays the session leader after it
    master2, term = shell_on_pty(r, "%s; echo $? > %s; exec sleep 1000" % (
        " ".join("'%s'" % a for a in args), rc_file))
    rc = wait_file(rc_file, r.timeout, "criu restore's exit status")
    drain(master2)
    if rc != "0":
        raise Failed("restore -j failed (exit %s)" % rc, r.criu_tail("restore"))
    if not zp.alive(r.pid):
        raise Failed("restore exited 0 but the job %d is not running" % r.pid)
    links = [os.readlink("/proc/%d/fd/%d" % (r.pid, i)) for i in range(3)]
    if links != [term] * 3:
        raise Failed("the job's fds 0-2 are %s, not criu's terminal %s" % (links, term))
    st = (zp.read_text("/proc/%d/stat" % r.pid) or "").rsplit(")", 1)[1].split()
    tty_nr, tpgid, pgid = int(st[4]), int(st[5]), int(st[2])
    if tty_nr != os.stat(term).st_rdev or tpgid != pgid or pgid != r.pid:
        raise Failed("the job's terminal is %#x with foreground %d (group %d); want %s "
                     "(%#x) with the job in the foreground" %
                     (tty_nr, tpgid, pgid, term, os.stat(term).st_rdev))
    res = r.finish()
    if res.status == "FAIL":
        res.reason = "after restore: " + res.reason
    return res


# ---- inherit-pipe ----

def read_all(fd, what):
    """Everything fd carries until its end (EOF, or EIO: a pty with no slave left)."""
    data = b""
    while select.select([fd], [], [], 5)[0]:
        try:
            chunk = os.read(fd, 4096)
        except OSError as e:
            if e.errno != errno.EIO:
                raise
            return data
        if not chunk:
            return data
        data += chunk
    raise Failed("%s: no end of file after %r" % (what, data))


def inherit_pipe_start(r):
    rfd, wfd = os.pipe()
    r.fds += [rfd, wfd]
    r.pipe = (rfd, wfd)
    r.start(stdout=wfd, extra=["--keep-stdout=1"])


def inherit_pipe(r):
    rfd, wfd = r.pipe
    ino = os.fstat(wfd).st_ino
    dump_or_fail(r)
    err = r.restore(extra=["--inherit-fd", "fd[%d]:pipe:[%d]" % (wfd, ino)], pass_fds=(wfd,))
    if err:
        raise Failed(err, r.criu_tail("restore"))
    os.close(wfd)
    r.fds.remove(wfd)
    res = r.finish()
    if res.status == "FAIL":
        res.reason = "after restore: " + res.reason
        return res
    data = read_all(rfd, "the runner's pipe")
    if data != b"before\nafter\n":
        raise Failed("the runner's pipe carried %r, not 'before' then 'after' once each" %
                     data)
    return res


# ---- inherit-socket ----

def inherit_socket_start(r):
    old = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    r.closers += [old[0].close, old[1].close]
    r.sk = old
    r.start(stdout=old[1].fileno(), extra=["--keep-stdout=1"])
    old[1].close()


def inherit_socket(r):
    link = os.readlink("/proc/%d/fd/1" % r.pid)
    ino = int(link[len("socket:["):-1])
    # read before the dump: the dump kills the test, and a socket closed with
    # unread data resets its peer
    before = b""
    while not before.endswith(b"\n") and select.select([r.sk[0]], [], [], 5)[0]:
        before += r.sk[0].recv(4096)
    # unread by the test: it stays behind, and must not fail the restore
    r.sk[0].send(b"unread\n")
    time.sleep(r.t.desc.get("settle", 0.1))
    if r.dump(extra=[]) is None:
        raise Failed("dump succeeded with stdout connected outside the tree, without "
                     "--ext-unix-sk")
    err = r.dump(extra=["--ext-unix-sk=%d" % ino])
    if err:
        raise Failed(err, r.criu_tail("dump"))
    new = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    r.closers += [new[0].close, new[1].close]
    err = r.restore(extra=["--inherit-fd", "fd[%d]:socket:[%d]" % (new[1].fileno(), ino)],
                    pass_fds=(new[1].fileno(),))
    if err:
        raise Failed(err, r.criu_tail("restore"))
    new[1].close()
    res = r.finish()
    if res.status == "FAIL":
        res.reason = "after restore: " + res.reason
        return res
    got = (before, read_all(new[0].fileno(), "the new socket"))
    if got != (b"before\n", b"after\n"):
        raise Failed("the old socket carried %r and the new one %r; want 'before' on the "
                     "old one and 'after' on the new one" % got)
    return res


# ---- inherit-file ----

def inherit_file_start(r):
    r.ext_path = os.path.join(r.wd, "runner-file")
    with open(r.ext_path, "w") as f:
        f.write("0123456789")
    os.chmod(r.ext_path, 0o666)
    r.start(extra=["--path=" + r.ext_path])


def inherit_file(r):
    fdinfo = zp.read_text("/proc/%d/fdinfo/5" % r.pid, "")
    mnt = re.search(r"^mnt_id:\s*(\d+)", fdinfo, re.M)
    if not mnt:
        raise Failed("no mnt_id in the test's fdinfo of fd 5: %r" % fdinfo)
    ext = r.t.desc.get("external")
    if ext:
        key = "file[%x:%x]" % (int(mnt.group(1)), os.stat(r.ext_path).st_ino)
        runner_fd = os.open(r.ext_path, os.O_RDONLY)     # only names the file
    else:
        key = r.ext_path
        runner_fd = os.open(r.ext_path, os.O_RDWR)
        os.lseek(runner_fd, 3, os.SEEK_SET)
    r.closers.append(lambda: os.close(runner_fd))
    time.sleep(r.t.desc.get("settle", 0.1))
    err = r.dump(extra=["--external", key] if ext else [])
    if err:
        raise Failed(err, r.criu_tail("dump"))
    if ext:
        if r.restore(extra=[]) is None:
            raise Failed("restore succeeded without --inherit-fd for %s" % key)
        text = r.criu_text("restore")
        if key not in text or "--inherit-fd" not in text:
            raise Failed("the failed restore does not name %s and --inherit-fd" % key,
                         r.criu_tail("restore"))
        tree_gone(r)
        # a pipe where the file should be: it can't take the file's offset
        rp, wp = os.pipe()
        r.closers += [lambda: os.close(rp), lambda: os.close(wp)]
        if r.restore(extra=["--inherit-fd", "fd[%d]:%s" % (wp, key)], pass_fds=(wp,)) is None:
            raise Failed("restore succeeded with a pipe given for %s" % key)
        if "can't restore the position 3" not in r.criu_text("restore"):
            raise Failed("the restore with a pipe for %s does not say it can't seek" % key,
                         r.criu_tail("restore"))
        tree_gone(r)
    err = r.restore(extra=["--inherit-fd", "fd[%d]:%s" % (runner_fd, key)],
                    pass_fds=(runner_fd,))
    if err:
        raise Failed(err, r.criu_tail("restore"))
    res = r.finish()
    if res.status == "FAIL":
        res.reason = "after restore: " + res.reason
        return res
    # an external file is opened again; a path gets the runner's own fd
    want = 0 if ext else 5
    at = os.lseek(runner_fd, 0, os.SEEK_CUR)
    if at != want:
        raise Failed("the runner's fd is at offset %d after the test read, not %d" %
                     (at, want))
    return res


# ---- inherit-tty ----

def inherit_tty_start(r):
    old = pty.openpty()
    r.fds += list(old)
    r.pty = old
    r.start(extra=["--tty=" + os.ttyname(old[1])])


def inherit_tty(r):
    st = os.stat(os.ttyname(r.pty[1]))
    key = "tty[%x:%x]" % (st.st_rdev, st.st_dev)
    os.close(r.pty[1])
    r.fds.remove(r.pty[1])
    time.sleep(r.t.desc.get("settle", 0.1))
    err = r.dump(extra=["--external", key])
    if err:
        raise Failed(err, r.criu_tail("dump"))
    if r.restore(extra=[]) is None:
        raise Failed("restore succeeded without --inherit-fd for %s" % key)
    if key not in r.criu_text("restore"):
        raise Failed("the failed restore does not name %s" % key, r.criu_tail("restore"))
    tree_gone(r)
    new = pty.openpty()
    r.fds += list(new)
    err = r.restore(extra=["--inherit-fd", "fd[%d]:%s" % (new[1], key)], pass_fds=(new[1],))
    if err:
        raise Failed(err, r.criu_tail("restore"))
    os.close(new[1])
    r.fds.remove(new[1])
    res = r.finish()
    if res.status == "FAIL":
        res.reason = "after restore: " + res.reason
        return res
    got = tuple(read_all(m, what).replace(b"\r\n", b"\n")
                for m, what in ((r.pty[0], "the old pty"), (new[0], "the new pty")))
    if got != (b"before\n", b"after\n"):
        raise Failed("the old pty carried %r and the new one %r; want 'before' on the old "
                     "one and 'after' on the new one" % got)
    return res


# ---- file-changed ----

def patch_build_id(path):
    """Flip the bytes of an ELF file's GNU build-id note, keeping its size."""
    import struct
    with open(path, "r+b") as f:
        data = f.read()
        phoff, = struct.unpack_from("<Q", data, 0x20)
        phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
        for i in range(phnum):
            p_type, _, p_off, _, _, p_filesz = struct.unpack_from("<IIQQQQ", data,
                                                                  phoff + i * phentsize)
            if p_type != 4:     # PT_NOTE
                continue
            off = p_off
            while off + 12 <= p_off + p_filesz:
                namesz, descsz, ntype = struct.unpack_from("<III", data, off)
                desc = off + 12 + ((namesz + 3) & ~3)
                if ntype == 3 and data[off + 12:off + 12 + namesz] == b"GNU\0":
                    f.seek(desc)
                    f.write(bytes(b ^ 0xff for b in data[desc:desc + descsz]))
                    return
                off = desc + ((descsz + 3) & ~3)
    raise Failed("%s has no build-id note to change" % path)


def file_changed(r):
    change = r.t.desc.get("change", "grow")
    dump_or_fail(r)
    if change == "grow":
        target = os.path.join(r.wd, "data.bin")
        with open(target, "ab") as f:
            f.write(b"more")
    else:
        target = os.path.join(r.wd, "elf.bin")
        patch_build_id(target)
    if r.t.desc.get("expect") == "pass":
        err = r.restore()
        if err:
            raise Failed(err, r.criu_tail("restore"))
        return r.finish()
    if r.restore() is None:
        raise Failed("restore succeeded though %s changed (%s)" % (target, change))
    text = r.criu_text("restore")
    word = "size" if change == "grow" else "build-id"
    if os.path.basename(target) not in text or word not in text:
        raise Failed("restore failed without naming %s and its %s" %
                     (os.path.basename(target), word), r.criu_tail("restore"))
    zp.wait_pid(r.pid, 2)
    if zp.alive(r.pid):
        raise Failed("pid %d is alive after the failed restore" % r.pid)
    return Result("PASS", "")


def pty_taken(r):
    links = []
    for fd in os.listdir("/proc/%d/fd" % r.pid):
        try:
            links.append(os.readlink("/proc/%d/fd/%s" % (r.pid, fd)))
        except OSError:
            pass
    idx = sorted(int(m.group(1)) for m in (re.match(r"/dev/pts/(\d+)$", l) for l in links) if m)
    if not idx:
        raise Failed("the test has no pty slave open")
    want = idx[0]
    dump_or_fail(r)
    held = []
    try:
        while True:
            master, slave = pty.openpty()
            held.append(master)
            n = int(os.ttyname(slave).rsplit("/", 1)[1])
            os.close(slave)
            if n >= want or len(held) > 4096:
                break
        if n != want:
            raise Failed("the runner could not take /dev/pts/%d (got %d)" % (want, n))
        if r.restore() is None:
            raise Failed("restore succeeded though /dev/pts/%d was taken" % want)
        text = r.criu_text("restore")
        if "pty %d is taken" % want not in text:
            raise Failed("restore failed without saying pty %d is taken" % want,
                         r.criu_tail("restore"))
        zp.wait_pid(r.pid, 2)
        if zp.alive(r.pid):
            raise Failed("pid %d is alive after the failed restore" % r.pid)
    finally:
        for fd in held:
            os.close(fd)
    return Result("PASS", "")


CUSTOM_START.update({"shell-job": shell_job_start, "inherit-pipe": inherit_pipe_start,
                     "inherit-socket": inherit_socket_start,
                     "inherit-file": inherit_file_start, "inherit-tty": inherit_tty_start})
SCENARIOS.update({"shell-job": shell_job, "inherit-pipe": inherit_pipe,
                  "inherit-socket": inherit_socket, "inherit-file": inherit_file,
                  "inherit-tty": inherit_tty,
                  "file-changed": file_changed, "pty-taken": pty_taken})
