// SPDX-License-Identifier: GPL-2.0
/*
 * Command line parsing, CRIU-compatible. Pure: it fills a struct and names
 * the first problem in one line; main() decides what to do with it.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "options.h"

static struct cr_options global_opts;
const struct cr_options *opts = &global_opts;

void options_publish(const struct cr_options *o)
{
	global_opts = *o;
}

enum {
	OPT_PIDFILE = 1000,
	OPT_RESTORE_SIBLING,
	OPT_UNPRIVILEGED,
	OPT_DISPLAY_STATS,
	OPT_PID_METHOD,
	OPT_FEATURE,
	OPT_ALL,
	OPT_INHERIT_FD,
	OPT_EXTERNAL,
	OPT_FILE_VALIDATION,
	OPT_UNSUPPORTED,	/* every option of CRIU's we do not implement yet */
};

#define F_CHECK   (1 << CMD_CHECK)
#define F_DUMP    (1 << CMD_DUMP)
#define F_RESTORE (1 << CMD_RESTORE)
#define F_ANY     (F_CHECK | F_DUMP | F_RESTORE)

struct opt_desc {
	struct option lo;
	int cmds;	/* commands the option applies to */
};

/* CRIU's options that later work will implement; naming them beats "unknown". */
static const struct opt_desc opt_table[] = {
	{ { "tree", required_argument, 0, 't' }, F_DUMP },
	{ { "images-dir", required_argument, 0, 'D' }, F_DUMP | F_RESTORE },
	{ { "work-dir", required_argument, 0, 'W' }, F_ANY },
	{ { "log-file", required_argument, 0, 'o' }, F_ANY },
	{ { "verbosity", optional_argument, 0, 'v' }, F_ANY },
	{ { "pidfile", required_argument, 0, OPT_PIDFILE }, F_RESTORE },
	{ { "restore-detached", no_argument, 0, 'd' }, F_RESTORE },
	{ { "restore-sibling", no_argument, 0, OPT_RESTORE_SIBLING }, F_RESTORE },
	{ { "leave-running", no_argument, 0, 'R' }, F_DUMP },
	{ { "leave-stopped", no_argument, 0, 's' }, F_DUMP | F_RESTORE },
	{ { "shell-job", no_argument, 0, 'j' }, F_DUMP | F_RESTORE },
	{ { "unprivileged", no_argument, 0, OPT_UNPRIVILEGED }, F_ANY },
	{ { "display-stats", no_argument, 0, OPT_DISPLAY_STATS }, F_DUMP | F_RESTORE },
	{ { "pid-method", required_argument, 0, OPT_PID_METHOD }, F_CHECK | F_RESTORE },
	{ { "feature", required_argument, 0, OPT_FEATURE }, F_CHECK },
	{ { "all", no_argument, 0, OPT_ALL }, F_CHECK },
	{ { "version", no_argument, 0, 'V' }, F_ANY },
	{ { "help", no_argument, 0, 'h' }, F_ANY },
	{ { "inherit-fd", required_argument, 0, OPT_INHERIT_FD }, F_RESTORE },
	{ { "external", required_argument, 0, OPT_EXTERNAL }, F_DUMP | F_RESTORE },
	{ { "file-validation", required_argument, 0, OPT_FILE_VALIDATION }, F_DUMP | F_RESTORE },
	{ { "ext-unix-sk", optional_argument, 0, 'x' }, F_DUMP | F_RESTORE },
	{ { "file-locks", no_argument, 0, 'l' }, F_DUMP | F_RESTORE },
	/* recognised, not implemented yet */
	{ { "tcp-established", no_argument, 0, OPT_UNSUPPORTED }, 0 },
	{ { "tcp-close", no_argument, 0, OPT_UNSUPPORTED }, 0 },
	{ { "skip-in-flight", no_argument, 0, OPT_UNSUPPORTED }, 0 },
	{ { "ghost-limit", required_argument, 0, OPT_UNSUPPORTED }, 0 },
	{ { "link-remap", no_argument, 0, OPT_UNSUPPORTED }, 0 },
	{ { "evasive-devices", no_argument, 0, OPT_UNSUPPORTED }, 0 },
	{ { "manage-cgroups", optional_argument, 0, OPT_UNSUPPORTED }, 0 },
	{ { "cgroup-root", required_argument, 0, OPT_UNSUPPORTED }, 0 },
	{ { "root", required_argument, 0, OPT_UNSUPPORTED }, 0 },
	{ { "namespaces", required_argument, 0, OPT_UNSUPPORTED }, 0 },
	{ { "prev-images-dir", required_argument, 0, OPT_UNSUPPORTED }, 0 },
	{ { "track-mem", no_argument, 0, OPT_UNSUPPORTED }, 0 },
	{ { "auto-dedup", no_argument, 0, OPT_UNSUPPORTED }, 0 },
	{ { "lazy-pages", no_argument, 0, OPT_UNSUPPORTED }, 0 },
	{ { "page-server", no_argument, 0, OPT_UNSUPPORTED }, 0 },
	{ { "address", required_argument, 0, OPT_UNSUPPORTED }, 0 },
	{ { "port", required_argument, 0, OPT_UNSUPPORTED }, 0 },
	{ { "network-lock", required_argument, 0, OPT_UNSUPPORTED }, 0 },
	{ { "timeout", required_argument, 0, OPT_UNSUPPORTED }, 0 },
	{ { "cpu-cap", optional_argument, 0, OPT_UNSUPPORTED }, 0 },
	{ { "action-script", required_argument, 0, OPT_UNSUPPORTED }, 0 },
	{ { "exec-cmd", no_argument, 0, OPT_UNSUPPORTED }, 0 },
	{ { "log-pid", no_argument, 0, OPT_UNSUPPORTED }, 0 },
	{ { "freeze-cgroup", required_argument, 0, OPT_UNSUPPORTED }, 0 },
	{ { "stream", no_argument, 0, OPT_UNSUPPORTED }, 0 },
	{ { "mntns-compat-mode", no_argument, 0, OPT_UNSUPPORTED }, 0 },
	{ { "lsm-profile", required_argument, 0, OPT_UNSUPPORTED }, 0 },
	{ { "config", required_argument, 0, OPT_UNSUPPORTED }, 0 },
	{ { "no-default-config", no_argument, 0, OPT_UNSUPPORTED }, 0 },
};

