// SPDX-License-Identifier: GPL-2.0
/* Image files: round trips, and a clean error for every kind of damage. */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "image.h"
#include "images.h"
#include "magic.h"
#include "unit.h"

static int tmp_dirfd(void)
{
	return open(unit_tmpdir(), O_RDONLY | O_DIRECTORY);
}

static void write_file(int dirfd, const char *name, const void *buf, size_t len)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	EXPECT(fd >= 0);
	EXPECT_EQ(write(fd, buf, len), (long long)len);
	close(fd);
}

static size_t read_file(int dirfd, const char *name, void *buf, size_t len)
{
	int fd = openat(dirfd, name, O_RDONLY);
	ssize_t r;

	EXPECT(fd >= 0);
	r = read(fd, buf, len);
	close(fd);
	return r < 0 ? 0 : (size_t)r;
}

static int write_pstree(int dirfd, int n)
{
	struct img *img = img_open(dirfd, IMG_PSTREE, O_WRONLY, 0);
	uint32_t threads[3] = { 100, 101, 102 };

	if (!img)
		return -1;
	for (int i = 0; i < n; i++) {
		PstreeEntry e = PSTREE_ENTRY__INIT;

		e.pid = 100 + i;
		e.ppid = i ? 100 : 1;
		e.pgid = e.sid = 100;
		e.n_threads = i == 0 ? 3 : 0;
		e.threads = threads;
		if (img_write_entry(img, &e))
			return -1;
	}
	return img_close(img);
}

UNIT_TEST(image_roundtrip)
{
	int dirfd = tmp_dirfd(), n = 0;
	void *msg;

	EXPECT_EQ(write_pstree(dirfd, 5), 0);
	struct img *img = img_open(dirfd, IMG_PSTREE, O_RDONLY, 0);

	EXPECT(img != NULL);
	while (img && img_read_entry(img, &msg) == 1) {
		PstreeEntry *e = msg;

		EXPECT_EQ(e->pid, 100 + n);
		if (n == 0) {
			EXPECT_EQ(e->n_threads, 3);
			EXPECT_EQ(e->threads[2], 102);
		}
		img_free(IMG_PSTREE, msg);
		n++;
	}
	EXPECT_EQ(n, 5);
	img_close(img);
	close(dirfd);
}

UNIT_TEST(image_magic_layout)
{
	int dirfd = tmp_dirfd();
	uint32_t words[2];
	InventoryEntry inv = INVENTORY_ENTRY__INIT;

	EXPECT_EQ(write_pstree(dirfd, 1), 0);
	EXPECT_EQ(read_file(dirfd, "pstree.img", words, 8), 8);
	EXPECT_EQ(words[0], IMG_COMMON_MAGIC);
	EXPECT_EQ(words[1], PSTREE_MAGIC);
	/* inventory.img carries only its own magic, as in CRIU */
	inv.img_version = IMG_VERSION;
	EXPECT_EQ(img_write_one(dirfd, IMG_INVENTORY, 0, &inv), 0);
	EXPECT_EQ(read_file(dirfd, "inventory.img", words, 8), 8);
	EXPECT_EQ(words[0], INVENTORY_MAGIC);
	EXPECT(img_exists(dirfd, IMG_INVENTORY, 0));
	close(dirfd);
}

UNIT_TEST(image_names)
{
	int dirfd = tmp_dirfd();
	CoreEntry core = CORE_ENTRY__INIT;

	core.mtype = CORE_ENTRY__MARCH__X86_64;
	EXPECT_EQ(img_write_one(dirfd, IMG_CORE, 4242, &core), 0);
	EXPECT_EQ(faccessat(dirfd, "core-4242.img", F_OK, 0), 0);
	EXPECT(!img_exists(dirfd, IMG_CORE, 4243));
	close(dirfd);
}

