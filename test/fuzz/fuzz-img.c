// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the image entry reader: the input is an image file
 * body; the first byte picks the image type. Any crash, leak or sanitizer
 * report is a bug: readers must reject bad input with an error.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "image.h"
#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int log_ready;
	enum img_type type;
	struct img *img;
	void *msg;
	int fd, n = 0;

	if (!log_ready) {
		if (log_init(NULL, AT_FDCWD) == 0)
			log_set_level(-1);
		log_ready = 1;
	}
	if (size < 1)
		return 0;
	type = data[0] % IMG_NR_TYPES;
	if (type == IMG_PAGES)
		type = IMG_PAGEMAP;
	fd = memfd_create("fuzz", MFD_CLOEXEC);
	if (fd < 0 || write(fd, data + 1, size - 1) != (ssize_t)(size - 1))
		abort();
	lseek(fd, 0, SEEK_SET);
	img = img_from_fd(fd, type, O_RDONLY, "fuzz.img");
	if (!img)
		return 0;
	while (n++ < 1000 && img_read_entry(img, &msg) == 1)
		img_free(type, msg);
	img_close(img);
	return 0;
}