static const char short_opts[] = ":t:D:W:o:v::dRsjVhx::l";

static const struct {
	const char *name;
	enum criu_cmd cmd;
} cmd_table[] = {
	{ "check", CMD_CHECK },
	{ "dump", CMD_DUMP },
	{ "restore", CMD_RESTORE },
	/* CRIU's other commands, not implemented */
	{ "pre-dump", CMD_NONE },
	{ "page-server", CMD_NONE },
	{ "lazy-pages", CMD_NONE },
	{ "service", CMD_NONE },
	{ "swrk", CMD_NONE },
	{ "cpuinfo", CMD_NONE },
	{ "exec", CMD_NONE },
	{ "show", CMD_NONE },
};

static const char *pid_methods[] = {
	[PID_METHOD_AUTO] = "auto",
	[PID_METHOD_SET_TID] = "set_tid",
	[PID_METHOD_NS_LAST_PID] = "ns_last_pid",
	[PID_METHOD_SPIN] = "spin",
};

const char *pid_method_name(enum pid_method m)
{
	if ((unsigned)m >= ARRAY_SIZE(pid_methods))
		return "?";
	return pid_methods[m];
}

static int fail(char *err, size_t len, const char *fmt, ...) __printf(3, 4);
static int fail(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -1;
}

static int parse_verbosity(const char *arg, int *level)
{
	char *end;
	long v;

	if (!arg) {
		(*level)++;
		return 0;
	}
	if (strspn(arg, "v") == strlen(arg)) {	/* -vvv */
		*level += 1 + (int)strlen(arg);
		return 0;
	}
	v = strtol(arg, &end, 10);
	if (*end || v < 0 || v > 4)
		return -1;
	*level = (int)v;
	return 0;
}

