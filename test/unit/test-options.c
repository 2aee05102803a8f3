// SPDX-License-Identifier: GPL-2.0
/* Command-line parsing: CRIU's spelling, and one clear line for each mistake. */
#include <stdlib.h>

#include "fault.h"
#include "options.h"
#include "unit.h"

static int parse(struct cr_options *o, char *err, const char *const *args)
{
	char *argv[32];
	int argc = 0;

	argv[argc++] = (char *)"criu";
	while (*args)
		argv[argc++] = (char *)*args++;
	argv[argc] = NULL;
	err[0] = 0;
	return options_parse(argc, argv, o, err, 256);
}

#define ARGS(...) ((const char *const[]){ __VA_ARGS__ __VA_OPT__(,) NULL })

UNIT_TEST(options_dump_basic)
{
	struct cr_options o;
	char err[256];

	EXPECT_EQ(parse(&o, err, ARGS("dump", "-t", "42", "-D", "/tmp/x", "-o", "d.log",
				      "-v4", "--leave-running", "--shell-job")), 0);
	EXPECT_EQ(o.cmd, CMD_DUMP);
	EXPECT_EQ(o.tree, 42);
	EXPECT_STR(o.images_dir, "/tmp/x");
	EXPECT_STR(o.log_file, "d.log");
	EXPECT_EQ(o.log_level, 4);
	EXPECT(o.leave_running);
	EXPECT(o.shell_job);
}

UNIT_TEST(options_before_command)
{
	struct cr_options o;
	char err[256];

	EXPECT_EQ(parse(&o, err, ARGS("-D", "img", "--tree=7", "dump")), 0);
	EXPECT_EQ(o.cmd, CMD_DUMP);
	EXPECT_EQ(o.tree, 7);
}

UNIT_TEST(options_restore)
{
	struct cr_options o;
	char err[256];

	EXPECT_EQ(parse(&o, err, ARGS("restore", "-d", "--restore-sibling", "--pidfile", "p",
				      "--pid-method", "ns_last_pid", "--display-stats")), 0);
	EXPECT_EQ(o.cmd, CMD_RESTORE);
	EXPECT(o.restore_detached && o.restore_sibling && o.display_stats);
	EXPECT_STR(o.pidfile, "p");
	EXPECT_EQ(o.pid_method, PID_METHOD_NS_LAST_PID);
}

UNIT_TEST(options_verbosity)
{
	struct cr_options o;
	char err[256];

	EXPECT_EQ(parse(&o, err, ARGS("check")), 0);
	EXPECT_EQ(o.log_level, 2);
	EXPECT_EQ(parse(&o, err, ARGS("-v", "check")), 0);
	EXPECT_EQ(o.log_level, 3);
	EXPECT_EQ(parse(&o, err, ARGS("-vv", "check")), 0);
	EXPECT_EQ(o.log_level, 4);
	EXPECT_EQ(parse(&o, err, ARGS("-v0", "check")), 0);
	EXPECT_EQ(o.log_level, 0);
	EXPECT_EQ(parse(&o, err, ARGS("-v9", "check")), -1);
	EXPECT_HAS(err, "verbosity");
}

UNIT_TEST(options_check_features)
{
	struct cr_options o;
	char err[256];

	EXPECT_EQ(parse(&o, err, ARGS("check", "--feature", "clone3_set_tid", "--feature",
				      "ns_last_pid")), 0);
	EXPECT_EQ(o.nr_features, 2);
	EXPECT_STR(o.features[1], "ns_last_pid");
	EXPECT_EQ(parse(&o, err, ARGS("check", "--all")), 0);
	EXPECT(o.check_all);
}

UNIT_TEST(options_errors_name_the_problem)
{
	struct cr_options o;
	char err[256];

	EXPECT_EQ(parse(&o, err, ARGS("frobnicate")), -1);
	EXPECT_STR(err, "unknown command 'frobnicate'");
	EXPECT_EQ(parse(&o, err, ARGS("dump", "--no-such-option")), -1);
	EXPECT_STR(err, "unknown option '--no-such-option'");
	EXPECT_EQ(parse(&o, err, ARGS("dump", "-Z")), -1);
	EXPECT_STR(err, "unknown option '-Z'");
	EXPECT_EQ(parse(&o, err, ARGS("dump", "-t")), -1);
	EXPECT_HAS(err, "needs an argument");
	EXPECT_EQ(parse(&o, err, ARGS("dump", "--tree")), -1);
	EXPECT_HAS(err, "'--tree' needs an argument");
	EXPECT_EQ(parse(&o, err, ARGS("dump", "-t", "12x")), -1);
	EXPECT_HAS(err, "bad pid");
	EXPECT_EQ(parse(&o, err, ARGS("dump")), -1);
	EXPECT_HAS(err, "-t PID");
	EXPECT_EQ(parse(&o, err, ARGS()), -1);
	EXPECT_HAS(err, "no command");
	EXPECT_EQ(parse(&o, err, ARGS("restore", "--pid-method", "magic")), -1);
	EXPECT_HAS(err, "--pid-method");
	EXPECT_EQ(parse(&o, err, ARGS("dump", "dump")), -1);
	EXPECT_HAS(err, "unexpected argument");
}

