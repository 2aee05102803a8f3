/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The zdtm test library: start-up and readiness protocol with the runner,
 * verdict reporting, seeded memory patterns and small /proc/self readers.
 * Every test includes only this header from the library.
 */
#ifndef ZDTM_LIB_ZDTMTST_H
#define ZDTM_LIB_ZDTMTST_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PAGE_SZ 4096UL

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Start-up: parse options, daemonize, redirect output to the outfile. */
void test_init(int argc, char **argv);
/* Value of an extra --name=value option, or NULL. */
const char *test_opt(const char *name);
/* Absolute pidfile path (NULL when run by hand, without --pidfile). */
const char *test_pidfile(void);
/* Set-up done: write the pidfile and let the starter exit. */
void test_daemon(void);
/* Block until SIGTERM arrived (other handled signals may come and go). */
void test_waitsig(void);
/* Sleep ms milliseconds of CLOCK_MONOTONIC, through signal interruptions. */
void test_sleep_ms(long ms);
/* True until SIGTERM arrived. */
int test_go(void);
/* Set by the library's SIGTERM handler. */
extern volatile sig_atomic_t test_sigterm;

/* Verdicts: fail() may be called several times; pass() once at the end. */
void pass(void);
void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void test_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Number of fail() calls so far. */
int test_failures(void);
/* Write PASS unless something failed; the value to return from main(). */
int test_result(void);

/* Seeded patterns: the checker knows the seed and the position. */
void pattern_fill(void *buf, size_t len, uint64_t seed);
/* -1 when buf holds the pattern, else the offset of the first bad byte. */
long pattern_check(const void *buf, size_t len, uint64_t seed);
/* -1 when all of buf is zero, else the offset of the first non-zero byte. */
long zero_check(const void *buf, size_t len);

/*
 * Self-checking data: datagen fills buf with pseudo-random bytes from
 * *seed and ends it with their CRC32; datachk verifies that CRC, so a
 * reader needs no seed. len must be at least 8.
 */
void datagen(void *buf, size_t len, uint32_t *seed);
int datachk(const void *buf, size_t len);
uint32_t crc32_buf(uint32_t crc, const void *buf, size_t len);

/* One line of /proc/self/maps. */
struct vma {
	unsigned long start, end;
	char perms[5];
	unsigned long long pgoff, ino;
	char path[256];
};

/* The VMA holding addr: 0, or -1 when none. */
int vma_find(unsigned long addr, struct vma *v);
/* First VMA whose path is name (e.g. "[vdso]"): 0, or -1 when none. */
int vma_find_name(const char *name, struct vma *v);
/* VmFlags of the VMA holding addr, e.g. "rd wr mr mw me ac". */
int vma_vmflags(unsigned long addr, char *buf, size_t len);
/* A "Name: N kB" field of the VMA holding addr in kB, or -1. */
long vma_smaps_kb(unsigned long addr, const char *field);
/* True when the space separated flag list holds flag. */
int vmflags_has(const char *flags, const char *flag);

/* Whole small file into buf (NUL terminated); length or -1. */
long read_file(const char *path, char *buf, size_t len);

/*
 * Process trees (lib/tree.c). Readiness: every member inherits the write
 * end of one pipe and reports once ('+' ready, '!' set-up failed), then
 * closes it; the root counts the reports until EOF, so no member can
 * still be setting up when the runner dumps. Nothing stays open.
 */
struct tree_ids {
	pid_t pid, ppid, pgid, sid;
};

/* Create the pipe; before the first fork. 0 or -1. */
int tree_ready_init(void);
/* In a member: report ok or not and close both ends. */
void tree_ready_done(int ok);
/* In the root: wait for nr '+' reports; 0, or -1 (and fail()) if not. */
int tree_ready_wait(int nr);

void tree_ids_get(struct tree_ids *ids);
/*
 * 0 when pid, ppid, pgid and sid are still those in *was, else fail().
 * A zero ppid is not compared: the root's parent is the starter at first,
 * then the runner, or criu after a restore with -d.
 */
int tree_ids_check(const struct tree_ids *was, const char *who);
/* Reap our child pid and expect it to have exited with code; else fail(). */
int tree_reap(pid_t pid, int code, const char *who);
/* What /proc/PID/stat says of any process, zombies included. */
struct tree_stat {
	char state;
	pid_t ppid, pgid, sid;
	char comm[32];
};

/* 0, or -1 when pid does not exist (or its stat can't be parsed). */
int tree_stat_of(pid_t pid, struct tree_stat *st);
/* Its wait status as text ("exit 3", "signal 9"), for messages. */
const char *tree_status_str(int status, char *buf, size_t len);

#endif
