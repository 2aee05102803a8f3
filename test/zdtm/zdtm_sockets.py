# SPDX-License-Identifier: GPL-2.0
"""Runner-driven C/R checks of open files: a dump that must fail and say
why (dump-error), locks that processes outside the tree must still find
held after restore (locks-contend), a task still waiting for a lock the
runner holds (lock-held-outside), and unix sockets connected to peers
the runner holds outside the tree (ext-unix-sk)."""

import fcntl
import os
import socket
import subprocess
import sys
import threading
import time

import zdtm_proc as zp
import zdtm_cr as zc

SETTLE = 0.1


def settle(r):
    time.sleep(r.t.desc.get("settle", SETTLE))


def must_say(r, action, wants):
    """criu's output and log for action must hold every string of wants."""
    text = r.criu_text(action)
    missing = [w for w in wants if w.format(pid=r.pid) not in text]
    if missing:
        raise zc.Failed("criu %s does not say %s" % (action, ", ".join(repr(m) for m in
                                                                     missing)),
                        r.criu_tail(action))


def dump_error(r):
    """The dump must fail, name the problem (.desc "dump_error") and leave
    the test running as it was."""
    settle(r)
    if r.dump() is None:
        raise zc.Failed("dump succeeded, but should have failed")
    must_say(r, "dump", r.t.desc.get("dump_error", []))
    if not zp.alive(r.pid):
        raise zc.Failed("the test did not survive the failed dump")
    if os.path.exists(os.path.join(r.images, "inventory.img")):
        raise zc.Failed("the failed dump left inventory.img: its images look restorable")
    return r.finish()


# ---- locks held across C/R, seen from outside ----

WAITER = """
import fcntl, os, struct, sys
path, how = sys.argv[1:3]
fd = os.open(path, os.O_RDWR)
if how == "flock":
    fcntl.flock(fd, fcntl.LOCK_EX | (fcntl.LOCK_NB if len(sys.argv) > 3 else 0))
elif how == "posix":
    fcntl.lockf(fd, fcntl.LOCK_EX | (fcntl.LOCK_NB if len(sys.argv) > 3 else 0), 10, 10)
else:
    cmd = fcntl.F_OFD_SETLK if len(sys.argv) > 3 else fcntl.F_OFD_SETLKW
    fcntl.fcntl(fd, cmd, struct.pack("hhqqi4x", fcntl.F_WRLCK, 0, 0, 4096, 0))
"""
LOCKS = (("lock.flock", "flock"), ("lock.posix", "posix"), ("lock.ofd", "ofd"))


def locker(r, path, how, nonblock):
    argv = [sys.executable, "-c", WAITER, path, how] + (["nb"] if nonblock else [])
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True, start_new_session=True)
    zp.POPEN_PIDS.add(p.pid)
    r.pids.add(p.pid)
    r.sids.add(p.pid)
    return p


def locks_contend(r):
    """After restore, processes outside the tree can't take the locks and
    wait for them; once the restored test ends (releasing them), they get
    them."""
    settle(r)
    err = r.dump()
    if err:
        raise zc.Failed(err, r.criu_tail("dump"))
    err = r.restore()
    if err:
        raise zc.Failed(err, r.criu_tail("restore"))
    for name, how in LOCKS:
        p = locker(r, os.path.join(r.wd, name), how, True)
        rc = p.wait(timeout=r.timeout)
        zp.POPEN_PIDS.discard(p.pid)
        err = p.stderr.read()
        if rc == 0:
            raise zc.Failed("a process outside the tree took the %s lock on %s after "
                            "restore" % (how, name))
        if "BlockingIOError" not in err and "PermissionError" not in err:
            raise zc.Failed("trying the %s lock on %s failed otherwise" % (how, name),
                            err.splitlines()[-3:])
    waiters = [(name, how, locker(r, os.path.join(r.wd, name), how, False))
               for name, how in LOCKS]
    time.sleep(0.5)
    for name, how, p in waiters:
        if p.poll() is not None:
            raise zc.Failed("a waiter for the %s lock on %s ended (exit %d) while the "
                            "restored test held it" % (how, name, p.returncode))
    res = r.finish()
    for name, how, p in waiters:
        try:
            rc = p.wait(timeout=r.timeout)
        except subprocess.TimeoutExpired:
            raise zc.Failed("the waiter for the %s lock on %s did not get it after the "
                            "test ended" % (how, name))
        finally:
            zp.POPEN_PIDS.discard(p.pid)
        if rc != 0:
            raise zc.Failed("the waiter for the %s lock on %s failed" % (how, name),
                            p.stderr.read().splitlines()[-3:])
    return res


def held_prepare(r):
    """The runner holds an exclusive flock on lock.held before the test starts."""
    fd = os.open(os.path.join(r.wd, "lock.held"), os.O_RDWR | os.O_CREAT, 0o666)
    fcntl.flock(fd, fcntl.LOCK_EX)
    r.held = fd
    r.closers.append(lambda: os.close(fd) if r.held is not None else None)


