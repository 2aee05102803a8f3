// SPDX-License-Identifier: GPL-2.0
/* The table of file-kind handlers; the regular-file one matches last. */
#include <stddef.h>

#include "file-ops.h"

const struct file_ops *const file_ops_all[] = {
	&pipe_file_ops,
	&tty_file_ops,
	&fifo_file_ops,
	&unix_sk_file_ops,
	&eventfd_file_ops,
	&signalfd_file_ops,
	&timerfd_file_ops,
	&epoll_file_ops,
	&inotify_file_ops,
	&memfd_file_ops,	/* before reg: a memfd's link is a path too */
	&reg_file_ops,
	NULL,
};

const struct file_ops *file_ops_by_kind(enum file_kind kind)
{
	const struct file_ops *ops;

	for_each_file_ops(ops)
		if (ops->kind == kind)
			return ops;
	return NULL;
}

const struct file_ops *file_ops_match(const struct fd_parms *p)
{
	const struct file_ops *ops;

	for_each_file_ops(ops)
		if (ops->match && ops->match(p))
			return ops;
	return NULL;
}
