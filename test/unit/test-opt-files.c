// SPDX-License-Identifier: GPL-2.0
/* --inherit-fd, --external and --file-validation: CRIU's spellings, canonical keys. */
#include "options.h"
#include "unit.h"

static int inh(const char *arg, struct cr_inherit_fd *o, char *err)
{
	err[0] = 0;
	return options_parse_inherit_fd(arg, o, err, 256);
}

UNIT_TEST(opt_inherit_fd_ids)
{
	struct cr_inherit_fd o;
	char err[256];

	EXPECT_EQ(inh("fd[1]:pipe:[12345]", &o, err), 0);
	EXPECT_EQ(o.fd, 1);
	EXPECT_STR(options_inherit_key(&o), "pipe:[12345]");
	/* the man page's spelling is the same pipe */
	EXPECT_EQ(inh("fd[7]:pipe[12345]", &o, err), 0);
	EXPECT_STR(options_inherit_key(&o), "pipe:[12345]");
	EXPECT_EQ(inh("fd[3]:socket:[99]", &o, err), 0);
	EXPECT_STR(options_inherit_key(&o), "socket:[99]");
	EXPECT_EQ(inh("fd[0]:tty[8803:1A]", &o, err), 0);
	EXPECT_EQ(o.fd, 0);
	EXPECT_STR(options_inherit_key(&o), "tty[8803:1a]");
	EXPECT_EQ(inh("fd[12]:file[2f:0012ab]", &o, err), 0);
	EXPECT_STR(options_inherit_key(&o), "file[2f:12ab]");
	EXPECT(!o.debug);
}

UNIT_TEST(opt_inherit_fd_paths)
{
	struct cr_inherit_fd o;
	char err[256];

	/* CRIU keys files by path without the leading '/'; accept both */
	EXPECT_EQ(inh("fd[7]:tmp/old", &o, err), 0);
	EXPECT_STR(options_inherit_key(&o), "tmp/old");
	EXPECT_EQ(inh("fd[7]://tmp/old", &o, err), 0);
	EXPECT_STR(options_inherit_key(&o), "tmp/old");
	EXPECT_STR(options_key_of_path("/var/log/x.log"), "var/log/x.log");
	EXPECT_EQ(inh("debug[2]:hello: world", &o, err), 0);
	EXPECT(o.debug);
	EXPECT_EQ(o.fd, 2);
	EXPECT_STR(o.path, "hello: world");
}

UNIT_TEST(opt_inherit_fd_errors)
{
	struct cr_inherit_fd o;
	char err[256];

	EXPECT_EQ(inh("7:tmp/x", &o, err), -1);
	EXPECT_HAS(err, "fd[N]:RESOURCE");
	EXPECT_EQ(inh("fd[x]:tmp/x", &o, err), -1);
	EXPECT_EQ(inh("fd[-1]:tmp/x", &o, err), -1);
	EXPECT_EQ(inh("fd[3]tmp/x", &o, err), -1);
	EXPECT_EQ(inh("fd[99999999]:tmp/x", &o, err), -1);
	EXPECT_EQ(inh("fd[3]:", &o, err), -1);
	EXPECT_HAS(err, "resource");
	EXPECT_EQ(inh("fd[3]:/", &o, err), -1);
	EXPECT_EQ(inh("fd[3]:pipe:[12x]", &o, err), -1);
	EXPECT_HAS(err, "pipe:[INODE]");
	EXPECT_EQ(inh("fd[3]:pipe:[]", &o, err), -1);
	EXPECT_EQ(inh("fd[3]:tty[8803]", &o, err), -1);
	EXPECT_HAS(err, "tty[RDEV:DEV]");
	EXPECT_EQ(inh("fd[3]:tty[8803:g]", &o, err), -1);
	EXPECT_EQ(inh("fd[3]:file[1:2]x", &o, err), -1);
	EXPECT_HAS(err, "file[MNT_ID:INODE]");
}