def waiters_of(path, pids):
    """pids waiting (a "->" line of /proc/locks) for a lock on path."""
    ino = os.stat(path).st_ino
    out = set()
    for line in (zp.read_text("/proc/locks", "") or "").splitlines():
        f = line.split()
        if len(f) > 7 and f[1] == "->" and f[-3].split(":")[-1] == str(ino) and \
           f[-4].isdigit() and int(f[-4]) in pids:
            out.add(int(f[-4]))
    return out


def lock_held_outside(r):
    """A task of the tree waits for a lock the runner holds: after restore
    it still waits, and gets the lock once the runner lets go."""
    path = os.path.join(r.wd, "lock.held")
    tree = zp.subtree([r.pid]) - {r.pid}
    if not waiters_of(path, tree):
        raise zc.Failed("no task of the tree waits for the lock before the dump")
    settle(r)
    err = r.dump()
    if err:
        raise zc.Failed(err, r.criu_tail("dump"))
    err = r.restore()
    if err:
        raise zc.Failed(err, r.criu_tail("restore"))
    time.sleep(0.3)
    if not waiters_of(path, zp.subtree([r.pid]) - {r.pid}):
        raise zc.Failed("after restore no task of the tree waits for the lock any more")
    os.close(r.held)
    r.held = None
    return r.finish()


lock_held_outside.prepare = held_prepare


# ---- unix sockets whose peers are outside the tree ----

def pass_end(ls, end):
    """Hand one end of a socket pair to whoever connects first."""
    try:
        conn, _ = ls.accept()
        socket.send_fds(conn, [b"s"], [end.fileno()])
        conn.close()
    except OSError:
        pass


def ext_prepare(r):
    """A datagram server and a stream listener in the work dir, held here,
    and a socket pair whose one end the test gets (its nameless peer)."""
    dg = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    dg.bind(os.path.join(r.wd, "ext.dgram"))
    ls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    ls.bind(os.path.join(r.wd, "ext.stream"))
    ls.listen(4)
    ps = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    ps.bind(os.path.join(r.wd, "ext.pass"))
    ps.listen(1)
    mine, theirs = socket.socketpair()
    mine.sendall(b"queued")
    for s in (dg, ls, ps):
        s.settimeout(r.timeout)
    r.ext = {"dgram": dg, "listen": ls, "pair": mine,
             "pair_ino": os.fstat(theirs.fileno()).st_ino}
    threading.Thread(target=pass_end, args=(ps, theirs), daemon=True).start()
    r.closers += [dg.close, ls.close, ps.close, mine.close, theirs.close]


def expect_recv(sock, want, what):
    try:
        got = sock.recv(4096)
    except OSError as e:
        raise zc.Failed("%s: nothing came (%s)" % (what, e))
    if got != want:
        raise zc.Failed("%s: got %r, want %r" % (what, got, want))


def ext_unix_sk(r):
    conn, _ = r.ext["listen"].accept()
    r.closers.append(conn.close)
    settle(r)
    if r.dump(extra=[]) is None:
        raise zc.Failed("dump succeeded without --ext-unix-sk")
    must_say(r, "dump", ["of task {pid}", "outside the dumped tree", "--ext-unix-sk"])
    if not zp.alive(r.pid):
        raise zc.Failed("the test did not survive the failed dump")
    # the socket pair's end has no name to reconnect to: only =INO allows it
    if r.dump(extra=["--ext-unix-sk"]) is None:
        raise zc.Failed("dump succeeded with a nameless peer outside the tree")
    must_say(r, "dump", ["--ext-unix-sk=%d" % r.ext["pair_ino"]])
    err = r.dump(extra=["--ext-unix-sk=%d" % r.ext["pair_ino"]])
    if err:
        raise zc.Failed(err, r.criu_tail("dump"))
    if r.restore(extra=[]) is None:
        raise zc.Failed("restore succeeded without --ext-unix-sk")
    must_say(r, "restore", ["--ext-unix-sk"])
    left = zc.leftovers(r)
    if left:
        raise zc.Failed("the failed restore left processes behind: %s" % left)
    err = r.restore(extra=["--ext-unix-sk"])
    if err:
        raise zc.Failed(err, r.criu_tail("restore"))
    res = r.finish()
    expect_recv(r.ext["dgram"], b"before", "datagram server, sent before the dump")
    expect_recv(r.ext["dgram"], b"after", "datagram server, sent after restore")
    try:
        again, _ = r.ext["listen"].accept()
    except OSError as e:
        raise zc.Failed("the restored stream socket did not connect again (%s)" % e)
    r.closers.append(again.close)
    again.settimeout(r.timeout)
    expect_recv(again, b"after", "stream listener, new connection")
    return res


ext_unix_sk.prepare = ext_prepare

SCENARIOS = {"dump-error": dump_error, "locks-contend": locks_contend,
             "lock-held-outside": lock_held_outside, "ext-unix-sk": ext_unix_sk}
