#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""zdtm runner: starts each test, optionally checkpoints and restores it
with criu, signals it and collects its verdict; runs tests under reduced
privilege set-ups (by re-executing itself inside zdtm-jail or a user
namespace). Prints one line per test and mode, then "N passed, M failed".

  zdtm.py run [-t NAME ...] [-g GROUP ...] [-a] [--mode plain|cr|both]
              [--priv P[,P...]] [--pid-method M] [--criu PATH] [-j N] ...
  zdtm.py list | selftest | suite --list cr-tests.list
"""

import argparse
import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import zdtm_files  # noqa: F401 (registers the files' scenarios)
import zdtm_proc as zp
from zdtm_cr import run_local, Result

ZDTM_DIR = os.path.dirname(os.path.abspath(__file__))
TOP_DIR = os.path.dirname(os.path.dirname(ZDTM_DIR))
DEFAULT_BINDIR = os.path.join(TOP_DIR, "build", "zdtm")
DEFAULT_CRIU = os.path.join(TOP_DIR, "criu", "criu")
DEFAULT_LIST = os.path.join(ZDTM_DIR, "cr-tests.list")
NOBODY = 65534
CR_CAPS = "checkpoint_restore,sys_ptrace"

# Privilege set-ups. "jail" is the zdtm-jail argument list, "expect" what
# the test process must show in /proc/PID/status (checked by the runner).
PRIVS = {
    "root": {"jail": None, "expect": {}},
    "caps": {
        "jail": ["--uid", str(NOBODY), "--gid", str(NOBODY), "--caps", CR_CAPS],
        "expect": {"Uid": NOBODY, "CapEff": 0x10000080000, "CapAmb": 0x10000080000,
                   "Seccomp": 0, "rosys": False}},
    "caps-rosys": {
        "jail": ["--uid", str(NOBODY), "--gid", str(NOBODY), "--caps", CR_CAPS,
                 "--ro-proc-sys"],
        "expect": {"Uid": NOBODY, "CapEff": 0x10000080000, "CapAmb": 0x10000080000,
                   "Seccomp": 0, "rosys": True}},
    "nosys-rosys": {
        "jail": ["--uid", str(NOBODY), "--gid", str(NOBODY), "--caps", "none",
                 "--ro-proc-sys", "--nosys-clone3"],
        "expect": {"Uid": NOBODY, "CapEff": 0, "CapAmb": 0, "Seccomp": 2,
                   "NoNewPrivs": 1, "rosys": True}},
    "userns": {
        "jail": ["--uid", str(NOBODY), "--gid", str(NOBODY), "--caps", "none"],
        "userns": True,
        "expect": {"Uid": 0, "uid_map": "0 %d 1" % NOBODY}},
}

# What privcheck must print under each set-up (the jail self-test).
SELFTEST = {
    "root": {"uid": "0", "clone3_set_tid": "EEXIST", "proc_sys": "rw"},
    "caps": {"uid": str(NOBODY), "CapEff": "0000010000080000",
             "CapAmb": "0000010000080000", "CapBnd": "0000010000080000",
             "Seccomp": "0", "proc_sys": "rw", "ns_last_pid_write": "ok",
             "clone3_set_tid": "EEXIST"},
    "caps-rosys": {"uid": str(NOBODY), "CapEff": "0000010000080000",
                   "CapAmb": "0000010000080000", "Seccomp": "0", "proc_sys": "ro",
                   "ns_last_pid_open": "EROFS", "clone3_set_tid": "EEXIST"},
    "nosys-rosys": {"uid": str(NOBODY), "CapEff": "0000000000000000",
                    "CapAmb": "0000000000000000", "Seccomp": "2", "NoNewPrivs": "1",
                    "proc_sys": "ro", "ns_last_pid_open": "EROFS",
                    "clone3_set_tid": "ENOSYS"},
    "userns": {"uid": "0", "pid": "1", "uid_map": "0 %d 1" % NOBODY,
               "clone3_set_tid": "EEXIST"},
}

print_lock = threading.Lock()


def say(line):
    with print_lock:
        print(line, flush=True)


# ---- tests and their .desc files ----

class Test:
    def __init__(self, name, desc):
        self.name = name
        self.desc = desc
        self.groups = desc.get("groups", [])
        self.flags = desc.get("flags", [])
        feats = desc.get("feature", desc.get("features", []))
        self.features = [feats] if isinstance(feats, str) else list(feats)
        self.timeout = desc.get("timeout", 0)
        self.kind = desc.get("kind", "program")
        self.program = desc.get("program", name)


def load_tests():
    tests = {}
    for sub in ("static", "special"):
        d = os.path.join(ZDTM_DIR, sub)
        if not os.path.isdir(d):
            continue
        for f in sorted(os.listdir(d)):
            if f.endswith(".desc"):
                name = "%s/%s" % (sub, f[:-5])
                with open(os.path.join(d, f)) as fh:
                    try:
                        tests[name] = Test(name, json.load(fh))
                    except ValueError as e:
                        sys.exit("zdtm: bad %s/%s: %s" % (sub, f, e))
    return tests


def select(tests, names, groups, everything):
    out = []
    for t in tests.values():
        if everything or t.name in names or t.name.split("/")[1] in names or \
           set(groups) & set(t.groups):
            out.append(t)
    for n in names:
        if n not in tests and not any(t.name.split("/")[1] == n for t in tests.values()):
            sys.exit("zdtm: no test %s" % n)
    return out


def cpu_flags():
    for line in (zp.read_text("/proc/cpuinfo") or "").splitlines():
        if line.startswith("flags"):
            return set(line.split(":", 1)[1].split())
    return set()


KFEATURES = {
    "thp": lambda: "[never]" not in (zp.read_text(
        "/sys/kernel/mm/transparent_hugepage/enabled") or "[never]"),
    "userns": lambda: os.path.exists("/proc/self/ns/user"),
}


def skip_reason(t, mode, priv, features):
    missing = [f for f in t.desc.get("cpu", []) if f not in cpu_flags()]
    if missing:
        return "needs %s" % ",".join(missing)
    for k in t.desc.get("kfeatures", []):
        if not KFEATURES.get(k, lambda: False)():
            return "kernel lacks %s" % k
    if PRIVS[priv]["jail"] and os.geteuid() != 0:
        return "--priv %s needs root to build the jail" % priv
    if "privs" in t.desc and priv not in t.desc["privs"]:
        return "not for --priv %s" % priv
    why = t.desc.get("cr_skip_privs", {}).get(priv)
    if mode == "cr" and why:
        return why
    if mode == "plain" and (t.kind != "program" or "noplain" in t.flags):
        return "C/R only"
    if mode == "cr" and features is not None:
        missing = [f for f in t.features if f not in features]
        if missing:
            return "engine lacks %s" % ",".join(missing)
    return None


# ---- running one test in one set-up ----

class Options:
    """What every run needs; plain data so it can cross into the jail."""
    def __init__(self, a):
        self.criu = os.path.abspath(a.criu)
        self.bindir = os.path.abspath(a.bindir)
        self.timeout = a.timeout
        self.keep = a.keep
        self.workroot = None
        self.pid_max_hold = None


def make_workdir(opts, t, mode, priv, pid_method):
    tag = "%s-%s-%s%s" % (t.name.replace("/", "_"), mode, priv,
                           "-" + pid_method if pid_method else "")
    wd = os.path.join(opts.workroot, tag)
    shutil.rmtree(wd, ignore_errors=True)
    os.makedirs(wd)
    if PRIVS[priv]["jail"]:
        os.chown(wd, NOBODY, NOBODY)
    return wd


def inner_cmd(opts, t, mode, priv, wd, pid_method):
    """The runner re-executed inside the jail (and user namespace)."""
    p = PRIVS[priv]
    cmd = [os.path.join(opts.bindir, "tools", "zdtm-jail")] + p["jail"] + ["--"]
    if p.get("userns"):
        cmd += ["unshare", "-Urpf", "--mount-proc", "--kill-child", "--"]
    cmd += [python_for_others(), ZDTM_SELF, "inner", "--test", t.name,
            "--mode", mode, "--priv", priv, "--workdir", wd, "--criu", opts.criu,
            "--bindir", opts.bindir, "--timeout", str(t.timeout or opts.timeout)]
    if pid_method:
        cmd += ["--pid-method", pid_method]
    return cmd


def python_for_others():
    """Our interpreter may live where uid 65534 can't go (e.g. pyenv under
    /root); the system one then runs the jailed runner."""
    for py in (sys.executable, "/usr/bin/python3"):
        if py and os.path.exists(py) and reachable_by_others(py):
            return py
    return sys.executable


def run_jailed(opts, t, mode, priv, wd, pid_method):
    cmd = inner_cmd(opts, t, mode, priv, wd, pid_method)
    limit = 3 * (t.timeout or opts.timeout) + 30
    with open(os.path.join(wd, "inner.log"), "w") as log:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=log,
                                stdin=subprocess.DEVNULL, text=True)
        try:
            out, _ = proc.communicate(timeout=limit)
        except subprocess.TimeoutExpired:
            zp.kill_tree([proc.pid])
            proc.communicate()
            return Result("FAIL", "timed out after %ds in the %s set-up" % (limit, priv))
    lines = out.strip().splitlines()
    try:
        r = json.loads(lines[-1])
        res = Result(r["status"], r["reason"], r.get("details", []))
        res.notes = r.get("notes", [])
        return res
    except (IndexError, ValueError, KeyError):
        tail = (zp.read_text(os.path.join(wd, "inner.log"), "") or "").splitlines()[-8:]
        return Result("FAIL", "inner runner (%s) gave no result, exit %s" %
                      (priv, proc.returncode), tail)


def run_one(opts, t, mode, priv, pid_method):
    wd = make_workdir(opts, t, mode, priv, pid_method)
    start = time.monotonic()
    try:
        if PRIVS[priv]["jail"]:
            res = run_jailed(opts, t, mode, priv, wd, pid_method)
        else:
            res = run_local(t, mode, wd, opts, pid_method, PRIVS[priv]["expect"])
    except Exception as e:  # a runner bug must not hide the other tests
        res = Result("FAIL", "runner error: %r" % e)
    res.elapsed = time.monotonic() - start
    if res.status == "PASS" and not opts.keep:
        shutil.rmtree(wd, ignore_errors=True)
    elif res.status == "FAIL":
        res.details.append("work dir: %s" % wd)
    return res


# ---- jail self-test ----

def selftest_one(opts, priv):
    p = PRIVS[priv]
    if p["jail"] and os.geteuid() != 0:
        return Result("SKIP", "needs root to build the jail")
    cmd = [os.path.join(opts.bindir, "tools", "privcheck")]
    if p.get("userns"):
        cmd = ["unshare", "-Urpf", "--mount-proc", "--"] + cmd
    if p["jail"]:
        cmd = [os.path.join(opts.bindir, "tools", "zdtm-jail")] + p["jail"] + ["--"] + cmd
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as e:
        return Result("FAIL", "can't run privcheck: %s" % e)
    got = dict(l.split("=", 1) for l in out.stdout.splitlines() if "=" in l)
    bad = ["%s=%s (want %s)" % (k, got.get(k), v) for k, v in SELFTEST[priv].items()
           if got.get(k) != v]
    if out.returncode or bad:
        return Result("FAIL", "set-up differs: " + ", ".join(bad or ["exit %d" %
                                                                   out.returncode]),
                      out.stderr.splitlines()[-5:])
    return Result("PASS", "")


# ---- reporting ----

class Tally:
    def __init__(self, verbose=False):
        self.passed = self.failed = self.skipped = 0
        self.verbose = verbose

    def add(self, label, res):
        with print_lock:
            if res.status == "PASS":
                self.passed += 1
                print("PASS  %s" % label, flush=True)
            elif res.status == "SKIP":
                self.skipped += 1
                print("SKIP  %s: %s" % (label, res.reason), flush=True)
            else:
                self.failed += 1
                print("FAIL  %s: %s" % (label, res.reason), flush=True)
                for d in res.details:
                    print("      | %s" % d, flush=True)
            if self.verbose:
                for n in getattr(res, "notes", []):
                    print("      - %s" % n, flush=True)

    def finish(self):
        if self.skipped:
            print("%d skipped" % self.skipped)
        print("%d passed, %d failed" % (self.passed, self.failed), flush=True)
        return 1 if self.failed else 0


def label_of(t, mode, priv, pid_method):
    extra = [mode] + ([priv] if priv != "root" else []) + ([pid_method] if pid_method else [])
    return "%s (%s)" % (t.name, ", ".join(extra))


def run_jobs(opts, jobs, tally, nproc, features):
    """jobs: (test, mode, priv, pid_method). Skips are decided up front."""
    todo = []
    for t, mode, priv, pm in jobs:
        why = skip_reason(t, mode, priv, features)
        if why:
            tally.add(label_of(t, mode, priv, pm), Result("SKIP", why))
        else:
            todo.append((t, mode, priv, pm))
    # Slow tests first, so they overlap with the quick ones.
    todo.sort(key=lambda j: -(j[0].timeout or 0))

    def one(job):
        t, mode, priv, pm = job
        tally.add(label_of(t, mode, priv, pm), run_one(opts, t, mode, priv, pm))

    # One at a time, after the rest: spinners chase each other through the
    # PID space; a rewound ns_last_pid hands our PIDs to whatever forks
    # next; a pty index freed by the dump goes to the next pty opened.
    def alone(j):
        t, mode, priv, pm = j
        return priv == "nosys-rosys" or pm in ("spin", "ns_last_pid") or \
            (mode == "cr" and "tty" in t.features)
    spin = [j for j in todo if alone(j)]
    rest = [j for j in todo if j not in spin]
    with ThreadPoolExecutor(max_workers=max(1, nproc)) as ex:
        list(ex.map(one, rest))
    for j in spin:
        one(j)


def read_list(path):
    """cr-tests.list: a "features:" line and C/R lines "SELECTOR [priv=..]
    [pid-method=..]"; returns (features, [(selector, privs, pid_method)])."""
    features, entries = [], []
    for raw in (zp.read_text(path) or "").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("features:"):
            features = line.split(":", 1)[1].split()
            continue
        words = line.split()
        privs, pm = ["root"], None
        for w in words[1:]:
            if w.startswith("priv="):
                privs = w[5:].split(",")
            elif w.startswith("pid-method="):
                pm = w[11:]
            else:
                sys.exit("zdtm: %s: bad word '%s'" % (path, w))
        entries.append((words[0], privs, pm))
    return features, entries