static int parse_pid(const char *arg, pid_t *pid)
{
	char *end;
	long v = strtol(arg, &end, 10);

	if (!*arg || *end || v <= 0 || v > 0x3fffffff)
		return -1;
	*pid = (pid_t)v;
	return 0;
}

/* "INO[,INO...]": the sockets whose nameless peers may be outside the tree. */
static int parse_ext_unix(const char *arg, struct cr_options *o)
{
	const char *p = arg;

	while (*p) {
		unsigned long v;
		char *end;

		if (*p == ',') {
			p++;
			continue;
		}
		if (*p < '0' || *p > '9')
			return -1;
		v = strtoul(p, &end, 10);
		if (v == 0 || v > UINT32_MAX || o->nr_ext_unix_inos == CR_MAX_EXT_UNIX)
			return -1;
		o->ext_unix_inos[o->nr_ext_unix_inos++] = (uint32_t)v;
		p = end;
	}
	return 0;
}

bool opts_ext_unix_ino(const struct cr_options *o, uint32_t ino)
{
	for (int i = 0; i < o->nr_ext_unix_inos; i++)
		if (o->ext_unix_inos[i] == ino)
			return true;
	return false;
}

static const struct opt_desc *find_desc(int c, int long_idx)
{
	if (long_idx >= 0)
		return &opt_table[long_idx];
	for (size_t i = 0; i < ARRAY_SIZE(opt_table); i++)
		if (opt_table[i].lo.val == c)
			return &opt_table[i];
	return NULL;
}

static int apply_opt(struct cr_options *o, int c, const char *arg, const char *name,
		     char *err, size_t len)
{
	switch (c) {
	case 't':
		if (parse_pid(arg, &o->tree))
			return fail(err, len, "bad pid '%s' for --tree", arg);
		break;
	case 'D': o->images_dir = arg; break;
	case 'W': o->work_dir = arg; break;
	case 'o': o->log_file = arg; break;
	case 'v':
		if (parse_verbosity(arg, &o->log_level))
			return fail(err, len, "bad verbosity '%s' (use -v0 .. -v4)", arg);
		break;
	case OPT_PIDFILE: o->pidfile = arg; break;
	case 'd': o->restore_detached = true; break;
	case OPT_RESTORE_SIBLING: o->restore_sibling = true; break;
	case 'R': o->leave_running = true; break;
	case 's': o->leave_stopped = true; break;
	case 'j': o->shell_job = true; break;
	case OPT_UNPRIVILEGED: o->unprivileged = true; break;
	case OPT_DISPLAY_STATS: o->display_stats = true; break;
	case OPT_PID_METHOD: {
		size_t i;

		for (i = 0; i < ARRAY_SIZE(pid_methods); i++)
			if (!strcmp(arg, pid_methods[i]))
				break;
		if (i == ARRAY_SIZE(pid_methods))
			return fail(err, len,
				    "bad --pid-method '%s' (auto, set_tid, ns_last_pid or spin)", arg);
		o->pid_method = (enum pid_method)i;
		break;
	}
	case OPT_FEATURE:
		if (o->nr_features == CR_MAX_FEATURES)
			return fail(err, len, "too many --feature options");
		o->features[o->nr_features++] = arg;
		break;
	case OPT_ALL: o->check_all = true; break;
	case OPT_INHERIT_FD:
		if (o->nr_inherit_fds == CR_MAX_INHERIT_FDS)
			return fail(err, len, "too many --inherit-fd options");
		return options_parse_inherit_fd(arg, &o->inherit_fds[o->nr_inherit_fds++], err,
						len);
	case OPT_EXTERNAL:
		if (o->nr_externals == CR_MAX_EXTERNALS)
			return fail(err, len, "too many --external options");
		return options_parse_external(arg, &o->externals[o->nr_externals++], err, len);
	case OPT_FILE_VALIDATION:
		if (options_parse_file_validation(arg, &o->file_validation))
			return fail(err, len, "bad --file-validation '%s' (filesize or buildid)",
				    arg);
		break;
	case 'x':
		if (arg && parse_ext_unix(arg, o))
			return fail(err, len, "bad socket inode list '%s' for %s", arg, name);
		o->ext_unix_sk = true;
		break;
	case 'l': o->file_locks = true; break;
	case 'V': o->show_version = true; break;
	case 'h': o->show_help = true; break;
	case OPT_UNSUPPORTED:
		return fail(err, len, "option '%s' is not supported yet", name);
	default:
		return fail(err, len, "unhandled option '%s'", name);
	}
	return 0;
}

