// SPDX-License-Identifier: GPL-2.0
/* `criu dump` and `criu restore`: hand the opened directories to the engine. */
#include "cli.h"
#include "dump.h"
#include "log.h"
#include "options.h"
#include "restore.h"

int cli_dump(const struct cli_dirs *dirs)
{
	return cr_dump_tasks(dirs->images_fd, opts->tree);
}

int cli_restore(const struct cli_dirs *dirs)
{
	return cr_restore_tasks(dirs->images_fd, dirs->work_fd);
}