UNIT_TEST(image_bad_magic)
{
	int dirfd = tmp_dirfd();
	uint32_t words[3] = { IMG_COMMON_MAGIC, CORE_MAGIC, 0 };

	write_file(dirfd, "pstree.img", words, sizeof(words));
	EXPECT(img_open(dirfd, IMG_PSTREE, O_RDONLY, 0) == NULL);
	write_file(dirfd, "pstree.img", words, 2);
	EXPECT(img_open(dirfd, IMG_PSTREE, O_RDONLY, 0) == NULL);
	EXPECT(img_open(dirfd, IMG_MM, O_RDONLY, 77) == NULL);	/* missing */
	close(dirfd);
}

/* Cut the file at every length: never a crash, always an error or a clean EOF. */
UNIT_TEST(image_truncated_everywhere)
{
	int dirfd = tmp_dirfd();
	char buf[4096];
	size_t len;

	EXPECT_EQ(write_pstree(dirfd, 3), 0);
	len = read_file(dirfd, "pstree.img", buf, sizeof(buf));
	EXPECT(len > 20);
	for (size_t cut = 0; cut < len; cut++) {
		void *msg;
		int r = 1, n = 0;

		write_file(dirfd, "pstree.img", buf, cut);
		struct img *img = img_open(dirfd, IMG_PSTREE, O_RDONLY, 0);

		if (!img) {
			EXPECT(cut < 8);
			continue;
		}
		while ((r = img_read_entry(img, &msg)) == 1) {
			img_free(IMG_PSTREE, msg);
			n++;
		}
		img_close(img);
		EXPECT(n < 3);
		/* a cut between entries reads as a shorter file; anything else fails */
		(void)r;
	}
	close(dirfd);
}

UNIT_TEST(image_oversized_length)
{
	int dirfd = tmp_dirfd();
	uint32_t words[4] = { IMG_COMMON_MAGIC, PSTREE_MAGIC, 0xfffffff0, 0 };
	void *msg;

	write_file(dirfd, "pstree.img", words, sizeof(words));
	struct img *img = img_open(dirfd, IMG_PSTREE, O_RDONLY, 0);

	EXPECT(img != NULL);
	EXPECT_EQ(img_read_entry(img, &msg), -1);
	EXPECT(msg == NULL);
	img_close(img);
	/* a length that fits the cap but not the file */
	words[2] = 1000;
	write_file(dirfd, "pstree.img", words, sizeof(words));
	img = img_open(dirfd, IMG_PSTREE, O_RDONLY, 0);
	EXPECT_EQ(img_read_entry(img, &msg), -1);
	img_close(img);
	close(dirfd);
}

UNIT_TEST(image_garbage_entry)
{
	int dirfd = tmp_dirfd();
	uint8_t buf[16] = { 0 };
	uint32_t *w = (uint32_t *)buf;
	void *msg;

	w[0] = IMG_COMMON_MAGIC;
	w[1] = PSTREE_MAGIC;
	w[2] = 4;
	memset(buf + 12, 0xff, 4);	/* not a protobuf message */
	write_file(dirfd, "pstree.img", buf, sizeof(buf));
	struct img *img = img_open(dirfd, IMG_PSTREE, O_RDONLY, 0);

	EXPECT_EQ(img_read_entry(img, &msg), -1);
	img_close(img);
	/* an empty message lacks the required fields */
	w[2] = 0;
	write_file(dirfd, "pstree.img", buf, 12);
	img = img_open(dirfd, IMG_PSTREE, O_RDONLY, 0);
	EXPECT_EQ(img_read_entry(img, &msg), -1);
	img_close(img);
	close(dirfd);
}

UNIT_TEST(image_raw_data)
{
	int dirfd = tmp_dirfd();
	char page[4096], back[4096];
	struct img *img = img_open(dirfd, IMG_PAGES, O_WRONLY, 1);

	memset(page, 0x5a, sizeof(page));
	EXPECT_EQ(img_write_raw(img, page, sizeof(page)), 0);
	EXPECT_EQ(img_close(img), 0);
	img = img_open(dirfd, IMG_PAGES, O_RDONLY, 1);
	EXPECT_EQ(img_raw_left(img), 4096);
	EXPECT_EQ(img_read_raw(img, back, sizeof(back)), 0);
	EXPECT(!memcmp(page, back, sizeof(page)));
	EXPECT_EQ(img_read_raw(img, back, 1), -1);
	img_close(img);
	close(dirfd);
}