def match_selector(tests, sel):
    if sel == "all":
        return list(tests.values())
    if sel in tests:
        return [tests[sel]]
    found = [t for t in tests.values() if sel in t.groups]
    if not found:
        sys.exit("zdtm: cr-tests.list: '%s' is neither a test nor a group" % sel)
    return found


# ---- staging for other users ----

def reachable_by_others(path):
    """Can uid 65534 reach (and execute) path? Every directory up needs o+x."""
    path = os.path.abspath(path)
    st = os.stat(path)
    if not st.st_mode & 0o005:
        return False
    d = os.path.dirname(path)
    while d != "/":
        if not os.stat(d).st_mode & 0o001:
            return False
        d = os.path.dirname(d)
    return True


def stage_for_others(opts, privs):
    """Copy criu, the binaries and the runner where nobody can reach them."""
    if not any(PRIVS[p]["jail"] for p in privs):
        return
    need = [opts.criu, os.path.join(opts.bindir, "tools", "zdtm-jail"), __file__]
    if all(os.path.exists(p) and reachable_by_others(p) for p in need):
        return
    stage = os.path.join(opts.workroot, "stage")
    shutil.copytree(ZDTM_DIR, os.path.join(stage, "zdtm"), ignore=shutil.ignore_patterns(
        "__pycache__"))
    shutil.copytree(opts.bindir, os.path.join(stage, "bin"))
    if os.path.exists(opts.criu):
        shutil.copy2(opts.criu, os.path.join(stage, "criu"))
    for root, dirs, files in os.walk(stage):
        for n in dirs + files:
            p = os.path.join(root, n)
            os.chmod(p, os.stat(p).st_mode | 0o055)
    os.chmod(stage, 0o755)
    opts.criu = os.path.join(stage, "criu")
    opts.bindir = os.path.join(stage, "bin")
    global ZDTM_SELF
    ZDTM_SELF = os.path.join(stage, "zdtm", "zdtm.py")


