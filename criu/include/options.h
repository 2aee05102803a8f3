/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Parsed command line. Filled once by the cli and read-only afterwards
 * through the `opts` pointer (one of the three allowed globals).
 */
#ifndef CRIU_INCLUDE_OPTIONS_H
#define CRIU_INCLUDE_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/compiler.h"

enum criu_cmd {
	CMD_NONE = 0,
	CMD_CHECK,
	CMD_DUMP,
	CMD_RESTORE,
};

enum pid_method {
	PID_METHOD_AUTO = 0,
	PID_METHOD_SET_TID,
	PID_METHOD_NS_LAST_PID,
	PID_METHOD_SPIN,
};

#define CR_MAX_FEATURES 16
#define CR_MAX_INHERIT_FDS 64
#define CR_MAX_EXTERNALS 64

/* --inherit-fd fd[N]:RESOURCE (restore): criu's fd N stands for RESOURCE. */
struct cr_inherit_fd {
	int fd;
	bool debug;		/* debug[N]:TEXT: only write TEXT to fd N */
	const char *path;	/* a file by path (no leading '/'), or the debug text */
	char id[48];		/* else: pipe:[I], socket:[I], tty[R:D] or file[M:I] */
};

/* --external TYPE[ID] (dump): a resource outside the tree, given back at restore. */
enum cr_external_type {
	CR_EXT_FILE,		/* file[mnt_id:inode], both hex */
	CR_EXT_TTY,		/* tty[rdev:dev], both hex */
	CR_EXT_UNIX,		/* unix[inode] */
};

struct cr_external {
	enum cr_external_type type;
	unsigned long long a, b;	/* mnt_id/rdev/inode, inode/dev */
};

enum cr_file_validation {
	FILE_VALIDATION_BUILD_ID = 0,	/* CRIU's default: size, and ELF build-ids */
	FILE_VALIDATION_FILESIZE,
};
#define CR_MAX_EXT_UNIX 64

struct cr_options {
	enum criu_cmd cmd;
	pid_t tree;
	const char *images_dir;
	const char *work_dir;
	const char *log_file;
	int log_level;
	const char *pidfile;
	bool restore_detached;
	bool restore_sibling;
	bool leave_running;
	bool leave_stopped;
	bool shell_job;
	bool unprivileged;
	bool display_stats;
	enum pid_method pid_method;
	/* files */
	int nr_inherit_fds;
	struct cr_inherit_fd inherit_fds[CR_MAX_INHERIT_FDS];
	int nr_externals;
	struct cr_external externals[CR_MAX_EXTERNALS];
	enum cr_file_validation file_validation;
	bool ext_unix_sk;	/* -x, --ext-unix-sk: unix peers outside the tree may be used */
	int nr_ext_unix_inos;	/* --ext-unix-sk=INO,...: these sockets' nameless peers too */
	uint32_t ext_unix_inos[CR_MAX_EXT_UNIX];
	bool file_locks;	/* -l, --file-locks: dump and restore file locks */
	/* check */
	bool check_all;
	int nr_features;
	const char *features[CR_MAX_FEATURES];
	bool show_version;
	bool show_help;
};

extern const struct cr_options *opts;

/*
 * Parse argv into *o (pure: no logging, no exit). On failure returns -1 and
 * writes a one-line reason into err. Used by main() and the unit tests.
 */
int options_parse(int argc, char **argv, struct cr_options *o, char *err, size_t errlen);
/* Publish *o as the process-wide options. */
void options_publish(const struct cr_options *o);
const char *pid_method_name(enum pid_method m);
/* --ext-unix-sk=INO named the socket with inode ino. */
bool opts_ext_unix_ino(const struct cr_options *o, uint32_t ino);

/* Pure parsers of the files' options (cli/opt-files.c); -1 and a reason in err. */
int options_parse_inherit_fd(const char *arg, struct cr_inherit_fd *out, char *err,
			     size_t errlen);
int options_parse_external(const char *arg, struct cr_external *out, char *err,
			   size_t errlen);
int options_parse_file_validation(const char *arg, enum cr_file_validation *out);

/* A path as --inherit-fd keys compare it: CRIU's form, without leading '/'s. */
static inline const char *options_key_of_path(const char *path)
{
	while (*path == '/')
		path++;
	return path;
}

/* The resource an --inherit-fd names: a path in that form, or an id. */
static inline const char *options_inherit_key(const struct cr_inherit_fd *i)
{
	return i->path ? i->path : i->id;
}

#endif /* CRIU_INCLUDE_OPTIONS_H */
