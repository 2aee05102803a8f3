/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Restore of unix sockets, private to unix-sk-restore.c (the order of the
 * steps) and unix-sk-fill.c (names on the file system, refilled queues).
 */
#ifndef CRIU_FILES_UNIX_SK_RST_H
#define CRIU_FILES_UNIX_SK_RST_H

#include "unix-sk.h"

struct rst {
	struct file_ids *f;
	int cwd;		/* criu's, to come back to after a name's directory */
};

/* Remove stale socket files where sockets of the tree will bind. */
int usk_rst_clear_names(struct rst *r);
/* Bind fd to u's name (in its directory) and give the file its mode and owner. */
int usk_rst_bind(struct rst *r, int fd, const struct usk *u);
int usk_rst_connect(struct rst *r, int fd, const struct usk *to);
int usk_rst_unlink(struct rst *r, const struct usk *u);
/* A listener bound for the moment to a's name; -1 if the name is taken. */
int usk_rst_temp_listener(struct rst *r, const struct usk *a);
/* Refill and connect the datagram sockets; refill the connected ones. */
int usk_rst_dgrams(struct rst *r);
int usk_rst_streams(struct rst *r);

#endif /* CRIU_FILES_UNIX_SK_RST_H */