ZDTM_SELF = os.path.abspath(__file__)


def setup_run(a, privs):
    opts = Options(a)
    opts.pid_max_hold = zp.lower_pid_max()
    hold = opts.pid_max_hold
    if hold:
        atexit.register(hold.release)
        if hold.joined:
            say("zdtm: pid_max stays %d, as another run lowered it (the last run to end "
                "puts %d back)" % (zp.PID_MAX_FOR_TESTS, hold.old))
        else:
            say("zdtm: pid_max %d lowered to %d for this run, so that spinning "
                "finishes in seconds" % (hold.old, zp.PID_MAX_FOR_TESTS))
    opts.workroot = tempfile.mkdtemp(prefix="zdtm.", dir=a.workroot)
    os.chmod(opts.workroot, 0o755)
    stage_for_others(opts, privs)
    return opts


def finish_run(opts, tally):
    leftovers = zp.kill_descendants()
    if leftovers:
        say("WARN  killed %d processes left behind: %s" % (len(leftovers),
                                                          sorted(leftovers)))
    if not opts.keep and tally.failed == 0:
        shutil.rmtree(opts.workroot, ignore_errors=True)
    else:
        say("work dirs kept in %s" % opts.workroot)
    if opts.pid_max_hold:
        opts.pid_max_hold.release()
    return tally.finish()


