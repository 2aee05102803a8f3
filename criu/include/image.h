/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Image files: open by type, check magic numbers, read and write
 * length-prefixed protobuf entries with every length checked.
 */
#ifndef CRIU_INCLUDE_IMAGE_H
#define CRIU_INCLUDE_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/compiler.h"

enum img_type {
	IMG_INVENTORY,
	IMG_PSTREE,
	IMG_CORE,
	IMG_IDS,
	IMG_MM,
	IMG_PAGEMAP,
	IMG_PAGES,		/* raw page data, no magic */
	IMG_FDINFO,
	IMG_FILES,
	IMG_FS,
	IMG_GHOST_FILE,
	IMG_REMAP_FPATH,
	IMG_PIPES_DATA,
	IMG_TTY_INFO,
	IMG_TTY_DATA,
	IMG_SK_QUEUES,
	IMG_FIFO_DATA,
	IMG_FILE_LOCKS,
	IMG_MEMFD_INODE,
	IMG_SHMEM_PAGEMAP,	/* pagemap-shmem-<shmid>.img: a memfd's pages */
	IMG_STATS_DUMP,
	IMG_STATS_RESTORE,
	IMG_NR_TYPES,
};

/* No entry may be larger; real ones are far below (an mm with 64k VMAs ~ 4 MiB). */
#define IMG_MAX_ENTRY (64u << 20)

struct img;

/* ProtobufCMessageDescriptor, kept opaque outside img/. */
struct ProtobufCMessageDescriptor;
typedef struct ProtobufCMessageDescriptor img_desc_t;

/* Open image `type` (with id for per-task names) in dirfd; O_RDONLY or O_WRONLY. */
struct img *img_open(int dirfd, enum img_type type, int flags, unsigned long id);
/* Like img_open for reading, but a missing file is not an error: returns NULL, errno ENOENT. */
struct img *img_open_optional(int dirfd, enum img_type type, unsigned long id);
/* Wrap an already open fd (tests, fuzzing); the fd is owned by the img. */
struct img *img_from_fd(int fd, enum img_type type, int flags, const char *name);
int img_close(struct img *img);	/* flushes writes; reports any write error */

const char *img_name(const struct img *img);
const char *img_type_name(enum img_type type);
bool img_exists(int dirfd, enum img_type type, unsigned long id);
int img_unlink(int dirfd, enum img_type type, unsigned long id);

/* Entries of the image's own message type. */
int img_write_entry(struct img *img, const void *msg) __must_check;
/* 1: an entry in *msg; 0: clean end of file; -1: error (logged with the file name). */
int img_read_entry(struct img *img, void **msg) __must_check;
/*
 * fn on every entry of an optional image (none when the file is absent),
 * with the image for raw data following an entry; stops at fn's first
 * error. Returns the number of entries, or -1.
 */
typedef int (*img_entry_fn)(struct img *img, void *msg, void *arg);
int img_for_each_entry(int dirfd, enum img_type type, img_entry_fn fn, void *arg);
/* Entries of another type (pagemap's head, ghost chunks). */
int img_write_entry_as(struct img *img, const img_desc_t *desc, const void *msg) __must_check;
int img_read_entry_as(struct img *img, const img_desc_t *desc, void **msg) __must_check;
void img_free_entry(const img_desc_t *desc, void *msg);
void img_free(enum img_type type, void *msg);
const img_desc_t *img_type_desc(enum img_type type);

/* Read exactly one entry (a missing or empty file is an error). */
int img_read_one(int dirfd, enum img_type type, unsigned long id, void **msg) __must_check;
int img_write_one(int dirfd, enum img_type type, unsigned long id, const void *msg) __must_check;

/* Raw data that follows entries (pages, ghost file content). */
int img_write_raw(struct img *img, const void *buf, size_t len) __must_check;
int img_read_raw(struct img *img, void *buf, size_t len) __must_check;
/* Bytes of raw data left unread in the file (reads flush the entry buffer). */
off_t img_raw_left(struct img *img);
/* The fd with the file position at the first unbuffered byte. */
int img_raw_fd(struct img *img);

/* inventory.img: written last by a dump, checked first by a restore. */
struct inventory {
	pid_t root_pid;
	char kernel_release[65];
};
int img_write_inventory(int dirfd, pid_t root) __must_check;
int img_read_inventory(int dirfd, struct inventory *inv) __must_check;

#endif /* CRIU_INCLUDE_IMAGE_H */