UNIT_TEST(options_unimplemented_are_errors)
{
	struct cr_options o;
	char err[256];

	EXPECT_EQ(parse(&o, err, ARGS("dump", "-t", "1", "--tcp-established")), -1);
	EXPECT_STR(err, "option '--tcp-established' is not supported yet");
	EXPECT_EQ(parse(&o, err, ARGS("pre-dump", "-t", "1")), -1);
	EXPECT_STR(err, "command 'pre-dump' is not supported yet");
	EXPECT_EQ(parse(&o, err, ARGS("restore", "--leave-running")), -1);
	EXPECT_HAS(err, "does not apply to 'restore'");
	EXPECT_EQ(parse(&o, err, ARGS("dump", "-t", "1", "-R", "-s")), -1);
	EXPECT_HAS(err, "exclude");
	EXPECT_EQ(parse(&o, err, ARGS("restore", "--restore-sibling")), -1);
	EXPECT_HAS(err, "--restore-detached");
}

UNIT_TEST(options_version_needs_no_command)
{
	struct cr_options o;
	char err[256];

	EXPECT_EQ(parse(&o, err, ARGS("--version")), 0);
	EXPECT(o.show_version);
	EXPECT_EQ(parse(&o, err, ARGS("-V")), 0);
	EXPECT(o.show_version);
}

UNIT_TEST(options_ext_unix_sk)
{
	struct cr_options o;
	char err[256];

	EXPECT_EQ(parse(&o, err, ARGS("dump", "-t", "1", "--ext-unix-sk")), 0);
	EXPECT(o.ext_unix_sk);
	EXPECT_EQ(o.nr_ext_unix_inos, 0);
	EXPECT_EQ(parse(&o, err, ARGS("dump", "-t", "1", "--ext-unix-sk=12,34", "-x56")), 0);
	EXPECT(o.ext_unix_sk);
	EXPECT_EQ(o.nr_ext_unix_inos, 3);
	EXPECT(opts_ext_unix_ino(&o, 34) && opts_ext_unix_ino(&o, 56));
	EXPECT(!opts_ext_unix_ino(&o, 35));
	EXPECT_EQ(parse(&o, err, ARGS("restore", "-x")), 0);
	EXPECT(o.ext_unix_sk);
	EXPECT_EQ(parse(&o, err, ARGS("dump", "-t", "1", "--ext-unix-sk=12,x")), -1);
	EXPECT_STR(err, "bad socket inode list '12,x' for --ext-unix-sk");
	EXPECT_EQ(parse(&o, err, ARGS("dump", "-t", "1", "--ext-unix-sk=0")), -1);
	EXPECT_EQ(parse(&o, err, ARGS("check", "--ext-unix-sk")), -1);
	EXPECT_STR(err, "option '--ext-unix-sk' does not apply to 'check'");
}

UNIT_TEST(options_file_locks)
{
	struct cr_options o;
	char err[256];

	EXPECT_EQ(parse(&o, err, ARGS("dump", "-t", "1", "--file-locks")), 0);
	EXPECT(o.file_locks);
	EXPECT_EQ(parse(&o, err, ARGS("restore", "-l")), 0);
	EXPECT(o.file_locks);
	EXPECT_EQ(parse(&o, err, ARGS("restore")), 0);
	EXPECT(!o.file_locks && !o.ext_unix_sk);
	EXPECT_EQ(parse(&o, err, ARGS("check", "-l")), -1);
	EXPECT_STR(err, "option '--file-locks' does not apply to 'check'");
}

/* CRIU_FAULT: a code this criu does not inject is refused, not ignored. */
UNIT_TEST(options_fault_codes)
{
	char err[256];

	setenv("CRIU_FAULT", "1", 1);	/* CRIU's FI_DUMP_EARLY: not ours */
	EXPECT_EQ(fault_init(err, sizeof(err)), -1);
	EXPECT_HAS(err, "CRIU_FAULT=1: not a fault this criu injects");
	setenv("CRIU_FAULT", "1001x", 1);
	EXPECT_EQ(fault_init(err, sizeof(err)), -1);
	EXPECT_EQ(fi_strategy, FI_NONE);
	setenv("CRIU_FAULT", "1001", 1);
	EXPECT_EQ(fault_init(err, sizeof(err)), 0);
	EXPECT_EQ(fi_strategy, FI_RESTORE_KILLED_IN_CLONE);
	setenv("CRIU_FAULT", "1002", 1);
	EXPECT_EQ(fault_init(err, sizeof(err)), 0);
	EXPECT_EQ(fi_strategy, FI_DUMP_LATE);
	fi_strategy = FI_NONE;
	unsetenv("CRIU_FAULT");
	EXPECT_EQ(fault_init(err, sizeof(err)), 0);
	EXPECT_EQ(fi_strategy, FI_NONE);
}