# ---- commands ----

def cmd_list(a, tests):
    for t in tests.values():
        extra = []
        if t.features:
            extra.append("needs " + ",".join(t.features))
        if t.flags:
            extra.append("flags " + ",".join(t.flags))
        if t.desc.get("cpu"):
            extra.append("cpu " + ",".join(t.desc["cpu"]))
        print("%-28s %-32s %s" % (t.name, ",".join(t.groups), "; ".join(extra)))
    return 0


def cmd_run(a, tests):
    chosen = select(tests, a.test or [], a.group or [], a.all)
    if not chosen:
        sys.exit("zdtm: nothing selected (use -t, -g or -a)")
    privs = a.priv.split(",")
    for p in privs:
        if p not in PRIVS:
            sys.exit("zdtm: unknown --priv %s (%s)" % (p, ", ".join(PRIVS)))
    modes = ["plain", "cr"] if a.mode == "both" else [a.mode]
    if a.features is not None:
        features = [f for f in a.features.split(",") if f]
    elif a.all_features:
        features = None
    else:
        features = read_list(a.list)[0]
    opts = setup_run(a, privs)
    tally = Tally(a.verbose)
    jobs = [(t, m, p, a.pid_method) for m in modes for p in privs for t in chosen]
    try:
        run_jobs(opts, jobs, tally, a.jobs, features)
    finally:
        rc = finish_run(opts, tally)
    return rc