UNIT_TEST(opt_external)
{
	struct cr_external e;
	char err[256];

	EXPECT_EQ(options_parse_external("tty[8803:17]", &e, err, sizeof(err)), 0);
	EXPECT_EQ(e.type, CR_EXT_TTY);
	EXPECT_EQ(e.a, 0x8803);
	EXPECT_EQ(e.b, 0x17);
	EXPECT_EQ(options_parse_external("file[1c:3e8]", &e, err, sizeof(err)), 0);
	EXPECT_EQ(e.type, CR_EXT_FILE);
	EXPECT_EQ(e.a, 0x1c);
	EXPECT_EQ(e.b, 0x3e8);
	EXPECT_EQ(options_parse_external("unix[4242]", &e, err, sizeof(err)), 0);
	EXPECT_EQ(e.type, CR_EXT_UNIX);
	EXPECT_EQ(e.a, 4242);
	EXPECT_EQ(options_parse_external("mnt[/x]:y", &e, err, sizeof(err)), -1);
	EXPECT_STR(err, "--external mnt[...] is not supported yet");
	EXPECT_EQ(options_parse_external("tty[12]", &e, err, sizeof(err)), -1);
	EXPECT_HAS(err, "tty[RDEV:DEV]");
	EXPECT_EQ(options_parse_external("whatever", &e, err, sizeof(err)), -1);
	EXPECT_HAS(err, "TYPE[ID]");
}

UNIT_TEST(opt_files_on_the_command_line)
{
	const char *argv_r[] = { "criu", "restore", "--inherit-fd", "fd[5]:pipe:[77]",
				 "--inherit-fd=fd[0]:tty[8800:19]", "--file-validation",
				 "filesize", NULL };
	const char *argv_d[] = { "criu", "dump", "-t", "9", "--external", "tty[8800:19]",
				 "--external", "file[2:3]", NULL };
	const char *argv_bad[] = { "criu", "dump", "-t", "9", "--inherit-fd", "fd[1]:x", NULL };
	const char *argv_ext_rst[] = { "criu", "restore", "--external", "tty[1:2]", NULL };
	struct cr_options o;
	char err[256];

	EXPECT_EQ(options_parse(7, (char **)argv_r, &o, err, sizeof(err)), 0);
	EXPECT_EQ(o.nr_inherit_fds, 2);
	EXPECT_EQ(o.inherit_fds[0].fd, 5);
	EXPECT_STR(options_inherit_key(&o.inherit_fds[1]), "tty[8800:19]");
	EXPECT_EQ(o.file_validation, FILE_VALIDATION_FILESIZE);
	EXPECT_EQ(options_parse(8, (char **)argv_d, &o, err, sizeof(err)), 0);
	EXPECT_EQ(o.nr_externals, 2);
	EXPECT_EQ(o.externals[1].type, CR_EXT_FILE);
	/* CRIU's default: build-ids */
	EXPECT_EQ(o.file_validation, FILE_VALIDATION_BUILD_ID);
	EXPECT_EQ(options_parse(6, (char **)argv_bad, &o, err, sizeof(err)), -1);
	EXPECT_HAS(err, "does not apply to 'dump'");
	EXPECT_EQ(options_parse(4, (char **)argv_ext_rst, &o, err, sizeof(err)), -1);
	EXPECT_HAS(err, "--inherit-fd");
}

UNIT_TEST(opt_file_validation)
{
	enum cr_file_validation v;

	EXPECT_EQ(options_parse_file_validation("buildid", &v), 0);
	EXPECT_EQ(v, FILE_VALIDATION_BUILD_ID);
	EXPECT_EQ(options_parse_file_validation("filesize", &v), 0);
	EXPECT_EQ(v, FILE_VALIDATION_FILESIZE);
	EXPECT_EQ(options_parse_file_validation("chksm-first", &v), -1);
}
