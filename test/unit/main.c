// SPDX-License-Identifier: GPL-2.0
/* Runs the registered unit tests and prints TAP; exit status 1 on any failure. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "log.h"
#include "unit.h"

static struct unit_case *cases, **tail = &cases;
static int failed_now;
static char tmpdir[256];

void unit_register(struct unit_case *c)
{
	*tail = c;
	tail = &c->next;
}

void unit_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	printf("#   %s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	failed_now = 1;
}

const char *unit_tmpdir(void)
{
	if (!tmpdir[0]) {
		snprintf(tmpdir, sizeof(tmpdir), "/tmp/criu-unit-XXXXXX");
		if (!mkdtemp(tmpdir)) {
			perror("mkdtemp");
			exit(2);
		}
	}
	return tmpdir;
}

static void drop_tmpdir(void)
{
	char cmd[300];

	if (!tmpdir[0])
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd))
		printf("# could not remove %s\n", tmpdir);
	tmpdir[0] = 0;
}

static int selected(const struct unit_case *c, int argc, char **argv)
{
	if (argc < 2)
		return 1;
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], c->name))
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	int n = 0, bad = 0, i = 0;

	/* Errors the code under test logs go to stderr, out of the TAP stream. */
	if (log_init(NULL, AT_FDCWD) == 0)
		log_set_level(getenv("UNIT_VERBOSE") ? LOG_DEBUG : LOG_MSG);
	for (struct unit_case *c = cases; c; c = c->next)
		n += selected(c, argc, argv);
	printf("1..%d\n", n);
	for (struct unit_case *c = cases; c; c = c->next) {
		if (!selected(c, argc, argv))
			continue;
		failed_now = 0;
		c->fn();
		drop_tmpdir();
		printf("%s %d - %s\n", failed_now ? "not ok" : "ok", ++i, c->name);
		bad += failed_now;
	}
	printf("# %d passed, %d failed\n", n - bad, bad);
	return bad ? 1 : 0;
}