def cmd_selftest(a, tests):
    privs = a.priv.split(",") if a.priv else list(PRIVS)
    opts = setup_run(a, privs)
    tally = Tally()
    for p in privs:
        tally.add("jail/%s" % p, selftest_one(opts, p))
    return finish_run(opts, tally)


def cmd_suite(a, tests):
    """What `make zdtm-run` runs: the jail self-test, every test plainly,
    the smoke group under every set-up, and the C/R list."""
    features, entries = read_list(a.list)
    opts = setup_run(a, list(PRIVS))
    tally = Tally()
    try:
        for p in PRIVS:
            tally.add("jail/%s" % p, selftest_one(opts, p))
        jobs = [(t, "plain", "root", None) for t in tests.values()]
        jobs += [(t, "plain", p, None) for p in PRIVS if p != "root"
                 for t in tests.values() if "smoke" in t.groups]
        for sel, privs, pm in entries:
            for p in privs:
                if p not in PRIVS:
                    sys.exit("zdtm: %s: unknown priv %s" % (a.list, p))
                jobs += [(t, "cr", p, pm) for t in match_selector(tests, sel)]
        run_jobs(opts, jobs, tally, a.jobs, features)
    finally:
        rc = finish_run(opts, tally)
    return rc


def cmd_inner(a, tests):
    """Inside the jail: run one test here and report it as one JSON line."""
    zp.set_subreaper()
    opts = Options(a)
    try:
        res = run_local(tests[a.test], a.mode, a.workdir, opts, a.pid_method,
                        PRIVS[a.priv]["expect"])
    except Exception as e:
        res = Result("FAIL", "inner runner error: %r" % e)
    left = zp.kill_descendants()
    if left and res.status == "PASS":
        res = Result("FAIL", "processes left behind: %s" % sorted(left))
    print(json.dumps({"status": res.status, "reason": res.reason,
                      "details": res.details, "notes": res.notes}), flush=True)
    return 0


