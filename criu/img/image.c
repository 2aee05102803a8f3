// SPDX-License-Identifier: GPL-2.0
/*
 * Image files: open/close, magic numbers, size-capped record I/O. Every
 * length read from a file is checked against the cap and against what the
 * file still holds before anything is allocated.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <protobuf-c/protobuf-c.h>

#define LOG_PREFIX "img: "
#include "log.h"
#include "image.h"
#include "img-table.h"

#define IMG_BUF_SIZE (64 << 10)

struct img {
	int fd;
	enum img_type type;
	bool writing;
	char name[64];
	char *buf;
	size_t len;	/* bytes buffered */
	size_t pos;	/* read position within buf */
	off_t offset;	/* file offset of buf[0] */
	off_t size;	/* file size when opened for reading */
	int error;
};

const char *img_name(const struct img *img)
{
	return img->name;
}

static int fill_name(char *dst, size_t len, enum img_type type, unsigned long id)
{
	const struct img_type_info *t = img_type_info(type);

	int n;

	/* The formats are the constants of img-table.c, each with at most one %lu. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	n = snprintf(dst, len, t->fmt, id);
#pragma GCC diagnostic pop
	return n >= (int)len ? -1 : 0;
}

bool img_exists(int dirfd, enum img_type type, unsigned long id)
{
	char name[64];

	if (fill_name(name, sizeof(name), type, id))
		return false;
	return faccessat(dirfd, name, F_OK, 0) == 0;
}

int img_unlink(int dirfd, enum img_type type, unsigned long id)
{
	char name[64];

	if (fill_name(name, sizeof(name), type, id))
		return -1;
	if (unlinkat(dirfd, name, 0) && errno != ENOENT) {
		pr_perror("can't remove image '%s'", name);
		return -1;
	}
	return 0;
}

/* Read straight from the file past the buffer (raw data, refills). */
static ssize_t read_full(int fd, void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t r = read(fd, (char *)buf + done, len - done);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		done += r;
	}
	return done;
}

