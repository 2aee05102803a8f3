/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Unix sockets, private to criu/files/: one struct usk per socket (the
 * priv of its file_entry), shared by the dump (unix-sk-dump.c), the image
 * (unix-sk-img.c) and the restore (unix-sk-restore.c) parts.
 */
#ifndef CRIU_FILES_UNIX_SK_H
#define CRIU_FILES_UNIX_SK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/list.h"
#include "file-ops.h"

#define USK_EXTERN	(1 << 0)	/* uflags, as CRIU: a named peer outside the tree */
#define USK_NAME_MAX	108		/* sizeof(sun_path) */
#define USK_MAX_QUEUE	(64u << 20)	/* bytes queued for one socket */
#define USK_MAX_PACKETS	(1u << 20)
#define USK_MAX_BACKLOG	(1u << 24)
#define USK_MAX_ICONS	65536
#define USK_SHUT_RCV	1		/* the kernel's RCV_SHUTDOWN, sk_shutdown.READ */
#define USK_SHUT_SEND	2		/* SEND_SHUTDOWN, sk_shutdown.WRITE */

/* Kernel socket states (include/net/tcp_states.h) unix sockets use. */
#define USK_ESTABLISHED	1
#define USK_CLOSE	7
#define USK_LISTEN	10

/* One packet waiting in a socket's receive queue. */
struct usk_packet {
	struct list_head list;
	uint32_t len;
	uint32_t addr_len;		/* the sender's address, 0 when it had none */
	char addr[USK_NAME_MAX];
	uint8_t data[];
};

struct usk_opts {
	uint32_t sndbuf, rcvbuf;	/* as getsockopt reports them (doubled) */
	uint64_t snd_tmo_sec, snd_tmo_usec, rcv_tmo_sec, rcv_tmo_usec;
	uint32_t priority, rcvlowat, mark;
	bool passcred, passsec;
	int32_t peek_off;		/* -1: peeking ignores offsets */
};

struct usk {
	struct file_entry *fe;
	uint32_t ino, peer_ino;		/* peer_ino of a pending client: its listener */
	uint32_t type, state, backlog;
	uint32_t flags;			/* file flags (O_NONBLOCK) */
	uint32_t uflags;
	uint8_t shutdown;
	bool accepted;			/* its name came with accept(), it did not bind */
	bool inherited;			/* --inherit-fd gives it; USK_EXTERN too */
	bool deleted;			/* bound to a path that is gone */
	bool has_perms;
	uint32_t mode, uid, gid;	/* the socket file's */
	uint32_t name_len;
	char name[USK_NAME_MAX];
	char *name_dir;			/* where a relative name is resolved */
	struct usk_opts opts;
	struct list_head queue;		/* its receive queue, oldest first */
	uint32_t nr_packets;
	uint64_t queued;
	uint32_t nr_icons;		/* listener: pending clients' inodes, oldest first */
	uint32_t *icons;

	/* dump */
	pid_t pid;			/* an fd of a task holding it, for messages */
	int fd;
	uint32_t wqlen;			/* bytes it sent that nobody read yet */
	uint32_t peer_name_len;		/* getpeername(), for peers outside the tree */
	char peer_name[USK_NAME_MAX];
	char *peer_name_dir;

	/* restore */
	struct usk *peer;		/* in the images: in the tree or USK_EXTERN */
	struct usk *partner;		/* created together by socketpair() */
	struct usk *cur_peer;		/* dgram: who it is connected to right now */
	int helper;			/* a socket whose peer it is, to refill it */
	bool helper_linked;		/* its peer is the helper (a peer that is gone) */
	bool visiting, processed;
};

static inline struct usk *usk_of(const struct file_entry *fe)
{
	return fe->priv;
}

/* unix-sk.c */
struct usk *usk_new(struct file_entry *fe);
struct usk *usk_find_ino(const struct file_ids *f, uint32_t ino);
/* "@name" for abstract names, the path, or "unnamed", for messages. */
const char *usk_name_str(const char *name, uint32_t len, char *buf, size_t size);
bool usk_is_path(const struct usk *u);
int usk_add_packet(struct usk *u, const void *data, uint32_t len, const char *addr,
		   uint32_t addr_len);
int usk_get_opts(int sk, struct usk_opts *o, const char *what);
int usk_set_opts(int sk, const struct usk_opts *o, const char *what);

/* unix-sk-dump.c */
bool usk_match(const struct fd_parms *p);
int usk_dump(struct file_ids *f, const struct fd_parms *p, uint32_t *id);
int usk_dump_finish(struct file_ids *f);
void usk_state_free(struct file_ids *f);

/* unix-sk-img.c */
int usk_to_image(const struct file_entry *fe, FileEntry *e, struct arena *a);
int usk_from_image(struct file_ids *f, const FileEntry *e, struct file_entry *fe);
int usk_write_queues(int dirfd, const struct file_ids *f);
int usk_read_queues(int dirfd, struct file_ids *f);

/* unix-sk-restore.c */
int usk_open(struct file_ids *f, struct file_entry *fe, int dirfd);

#endif /* CRIU_FILES_UNIX_SK_H */