def parse_args(argv):
    p = argparse.ArgumentParser(prog="zdtm.py", description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--criu", default=DEFAULT_CRIU, help="criu binary")
    common.add_argument("--bindir", default=DEFAULT_BINDIR, help="built tests and tools")
    common.add_argument("--timeout", type=int, default=60, help="seconds per step")
    common.add_argument("--keep", action="store_true", help="keep all work dirs")
    common.add_argument("-j", "--jobs", type=int, default=1, help="tests run at once")
    common.add_argument("--workroot", default=None, help="where work dirs go (/tmp)")
    common.add_argument("--pid-method", default=None,
                        help="passed to criu restore (auto, set_tid, ns_last_pid, spin)")
    common.add_argument("--list", default=DEFAULT_LIST,
                        help="C/R list and engine features (cr-tests.list)")

    r = sub.add_parser("run", parents=[common], help="run selected tests")
    r.add_argument("-t", "--test", action="append", help="test name (static/NAME or NAME)")
    r.add_argument("-g", "--group", action="append", help="every test in the group")
    r.add_argument("-a", "--all", action="store_true", help="every test")
    r.add_argument("--mode", choices=("plain", "cr", "both"), default="plain")
    r.add_argument("--priv", default="root", help="set-ups: " + ", ".join(PRIVS))
    r.add_argument("--features", default=None,
                   help="engine features for C/R (default: the list's features line)")
    r.add_argument("--all-features", action="store_true",
                   help="assume the engine supports every feature")
    r.add_argument("-v", "--verbose", action="store_true",
                   help="also show each test's observed privileges")
    sub.add_parser("list", help="list the tests")
    s = sub.add_parser("selftest", parents=[common], help="check the privilege set-ups")
    s.add_argument("--priv", default=None)
    sub.add_parser("suite", parents=[common], help="what make zdtm-run runs")
    i = sub.add_parser("inner", parents=[common], help=argparse.SUPPRESS)
    i.add_argument("--test", required=True)
    i.add_argument("--mode", required=True)
    i.add_argument("--priv", required=True)
    i.add_argument("--workdir", required=True)
    return p.parse_args(argv)


def main(argv):
    a = parse_args(argv)
    tests = load_tests()
    if a.cmd in ("run", "suite", "selftest"):
        zp.set_subreaper()
    cmds = {"list": cmd_list, "run": cmd_run, "selftest": cmd_selftest,
            "suite": cmd_suite, "inner": cmd_inner}
    return cmds[a.cmd](a, tests)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
