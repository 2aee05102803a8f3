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

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "test", "zdtm"))
import zdtm_proc as zp  # noqa: E402 (pid_max, shared with the test runner)

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


def wait_gone(pids):
    for _ in range(500):
        reap()
        if not any(os.path.exists("/proc/%d" % p) for p in pids):
            return True
        time.sleep(0.01)
    return False


def restore_once(n, method, img, outlog, root, before, log):
    """Restore, check the PIDs and (through the hogs) every byte, then end
    the tree; a dict of numbers, or None."""
    seen = open(outlog).read().count("verified")
    rc, rout, rest_s, rest_rss = run_timed([CRIU, "restore", "-D", img, "-d", "-o",
                                            "restore.log", "--display-stats",
                                            "--pid-method", method])
    if rc:
        try:
            errs = [l for l in open(os.path.join(img, "restore.log"), errors="replace")
                    if "Error" in l]
        except OSError:
            errs = ["(no restore.log)"]
        log("restore failed: " + (rout[-800:] + "".join(errs[-5:])).strip())
        return None
    after = [root] + sorted(children(root))
    for p in after[1:]:
        os.kill(p, signal.SIGTERM)
    deadline = time.time() + 120
    while open(outlog).read().count("verified") < seen + n and time.time() < deadline:
        time.sleep(0.05)
    verified = open(outlog).read().count("verified") - seen
    for p in after:
        try:
            os.kill(p, signal.SIGKILL)
        except OSError:
            pass
    wait_gone(after)
    mem_us = stat_value(rout, "Memory restore time") or 0
    return {
        "same_pids": after == before, "verified": verified == n,
        "restore_s": rest_s, "restore_rss": rest_rss,
        "fork_us": stat_value(rout, "Forking time") or 0,
        "fork_us_task": (stat_value(rout, "Forking time") or 0) / (n + 1),
        "mem_gbps": (stat_value(rout, "Memory pages restored") or 0) * 4096 / mem_us / 1e3
        if mem_us else 0,
        "spun": stat_value(rout, "PIDs spun through"),
    }


RESTORES = 6
DUMPS = 3