static int write_full(int fd, const void *buf, size_t len)
{
	while (len) {
		ssize_t w = write(fd, buf, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		buf = (const char *)buf + w;
		len -= w;
	}
	return 0;
}

static int flush_writes(struct img *img)
{
	if (!img->writing || !img->len)
		return 0;
	if (write_full(img->fd, img->buf, img->len)) {
		pr_perror("can't write image '%s'", img->name);
		img->error = -1;
		return -1;
	}
	img->offset += img->len;
	img->len = 0;
	return 0;
}

static int buffered_write(struct img *img, const void *data, size_t len)
{
	if (img->error)
		return -1;
	if (img->len + len > IMG_BUF_SIZE && flush_writes(img))
		return -1;
	if (len >= IMG_BUF_SIZE) {
		if (write_full(img->fd, data, len)) {
			pr_perror("can't write image '%s'", img->name);
			img->error = -1;
			return -1;
		}
		img->offset += len;
		return 0;
	}
	memcpy(img->buf + img->len, data, len);
	img->len += len;
	return 0;
}

/*
 * Copy exactly len bytes out of the file through the buffer. Returns len,
 * or fewer at end of file, or -1 on a read error.
 */
static ssize_t buffered_read(struct img *img, void *dst, size_t len)
{
	size_t done = 0;

	while (done < len) {
		if (img->pos == img->len) {
			img->offset += img->len;
			img->pos = img->len = 0;
			ssize_t r = read_full(img->fd, img->buf, IMG_BUF_SIZE);

			if (r < 0) {
				pr_perror("can't read image '%s'", img->name);
				return -1;
			}
			if (r == 0)
				break;
			img->len = r;
		}
		size_t n = min(len - done, img->len - img->pos);

		memcpy((char *)dst + done, img->buf + img->pos, n);
		img->pos += n;
		done += n;
	}
	return done;
}

static off_t read_position(const struct img *img)
{
	return img->offset + img->pos;
}

static int write_magic(struct img *img)
{
	const struct img_type_info *t = img_type_info(img->type);
	uint32_t m;

	if (t->head == IMG_HEAD_RAW)
		return 0;
	if (t->head != IMG_HEAD_NONE) {
		m = t->head == IMG_HEAD_SERVICE ? IMG_SERVICE_MAGIC : IMG_COMMON_MAGIC;
		if (buffered_write(img, &m, sizeof(m)))
			return -1;
	}
	m = t->magic;
	return buffered_write(img, &m, sizeof(m));
}

static int check_magic(struct img *img)
{
	const struct img_type_info *t = img_type_info(img->type);
	uint32_t m;

	if (t->head == IMG_HEAD_RAW)
		return 0;
	if (buffered_read(img, &m, sizeof(m)) != sizeof(m))
		goto short_file;
	/* CRIU's readers accept the head magic as optional; so do we. */
	if (m == IMG_COMMON_MAGIC || m == IMG_SERVICE_MAGIC) {
		if (buffered_read(img, &m, sizeof(m)) != sizeof(m))
			goto short_file;
	}
	if (m != t->magic) {
		pr_err("image '%s' has magic 0x%08x, not 0x%08x (%s): not a %s image\n", img->name,
		       m, t->magic, t->name, t->name);
		return -1;
	}
	return 0;
short_file:
	pr_err("image '%s' is too short to hold its magic numbers\n", img->name);
	return -1;
}

struct img *img_from_fd(int fd, enum img_type type, int flags, const char *name)
{
	struct img *img = calloc(1, sizeof(*img));
	struct stat st;

	if (!img || !(img->buf = malloc(IMG_BUF_SIZE))) {
		pr_err("out of memory opening image '%s'\n", name);
		free(img);
		close(fd);
		return NULL;
	}
	img->fd = fd;
	img->type = type;
	img->writing = (flags & O_ACCMODE) != O_RDONLY;
	snprintf(img->name, sizeof(img->name), "%s", name);
	if (!img->writing) {
		if (fstat(fd, &st)) {
			pr_perror("can't stat image '%s'", name);
			goto err;
		}
		img->size = st.st_size;
		if (check_magic(img))
			goto err;
	} else if (write_magic(img)) {
		goto err;
	}
	return img;
err:
	close(fd);
	free(img->buf);
	free(img);
	return NULL;
}

static struct img *do_open(int dirfd, enum img_type type, int flags, unsigned long id,
			   bool optional)
{
	char name[64];
	int fd, oflags;

	if ((unsigned)type >= IMG_NR_TYPES || fill_name(name, sizeof(name), type, id)) {
		pr_err("bad image type %d\n", type);
		return NULL;
	}
	if ((flags & O_ACCMODE) == O_RDONLY)
		oflags = O_RDONLY | O_CLOEXEC;
	else
		oflags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC;
	fd = openat(dirfd, name, oflags, 0600);
	if (fd < 0) {
		if (optional && errno == ENOENT)
			return NULL;
		pr_perror("can't open image '%s'", name);
		return NULL;
	}
	return img_from_fd(fd, type, flags, name);
}

struct img *img_open(int dirfd, enum img_type type, int flags, unsigned long id)
{
	return do_open(dirfd, type, flags, id, false);
}

struct img *img_open_optional(int dirfd, enum img_type type, unsigned long id)
{
	errno = 0;
	return do_open(dirfd, type, O_RDONLY, id, true);
}

int img_for_each_entry(int dirfd, enum img_type type, img_entry_fn fn, void *arg)
{
	struct img *img = img_open_optional(dirfd, type, 0);
	void *msg;
	int r, nr = 0;

	if (!img)
		return errno == ENOENT ? 0 : -1;
	while ((r = img_read_entry(img, &msg)) == 1) {
		r = fn(img, msg, arg);
		img_free(type, msg);
		if (r)
			break;
		nr++;
	}
	img_close(img);
	return r ? -1 : nr;
}

int img_close(struct img *img)
{
	int ret;

	if (!img)
		return 0;
	ret = flush_writes(img) ? -1 : img->error;
	if (close(img->fd) && img->writing && !ret) {
		pr_perror("can't close image '%s'", img->name);
		ret = -1;
	}
	free(img->buf);
	free(img);
	return ret;
}

int img_write_entry_as(struct img *img, const img_desc_t *desc, const void *msg)
{
	const ProtobufCMessage *m = msg;
	uint8_t stack_buf[1024], *buf = stack_buf;
	size_t len;
	uint32_t len32;
	int ret;

	if (m->descriptor != desc) {
		pr_err("entry of type %s written to image '%s'\n", m->descriptor->name, img->name);
		return -1;
	}
	len = protobuf_c_message_get_packed_size(m);
	if (len > IMG_MAX_ENTRY) {
		pr_err("entry of %zu bytes is too big for image '%s'\n", len, img->name);
		return -1;
	}
	if (len > sizeof(stack_buf) && !(buf = malloc(len))) {
		pr_err("out of memory writing image '%s'\n", img->name);
		return -1;
	}
	protobuf_c_message_pack(m, buf);
	len32 = len;
	ret = buffered_write(img, &len32, sizeof(len32));
	if (!ret)
		ret = buffered_write(img, buf, len);
	if (buf != stack_buf)
		free(buf);
	return ret;
}

int img_write_entry(struct img *img, const void *msg)
{
	return img_write_entry_as(img, img_type_info(img->type)->desc, msg);
}

int img_read_entry_as(struct img *img, const img_desc_t *desc, void **msg)
{
	off_t at = read_position(img);
	uint32_t len;
	ssize_t r;
	uint8_t *buf;

	*msg = NULL;
	r = buffered_read(img, &len, sizeof(len));
	if (r == 0)
		return 0;
	if (r != sizeof(len)) {
		if (r > 0)
			pr_err("image '%s' is truncated: partial entry length at offset %lld\n",
			       img->name, (long long)at);
		return -1;
	}
	if (len > IMG_MAX_ENTRY || (off_t)len > img->size - read_position(img)) {
		pr_err("image '%s' is corrupt: entry at offset %lld claims %u bytes, "
		       "%lld left in the file\n", img->name, (long long)at, len,
		       (long long)(img->size - read_position(img)));
		return -1;
	}
	buf = malloc(len ? len : 1);
	if (!buf) {
		pr_err("out of memory reading image '%s'\n", img->name);
		return -1;
	}
	r = buffered_read(img, buf, len);
	if (r != (ssize_t)len) {
		if (r >= 0)
			pr_err("image '%s' is truncated at offset %lld\n", img->name,
			       (long long)read_position(img));
		free(buf);
		return -1;
	}
	*msg = protobuf_c_message_unpack(desc, NULL, len, buf);
	free(buf);
	if (!*msg) {
		pr_err("image '%s' is corrupt: entry at offset %lld does not decode as %s\n",
		       img->name, (long long)at, desc->name);
		return -1;
	}
	return 1;
}

int img_read_entry(struct img *img, void **msg)
{
	const img_desc_t *desc = img_type_info(img->type)->desc;

	if (!desc) {
		pr_err("image '%s' holds no entries\n", img->name);
		return -1;
	}
	return img_read_entry_as(img, desc, msg);
}

void img_free_entry(const img_desc_t *desc, void *msg)
{
	(void)desc;
	if (msg)
		protobuf_c_message_free_unpacked(msg, NULL);
}

void img_free(enum img_type type, void *msg)
{
	img_free_entry(img_type_info(type)->desc, msg);
}

const img_desc_t *img_type_desc(enum img_type type)
{
	return img_type_info(type)->desc;
}

int img_read_one(int dirfd, enum img_type type, unsigned long id, void **msg)
{
	struct img *img = img_open(dirfd, type, O_RDONLY, id);
	int ret;

	*msg = NULL;
	if (!img)
		return -1;
	ret = img_read_entry(img, msg);
	if (ret == 0)
		pr_err("image '%s' is empty\n", img_name(img));
	img_close(img);
	return ret == 1 ? 0 : -1;
}

int img_write_one(int dirfd, enum img_type type, unsigned long id, const void *msg)
{
	struct img *img = img_open(dirfd, type, O_WRONLY, id);
	int ret;

	if (!img)
		return -1;
	ret = img_write_entry(img, msg);
	if (img_close(img))
		ret = -1;
	return ret;
}

int img_write_raw(struct img *img, const void *buf, size_t len)
{
	return buffered_write(img, buf, len);
}

int img_read_raw(struct img *img, void *buf, size_t len)
{
	ssize_t r = buffered_read(img, buf, len);

	if (r == (ssize_t)len)
		return 0;
	if (r >= 0)
		pr_err("image '%s' is truncated: %zu bytes of data expected, %zd found\n",
		       img->name, len, r);
	return -1;
}

off_t img_raw_left(struct img *img)
{
	return img->size - read_position(img);
}

int img_raw_fd(struct img *img)
{
	if (img->writing) {
		if (flush_writes(img))
			return -1;
	} else if (img->pos != img->len) {
		/* Give the unread buffered bytes back to the file position. */
		if (lseek(img->fd, read_position(img), SEEK_SET) < 0) {
			pr_perror("can't seek in image '%s'", img->name);
			return -1;
		}
		img->offset = read_position(img);
		img->pos = img->len = 0;
	}
	return img->fd;
}
