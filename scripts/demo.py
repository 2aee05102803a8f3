#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make demo: the "Memhog" shape (/bin/sh with memory-hog children) dumped
and restored with every PID exact. Shows the PIDs before and after, the PID
method and the times, checks every hog's memory, and cleans up.

The driver is a child subreaper: the dump kills the tree, and on machines
whose init does not reap orphans their zombies would keep the PIDs taken."""
import ctypes
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CRIU = os.path.join(TOP, "criu", "criu")
MEMHOG = os.path.join(TOP, "build", "memhog", "memhog")
N = int(os.environ.get("DEMO_TASKS", "4"))
MIB = int(os.environ.get("DEMO_MIB", "64"))
PR_SET_CHILD_SUBREAPER = 36


def children(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def show(pids):
    for p in pids:
        try:
            with open("/proc/%d/status" % p) as f:
                st = dict(l.split(":", 1) for l in f if ":" in l)
            with open("/proc/%d/cmdline" % p) as f:
                cmd = f.read().replace("\0", " ").strip()
        except OSError:
            print("    %6d  (gone)" % p)
            continue
        print("    %6d  ppid %6s  %8s  %s" % (p, st["PPid"].strip(), st["VmRSS"].strip(),
                                              cmd[:60]))


def reap():
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def wait_lines(path, word, n, secs):
    end = time.time() + secs
    while time.time() < end:
        with open(path) as f:
            if f.read().count(word) >= n:
                return True
        time.sleep(0.05)
    return False


def stats(path, keys):
    with open(path) as f:
        for line in f:
            if any(k in line for k in keys):
                print("    " + line.rstrip())


def run(work):
    log = os.path.join(work, "out.log")
    script = ('i=0; while [ $i -lt %d ]; do i=$((i+1)); %s %d $i & done; wait'
              % (N, MEMHOG, MIB))
    print("== starting /bin/sh with %d memory hogs of %d MiB each" % (N, MIB))
    with open(log, "w") as out:
        sh = subprocess.Popen(["sh", "-c", script], stdout=out, stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL, start_new_session=True)
    if not wait_lines(log, "ready", N, 120):
        sys.exit("demo: the hogs did not start")
    before = [sh.pid] + sorted(children(sh.pid))
    print("   tree before the dump:")
    show(before)

    print("== criu dump -t %d" % sh.pid)
    img = os.path.join(work, "img")
    r = subprocess.run([CRIU, "dump", "-t", str(sh.pid), "-D", img, "-o", "dump.log",
                        "--display-stats"], capture_output=True, text=True)
    if r.returncode:
        sys.exit("demo: dump failed:\n" + r.stdout + r.stderr)
    sh.wait()
    for _ in range(100):
        reap()
        if not any(os.path.exists("/proc/%d" % p) for p in before):
            break
        time.sleep(0.02)
    print("\n".join("    " + l for l in r.stdout.splitlines()
                    if any(k in l for k in ("Freezing", "Memory dump", "written", "Dump time"))))

    print("== criu restore -d")
    r = subprocess.run([CRIU, "restore", "-D", img, "-d", "--pidfile", "restore.pid",
                        "-o", "restore.log", "--display-stats"], capture_output=True, text=True)
    if r.returncode:
        sys.exit("demo: restore failed:\n" + r.stdout + r.stderr +
                 open(os.path.join(img, "restore.log")).read()[-2000:])
    print("\n".join("    " + l for l in r.stdout.splitlines()
                    if any(k in l for k in ("PID method", "Forking", "Memory restore",
                                            "Restore time"))))
    after = [sh.pid] + sorted(children(sh.pid))
    print("   tree after the restore:")
    show(after)
    if after != before:
        sys.exit("demo: PIDs differ: before %s, after %s" % (before, after))
    print("   same PIDs: %s" % " ".join(map(str, after)))

    print("== every hog checks all of its memory")
    for p in after[1:]:
        os.kill(p, signal.SIGTERM)
    ok = wait_lines(log, "verified", N, 60)
    with open(log) as f:
        for line in f:
            if "verified" in line or "corrupt" in line or "changed" in line:
                print("    " + line.rstrip())
    os.kill(sh.pid, signal.SIGTERM)
    if not ok:
        sys.exit("demo: FAILED")
    print("== demo passed: %d tasks restored with their PIDs and memory" % (N + 1))


def main():
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    work = tempfile.mkdtemp(prefix="criu-demo.")
    try:
        run(work)
    finally:
        for p in children(os.getpid()):
            for c in children(p):
                os.kill(c, signal.SIGKILL)
        time.sleep(0.1)
        reap()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
