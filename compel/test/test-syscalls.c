// SPDX-License-Identifier: GPL-2.0
/*
 * The generated <compel/syscalls.h> against the kernel headers: including
 * <sys/syscall.h> first turns every _Static_assert in it into a check of
 * syscalls.tbl. Then a few wrappers run for real, from host code.
 */
#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <compel/syscalls.h>

static int nr_test, failed;

static void check(int ok, const char *what)
{
	printf("%sok %d - %s\n", ok ? "" : "not ", ++nr_test, what);
	if (!ok)
		failed = 1;
}

int main(void)
{
	char name[16] = "", buf[8] = "";
	long addr, ret;
	int p[2];

	check(sys_getpid() == getpid() && sys_gettid() == gettid(), "getpid, gettid");
	check(sys_close(-1) == -EBADF, "errors come back as -errno");

	check(sys_pipe2(p, O_CLOEXEC) == 0, "pipe2 (two-argument wrapper)");
	check(sys_write(p[1], "abc", 3) == 3 && sys_read(p[0], buf, sizeof(buf)) == 3 &&
	      !strcmp(buf, "abc"), "write, read");
	sys_close(p[0]);
	sys_close(p[1]);

	addr = sys_mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	check(addr > 0, "mmap (six arguments, r10/r8/r9)");
	if (addr > 0) {
		*(volatile long *)addr = 42;
		check(sys_munmap((void *)addr, 4096) == 0, "munmap");
	}

	ret = sys_prctl(PR_GET_NAME, (unsigned long)name, 0, 0, 0);
	check(ret == 0 && name[0], "prctl (five arguments)");
	check(sys_rt_sigprocmask(SIG_BLOCK, NULL, buf, 8) == 0, "rt_sigprocmask");

	printf("# %d tests, %s\n", nr_test, failed ? "FAILED" : "all passed");
	return failed;
}
