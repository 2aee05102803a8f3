/* SPDX-License-Identifier: GPL-2.0 */
/* The table of image types, private to img/. */
#ifndef CRIU_IMG_IMG_TABLE_H
#define CRIU_IMG_IMG_TABLE_H

#include <stdint.h>

#include "image.h"
#include "magic.h"

enum img_head {
	IMG_HEAD_COMMON,
	IMG_HEAD_SERVICE,
	IMG_HEAD_NONE,	/* inventory.img: only its own magic */
	IMG_HEAD_RAW,	/* pages-N.img: no magic at all */
};

struct img_type_info {
	const char *name;
	const char *fmt;
	uint32_t magic;
	enum img_head head;
	const img_desc_t *desc;
};

const struct img_type_info *img_type_info(enum img_type type);

#endif /* CRIU_IMG_IMG_TABLE_H */
