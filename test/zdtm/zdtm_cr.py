# SPDX-License-Identifier: GPL-2.0
"""One zdtm test run in the current privilege set-up: start the test, wait
until it is ready, then either signal it (plain) or dump and restore it
with criu first (cr), and read its verdict. Also the runner-driven C/R
checks (pid-taken, pages-corrupt). Every process it starts is killed at
the end, whatever happened."""

import glob
import os
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
        self.pids, self.sids = set(), set()
        self.pid = None
        self.notes = []
        self.closers = []   # what a scenario set up outside the test, undone at the end

    # ---- the test process ----

    def start(self):
        binary = os.path.join(self.opts.bindir, self.t.program)
        if not os.access(binary, os.X_OK):
            raise Failed("%s is not built (make zdtm)" % binary)
        argv = [binary, "--pidfile=" + os.path.join(self.wd, "test.pid"),
                "--outfile=" + self.outfile] + list(self.t.desc.get("opts", []))
        with open(os.path.join(self.wd, "starter.log"), "w") as log:
            starter = subprocess.Popen(argv, cwd=self.wd, stdin=subprocess.DEVNULL,
                                       stdout=log, stderr=subprocess.STDOUT)
            zp.POPEN_PIDS.add(starter.pid)
        self.pids.add(starter.pid)
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
        self.pids.add(self.pid)
        self.sids.add(self.pid)
        # Remember the whole tree: a member in a session of its own would
        # not be found through the test's session at clean-up.
        self.pids |= zp.subtree([self.pid])

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
        left = zp.in_sessions({self.pid}) - {self.pid}
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

    def criu(self, action, args, expect_ok=True):
        """Run criu; returns (rc, combined output lines + log tail)."""
        if not os.access(self.opts.criu, os.X_OK):
            raise Failed("no criu binary at %s" % self.opts.criu)
        out = os.path.join(self.wd, "criu-%s.out" % action)
        cmd = [self.opts.criu, action] + args
        with open(out, "w") as f:
            f.write("# %s\n" % " ".join(cmd))
            f.flush()
            p = subprocess.Popen(cmd, cwd=self.wd, stdin=subprocess.DEVNULL, stdout=f,
                                 stderr=subprocess.STDOUT, start_new_session=True)
            zp.POPEN_PIDS.add(p.pid)
        self.pids.add(p.pid)
        self.sids.add(p.pid)
        try:
            rc = p.wait(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            zp.kill_tree([p.pid], [p.pid])
            raise Failed("criu %s timed out after %ds" % (action, self.timeout),
                         self.criu_tail(action))
        finally:
            zp.POPEN_PIDS.discard(p.pid)
        return rc

    def criu_tail(self, action):
        """criu's own output (minus what is also in its log), then the log."""
        log = tail(os.path.join(self.images, "%s.log" % action))
        out = zp.read_text(os.path.join(self.wd, "criu-%s.out" % action), "") or ""
        out = [l for l in out.splitlines() if not l.startswith("# ") and
               not any(log_line.endswith(l) for log_line in log)]
        return ["criu %s: %s" % (action, l) for l in out[-4:]] + log

    def criu_text(self, action):
        return (zp.read_text(os.path.join(self.wd, "criu-%s.out" % action), "") or "") + \
            (zp.read_text(os.path.join(self.images, "%s.log" % action), "") or "")

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
            left = [p for p in zp.in_sessions({self.pid}, procs)
                    if procs[p][2] not in ("Z", "X")]
            if not left:
                return None
            if time.monotonic() > deadline:
                raise Failed("dump exited 0 but these tasks still run: %s" % sorted(left))
            time.sleep(0.05)

    def restore(self, extra=None):
        args = ["-D", self.images, "-o", "restore.log", "-v4", "-d", "--pidfile",
                "restore.pid"]
        args += list(self.t.desc.get("restore_opts", [])) if extra is None else extra
        if self.pid_method:
            args += ["--pid-method", self.pid_method]
        rc = self.criu("restore", args)
        if rc != 0:
            return "restore failed (exit %d)" % rc
        text = (zp.read_text(os.path.join(self.images, "restore.pid"), "") or "").strip()
        if not text.isdigit():
            raise Failed("restore exited 0 but wrote no restore.pid", self.criu_tail("restore"))
        if int(text) != self.pid:
            self.pids.add(int(text))
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
        raise Failed(err, r.criu_tail("dump"))
    err = r.restore()
    if err:
        if crfail:
            return Result("PASS", "")
        raise Failed(err, r.criu_tail("restore"))
    if crfail:
        raise Failed("marked crfail, but dump and restore both succeeded")
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
        raise Failed(err, r.criu_tail("dump"))


def leftovers(r, keep=()):
    """Processes a failed restore left: in the test's or criu's sessions."""
    procs = zp.all_procs()
    left = zp.in_sessions(r.sids, procs) - set(keep)
    return sorted(p for p in left if procs[p][2] not in ("Z", "X"))


def pid_taken(r):
    dump_or_fail(r)
    hold = [os.path.join(r.opts.bindir, "tools", "pidhold"), str(r.pid)]
    p = subprocess.run(hold, capture_output=True, text=True, timeout=r.timeout)
    zp.reap_zombies()
    if p.returncode != 0 or not p.stdout.startswith("ready"):
        raise Failed("pidhold could not take pid %d" % r.pid, p.stderr.splitlines()[-3:])
    r.pids.add(r.pid)
    if r.restore() is None:
        raise Failed("restore succeeded though pid %d was held by pidhold" % r.pid)
    text = r.criu_text("restore")
    if str(r.pid) not in text or "pidhold" not in text:
        raise Failed("restore failed, but does not name pid %d and its holder 'pidhold'" %
                     r.pid, r.criu_tail("restore"))
    st = zp.proc_stat(r.pid)
    if not zp.alive(r.pid) or st[3] != "pidhold":
        raise Failed("the holder of pid %d did not survive the failed restore" % r.pid)
    left = leftovers(r, keep={r.pid})
    if left:
        raise Failed("the failed restore left processes behind: %s" % left)
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


SCENARIOS = {"pid-taken": pid_taken, "pages-corrupt": pages_corrupt}

# Scenarios of open files (zdtm_files.py) join the table; it imports this module.
import zdtm_files  # noqa: E402
SCENARIOS.update(zdtm_files.SCENARIOS)


def run_local(t, mode, wd, opts, pid_method, expect):
    r = Run(t, wd, opts, pid_method)
    scenario = plain if mode == "plain" else SCENARIOS.get(t.kind, cr)
    try:
        # A scenario may set up peers outside the test before it starts.
        if hasattr(scenario, "prepare"):
            scenario.prepare(r)
        r.start()
        r.check_priv(expect)
        res = scenario(r)
    except Failed as e:
        res = Result("FAIL", e.reason, e.details)
    finally:
        zp.kill_tree(r.pids, r.sids)
        zp.reap_zombies()
        for close in r.closers:
            close()
    res.notes = r.notes + res.notes
    return res
