# SPDX-License-Identifier: GPL-2.0
"""One zdtm test run in the current privilege set-up: start the test, wait
until it is ready, then either signal it (plain) or dump and restore it
with criu first (cr), and read its verdict. Also the runner-driven C/R
checks (pid-taken, pages-corrupt). Every process it starts is killed at
the end, whatever happened."""

import glob
import os
import re
import signal
import subprocess
import time

import zdtm_proc as zp

SETTLE = 0.1     # let a ready test reach its wait before we poke it
LOG_TAIL = 12


class Result:
    def __init__(self, status, reason, details=None):
        self.status = status
        self.reason = reason
        self.details = list(details or [])
        self.notes = []
        self.elapsed = 0.0


class Failed(Exception):
    def __init__(self, reason, details=None):
        super().__init__(reason)
        self.reason = reason
        self.details = list(details or [])


def tail(path, n=LOG_TAIL):
    lines = (zp.read_text(path, "") or "").splitlines()
    return ["%s: %s" % (os.path.basename(path), l) for l in lines[-n:]]


class Run:
    def __init__(self, t, wd, opts, pid_method):
        self.t = t
        self.wd = wd
        self.opts = opts
        self.pid_method = pid_method
        self.timeout = t.timeout or opts.timeout
        self.images = os.path.join(wd, "dump")
        self.outfile = os.path.join(wd, "test.out")
        # What we started, with start times (see own()); sids: sessions
        # whose members are ours (the test's, and criu's)
        self.pids, self.sids, self.born = set(), set(), {}
        self.fds = []           # the runner's own pipes and pty masters, closed at the end
        self.pid = None
        self.tree = {}
        self.notes = []
        self.closers = []   # what a scenario set up outside the test, undone at the end

    # ---- what belongs to this run ----

    def own(self, pid, session=False):
        self.pids.add(pid)
        if session:
            self.sids.add(pid)
        self.born[pid] = zp.starttime(pid)

    def same(self, pid):
        """Is pid (if it exists) still the process we recorded? A number
        we knew may be someone else's now that the counter wrapped."""
        now = zp.starttime(pid)
        return now is None or self.born.get(pid) in (None, now)

    def sessions(self):
        """Our sessions whose leader was not replaced by another process
        (a session id can only come back once its old session is empty)."""
        return {s for s in self.sids if self.same(s)}

    def cleanup(self):
        zp.kill_tree([p for p in self.pids if self.same(p)], self.sessions())

    # ---- the test process ----

    def argv(self, extra=()):
        binary = os.path.join(self.opts.bindir, self.t.program)
        if not os.access(binary, os.X_OK):
            raise Failed("%s is not built (make zdtm)" % binary)
        return [binary, "--pidfile=" + os.path.join(self.wd, "test.pid"),
                "--outfile=" + self.outfile] + list(self.t.desc.get("opts", [])) + list(extra)

    def start(self, stdout=None, extra=()):
        argv = self.argv(extra)
        with open(os.path.join(self.wd, "starter.log"), "w") as log:
            starter = subprocess.Popen(argv, cwd=self.wd, stdin=subprocess.DEVNULL,
                                       stdout=stdout if stdout is not None else log,
                                       stderr=log if stdout is not None else subprocess.STDOUT)
            zp.POPEN_PIDS.add(starter.pid)
        self.own(starter.pid)
        try:
            rc = starter.wait(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            raise Failed("set-up did not finish in %ds" % self.timeout)
        finally:
            zp.POPEN_PIDS.discard(starter.pid)
        if rc != 0:
            fails = self.fail_lines() or tail(os.path.join(self.wd, "starter.log"), 3)
            raise Failed("set-up failed (exit %d)" % rc, fails)
        text = zp.read_text(os.path.join(self.wd, "test.pid"), "")
        if not text.strip().isdigit():
            raise Failed("test is ready but wrote no pidfile")
        self.pid = int(text)
        self.own(self.pid, session=True)
        # Remember the whole tree: a member in a session of its own would
        # not be found through the test's session at clean-up.
        for pid in zp.subtree([self.pid]) & zp.ours():
            self.own(pid)

    def fail_lines(self):
        text = zp.read_text(self.outfile, "") or ""
        return [l for l in text.splitlines() if l.startswith("FAIL")]

    def verdict(self, status):
        text = zp.read_text(self.outfile, "") or ""
        lines = text.splitlines()
        fails = self.fail_lines()
        if fails:
            return Result("FAIL", fails[0][5:].strip(), fails[1:8])
        if status is not None and not os.WIFEXITED(status):
            return Result("FAIL", "test " + zp.describe(status), lines[-5:])
        if status is not None and os.WEXITSTATUS(status) != 0:
            return Result("FAIL", "test exited %d without a FAIL line" %
                          os.WEXITSTATUS(status), lines[-5:])
        if "PASS" not in lines:
            return Result("FAIL", "no PASS in the outfile", lines[-5:])
        return Result("PASS", "")

    def finish(self):
        """SIGTERM, wait, verdict; then nothing of the test may be left."""
        if not zp.alive(self.pid):
            st = zp.try_reap(self.pid)
            res = self.verdict(st)
            raise Failed("test ended before SIGTERM (%s)" % zp.describe(st),
                         [res.reason] + res.details)
        os.kill(self.pid, signal.SIGTERM)
        how, status = zp.wait_pid(self.pid, self.timeout)
        if how == "timeout":
            raise Failed("test hung: still running %ds after SIGTERM" % self.timeout)
        res = self.verdict(status)
        left = zp.in_sessions(self.sessions() & {self.pid}) - {self.pid}
        if res.status == "PASS" and left:
            raise Failed("processes left in the test's session: %s" % sorted(left))
        return res

    def check_priv(self, expect):
        """The test must really run with the set-up's ids, caps and seccomp."""
        st = {}
        for line in (zp.read_text("/proc/%d/status" % self.pid, "") or "").splitlines():
            k, _, v = line.partition(":")
            st[k] = v.split()
        got = {"Uid": int(st["Uid"][0]), "CapEff": int(st["CapEff"][0], 16),
               "CapAmb": int(st["CapAmb"][0], 16), "Seccomp": int(st["Seccomp"][0]),
               "NoNewPrivs": int(st["NoNewPrivs"][0])}
        mi = zp.read_text("/proc/%d/mountinfo" % self.pid, "") or ""
        got["rosys"] = any(l.split()[4] == "/proc/sys" and "ro" in l.split()[5].split(",")
                           for l in mi.splitlines())
        got["uid_map"] = " ".join((zp.read_text("/proc/%d/uid_map" % self.pid) or "")
                                  .split())
        self.notes.append("test pid %d: uid=%d CapEff=%#x CapAmb=%#x Seccomp=%d "
                          "NoNewPrivs=%d /proc/sys=%s uid_map=%s" %
                          (self.pid, got["Uid"], got["CapEff"], got["CapAmb"],
                           got["Seccomp"], got["NoNewPrivs"], "ro" if got["rosys"] else "rw",
                           got["uid_map"] or "-"))
        bad = ["%s=%s (want %s)" % (k, got[k], v) for k, v in expect.items() if got[k] != v]
        if bad:
            raise Failed("test runs in the wrong privilege set-up: " + ", ".join(bad))

    # ---- criu ----

    def criu(self, action, args, expect_ok=True, pass_fds=()):
        """Run criu, with the .desc's "env" added to its environment; returns
        (rc, combined output lines + log tail)."""
        if not os.access(self.opts.criu, os.X_OK):
            raise Failed("no criu binary at %s" % self.opts.criu)
        out = os.path.join(self.wd, "criu-%s.out" % action)
        cmd = [self.opts.criu, action] + args
        with open(out, "w") as f:
            f.write("# %s\n" % " ".join(cmd))
            f.flush()
            p = subprocess.Popen(cmd, cwd=self.wd, stdin=subprocess.DEVNULL, stdout=f,
                                 stderr=subprocess.STDOUT, start_new_session=True,
                                 pass_fds=pass_fds,
                                 env=dict(os.environ, **self.t.desc.get("env", {})))
            zp.POPEN_PIDS.add(p.pid)
        self.own(p.pid, session=True)
        try:
            rc = p.wait(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            zp.kill_tree([p.pid], [p.pid])
            raise Failed("criu %s timed out after %ds" % (action, self.timeout),
                         self.criu_tail(action))
        finally:
            zp.POPEN_PIDS.discard(p.pid)
        return rc

    def criu_tail(self, action, log_name=None):
        """criu's own output (minus what is also in its log), then the log."""
        log = tail(os.path.join(self.images, log_name or "%s.log" % action))
        out = zp.read_text(os.path.join(self.wd, "criu-%s.out" % action), "") or ""
        out = [l for l in out.splitlines() if not l.startswith("# ") and
               not any(log_line.endswith(l) for log_line in log)]
        return ["criu %s: %s" % (action, l) for l in out[-4:]] + log

    def criu_text(self, action, log_name=None):
        return (zp.read_text(os.path.join(self.wd, "criu-%s.out" % action), "") or "") + \
            (zp.read_text(os.path.join(self.images, log_name or "%s.log" % action), "") or "")

    def first_error(self, action, log_name=None):
        """The first error criu reported, without the log's prefix."""
        for line in self.criu_text(action, log_name).splitlines():
            if "Error" in line:
                return line.split("): ", 1)[-1].strip()
        return None

    def failed(self, action, what, log_name=None):
        """Failed for a criu run that failed: names criu's first error."""
        err = self.first_error(action, log_name)
        return Failed(what + (": " + err if err else ""), self.criu_tail(action, log_name))

    def dump(self, extra=None):
        os.makedirs(self.images, exist_ok=True)
        extra = list(self.t.desc.get("dump_opts", [])) if extra is None else extra
        if "dump-running-first" in self.t.flags:
            # A dump that lets the test run on first: it then resumes its
            # interrupted syscall (restart_syscall) before the real dump.
            rc = self.criu("dump", ["-t", str(self.pid), "-D", self.images, "-o",
                                    "dump-running.log", "-v4", "--leave-running"] + extra)
            if rc != 0:
                return "dump --leave-running failed (exit %d)" % rc
            if not zp.alive(self.pid):
                raise Failed("the test died after dump --leave-running")
            time.sleep(0.3)
        # What the restore must give back; members in sessions of their own
        # are found through it too.
        self.tree = zp.tree_shape(self.pid)
        for pid in self.tree:
            self.own(pid)
        rc = self.criu("dump", ["-t", str(self.pid), "-D", self.images, "-o", "dump.log",
                                "-v4"] + extra)
        if rc != 0:
            return "dump failed (exit %d)" % rc
        how, _ = zp.wait_pid(self.pid, 10)
        if how == "timeout":
            raise Failed("dump exited 0 but the test is still running")
        # The rest of the tree must be gone too (its zombies come to us).
        deadline = time.monotonic() + 5
        while True:
            zp.reap_zombies()
            procs = zp.all_procs()
            mine = zp.in_sessions(self.sessions() & {self.pid}, procs)
            left = [p for p in mine | (set(self.tree) & zp.ours(procs))
                    if procs[p][2] not in ("Z", "X")]
            if not left:
                return None
            if time.monotonic() > deadline:
                raise Failed("dump exited 0 but these tasks still run: %s" % sorted(left))
            time.sleep(0.05)

    def restore(self, pid_method=None, log_name="restore.log", extra=None, pass_fds=()):
        """extra: criu options instead of the .desc's restore_opts."""
        args = ["-D", self.images, "-o", log_name, "-v4", "-d", "--pidfile",
                "restore.pid"]
        args += list(self.t.desc.get("restore_opts", [])) if extra is None else list(extra)
        pid_method = pid_method or self.pid_method
        if pid_method:
            args += ["--pid-method", pid_method]
        rc = self.criu("restore", args, pass_fds=pass_fds)
        if rc != 0:
            return "restore failed (exit %d)" % rc
        text = (zp.read_text(os.path.join(self.images, "restore.pid"), "") or "").strip()
        if not text.isdigit():
            raise Failed("restore exited 0 but wrote no restore.pid", self.criu_tail("restore"))
        # The restored tasks are new processes with the old pids.
        for pid in set(self.tree) | {int(text)}:
            self.own(pid)
        if int(text) != self.pid:
            raise Failed("restored with pid %s, not the original %d" % (text, self.pid))
        if not zp.alive(self.pid):
            raise Failed("restore exited 0 but pid %d is not running" % self.pid,
                         self.criu_tail("restore"))
        return None


# ---- the scenarios ----

def plain(r):
    time.sleep(r.t.desc.get("settle", SETTLE))
    return r.finish()


def cr(r):
    crfail = "crfail" in r.t.flags
    time.sleep(r.t.desc.get("settle", SETTLE))
    before = zp.snapshot(r.pid)
    err = r.dump()
    if err:
        if crfail:
            return Result("PASS", "")
        raise r.failed("dump", err)
    err = r.restore()
    if err:
        if crfail:
            return Result("PASS", "")
        raise r.failed("restore", err)
    if crfail:
        raise Failed("marked crfail, but dump and restore both succeeded")
    diffs = zp.compare_trees(r.tree, zp.tree_shape(r.pid), r.pid)
    if diffs:
        raise Failed("the restored tree differs", diffs)
    after = zp.snapshot(r.pid)
    if before and after:
        diffs = zp.compare(before, after)
        # Without CAP_CHECKPOINT_RESTORE the exe link can't be set; criu says so.
        if "/proc/PID/exe of the restored task will point to criu" in r.criu_text("restore"):
            diffs = [d for d in diffs if not d.startswith("links exe:")]
        if diffs:
            raise Failed("state differs after restore", diffs)
    res = r.finish()
    if res.status == "FAIL":
        res.reason = "after restore: " + res.reason
    return res


def dump_or_fail(r):
    time.sleep(r.t.desc.get("settle", SETTLE))
    err = r.dump()
    if err:
        raise r.failed("dump", err)


def leftovers(r, keep=()):
    """Processes a failed restore left: in the test's or criu's sessions."""
    procs = zp.all_procs()
    left = zp.in_sessions(r.sessions(), procs) - set(keep)
    return sorted(p for p in left if procs[p][2] not in ("Z", "X"))


def tree_gone(r, keep=()):
    """After a failed restore: no dumped PID is used by a process of ours
    (one criu created and killed is reaped within a moment) and nothing is
    left in the test's or criu's sessions. keep: PIDs the scenario holds.
    A dumped PID someone else took meanwhile (the counter wraps when other
    runners spin) is only noted."""
    deadline = time.monotonic() + 3
    while True:
        zp.reap_zombies()
        procs = zp.all_procs()
        used = sorted((set(r.tree) & zp.ours(procs)) - set(keep))
        left = leftovers(r, keep)
        if (not used and not left) or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    if used:
        raise Failed("after the failed restore dumped pids are in use: %s" % ", ".join(
            "%d (%s)" % (p, procs[p][3] if p in procs else "?") for p in used))
    if left:
        raise Failed("the failed restore left processes behind: %s" % left)
    others = sorted(p for p in set(r.tree) - set(keep) if os.path.exists("/proc/%d" % p))
    if others:
        r.notes.append("dumped pids now used by unrelated processes: %s" % others)


def engine_gap(r, reason, log_name=None):
    """A failed restore did not fail the expected way: if criu said what it
    does not support yet, that is the reason to show."""
    for line in r.criu_text("restore", log_name).splitlines():
        if "not supported" in line:
            return "%s; criu: %s" % (reason, line.split("): ", 1)[-1].strip())
    return reason


def names_pid(text, pid):
    return re.search(r"(?<![\d.])%d(?![\d.])" % pid, text) is not None


def hold_pid(r, pid, orphan_group=False):
    """Make pidhold take pid; the holder stays until the run's clean-up.
    orphan_group: the holder exits, leaving a member in the group and
    session pid names; returns that member's pid."""
    hold = [os.path.join(r.opts.bindir, "tools", "pidhold")]
    hold += ["--orphan-group"] if orphan_group else []
    hold += [str(pid)]
    try:
        p = subprocess.run(hold, capture_output=True, text=True, timeout=r.timeout)
    except subprocess.TimeoutExpired:
        # Spinning to one pid fails while another spinner runs on the machine.
        raise Failed("pidhold could not take pid %d in %ds (spinning: does something "
                     "else allocate pids?)" % (pid, r.timeout))
    zp.reap_zombies()
    if p.returncode != 0 or not p.stdout.startswith("ready"):
        raise Failed("pidhold could not take pid %d" % pid, p.stderr.splitlines()[-3:])
    words = p.stdout.split()
    if orphan_group:
        member = int(words[3])
        r.own(member)
        return member
    r.own(pid)
    return pid


def expect_taken(r, pid, whose):
    """Restore must fail naming pid and its holder, and create nothing."""
    if r.restore() is None:
        raise Failed("restore succeeded though %s pid %d was held by pidhold" % (whose, pid))
    text = r.criu_text("restore")
    if not names_pid(text, pid) or "pidhold" not in text:
        raise Failed(engine_gap(r, "restore failed, but does not name %s pid %d and its "
                                "holder 'pidhold'" % (whose, pid)), r.criu_tail("restore"))
    st = zp.proc_stat(pid)
    if not zp.alive(pid) or st[3] != "pidhold":
        raise Failed("the holder of pid %d did not survive the failed restore" % pid)
    tree_gone(r, keep={pid})
    return Result("PASS", "")


def pid_taken(r):
    dump_or_fail(r)
    hold_pid(r, r.pid)
    return expect_taken(r, r.pid, "the root's")


def pid_taken_group(r):
    """The root's pid has no process, but names a process group and session
    whose leader exited: the kernel won't hand it out, so restore must fail
    up front, naming the pid and the group, and create nothing."""
    dump_or_fail(r)
    member = hold_pid(r, r.pid, orphan_group=True)
    if os.path.exists("/proc/%d" % r.pid):
        raise Failed("pid %d still has a process; pidhold --orphan-group failed" % r.pid)
    if r.restore() is None:
        raise Failed("restore succeeded though pid %d names the group of %d" % (r.pid, member))
    text = r.criu_text("restore")
    if not names_pid(text, r.pid) or "process group" not in text:
        raise Failed(engine_gap(r, "restore failed, but does not say pid %d names a "
                                "process group" % r.pid), r.criu_tail("restore"))
    if not zp.alive(member):
        raise Failed("the group's member %d did not survive the failed restore" % member)
    tree_gone(r, keep={member})
    return Result("PASS", "")


def pid_taken_child(r):
    """The PID of a child (not the root) is taken: restore must find out
    before it creates the root."""
    dump_or_fail(r)
    kids = sorted(p for p, t in r.tree.items() if p != r.pid and not t[3])
    if not kids:
        raise Failed("the test has no living child whose pid to take")
    victim = kids[-1]
    r.notes.append("holding pid %d, a child of %d" % (victim, r.tree[victim][0]))
    hold_pid(r, victim)
    return expect_taken(r, victim, "the child's")


def holders_of(r, name):
    """Tasks of the test's tree that have the work dir's file name open."""
    path = os.path.join(r.wd, name)
    found = set()
    for pid in zp.subtree([r.pid]):
        try:
            fds = os.listdir("/proc/%d/fd" % pid)
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink("/proc/%d/fd/%s" % (pid, fd)) == path:
                    found.add(pid)
            except OSError:
                pass
    return sorted(found)


def child_fails(r):
    """A file only a child had open is gone at restore: restore fails in
    that child, after the root and other children exist, and must then
    kill them all and free every PID."""
    names = r.t.desc.get("remove") or []
    if not names:
        raise Failed("child-fails: the .desc names no file to \"remove\"")
    holders = sorted(set(p for n in names for p in holders_of(r, n)))
    if not holders or r.pid in holders:
        raise Failed("child-fails: %s must be held by children only, not by %s" %
                     (", ".join(names), holders or "nobody"))
    r.notes.append("%s held by %s" % (", ".join(names), holders))
    dump_or_fail(r)
    for n in names:
        try:
            os.unlink(os.path.join(r.wd, n))
        except OSError as e:
            raise Failed("can't remove %s after the dump: %s" % (n, e.strerror))
    if r.restore() is None:
        raise Failed("restore succeeded though %s was removed" % ", ".join(names))
    text = r.criu_text("restore")
    if not any(n in text for n in names):
        raise Failed(engine_gap(r, "restore failed, but its error does not name %s" %
                                " or ".join(names)), r.criu_tail("restore"))
    tree_gone(r)
    return Result("PASS", "")


def killed_in_clone(r):
    """criu kills the tree while a creator is inside its clone (a failure
    elsewhere): the new task, listed by nobody and reparented before it
    could ask for its parent's death signal, must not live on, and criu
    must end (it reaps every orphan of the tree). The .desc's "env" sets
    CRIU_FAULT=1001."""
    dump_or_fail(r)
    if r.restore() is None:
        raise Failed("restore succeeded though the .desc's CRIU_FAULT should fail the root")
    text = r.criu_text("restore")
    if "fault injected" not in text:
        raise Failed("restore failed, but not where the fault was injected",
                     r.criu_tail("restore"))
    tree_gone(r)
    return Result("PASS", "")


def pids_allocated():
    """The PID namespace's last allocated pid, or None."""
    text = (zp.read_text("/proc/sys/kernel/ns_last_pid") or "").strip()
    return int(text) if text.isdigit() else None


def pids_between(before, after):
    if before is None or after is None:
        return None
    return (after - before) % (zp.pid_max() or 1 << 22)


def counter_is_quiet():
    """Counting the pids criu allocates only means something when nobody
    else allocates any (other runners on the machine may spin)."""
    before = pids_allocated()
    time.sleep(0.2)
    return pids_between(before, pids_allocated()) == 0


# What criu itself may use while failing: its own pid and a probe helper.
MAX_PIDS_FAILING = 4


def no_capability(r):
    """Each forced --pid-method this set-up does not allow must fail before
    any task exists, saying what is missing and how to get it."""
    methods = r.t.desc.get("methods") or {}
    if not methods:
        raise Failed("no-capability: the .desc lists no \"methods\"")
    dump_or_fail(r)
    for method, words in sorted(methods.items()):
        log = "restore-%s.log" % method
        quiet = counter_is_quiet()
        before = pids_allocated()
        err = r.restore(method, log)
        used = pids_between(before, pids_allocated())
        if err is None:
            raise Failed("restore --pid-method %s succeeded in this set-up" % method)
        text = r.criu_text("restore", log).lower()
        missing = [w for w in ["--pid-method %s" % method] + words if w.lower() not in text]
        if missing:
            raise Failed(engine_gap(r, "restore --pid-method %s failed, but does not say %s" %
                                    (method, ", ".join(repr(w) for w in missing)), log),
                         r.criu_tail("restore", log))
        tree_gone(r)
        if not quiet or used is None:
            r.notes.append("--pid-method %s: the PID counter is busy, not counting" % method)
            continue
        r.notes.append("--pid-method %s: %d pids allocated while failing" % (method, used))
        if used > MAX_PIDS_FAILING:
            raise Failed("restore --pid-method %s allocated %d pids before it failed: it "
                         "created tasks (or spun)" % (method, used),
                         r.criu_tail("restore", log))
    return Result("PASS", "")


def pages_corrupt(r):
    dump_or_fail(r)
    pages = glob.glob(os.path.join(r.images, "pages-*.img"))
    if not pages:
        raise Failed("the dump has no pages-*.img to damage")
    for path in pages:
        size = os.path.getsize(path)
        if size:
            os.truncate(path, size // 2)
        else:
            with open(path, "wb") as f:
                f.write(b"\xff" * 100)
    if r.restore() is None:
        raise Failed("restore succeeded from truncated pages images")
    text = r.criu_text("restore").lower()
    if "error" not in text or "page" not in text:
        raise Failed("restore failed without an error about the pages image",
                     r.criu_tail("restore"))
    how, _ = zp.wait_pid(r.pid, 2)
    if zp.alive(r.pid):
        raise Failed("pid %d is alive after the failed restore" % r.pid)
    left = leftovers(r)
    if left:
        raise Failed("the failed restore left processes behind: %s" % left)
    return Result("PASS", "")


SCENARIOS = {"pid-taken": pid_taken, "pages-corrupt": pages_corrupt,
             "pid-taken-child": pid_taken_child, "pid-taken-group": pid_taken_group,
             "child-fails": child_fails, "killed-in-clone": killed_in_clone,
             "no-capability": no_capability}


# Kinds whose scenario starts the test itself: kind -> (start, cr scenario).
CUSTOM_START = {}

# Scenarios of sockets and locks (zdtm_sockets.py) join the table; it imports this module.
import zdtm_sockets  # noqa: E402
SCENARIOS.update(zdtm_sockets.SCENARIOS)


def run_local(t, mode, wd, opts, pid_method, expect):
    r = Run(t, wd, opts, pid_method)
    scenario = plain if mode == "plain" else SCENARIOS.get(t.kind, cr)
    try:
        # A scenario may set up peers outside the test before it starts.
        if hasattr(scenario, "prepare"):
            scenario.prepare(r)
        if t.kind in CUSTOM_START:
            CUSTOM_START[t.kind](r)
        else:
            r.start()
        r.check_priv(expect)
        res = scenario(r)
    except Failed as e:
        res = Result("FAIL", e.reason, e.details)
    finally:
        r.cleanup()
        zp.reap_zombies()
        for fd in r.fds:
            os.close(fd)
        for close in r.closers:
            close()
    res.notes = r.notes + res.notes
    return res
