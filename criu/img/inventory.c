// SPDX-License-Identifier: GPL-2.0
/* inventory.img: the image version and the root's object ids. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/utsname.h>

#define LOG_PREFIX "img: "
#include "image.h"
#include "images.h"
#include "log.h"
#include "magic.h"

int img_write_inventory(int dirfd, pid_t root)
{
	InventoryEntry inv = INVENTORY_ENTRY__INIT;
	TaskKobjIdsEntry ids = TASK_KOBJ_IDS_ENTRY__INIT;
	struct utsname u;

	inv.img_version = IMG_VERSION;
	inv.has_fdinfo_per_id = 1;
	inv.fdinfo_per_id = 1;
	ids.vm_id = ids.files_id = ids.fs_id = ids.sighand_id = root;
	inv.root_ids = &ids;
	inv.has_ns_per_id = 1;
	inv.ns_per_id = 1;
	if (!uname(&u))
		inv.kernel_release = u.release;
	return img_write_one(dirfd, IMG_INVENTORY, 0, &inv);
}

int img_read_inventory(int dirfd, struct inventory *out)
{
	InventoryEntry *inv;
	void *msg;
	int ret = -1;

	if (!img_exists(dirfd, IMG_INVENTORY, 0)) {
		pr_err("no inventory.img in the images directory: not a finished dump\n");
		return -1;
	}
	if (img_read_one(dirfd, IMG_INVENTORY, 0, &msg))
		return -1;
	inv = msg;
	if (inv->img_version != IMG_VERSION)
		pr_err("inventory.img: image version %u, we read version %u\n", inv->img_version,
		       IMG_VERSION);
	else if (!inv->has_fdinfo_per_id || !inv->fdinfo_per_id)
		pr_err("inventory.img: images from a CRIU without per-id fdinfo are not "
		       "supported\n");
	else if (inv->has_lsmtype && inv->lsmtype != LSMTYPE__NO_LSM)
		pr_err("inventory.img: dumps with LSM state are not supported\n");
	else {
		out->root_pid = inv->root_ids ? (pid_t)inv->root_ids->vm_id : 0;
		snprintf(out->kernel_release, sizeof(out->kernel_release), "%s",
			 inv->kernel_release ? inv->kernel_release : "");
		ret = 0;
	}
	img_free(IMG_INVENTORY, msg);
	return ret;
}