def one_run(n, method, log):
    """Dump a Memhog tree and restore it RESTORES times; a dict of numbers,
    or None. Filling fresh memory costs very different amounts from one
    moment to the next on a VM, so the page population limit is measured in
    the same shape (N processes of MIB each) just before each restore, and
    the best restore is compared with the best of as many limits (an extra
    limit sample would favour the limit). Forking time is the median of the
    restores: one exact PID here cost 60 us on one day, 600 us on another."""
    d = os.path.join(WORK, "run")
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    outlog = os.path.join(d, "out.log")
    script = ("i=0; while [ $i -lt %d ]; do i=$((i+1)); %s %d $i & done; wait"
              % (n, MEMHOG, MIB))
    # O_APPEND: a log may grow between dump and restore (no size check)
    with open(outlog, "a") as out:
        tree = subprocess.Popen(["sh", "-c", script], stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    while open(outlog).read().count("ready") < n:
        if tree.poll() is not None:
            log("memhog tree died")
            return None
        time.sleep(0.05)
    before = [tree.pid] + sorted(children(tree.pid))
    img = os.path.join(d, "img")
    # One dump is one sample of this VM's noise (the same dump took 0.26 s
    # and 0.58 s in one hour), so the tree is dumped DUMPS times, all but the
    # last with --leave-running, and the fastest counts, as for the restores.
    dumps = []
    for i in range(DUMPS):
        last = i == DUMPS - 1
        where = img if last else img + ".try"
        # what writing the same amount to the page cache costs at this moment
        subprocess.run(["sync"])
        wlim = parse_kv(sh([LIMITS, "write", os.path.join(WORK, "write.dat"),
                            str(n * MIB)]).stdout)
        subprocess.run(["sync"])
        rc, out, dump_s, dump_rss = run_timed([CRIU, "dump", "-t", str(tree.pid), "-D", where,
                                                "-o", "dump.log", "--display-stats"]
                                               + ([] if last else ["--leave-running"]))
        if not last:
            shutil.rmtree(where, ignore_errors=True)
        if rc:
            break
        dumps.append({"s": dump_s, "rss": dump_rss, "write_gbps": wlim.get("write_gbps", 0),
                      "pages": stat_value(out, "Memory pages written") or 0})
    if rc:
        # a failed dump leaves the tree running
        os.killpg(tree.pid, signal.SIGKILL)
    tree.wait()
    wait_gone(before)
    if rc:
        log("dump failed: " + out[-500:])
        return None
    pages = dumps[-1]["pages"]
    fastest = min(dumps, key=lambda x: x["s"])
    log("  dump s: %s" % " ".join("%.2f" % x["s"] for x in dumps))
    subprocess.run(["sync"])
    lims, tries = [], []
    sources = hog_images(img)
    for i in range(RESTORES):
        lims.append(mem_limit(n, "thp_move,prefault" + (",faults_4k" if n == 8 and not i else ""),
                              sources))
        r = restore_once(n, method, img, outlog, tree.pid, before, log)
        if not r:
            return None
        tries.append(r)
    shutil.rmtree(d, ignore_errors=True)
    best = max(tries, key=lambda r: r["mem_gbps"])
    faithful = [faithful_limit(l) for l in lims]
    pairs = [r["mem_gbps"] / lim for lim, r in zip(faithful, tries) if lim]
    log("  memory GB/s of each restore: %s; the limit just before each: %s" % (
        " ".join("%.2f" % r["mem_gbps"] for r in tries),
        " ".join("%.2f" % lim for lim in faithful)))
    best.update({
        "pair_ratio": median(pairs) if pairs else 0,
        "n": n, "method": method, "bytes": pages * 4096,
        "same_pids": all(r["same_pids"] for r in tries),
        "verified": all(r["verified"] for r in tries),
        "restore_s": min(r["restore_s"] for r in tries),
        "fork_us": median([r["fork_us"] for r in tries]),
        "fork_us_task": median([r["fork_us_task"] for r in tries]),
        "fork_us_task_min": min(r["fork_us_task"] for r in tries),
        "dump_s": fastest["s"],
        "dump_gbps": fastest["pages"] * 4096 / fastest["s"] / 1e9 if fastest["s"] else 0,
        "dump_rss": max(x["rss"] for x in dumps), "restore_rss": max(r["restore_rss"] for r in tries),
        "write_gbps": fastest["write_gbps"],
        "mem_limit": max(faithful),
        "naive_gbps": lims[0].get("faults_4k_gbps"),
    })
    return best


def faithful_limit(sample):
    """The faster faithful method of one limit sample (VmFlags unchanged)."""
    return max([v for k, v in sample.items() if k in ("thp_move_gbps", "prefault_gbps")] or [0])


def median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2] if len(xs) % 2 else (xs[len(xs) // 2 - 1] + xs[len(xs) // 2]) / 2


# This VM hands freed memory back to its host (virtio balloon free page
# reporting, blocks of 2^page_reporting_order pages), and memory touched again
# after that costs the host's faults too: the same fill ran at 0.3 to 12 GB/s
# from one minute to the next. The order's limit is not checked: above the
# largest buddy order (10), no free block qualifies and nothing is reported
# (16 GiB freed and left 30 s: nothing reported; refilled at 6.3-7.2 GB/s,
# against 0.33 GB/s with the default order 9). min_free_ms holds blocks for
# at most 300 s and let 10-12 GiB of 16 go within 30 s.
REPORTING = "/sys/module/page_reporting/parameters/page_reporting_order"
REPORTING_HOLD = 11


def hold_page_reporting(log):
    """Keep freed memory with the VM during the run; the old value, or None."""
    if os.environ.get("BENCH_VM_AS_IS") or not os.path.exists(REPORTING):
        return None
    try:
        old = open(REPORTING).read().strip()
        with open(REPORTING, "w") as f:
            f.write(str(REPORTING_HOLD))
    except OSError as e:
        log("can't hold back free page reporting: %s" % e)
        return None
    log("free page reporting held back for the run (page_reporting_order %s -> %d)"
        % (old, REPORTING_HOLD))
    return old


def release_page_reporting(old):
    if old is not None:
        with open(REPORTING, "w") as f:
            f.write(old)


def warm_memory(log):
    """Touch the free memory once, so the host backs what it had taken back."""
    free = 0
    for line in open("/proc/meminfo"):
        if line.startswith("MemFree:"):
            free = int(line.split()[1]) // 1024
    mib = free - 1024
    if mib <= 0:
        return None
    r = sh([LIMITS, "warm", str(mib)])
    gbps = parse_kv(r.stdout).get("warm_gbps") if r.returncode == 0 else None
    log("touched %d MiB of free memory once: %s GB/s" % (mib, fmt(gbps)))
    return mib, gbps


def populate_file(fresh=False):
    data = os.path.join(WORK, "populate.dat")
    mib = max(1024, MIB)
    if fresh or not os.path.exists(data) or os.path.getsize(data) != mib << 20:
        with open(data, "wb") as f:
            for _ in range(mib):
                f.write(os.urandom(1 << 20))
    return data


def parse_kv(text):
    out = {}
    for line in text.splitlines():
        k, v = line.split()
        out[k] = float(v)
    return out


def hog_images(img):
    """The pages images of the hogs, which the restore reads: the limit reads
    them too, one per process, so that both meet the same page cache (a file
    read back from disk sits in smaller folios and was 30% slower to read here
    than one just written, as the dump's images are)."""
    big = [os.path.join(img, f) for f in os.listdir(img)
           if f.startswith("pages-") and os.path.getsize(os.path.join(img, f)) >= MIB << 20]
    return ",".join(sorted(big)) or populate_file()


def mem_limit(n, which, sources):
    """GB/s of filling N x MIB of fresh memory from the page cache, N at once."""
    return parse_kv(sh([LIMITS, "populate", sources, str(MIB), str(n), which]).stdout)


def limits(log):
    lim = {}
    # written now: a copy left from an earlier run may have been read back
    # from disk since, into smaller folios (see hog_images)
    data = populate_file(fresh=True)
    mib = 1024
    for jobs, tag in ((1, "1"), (min(NCPU, 8), "par")):
        r = sh([LIMITS, "populate", data, str(mib // jobs), str(jobs)])
        for k, v in parse_kv(r.stdout).items():
            lim["%s_%s" % (k, tag)] = v
    # children stay alive until all exist, as in a restored tree
    for m, count in (("set_tid", 64), ("ns_last_pid", 64), ("spin", 3000)):
        r = sh([LIMITS, "pid", m, str(count)])
        for line in r.stdout.splitlines():
            k, v = line.split()
            lim[k] = float(v)
        if r.returncode:
            log("pid cost %s: %s" % (m, r.stderr.strip()))
    pid_max = zp.pid_max()
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


VM_STATE = "Free page reporting of the VM: left as it was."


def report(runs, lim, targets, extra):
    par = min(NCPU, 8)
    lines = ["# Performance", "",
             "Measured by `make bench` on %s, %s." % (
                 datetime.date.today().isoformat(), machine()), "",
             "Memhog shape: `/bin/sh` with N memory hogs of %d MiB each (seeded random data);"
             " every run checks the PIDs and every byte after restore." % MIB, "",
             "## Limits of this machine (same run)", "",
             "Filling fresh memory costs very different amounts from one moment to the next"
             " here (a VM: memory the host has not backed yet is slow to touch), so each run"
             " below also measures its own limit, in the state it meets. At the start of the"
             " run, 1 GiB:", "",
             "| what | single process | %d at once |" % par, "|---|---|---|"]
    for k, name in (("faults_4k_gbps", "populate fresh memory from the page cache, 4 KiB "
                                        "faults (GB/s)"),
                    ("prefault_gbps", "the same after MADV_POPULATE_WRITE (GB/s)"),
                    ("thp_gbps", "the same with MADV_HUGEPAGE (GB/s; changes VmFlags)"),
                    ("thp_move_gbps", "huge pages filled aside and moved in with UFFDIO_MOVE "
                                      "(GB/s; VmFlags unchanged)")):
        lines.append("| %s | %s | %s |" % (name, fmt(lim.get(k + "_1")),
                                           fmt(lim.get(k + "_par"))))
    lines += ["", "| exact PID per method (64 children, alive until all exist) | cost |",
              "|---|---|",
              "| clone3 + set_tid | %s us |" % fmt(lim.get("set_tid_us"), "%.0f"),
              "| write ns_last_pid + fork | %s us |" % fmt(lim.get("ns_last_pid_us"), "%.0f"),
              "| spin: one pass = pid_max %d / %s forks/s | %s s |" % (
                  lim["pid_max"], fmt(lim.get("fork_rate"), "%.0f"),
                  fmt(lim.get("spin_pass_s"), "%.1f")),
              "", "## Runs", "",
              "Each run dumps the tree %d times (all but the last with --leave-running; dump"
              " time and throughput are the fastest of them) and restores it %d times (each"
              " time checking every"
              " PID and every byte); restore time and memory throughput are the best of them,"
              " forking time their median (in brackets the fastest). Memory limit: the faster"
              " of MADV_POPULATE_WRITE and huge pages moved in, N processes of %d MiB at once,"
              " each reading one of the dump's pages images (the page cache the restore reads),"
              " measured just before each restore (the best of them: as many samples as"
              " restores, so that the noise of this VM favours neither side). The target is"
              " judged on the best against the best; beside it, the median of the %d ratios"
              " of each restore to the limit measured just before it." % (DUMPS, RESTORES, MIB,
                                                                        RESTORES),
              "",
              VM_STATE, "",
              "Page cache write: writing as many bytes as the dump to a new file, just"
              " before the fastest dump.", "",
              "| N | method | dump s | dump GB/s | page cache write GB/s | criu RSS dump MiB |"
              " restore s | forking ms | forking per task us (fastest) | memory GB/s"
              " | memory limit GB/s"
              " | of limit | of limit, median of pairs | criu RSS restore MiB | PIDs spun |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in runs:
        lines.append("| %d | %s | %.2f | %.2f | %.2f | %.0f | %.2f | %.1f | %.0f (%.0f) | %.2f |"
                     " %.2f | %s | %s | %.0f | %s |" % (
                         r["n"], r["method"] + r.get("tag", ""), r["dump_s"], r["dump_gbps"],
                         r["write_gbps"], r["dump_rss"], r["restore_s"], r["fork_us"] / 1000,
                         r["fork_us_task"], r["fork_us_task_min"],
                         r["mem_gbps"], r["mem_limit"],
                         "%.0f%%" % (100 * r["mem_gbps"] / r["mem_limit"]) if r["mem_limit"]
                         else "-",
                         "%.0f%%" % (100 * r["pair_ratio"]) if r.get("pair_ratio") else "-",
                         r["restore_rss"], fmt(r["spun"], "%.0f")))
    lines += [""] + extra + ["", "## Targets", ""]
    lines += ["- %s: %s (%s)" % ("met" if ok else "MISSED", what, detail)
              for what, ok, detail in targets]
    lines += ["", "![restore time against N](performance.png)", ""]
    with open(OUT_MD, "w") as f:
        f.write("\n".join(lines))


def plot(runs, lim):
    dat = os.path.join(WORK, "plot.dat")
    meths = sorted({r["method"] for r in runs if not r.get("tag")})
    floor_us = lim.get("set_tid_us") or 0
    with open(dat, "w") as f:
        for m in meths:
            f.write("# %s\n" % m)
            for r in runs:
                if r["method"] == m and not r.get("tag"):
                    f.write("%d %.3f\n" % (r["n"], r["restore_s"]))
            f.write("\n\n")
        # the limit: memory at the rate measured for that run, plus one
        # exact PID per task at the machine's cost
        f.write("# limit\n")
        for r in runs:
            if r["method"] == meths[0] and not r.get("tag") and r["mem_limit"]:
                f.write("%d %.3f\n" % (r["n"], r["bytes"] / r["mem_limit"] / 1e9 +
                                       (r["n"] + 1) * floor_us / 1e6))
    cmds = ['set terminal png size 900,560 noenhanced', 'set output "%s"' % OUT_PNG,
            'set logscale x 2', 'set xlabel "memory hogs (N x %d MiB)"' % MIB,
            'set ylabel "restore time (s)"', 'set grid',
            # spin sits seconds above the rest: a log scale keeps both readable;
            # a key gnuplot cannot fit (a long title) is left out without an error
            'set logscale y 10', 'set key left top Left reverse']
    plots = ['"%s" index %d with linespoints lw 2 title "%s"' % (dat, i, m)
             for i, m in enumerate(meths)]
    plots.append('"%s" index %d with lines lw 2 lc "black" title "limit: memory at the measured'
                 ' rate + one set_tid fork per task"' % (dat, len(meths)))
    cmds.append("plot " + ", ".join(plots))
    r = subprocess.run(["gnuplot"], input="\n".join(cmds), capture_output=True, text=True)
    if r.returncode:
        print("bench: gnuplot failed: " + r.stderr)


def main_runs(log):
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
    return lim, runs, meths


def main():
    if os.geteuid() != 0:
        sys.exit("bench: runs as root (pid_max, page reporting, all PID methods)")
    ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)	# subreaper: the dumped trees' orphans
    os.makedirs(WORK, exist_ok=True)
    log = lambda s: print("bench: " + s, flush=True)
    # pid_max and page reporting are put back on the way out, killed or not
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    # The main runs use the kernel's default pid_max, where one spinning pass
    # takes about a second; the large value some distributions set comes after.
    # A test run beside the bench would be in its timings and share pid_max.
    hold = zp.own_pid_max()
    if hold is None:
        sys.exit("bench: a zdtm run is going on (it holds %s); run the bench alone"
                 % zp.PID_MAX_FILE)
    old_max = hold.old
    try:
        if old_max != zp.PID_MAX_FOR_TESTS and not zp.set_pid_max(zp.PID_MAX_FOR_TESTS):
            log("cannot set pid_max to %d; the runs use %d" % (zp.PID_MAX_FOR_TESTS, old_max))
        old_reporting = hold_page_reporting(log)
        try:
            bench_all(log, old_max, old_reporting)
        finally:
            release_page_reporting(old_reporting)
    finally:
        hold.release()


def bench_all(log, old_max, old_reporting):
    global VM_STATE
    if old_reporting is not None:
        warmed = warm_memory(log)
        VM_STATE = ("Free page reporting of the VM (`%s` was %s): this VM hands freed memory"
                    " back to its host, and touching it again then costs the host's faults too"
                    " (the same fill ran at 0.3 to 12 GB/s from one minute to the next). Set to"
                    " %d for the run, above the largest block the kernel has, so that nothing"
                    " is reported; put back after. `BENCH_VM_AS_IS=1` leaves it. Then the free"
                    " memory was touched once (%s MiB at %s GB/s), so that the limits and the"
                    " restores all meet memory the host backs."
                    % (REPORTING, old_reporting, REPORTING_HOLD,
                       warmed[0] if warmed else "-", fmt(warmed[1]) if warmed else "-"))
    lim, runs, meths = main_runs(log)
    if zp.set_pid_max(4194304):
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
            zp.set_pid_max(old_max)
    targets, extra = check_targets(runs, lim)
    report(runs, lim, targets, extra)
    plot(runs, lim)
    for what, ok, detail in targets:
        print("%s  %s (%s)" % ("met   " if ok else "MISSED", what, detail))
    print("wrote %s and %s" % (OUT_MD, OUT_PNG))


def check_targets(runs, lim):
    t, extra = [], []
    for m in ("set_tid", "ns_last_pid"):
        mine = [r for r in runs if r["method"] == m]
        if not mine:
            continue
        worst = max(r["fork_us_task"] for r in mine)
        floor = lim.get("%s_us" % m)
        t.append(("forking time per task <= 1 ms with %s, N = %s, pid_max 32768 and 4194304"
                  % (m, ",".join(map(str, TASKS))), worst <= 1000,
                  "worst %.0f us; one exact PID costs %s us on this machine with nothing else"
                  " to do" % (worst, fmt(floor, "%.0f"))))
        # Flat asks whether the cost grows with N or pid_max. Other tenants of
        # this VM only ever add time, in bursts that can cover two of a run's
        # restores (N = 16 once took 240 us per task as a median, 79-132 us in
        # ten restores by hand): each run's fastest restore is its cost.
        fast = [r["fork_us_task_min"] for r in mine]
        spread = max(fast) / max(min(fast), 1)
        t.append(("forking time per task flat in N and pid_max with %s (worst / best <= 2, the"
                  " fastest restore of each run)" % m, spread <= 2,
                  "%.1fx: %.0f to %.0f us; medians %.0f to %.0f us" % (
                      spread, min(fast), max(fast), min(r["fork_us_task"] for r in mine),
                      max(r["fork_us_task"] for r in mine))))
    spin = [r for r in runs if r["method"] == "spin" and r["spun"] is not None]
    if spin:
        worst = max(r["spun"] / lim["pid_max"] for r in spin)
        t.append(("spin crosses the PID space at most once", worst <= 1.0,
                  "worst %.2f passes" % worst))
    par = min(NCPU, 8)
    mem = [r for r in runs if r["n"] >= par and r["mem_limit"]]
    if mem:
        worst = min(mem, key=lambda r: r["mem_gbps"] / r["mem_limit"])
        t.append(("memory restore >= 80%% of the fastest faithful population measured in the"
                  " same state, N >= %d" % par,
                  worst["mem_gbps"] >= 0.8 * worst["mem_limit"],
                  "worst %.0f%%: %.2f of %.2f GB/s at N = %d, %s; the median of its restores'"
                  " ratios to the limit just before each: %.0f%%" % (
                      100 * worst["mem_gbps"] / worst["mem_limit"], worst["mem_gbps"],
                      worst["mem_limit"], worst["n"], worst["method"],
                      100 * worst.get("pair_ratio", 0))))
    dumps = [r for r in runs if r["n"] >= par]
    if dumps:
        worst = min(dumps, key=lambda r: r["dump_gbps"])
        t.append(("dump >= 1 GB/s, N >= %d" % par, worst["dump_gbps"] >= 1.0,
                  "worst %.2f GB/s at N = %d, when writing to the page cache ran at %.2f GB/s"
                  % (worst["dump_gbps"], worst["n"], worst["write_gbps"])))
    rss = [max(r["dump_rss"], r["restore_rss"]) for r in runs]
    if rss:
        t.append(("criu's memory bounded, not proportional to the image size", max(rss) < 256,
                  "peak RSS %.0f MiB for images up to %.1f GiB" % (
                      max(rss), max(r["bytes"] for r in runs) / 2**30)))
    r8 = [r for r in runs if r["n"] == 8 and not r.get("tag") and r["method"] != "spin"
          and r.get("naive_gbps")]
    if r8:
        best8 = min(r8, key=lambda r: r["restore_s"])
        naive_s = best8["bytes"] / best8["naive_gbps"] / 1e9
        t.append(("restore of 8 x %d MiB >= 2x faster than fault-then-copy" % MIB,
                  naive_s / best8["restore_s"] >= 2, "%.2f s vs %.2f s: %.1fx" % (
                      best8["restore_s"], naive_s, naive_s / best8["restore_s"])))
        extra.append("Fault-then-copy baseline for 8 x %d MiB: %.2f s (8 processes filling"
                     " fresh memory by 4 KiB faults from the page cache at %.2f GB/s, measured"
                     " just before that restore)." % (MIB, naive_s, best8["naive_gbps"]))
    bad = [r for r in runs if not (r["same_pids"] and r["verified"])]
    t.append(("every run restored the same PIDs and memory", not bad,
              "%d of %d runs" % (len(runs) - len(bad), len(runs))))
    return t, extra


if __name__ == "__main__":
    main()
