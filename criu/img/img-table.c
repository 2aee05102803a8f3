// SPDX-License-Identifier: GPL-2.0
/* File names, magic numbers and entry types of every image, as CRIU names them. */
#include <protobuf-c/protobuf-c.h>

#include "img-table.h"
#include "images.h"

#define D(x) (&x##__descriptor)

static const struct img_type_info table[IMG_NR_TYPES] = {
	[IMG_INVENTORY] = { "inventory", "inventory.img", INVENTORY_MAGIC, IMG_HEAD_NONE,
			    D(inventory_entry) },
	[IMG_PSTREE] = { "pstree", "pstree.img", PSTREE_MAGIC, IMG_HEAD_COMMON, D(pstree_entry) },
	[IMG_CORE] = { "core", "core-%lu.img", CORE_MAGIC, IMG_HEAD_COMMON, D(core_entry) },
	[IMG_IDS] = { "ids", "ids-%lu.img", IDS_MAGIC, IMG_HEAD_COMMON, D(task_kobj_ids_entry) },
	[IMG_MM] = { "mm", "mm-%lu.img", MM_MAGIC, IMG_HEAD_COMMON, D(mm_entry) },
	[IMG_PAGEMAP] = { "pagemap", "pagemap-%lu.img", PAGEMAP_MAGIC, IMG_HEAD_COMMON,
			  D(pagemap_entry) },
	[IMG_PAGES] = { "pages", "pages-%lu.img", 0, IMG_HEAD_RAW, NULL },
	[IMG_FDINFO] = { "fdinfo", "fdinfo-%lu.img", FDINFO_MAGIC, IMG_HEAD_COMMON,
			 D(fdinfo_entry) },
	[IMG_FILES] = { "files", "files.img", FILES_MAGIC, IMG_HEAD_COMMON, D(file_entry) },
	[IMG_FS] = { "fs", "fs-%lu.img", FS_MAGIC, IMG_HEAD_COMMON, D(fs_entry) },
	[IMG_GHOST_FILE] = { "ghost-file", "ghost-file-%lu.img", GHOST_FILE_MAGIC,
			     IMG_HEAD_COMMON, D(ghost_file_entry) },
	[IMG_REMAP_FPATH] = { "remap-fpath", "remap-fpath.img", REMAP_FPATH_MAGIC,
			      IMG_HEAD_COMMON, D(remap_file_path_entry) },
	[IMG_PIPES_DATA] = { "pipes-data", "pipes-data.img", PIPES_DATA_MAGIC, IMG_HEAD_COMMON,
			     D(pipe_data_entry) },
	[IMG_TTY_INFO] = { "tty-info", "tty-info.img", TTY_INFO_MAGIC, IMG_HEAD_COMMON,
			   D(tty_info_entry) },
	[IMG_TTY_DATA] = { "tty-data", "tty-data.img", TTY_DATA_MAGIC, IMG_HEAD_COMMON,
			   D(tty_data_entry) },
	[IMG_SK_QUEUES] = { "sk-queues", "sk-queues.img", SK_QUEUES_MAGIC, IMG_HEAD_COMMON,
			    D(sk_packet_entry) },
	[IMG_FIFO_DATA] = { "fifo-data", "fifo-data.img", FIFO_DATA_MAGIC, IMG_HEAD_COMMON,
			    D(pipe_data_entry) },
	[IMG_FILE_LOCKS] = { "file-locks", "file-locks.img", FILE_LOCKS_MAGIC, IMG_HEAD_COMMON,
			     D(file_lock_entry) },
	[IMG_MEMFD_INODE] = { "memfd", "memfd.img", MEMFD_INODE_MAGIC, IMG_HEAD_COMMON,
			      D(memfd_inode_entry) },
	[IMG_SHMEM_PAGEMAP] = { "pagemap-shmem", "pagemap-shmem-%lu.img", PAGEMAP_MAGIC,
				IMG_HEAD_COMMON, D(pagemap_entry) },
	[IMG_STATS_DUMP] = { "stats-dump", "stats-dump", STATS_MAGIC, IMG_HEAD_SERVICE,
			     D(stats_entry) },
	[IMG_STATS_RESTORE] = { "stats-restore", "stats-restore", STATS_MAGIC,
				IMG_HEAD_SERVICE, D(stats_entry) },
};

const struct img_type_info *img_type_info(enum img_type type)
{
	return &table[type];
}

const char *img_type_name(enum img_type type)
{
	if ((unsigned)type >= IMG_NR_TYPES)
		return "?";
	return table[type].name;
}
