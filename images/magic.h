/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Magic numbers of the image files, as CRIU's image format defines them.
 * Every image but inventory.img starts with a head magic (common or
 * service), then the image's own magic; pages-N.img has none.
 */
#ifndef IMAGES_MAGIC_H
#define IMAGES_MAGIC_H

#define IMG_COMMON_MAGIC	0x54564319	/* Sarov (a.k.a. Arzamas-16) */
#define IMG_SERVICE_MAGIC	0x55105940	/* Zlatoust */
#define IMG_VERSION		2		/* CRTOOLS_IMAGES_V1_1 */

#define INVENTORY_MAGIC		0x58313116
#define PSTREE_MAGIC		0x50273030
#define CORE_MAGIC		0x55053847
#define IDS_MAGIC		0x54432030
#define MM_MAGIC		0x57492820
#define PAGEMAP_MAGIC		0x56084025
#define FDINFO_MAGIC		0x56213732
#define FILES_MAGIC		0x56303138
#define FS_MAGIC		0x51403912
#define GHOST_FILE_MAGIC	0x52583605
#define REMAP_FPATH_MAGIC	0x59133954
#define STATS_MAGIC		0x57093306
#define PIPES_DATA_MAGIC	0x56453709
#define TTY_INFO_MAGIC		0x59453036
#define TTY_DATA_MAGIC		0x59413026
#define SK_QUEUES_MAGIC		0x56264026
#define FIFO_DATA_MAGIC		0x59333054
#define FILE_LOCKS_MAGIC	0x54323616
#define MEMFD_INODE_MAGIC	0x48453499

#endif /* IMAGES_MAGIC_H */