static int parse_command(const char *word, struct cr_options *o, char *err, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(cmd_table); i++) {
		if (strcmp(word, cmd_table[i].name))
			continue;
		if (cmd_table[i].cmd == CMD_NONE)
			return fail(err, len, "command '%s' is not supported yet", word);
		o->cmd = cmd_table[i].cmd;
		return 0;
	}
	return fail(err, len, "unknown command '%s'", word);
}

/* Options valid only for some commands are checked once the command is known. */
static int check_applicable(struct cr_options *o, const int *seen, char *err, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(opt_table); i++) {
		if (!seen[i] || (opt_table[i].cmds & (1 << o->cmd)))
			continue;
		return fail(err, len, "option '--%s' does not apply to '%s'",
			    opt_table[i].lo.name, cmd_table[o->cmd - 1].name);
	}
	if (o->cmd == CMD_DUMP && !o->tree)
		return fail(err, len, "dump needs the tree's root pid: -t PID");
	if (o->leave_running && o->leave_stopped)
		return fail(err, len, "--leave-running and --leave-stopped exclude each other");
	if (o->restore_sibling && !o->restore_detached && o->cmd == CMD_RESTORE)
		return fail(err, len, "--restore-sibling needs --restore-detached (-d)");
	/* restore's --external forms (mnt, dev, veth, macvlan) are not ours yet */
	if (o->cmd == CMD_RESTORE && o->nr_externals)
		return fail(err, len, "--external at restore: files, terminals and sockets come "
			    "back with --inherit-fd fd[N]:RESOURCE");
	return 0;
}

int options_parse(int argc, char **argv, struct cr_options *o, char *err, size_t len)
{
	struct option lopts[ARRAY_SIZE(opt_table) + 1];
	int seen[ARRAY_SIZE(opt_table)] = { 0 };
	const char *cmd_word = NULL;

	memset(o, 0, sizeof(*o));
	o->log_level = LOG_DEFAULT_LEVEL;
	for (size_t i = 0; i < ARRAY_SIZE(opt_table); i++)
		lopts[i] = opt_table[i].lo;
	memset(&lopts[ARRAY_SIZE(opt_table)], 0, sizeof(lopts[0]));

	optind = 0;	/* full re-initialisation, so tests may parse repeatedly */
	opterr = 0;
	for (;;) {
		int idx = -1, prev = optind ? optind : 1;
		int c = getopt_long(argc, argv, short_opts, lopts, &idx);

		if (c == -1)
			break;
		if (c == '?') {
			if (optopt && optopt != OPT_UNSUPPORTED && idx < 0 && prev < argc &&
			    argv[prev][1] != '-')
				return fail(err, len, "unknown option '-%c'", optopt);
			return fail(err, len, "unknown option '%s'", argv[optind - 1]);
		}
		if (c == ':')
			return fail(err, len, "option '%s' needs an argument", argv[optind - 1]);
		const struct opt_desc *d = find_desc(c, idx);
		char name[64];

		if (d && idx >= 0)
			snprintf(name, sizeof(name), "--%s", d->lo.name);
		else
			snprintf(name, sizeof(name), "-%c", c);
		if (d)
			seen[d - opt_table] = 1;
		if (apply_opt(o, c, optarg, name, err, len))
			return -1;
	}
	for (int i = optind; i < argc; i++) {
		if (cmd_word)
			return fail(err, len, "unexpected argument '%s'", argv[i]);
		cmd_word = argv[i];
	}
	if (o->show_version || o->show_help)
		return 0;
	if (!cmd_word)
		return fail(err, len, "no command given (check, dump or restore)");
	if (parse_command(cmd_word, o, err, len))
		return -1;
	return check_applicable(o, seen, err, len);
}
