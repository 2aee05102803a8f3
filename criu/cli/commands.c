// SPDX-License-Identifier: GPL-2.0
/* Temporary command stubs, replaced as dump and restore land. */
#include "cli.h"
#include "log.h"

int cli_dump(const struct cli_dirs *dirs)
{
	(void)dirs;
	pr_err("dump is not implemented yet\n");
	return -1;
}

int cli_restore(const struct cli_dirs *dirs)
{
	(void)dirs;
	pr_err("restore is not implemented yet\n");
	return -1;
}
