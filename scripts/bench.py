#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make bench: the Memhog benchmark and this machine's limits, measured in
the same run.

For N in BENCH_TASKS memory hogs of BENCH_MIB MiB under /bin/sh, and every
PID method criu may use here, dump and restore the tree and record: dump
time and throughput, restore time, forking time, memory restore throughput,
criu's peak RSS in dump and restore. Beside them: how fast fresh anonymous
memory can be populated (4 KiB faults, MADV_POPULATE_WRITE, THP) and what
one exact PID costs per method. Writes Documentation/performance.md (a
markdown table with the date and machine) and Documentation/performance.png
(restore time against N per method, with the limit drawn in), and checks
the targets of the performance issue against the numbers of this run."""
import ctypes
import datetime
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CRIU = os.path.join(TOP, "criu", "criu")
MEMHOG = os.path.join(TOP, "build", "memhog", "memhog")
LIMITS = os.path.join(TOP, "build", "memhog", "bench-limits")
WORK = os.environ.get("BENCH_DIR", os.path.join(TOP, "build", "bench"))
TASKS = [int(x) for x in os.environ.get("BENCH_TASKS", "1 2 4 8 16 32 64").split()]
MIB = int(os.environ.get("BENCH_MIB", "128"))
OUT_MD = os.environ.get("BENCH_OUT", os.path.join(TOP, "Documentation", "performance.md"))
OUT_PNG = os.path.splitext(OUT_MD)[0] + ".png"
NCPU = os.cpu_count() or 1
PID_MAX = "/proc/sys/kernel/pid_max"


def sh(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def reap():
    while True:
        try:
            if os.waitpid(-1, os.WNOHANG)[0] == 0:
                return
        except ChildProcessError:
            return


def children(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def stat_value(text, key):
    m = re.search(r"^%s: ([0-9.]+)" % re.escape(key), text, re.M)
    return float(m.group(1)) if m else None


def run_timed(cmd):
    """Run criu; returns (rc, stdout+stderr, wall seconds, peak RSS in MiB)."""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = p.stdout.read()
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    return p.returncode, out, time.monotonic() - t0, ru.ru_maxrss / 1024.0


def one_run(n, method, log):
    """Dump and restore a Memhog tree; a dict of numbers, or None."""
    d = os.path.join(WORK, "run")
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    outlog = os.path.join(d, "out.log")
    script = ("i=0; while [ $i -lt %d ]; do i=$((i+1)); %s %d $i & done; wait"
              % (n, MEMHOG, MIB))
    with open(outlog, "w") as out:
        tree = subprocess.Popen(["sh", "-c", script], stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    while open(outlog).read().count("ready") < n:
        if tree.poll() is not None:
            log("memhog tree died")
            return None
        time.sleep(0.05)
    before = [tree.pid] + sorted(children(tree.pid))
    img = os.path.join(d, "img")
    rc, out, dump_s, dump_rss = run_timed([CRIU, "dump", "-t", str(tree.pid), "-D", img,
                                            "-o", "dump.log", "--display-stats"])
    tree.wait()
    for _ in range(200):
        reap()
        if not any(os.path.exists("/proc/%d" % p) for p in before):
            break
        time.sleep(0.01)
    if rc:
        log("dump failed: " + out[-500:])
        return None
    pages = stat_value(out, "Memory pages written") or 0
    subprocess.run(["sync"])
    args = [CRIU, "restore", "-D", img, "-d", "-o", "restore.log", "--display-stats",
            "--pid-method", method]
    rc, rout, rest_s, rest_rss = run_timed(args)
    if rc:
        log("restore failed: " + rout[-800:])
        return None
    after = [tree.pid] + sorted(children(tree.pid))
    same = after == before
    for p in after[1:]:
        os.kill(p, signal.SIGTERM)
    deadline = time.time() + 120
    while open(outlog).read().count("verified") < n and time.time() < deadline:
        time.sleep(0.05)
    verified = open(outlog).read().count("verified")
    os.kill(tree.pid, signal.SIGKILL)
    for p in after[1:]:
        try:
            os.kill(p, signal.SIGKILL)
        except OSError:
            pass
    time.sleep(0.1)
    reap()
    shutil.rmtree(d, ignore_errors=True)
    bytes_ = pages * 4096
    mem_us = stat_value(rout, "Memory restore time") or 0
    return {
        "n": n, "method": method, "same_pids": same, "verified": verified == n,
        "dump_s": dump_s, "dump_gbps": bytes_ / dump_s / 1e9 if dump_s else 0,
        "dump_rss": dump_rss, "restore_s": rest_s, "restore_rss": rest_rss,
        "fork_us": stat_value(rout, "Forking time") or 0,
        "fork_us_task": (stat_value(rout, "Forking time") or 0) / (n + 1),
        "mem_gbps": (stat_value(rout, "Memory pages restored") or 0) * 4096 / mem_us / 1e3
        if mem_us else 0,
        "spun": stat_value(rout, "PIDs spun through"),
        "bytes": bytes_,
    }


def limits(log):
    lim = {}
    data = os.path.join(WORK, "populate.dat")
    mib = 1024
    if not os.path.exists(data) or os.path.getsize(data) != mib << 20:
        with open(data, "wb") as f:
            for _ in range(mib):
                f.write(os.urandom(1 << 20))
    for jobs, tag in ((1, "1"), (min(NCPU, 8), "par")):
        r = sh([LIMITS, "populate", data, str(mib // jobs), str(jobs)])
        for line in r.stdout.splitlines():
            k, v = line.split()
            lim["%s_%s" % (k, tag)] = float(v)
    for m, count in (("set_tid", 300), ("ns_last_pid", 300), ("spin", 3000)):
        r = sh([LIMITS, "pid", m, str(count)])
        for line in r.stdout.splitlines():
            k, v = line.split()
            lim[k] = float(v)
        if r.returncode:
            log("pid cost %s: %s" % (m, r.stderr.strip()))
    pid_max = int(open(PID_MAX).read())
    if lim.get("fork_rate"):
        lim["spin_pass_s"] = pid_max / lim["fork_rate"]
    lim["pid_max"] = pid_max
    return lim


def methods_allowed():
    out = []
    for m in ("set_tid", "ns_last_pid", "spin"):
        if sh([CRIU, "check", "--pid-method", m]).returncode == 0:
            out.append(m)
    return out


def set_pid_max(v):
    try:
        with open(PID_MAX, "w") as f:
            f.write(str(v))
        return True
    except OSError:
        return False


def machine():
    cpu = "?"
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = int(open("/proc/meminfo").readline().split()[1]) // 1024 // 1024
    thp = open("/sys/kernel/mm/transparent_hugepage/enabled").read().strip()
    return "%s, %d cores, %d GiB, kernel %s, THP %s" % (cpu, NCPU, mem, platform.release(), thp)


def fmt(v, f="%.2f"):
    return "-" if v is None else f % v


def report(runs, lim, targets, extra):
    best = max(lim.get("prefault_gbps_par", 0), lim.get("faults_4k_gbps_par", 0),
               lim.get("thp_move_gbps_par", 0))
    lines = ["# Performance", "",
             "Measured by `make bench` on %s, %s." % (
                 datetime.date.today().isoformat(), machine()), "",
             "Memhog shape: `/bin/sh` with N memory hogs of %d MiB each (seeded random data);"
             " every run checks the PIDs and every byte after restore." % MIB, "",
             "## Limits of this machine (same run)", "",
             "| what | single process | %d at once |" % min(NCPU, 8), "|---|---|---|"]
    for k, name in (("faults_4k_gbps", "populate fresh memory from the page cache, 4 KiB "
                                        "faults (GB/s)"),
                    ("prefault_gbps", "the same after MADV_POPULATE_WRITE (GB/s)"),
                    ("thp_gbps", "the same with MADV_HUGEPAGE (GB/s; changes VmFlags)"),
                    ("thp_move_gbps", "huge pages filled aside and moved in with UFFDIO_MOVE "
                                      "(GB/s; VmFlags unchanged)")):
        lines.append("| %s | %s | %s |" % (name, fmt(lim.get(k + "_1")),
                                           fmt(lim.get(k + "_par"))))
    lines += ["", "| exact PID per method | cost |", "|---|---|",
              "| clone3 + set_tid (fork, exit, wait) | %s us |" % fmt(lim.get("set_tid_us"), "%.0f"),
              "| write ns_last_pid + fork (+ exit, wait) | %s us |" % fmt(lim.get("ns_last_pid_us"),
                                                                        "%.0f"),
              "| spin: one pass = pid_max %d / %s forks/s | %s s |" % (
                  lim["pid_max"], fmt(lim.get("fork_rate"), "%.0f"),
                  fmt(lim.get("spin_pass_s"), "%.1f")),
              "", "## Runs", "",
              "| N | method | dump s | dump GB/s | criu RSS dump MiB | restore s | forking "
              "ms | forking per task us | memory GB/s | criu RSS restore MiB | PIDs spun |",
              "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in runs:
        lines.append("| %d | %s | %.2f | %.2f | %.0f | %.2f | %.1f | %.0f | %.2f | %.0f | %s |" % (
            r["n"], r["method"] + r.get("tag", ""), r["dump_s"], r["dump_gbps"], r["dump_rss"],
            r["restore_s"], r["fork_us"] / 1000, r["fork_us_task"], r["mem_gbps"],
            r["restore_rss"], fmt(r["spun"], "%.0f")))
    lines += ["", "Fastest faithful population measured here: %.2f GB/s (%d processes)." % (
        best, min(NCPU, 8)), ""] + extra + ["", "## Targets", ""]
    lines += ["- %s: %s (%s)" % ("met" if ok else "MISSED", what, detail)
              for what, ok, detail in targets]
    lines += ["", "![restore time against N](performance.png)", ""]
    with open(OUT_MD, "w") as f:
        f.write("\n".join(lines))


def plot(runs, lim):
    best = max(lim.get("prefault_gbps_par", 0), lim.get("thp_move_gbps_par", 0), 1e-9)
    dat = os.path.join(WORK, "plot.dat")
    meths = sorted({r["method"] for r in runs if not r.get("tag")})
    with open(dat, "w") as f:
        for m in meths:
            f.write("# %s\n" % m)
            for r in runs:
                if r["method"] == m and not r.get("tag"):
                    f.write("%d %.3f\n" % (r["n"], r["restore_s"]))
            f.write("\n\n")
    cmds = ['set terminal png size 900,560', 'set output "%s"' % OUT_PNG,
            'set logscale x 2', 'set xlabel "memory hogs (N x %d MiB)"' % MIB,
            'set ylabel "restore time (s)"', 'set key left top', 'set grid',
            'limit(x) = x * %d / 1024.0 / %f' % (MIB, best)]
    plots = ['"%s" index %d with linespoints title "%s"' % (dat, i, m)
             for i, m in enumerate(meths)]
    plots.append('limit(x) with lines dashtype 2 title "memory at %.2f GB/s (limit)"' % best)
    cmds.append("plot " + ", ".join(plots))
    r = subprocess.run(["gnuplot"], input="\n".join(cmds), capture_output=True, text=True)
    if r.returncode:
        print("bench: gnuplot failed: " + r.stderr)


def main():
    if os.geteuid() != 0:
        print("bench: runs as root (pid_max, all PID methods)")
    ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)	# subreaper: the dumped trees' orphans
    os.makedirs(WORK, exist_ok=True)
    log = lambda s: print("bench: " + s, flush=True)
    log("measuring the limits")
    lim = limits(log)
    runs = []
    meths = methods_allowed()
    for m in meths:
        for n in TASKS:
            log("N=%d method=%s" % (n, m))
            r = one_run(n, m, log)
            if r:
                runs.append(r)
                log("  restore %.2f s, forking %.0f us/task, memory %.2f GB/s, dump %.2f GB/s"
                    % (r["restore_s"], r["fork_us_task"], r["mem_gbps"], r["dump_gbps"]))
    old_max = int(open(PID_MAX).read())
    if old_max != 4194304 and set_pid_max(4194304):
        try:
            for m in [x for x in meths if x != "spin"]:
                for n in (1, 8, 64):
                    if n in TASKS:
                        log("N=%d method=%s pid_max=4194304" % (n, m))
                        r = one_run(n, m, log)
                        if r:
                            r["tag"] = " (pid_max 4194304)"
                            runs.append(r)
        finally:
            set_pid_max(old_max)
    targets, extra = check_targets(runs, lim)
    report(runs, lim, targets, extra)
    plot(runs, lim)
    for what, ok, detail in targets:
        print("%s  %s (%s)" % ("met   " if ok else "MISSED", what, detail))
    print("wrote %s and %s" % (OUT_MD, OUT_PNG))


def check_targets(runs, lim):
    t, extra = [], []
    exact = [r for r in runs if r["method"] in ("set_tid", "ns_last_pid")]
    if exact:
        worst = max(r["fork_us_task"] for r in exact)
        t.append(("forking time per task <= 1 ms with set_tid and ns_last_pid, N = %s, "
                  "pid_max 32768 and 4194304" % ",".join(map(str, TASKS)), worst <= 1000,
                  "worst %.0f us" % worst))
    spin = [r for r in runs if r["method"] == "spin" and r["spun"] is not None]
    if spin:
        worst = max(r["spun"] / lim["pid_max"] for r in spin)
        t.append(("spin crosses the PID space at most once", worst <= 1.0,
                  "worst %.2f passes" % worst))
    best = max(lim.get("faults_4k_gbps_par", 0), lim.get("prefault_gbps_par", 0),
               lim.get("thp_move_gbps_par", 0))
    mem = [r["mem_gbps"] for r in runs if r["n"] >= min(NCPU, 8)]
    if mem and best:
        t.append(("memory restore >= 80%% of the fastest faithful population (%.2f GB/s)" % best,
                  min(mem) >= 0.8 * best, "worst %.2f GB/s at N >= %d" % (min(mem),
                                                                      min(NCPU, 8))))
    dumps = [r["dump_gbps"] for r in runs]
    if dumps:
        t.append(("dump >= 1 GB/s", min(dumps) >= 1.0, "worst %.2f GB/s" % min(dumps)))
    r8 = [r for r in runs if r["n"] == 8 and not r.get("tag") and r["method"] != "spin"]
    naive_rate = lim.get("faults_4k_gbps_par")
    if r8 and naive_rate:
        naive_s = 8 * MIB * 1048576 / naive_rate / 1e9
        best8 = min(r["restore_s"] for r in r8)
        t.append(("restore of 8 x %d MiB >= 2x faster than fault-then-copy" % MIB,
                  naive_s / best8 >= 2, "%.2f s vs %.2f s: %.1fx" % (best8, naive_s,
                                                                     naive_s / best8)))
        extra.append("Fault-then-copy baseline for 8 x %d MiB: %.2f s (4 KiB faults at %.2f "
                     "GB/s with %d processes)." % (MIB, naive_s, naive_rate, min(NCPU, 8)))
    bad = [r for r in runs if not (r["same_pids"] and r["verified"])]
    t.append(("every run restored the same PIDs and memory", not bad,
              "%d of %d runs" % (len(runs) - len(bad), len(runs))))
    return t, extra


if __name__ == "__main__":
    main()
