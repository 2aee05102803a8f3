// SPDX-License-Identifier: GPL-2.0
/*
 * --inherit-fd fd[N]:RESOURCE at restore: criu's fd N stands for every
 * file of the dump that is RESOURCE (pipe:[ino], socket:[ino],
 * tty[rdev:dev], file[mnt_id:ino] or a path), whatever the dump recorded of
 * it: a pipe's other end owned by the caller, an external file or terminal.
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#define LOG_PREFIX "files: "
#include "file-ops.h"
#include "files-internal.h"
#include "log.h"
#include "options.h"

/* Every inherited fd must be open; debug[N]:TEXT writes its marker now. */
int files_inherit_check(void)
{
	for (int i = 0; i < opts->nr_inherit_fds; i++) {
		const struct cr_inherit_fd *inh = &opts->inherit_fds[i];
		size_t len = inh->debug ? strlen(inh->path) : 0;

		if (fcntl(inh->fd, F_GETFD) < 0) {
			pr_perror("--inherit-fd fd[%d]:%s: criu has no fd %d", inh->fd,
				  options_inherit_key(inh), inh->fd);
			return -1;
		}
		if (inh->debug && write(inh->fd, inh->path, len) != (ssize_t)len)
			pr_pwarn("can't write the debug marker to fd %d", inh->fd);
	}
	return 0;
}

static const struct cr_inherit_fd *find(const struct file_entry *fe)
{
	char key[4200];

	if (!fe->ops->inherit_key || fe->ops->inherit_key(fe, key, sizeof(key)))
		return NULL;
	for (int i = 0; i < opts->nr_inherit_fds; i++) {
		const struct cr_inherit_fd *inh = &opts->inherit_fds[i];

		if (!inh->debug && !strcmp(options_inherit_key(inh), key))
			return inh;
	}
	return NULL;
}

bool files_inherited(const struct file_entry *fe)
{
	return find(fe) != NULL;
}

/* 1 when fe is inherited (and opened), 0 when not, -1 on error. */
int files_open_inherited(struct file_entry *fe, bool *used)
{
	const struct cr_inherit_fd *inh = find(fe);

	if (!inh)
		return 0;
	used[inh - opts->inherit_fds] = true;
	pr_info("file %u is %s: criu's fd %d\n", fe->id, options_inherit_key(inh), inh->fd);
	if (fe->ops->open_inherited)
		return fe->ops->open_inherited(fe, inh->fd) ? -1 : 1;
	fe->rst_fd = fcntl(inh->fd, F_DUPFD_CLOEXEC, 0);
	if (fe->rst_fd < 0) {
		pr_perror("can't duplicate inherited fd %d", inh->fd);
		return -1;
	}
	return 1;
}

void files_inherit_report(const bool *used)
{
	for (int i = 0; i < opts->nr_inherit_fds; i++)
		if (!used[i] && !opts->inherit_fds[i].debug)
			pr_warn("--inherit-fd fd[%d]:%s matches no file of the dump\n",
				opts->inherit_fds[i].fd, options_inherit_key(&opts->inherit_fds[i]));
}
