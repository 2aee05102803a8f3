// SPDX-License-Identifier: GPL-2.0
/*
 * proc-self: what /proc/self shows of the process's identity stays the
 * same: cmdline, environ, auxv, the exe link, session and process group
 * (the test leads its own session), and the parent is still alive.
 */
#include <string.h>
#include <unistd.h>

#include "zdtmtst.h"

struct snap {
	char cmdline[4096], environ[16384], auxv[1024], exe[4096];
	long cmdline_len, environ_len, auxv_len;
	pid_t sid, pgid;
};

static struct snap before, now;

static int take(struct snap *s)
{
	ssize_t n;

	s->cmdline_len = read_file("/proc/self/cmdline", s->cmdline, sizeof(s->cmdline));
	s->environ_len = read_file("/proc/self/environ", s->environ, sizeof(s->environ));
	s->auxv_len = read_file("/proc/self/auxv", s->auxv, sizeof(s->auxv));
	n = readlink("/proc/self/exe", s->exe, sizeof(s->exe) - 1);
	s->exe[n > 0 ? n : 0] = '\0';
	s->sid = getsid(0);
	s->pgid = getpgid(0);
	return s->cmdline_len > 0 && s->auxv_len > 0 && n > 0 ? 0 : -1;
}

static void compare(const char *what, const char *a, long alen, const char *b, long blen)
{
	if (alen != blen || memcmp(a, b, alen))
		fail("/proc/self/%s changed (%ld -> %ld bytes)", what, alen, blen);
}

int main(int argc, char **argv)
{
	test_init(argc, argv);
	if (take(&before)) {
		fail("can't read /proc/self");
		return 1;
	}
	if (before.sid != getpid() || before.pgid != getpid()) {
		fail("test is not a session leader (sid %d)", before.sid);
		return 1;
	}
	test_daemon();
	test_waitsig();

	if (take(&now))
		fail("can't read /proc/self after restore");
	compare("cmdline", before.cmdline, before.cmdline_len, now.cmdline, now.cmdline_len);
	compare("environ", before.environ, before.environ_len, now.environ, now.environ_len);
	compare("auxv", before.auxv, before.auxv_len, now.auxv, now.auxv_len);
	if (strcmp(before.exe, now.exe))
		fail("exe was '%s', now '%s'", before.exe, now.exe);
	if (now.sid != before.sid || now.pgid != before.pgid)
		fail("sid/pgid were %d/%d, now %d/%d", before.sid, before.pgid, now.sid, now.pgid);
	if (getppid() <= 0 || kill(getppid(), 0))
		fail("parent %d is gone", getppid());
	return test_result();
}
