# SPDX-License-Identifier: GPL-2.0
"""Process helpers for the zdtm runner: /proc scanning, waiting with a
deadline, killing whole trees and sessions, and the per-process snapshot
the runner compares before checkpoint and after restore."""

import ctypes
import errno
import fcntl
import os
import re
import signal
import time

PR_SET_CHILD_SUBREAPER = 36


def set_subreaper():
    """Orphans of our tests (daemonized or restored) get reparented to us,
    so we can wait for them and never lose one."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")


def read_text(path, default=None):
    try:
        with open(path, "r", errors="replace") as f:
            return f.read()
    except OSError:
        return default


def proc_stat(pid):
    """(ppid, sid, state, comm) of pid, or None when it is gone."""
    text = read_text("/proc/%d/stat" % pid)
    if not text:
        return None
    rpar = text.rfind(")")
    comm = text[text.find("(") + 1:rpar]
    fields = text[rpar + 2:].split()
    return int(fields[1]), int(fields[3]), fields[0], comm


def all_procs():
    """{pid: (ppid, sid, state, comm)} of every visible process."""
    procs = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            st = proc_stat(int(name))
            if st:
                procs[int(name)] = st
    return procs


def subtree(roots, procs=None):
    """The given pids and all their descendants that still exist."""
    procs = procs if procs is not None else all_procs()
    kids = {}
    for pid, (ppid, _, _, _) in procs.items():
        kids.setdefault(ppid, []).append(pid)
    found, todo = set(), [r for r in roots if r in procs]
    while todo:
        pid = todo.pop()
        if pid not in found:
            found.add(pid)
            todo.extend(kids.get(pid, []))
    return found


def starttime(pid):
    """When pid started (clock ticks after boot), or None when it is gone:
    with the number, it tells one process from a later one that got its
    pid after the counter wrapped."""
    text = read_text("/proc/%d/stat" % pid)
    if not text:
        return None
    return int(text[text.rfind(")") + 2:].split()[19])


def ours(procs=None):
    """Our descendants. We are a child subreaper, so everything our tests
    and criu start stays below us; whatever is not is someone else's, even
    when its pid or session id is a number we once knew (other runners on
    the machine wrap the PID counter in seconds when they spin)."""
    procs = procs if procs is not None else all_procs()
    return subtree([os.getpid()], procs) - {os.getpid()}


def in_sessions(sids, procs=None):
    """Our descendants in any of the sessions sids."""
    procs = procs if procs is not None else all_procs()
    return {pid for pid in ours(procs) if procs[pid][1] in sids}


def alive(pid):
    st = proc_stat(pid)
    return st is not None and st[2] not in ("Z", "X")


def try_reap(pid):
    """Reap pid if it is our exited child: its wait status, else None."""
    try:
        wpid, status = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return None
    return status if wpid == pid else None


def wait_pid(pid, timeout):
    """Wait for pid to end. Returns ("exited", status) for our children,
    ("gone", None) for others, ("timeout", None) if it outlives timeout."""
    deadline = time.monotonic() + timeout
    ours = True
    while True:
        if ours:
            try:
                wpid, status = os.waitpid(pid, os.WNOHANG)
                if wpid == pid:
                    return "exited", status
            except ChildProcessError:
                ours = False
        if not ours and not alive(pid):
            return "gone", None
        if time.monotonic() > deadline:
            return "timeout", None
        time.sleep(0.01)


def kill_pids(pids, timeout=5.0):
    """SIGKILL every pid, then reap those that are our children."""
    me = os.getpid()
    for pid in pids:
        if pid != me and pid > 1:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
    for pid in pids:
        if pid != me:
            wait_pid(pid, timeout)


def kill_tree(roots, sids=()):
    """Kill the trees under roots plus everything in the given sessions,
    as far as they are ours."""
    procs = all_procs()
    victims = (subtree(roots, procs) | in_sessions(set(sids), procs)) & ours(procs)
    if victims:
        kill_pids(victims)
    return victims


def kill_descendants():
    """Kill everything below us (at exit: nothing may be left behind)."""
    victims = subtree([os.getpid()]) - {os.getpid()}
    if victims:
        kill_pids(victims)
    return victims


# Children a subprocess.Popen waits for: reaping them here would steal their
# exit status (Popen then reports 0), so reap_zombies leaves them alone.
POPEN_PIDS = set()


def reap_zombies():
    """Reap exited children nobody waits for (e.g. a pidhold parent)."""
    for pid, st in all_procs().items():
        if st[0] == os.getpid() and st[2] == "Z" and pid not in POPEN_PIDS:
            try_reap(pid)


PID_MAX = "/proc/sys/kernel/pid_max"
# Spinning costs pid_max / fork rate per pass: ~1.5 s at the kernel's own
# default of 32768, but ~3 minutes at the 4194304 systemd sets, past every
# test's time limit.
PID_MAX_FOR_TESTS = 32768


def pid_max():
    text = (read_text(PID_MAX) or "").strip()
    return int(text) if text.isdigit() else None


def set_pid_max(value):
    try:
        with open(PID_MAX, "w") as f:
            f.write(str(value))
        return True
    except OSError:
        return False


# Runs at the same time share the lowered pid_max: PID_MAX_FILE keeps the
# value to put back, each run holds a shared lock on it, and only the last
# to end (the one that can lock it alone) puts the value back; a run ending
# first used to raise pid_max under another that was spinning, whose
# restores then timed out. PID_MAX_FILE.lock serialises the decisions.
PID_MAX_FILE = "/run/zdtm-pid_max"


def _pid_max_mutex():
    m = open(PID_MAX_FILE + ".lock", "a")
    fcntl.flock(m, fcntl.LOCK_EX)
    return m


class PidMaxHold:
    def __init__(self, f, old, joined):
        self.f, self.old, self.joined = f, old, joined

    def release(self):
        """Put pid_max back unless another run holds it; once."""
        if self.f is None:
            return
        f, self.f = self.f, None
        with _pid_max_mutex():
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                f.close()	# another run still spins: the last one puts it back
                return
            set_pid_max(self.old)
            f.truncate(0)
            f.close()


def lower_pid_max():
    """Lower pid_max for a run (or join a run that did); a PidMaxHold
    whose release() puts it back, or None. Waits while make bench holds it."""
    if os.geteuid() != 0:
        return None
    said = False
    while True:
        try:
            mutex = _pid_max_mutex()
        except OSError:
            return None
        with mutex:
            f = open(PID_MAX_FILE, "a+")
            try:
                fcntl.flock(f, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except OSError:
                f.close()
            else:
                return _join_or_lower(f)
        if not said:
            print("zdtm: waiting for make bench to end (it holds %s)" % PID_MAX_FILE,
                  flush=True)
            said = True
        time.sleep(1)


def _saved_pid_max(f):
    """The value to put back that an earlier run left in f, or None."""
    f.seek(0)
    saved = f.read().strip()
    return int(saved) if saved.isdigit() and pid_max() == PID_MAX_FOR_TESTS else None


def _join_or_lower(f):
    saved = _saved_pid_max(f)
    if saved is not None:
        return PidMaxHold(f, saved, True)
    old = pid_max()
    if old is not None and old > PID_MAX_FOR_TESTS and set_pid_max(PID_MAX_FOR_TESTS):
        f.truncate(0)
        f.write("%d\n" % old)
        f.flush()
        return PidMaxHold(f, old, False)
    f.close()
    return None


def own_pid_max():
    """For make bench, whose timings a test run beside it would spoil: hold
    pid_max alone (test runs wait until it is released); a PidMaxHold whose
    release() puts the value found back, or None when a test run holds it."""
    with _pid_max_mutex():
        f = open(PID_MAX_FILE, "a+")
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            f.close()
            return None
        old = _saved_pid_max(f)
        if old is None:
            old = pid_max()
        f.truncate(0)
        f.write("%d\n" % old)
        f.flush()
        return PidMaxHold(f, old, False)


def describe(status):
    if status is None:
        return "ended (not our child, no exit status)"
    if os.WIFSIGNALED(status):
        return "killed by signal %d" % os.WTERMSIG(status)
    return "exit %d" % os.WEXITSTATUS(status)


# ---- snapshot: what the runner compares before dump and after restore ----

STATUS_KEYS = ("Name", "Umask", "Uid", "Gid", "Groups", "CapInh", "CapPrm", "CapEff",
               "CapBnd", "CapAmb", "NoNewPrivs", "Seccomp", "SigIgn", "SigCgt")
# Objects a restore recreates get new inode numbers: compare kind only.
ANON_LINK = re.compile(r"^(pipe|socket|anon_inode):.*")


def _maps(pid):
    """Maps lines, with adjacent compatible VMAs merged: how the kernel
    splits or merges areas is not state the task can see."""
    text = read_text("/proc/%d/maps" % pid)
    if text is None:
        return None
    out = []
    for line in text.splitlines():
        parts = line.split(None, 5)
        start, end = (int(x, 16) for x in parts[0].split("-"))
        perms, off, dev, ino = parts[1], int(parts[2], 16), parts[3], parts[4]
        path = parts[5] if len(parts) > 5 else ""
        if path.endswith("(deleted)"):
            dev, ino = "-", "-"
        cur = [start, end, perms, off, dev, ino, path]
        if out:
            prev = out[-1]
            contig = prev[1] == start and prev[2:3] == cur[2:3] and prev[4:] == cur[4:]
            anon = ino in ("0", "-")
            if contig and (anon or prev[3] + (prev[1] - prev[0]) == off):
                prev[1] = end
                continue
        out.append(cur)
    return ["%x-%x %s %x %s %s %s" % tuple(m) for m in out]


def _fds(pid):
    fds = {}
    try:
        names = os.listdir("/proc/%d/fd" % pid)
    except OSError:
        return None
    for fd in sorted(names, key=int):
        try:
            link = os.readlink("/proc/%d/fd/%s" % (pid, fd))
        except OSError:
            continue
        link = ANON_LINK.sub(r"\1", link)
        info = read_text("/proc/%d/fdinfo/%s" % (pid, fd), "")
        keep = [l for l in info.splitlines() if l.split(":")[0] in ("pos", "flags")]
        fds[int(fd)] = "%s %s" % (link, " ".join(" ".join(l.split()) for l in keep))
    return fds


def _status(pid):
    text = read_text("/proc/%d/status" % pid)
    if text is None:
        return None
    out = {}
    for line in text.splitlines():
        key, _, val = line.partition(":")
        if key in STATUS_KEYS:
            out[key] = " ".join(val.split())
    return out


def _links(pid):
    out = {}
    for name in ("cwd", "root", "exe"):
        try:
            out[name] = os.readlink("/proc/%d/%s" % (pid, name))
        except OSError:
            out[name] = None
    out["personality"] = (read_text("/proc/%d/personality" % pid) or "").strip()
    return out


def snapshot(pid):
    """State of pid the runner can see from outside, or None."""
    snap = {"maps": _maps(pid), "fds": _fds(pid), "status": _status(pid),
            "links": _links(pid)}
    if any(v is None for v in snap.values()):
        return None
    return snap


def _task_line(pid):
    """(ppid, pgid, sid, zombie, comm, tids) of one process, or None."""
    text = read_text("/proc/%d/stat" % pid)
    if not text:
        return None
    rpar = text.rfind(")")
    comm = text[text.find("(") + 1:rpar]
    f = text[rpar + 2:].split()
    try:
        tids = sorted(int(t) for t in os.listdir("/proc/%d/task" % pid))
    except OSError:
        tids = []
    return int(f[1]), int(f[2]), int(f[3]), f[0] == "Z", comm, tids


def tree_shape(root):
    """{pid: (ppid, pgid, sid, zombie, comm, tids)} of root and every
    descendant: what a restore must give back exactly (PIDs and TIDs,
    parents, groups, sessions, which tasks are zombies)."""
    shape = {}
    for pid in subtree([root]):
        line = _task_line(pid)
        if line:
            shape[pid] = line
    return shape


def compare_trees(before, after, root, limit=6):
    """Differences between two tree_shape()s; the root's parent may change
    (the runner, then criu's parent after restore -d)."""
    names = ("ppid", "pgid", "sid", "zombie", "comm", "tids")
    diffs = []
    for pid in sorted(set(before) | set(after)):
        if pid not in after:
            diffs.append("task %d (%s) is missing" % (pid, before[pid][4]))
            continue
        if pid not in before:
            diffs.append("task %d (%s) is new" % (pid, after[pid][4]))
            continue
        for i, name in enumerate(names):
            if pid == root and name == "ppid":
                continue
            if before[pid][i] != after[pid][i]:
                diffs.append("task %d %s: %r -> %r" % (pid, name, before[pid][i],
                                                       after[pid][i]))
    if len(diffs) > limit:
        diffs = diffs[:limit] + ["... %d more" % (len(diffs) - limit)]
    return diffs


def compare(before, after, limit=6):
    """Human readable differences between two snapshots."""
    diffs = []
    for key in ("status", "links"):
        for k in sorted(set(before[key]) | set(after[key])):
            if before[key].get(k) != after[key].get(k):
                diffs.append("%s %s: %r -> %r" % (key, k, before[key].get(k),
                                                   after[key].get(k)))
    for fd in sorted(set(before["fds"]) | set(after["fds"])):
        if before["fds"].get(fd) != after["fds"].get(fd):
            diffs.append("fd %d: %r -> %r" % (fd, before["fds"].get(fd),
                                              after["fds"].get(fd)))
    b, a = set(before["maps"]), set(after["maps"])
    diffs += ["map lost: %s" % m for m in sorted(b - a)]
    diffs += ["map new:  %s" % m for m in sorted(a - b)]
    if len(diffs) > limit:
        diffs = diffs[:limit] + ["... %d more" % (len(diffs) - limit)]
    return diffs


def errno_name(err):
    return errno.errorcode.get(err, str(err))
