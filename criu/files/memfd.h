/* SPDX-License-Identifier: GPL-2.0 */
/* memfd: the content images of a memfd (memfd-data.c). Private to criu/files/. */
#ifndef CRIU_FILES_MEMFD_H
#define CRIU_FILES_MEMFD_H

#include <stdint.h>

#define MEMFD_MAX_SIZE (1ULL << 40)

/* Dump: the content of src (size bytes) to pagemap-shmem-<shmid>.img and a pages image. */
int memfd_write_data(int dirfd, int src, uint64_t size, uint32_t shmid);
/* Restore: check those images (fd < 0), or copy their content into fd. */
int memfd_read_data(int dirfd, uint32_t shmid, uint64_t size, int fd);

#endif /* CRIU_FILES_MEMFD_H */
