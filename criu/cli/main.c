// SPDX-License-Identifier: GPL-2.0
/*
 * main(): parse the command line, set up the log and the directories, and
 * hand over to check, dump or restore. The only code that calls exit().
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "fault.h"
#include "log.h"
#include "options.h"
#include "version.h"

static void usage(void)
{
	printf("Usage:\n"
	       "  criu dump -t PID [-D DIR] [options]\n"
	       "  criu restore [-D DIR] [options]\n"
	       "  criu check [--feature NAME | --all]\n"
	       "\n"
	       "Common options:\n"
	       "  -D|--images-dir DIR     directory of the image files (default: .)\n"
	       "  -W|--work-dir DIR       directory for logs and pidfiles (default: images dir)\n"
	       "  -o|--log-file FILE      log to FILE, relative to the work dir\n"
	       "  -v[N]                   verbosity 0..4 (default 2); -v alone adds one\n"
	       "  --display-stats         print dump/restore statistics\n"
	       "  -V|--version            print the version\n"
	       "\n"
	       "Dump:\n"
	       "  -t|--tree PID           root of the process tree to dump\n"
	       "  -R|--leave-running      let the tree run after the dump\n"
	       "  -s|--leave-stopped      leave the tree stopped after the dump\n"
	       "  -j|--shell-job          the tree is a shell job (its session is outside)\n"
	       "  --external TYPE[ID]     a resource outside the tree: file[MNT_ID:INODE],\n"
	       "                          tty[RDEV:DEV] (hex), given back with --inherit-fd\n"
	       "  --file-validation MODE  buildid (default) or filesize\n"
	       "\n"
	       "Restore:\n"
	       "  -d|--restore-detached   exit once the tree runs instead of waiting for it\n"
	       "  --restore-sibling       create the root as criu's sibling (needs -d)\n"
	       "  --pidfile FILE          write the root's pid to FILE (relative to work dir)\n"
	       "  -s|--leave-stopped      leave the restored tree stopped\n"
	       "  --pid-method METHOD     auto, set_tid, ns_last_pid or spin\n"
	       "  -j|--shell-job          restore a shell job into criu's session and terminal\n"
	       "  --inherit-fd fd[N]:RES  criu's fd N is RES: pipe:[INODE], socket:[INODE],\n"
	       "                          tty[RDEV:DEV], file[MNT_ID:INODE] or a path\n"
	       "  --file-validation MODE  buildid (default) or filesize\n"
	       "\n"
	       "Check:\n"
	       "  --feature NAME          check one feature (repeatable); --all checks all\n"
	       "  --unprivileged          accepted for CRIU compatibility; never needed\n"
	       "\n"
	       "See criu(8) (Documentation/criu.8) for details.\n");
}

/* The images dir, the work dir (default: the images dir) and the log. */
static int setup_dirs_and_log(const struct cr_options *o, struct cli_dirs *dirs)
{
	const char *images = o->images_dir ? o->images_dir : ".";
	const char *work = o->work_dir ? o->work_dir : images;

	dirs->images_fd = dirs->work_fd = -1;
	if (o->cmd != CMD_CHECK || o->images_dir) {
		dirs->images_fd = open(images, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dirs->images_fd < 0 && o->cmd == CMD_DUMP && errno == ENOENT &&
		    !mkdir(images, 0700))
			dirs->images_fd = open(images, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dirs->images_fd < 0) {
			fprintf(stderr, "criu: can't open images directory '%s': %s\n", images,
				strerror(errno));
			return -1;
		}
	}
	dirs->work_fd = open(work, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirs->work_fd < 0) {
		fprintf(stderr, "criu: can't open work directory '%s': %s\n", work,
			strerror(errno));
		return -1;
	}
	if (log_init(o->log_file, dirs->work_fd))
		return -1;
	log_set_level(o->log_level);
	return 0;
}

int main(int argc, char **argv)
{
	struct cr_options o;
	struct cli_dirs dirs;
	char err[256];
	int ret;

	if (options_parse(argc, argv, &o, err, sizeof(err))) {
		fprintf(stderr, "criu: %s\n", err);
		return 1;
	}
	if (o.show_help) {
		usage();
		return 0;
	}
	if (o.show_version) {
		printf("Version: %s\n", CRIU_VERSION);
		return 0;
	}
	if (fault_init(err, sizeof(err))) {
		fprintf(stderr, "criu: %s\n", err);
		return 1;
	}
	options_publish(&o);
	if (setup_dirs_and_log(opts, &dirs))
		return 1;

	switch (opts->cmd) {
	case CMD_CHECK:
		ret = cli_check();
		break;
	case CMD_DUMP:
		ret = cli_dump(&dirs);
		break;
	case CMD_RESTORE:
		ret = cli_restore(&dirs);
		break;
	default:
		ret = -1;
	}
	log_fini();
	exit(ret < 0 ? 1 : ret);
}
