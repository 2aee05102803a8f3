/* SPDX-License-Identifier: GPL-2.0 */
/* Entry points of the commands, called by main(); private to cli/. */
#ifndef CRIU_CLI_CLI_H
#define CRIU_CLI_CLI_H

struct cli_dirs {
	int images_fd;	/* -1 for check without -D */
	int work_fd;
};

int cli_check(void);
int cli_dump(const struct cli_dirs *dirs);
/* Returns the restored root's exit status when criu waited for it. */
int cli_restore(const struct cli_dirs *dirs);

#endif /* CRIU_CLI_CLI_H */
