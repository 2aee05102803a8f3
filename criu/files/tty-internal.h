/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Terminals, shared by the files of criu/files/tty*.c: one tty_info per
 * terminal side (tty-info.img), one tty_file per open file description
 * (files.img), and what the dump learnt of each task's controlling tty.
 */
#ifndef CRIU_FILES_TTY_INTERNAL_H
#define CRIU_FILES_TTY_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/types.h>

#include "common/list.h"
#include "files.h"

/* The kernel's struct termios2 and struct termios (glibc's differ). */
#define TTY_NCCS 19
struct tty_termios2 {
	uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
	uint8_t c_line;
	uint8_t c_cc[TTY_NCCS];
	uint32_t c_ispeed, c_ospeed;
};

struct tty_termios1 {
	uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
	uint8_t c_line;
	uint8_t c_cc[TTY_NCCS];
};

#define TTY_TCGETS2 _IOR('T', 0x2A, struct tty_termios2)
#define TTY_TCSETS2 _IOW('T', 0x2B, struct tty_termios2)

/* tty_info_entry.type, as tty.proto numbers them */
enum tty_type {
	TTY_T_UNKNOWN = 0,
	TTY_T_PTY = 1,
	TTY_T_CONSOLE = 2,
	TTY_T_VT = 3,
	TTY_T_CTTY = 4,		/* /dev/tty, the controlling-terminal alias */
	TTY_T_EXT = 5,		/* outside the tree, given back with --inherit-fd */
	TTY_T_SERIAL = 6,
};

#define TTY_PTY_MAX_INDEX (1u << 20)
#define TTY_DATA_MAX (128u << 10)	/* a line discipline's buffer plus the flip buffers */

/* One side of a terminal. */
struct tty_info {
	uint32_t id;
	enum tty_type type;
	bool master;			/* the /dev/ptmx side of a pty */
	uint32_t index;			/* pty index */
	uint32_t rdev, dev;		/* st_rdev and st_dev of the file */
	bool locked, exclusive, packet_mode;
	uint32_t sid, pgrp;		/* the session it controls, its foreground group */
	bool has_termios, has_winsize, has_owner;
	struct tty_termios2 termios;
	struct tty_termios1 termios_locked;
	struct winsize ws;
	uint32_t uid, gid;		/* owner of the slave */
	uint8_t *data;			/* bytes queued for this side's readers */
	uint32_t data_len;
	struct list_head list;		/* tty_state.infos */

	/* dump */
	int grab;			/* criu's fd on it (pidfd_getfd), -1 if none */
	uint32_t real_rdev;		/* /dev/tty: the terminal it stands for */
	char what[64];			/* the first fd met on it, for messages */
	char path[64];			/* its name, e.g. /dev/pts/3 */
	bool shell_job;			/* the shell's terminal (-j) */

	/* restore */
	int fd;				/* criu's: the master, the terminal, the inherited fd */
	bool opened;			/* the pty or terminal was set up */
};

/* One open file description on a terminal (file_entry.priv). */
struct tty_file {
	uint32_t info_id;
	struct tty_info *info;
	uint32_t flags;
};

/* A task's controlling terminal as /proc/PID/stat shows it. */
struct tty_task {
	pid_t pid, sid, pgid, tpgid;
	uint32_t tty_rdev;		/* 0: no controlling terminal */
};

/* Everything of the terminals of one dump or restore (file_ids.tty). */
struct tty_state {
	struct list_head infos;
	uint32_t next_id;
	int nr_tasks, cap_tasks;
	struct tty_task *tasks;
	int job_term;			/* restore: criu's terminal (0-2), -1 none */
};

/* tty.c */
struct tty_state *tty_state(struct file_ids *f);
struct tty_info *tty_new_info(struct tty_state *st);
struct tty_info *tty_find_info(const struct tty_state *st, uint32_t id);
/* The pty's other side, or NULL. */
struct tty_info *tty_peer(const struct tty_state *st, const struct tty_info *ti);
const char *tty_type_name(enum tty_type t);
uint32_t tty_slave_rdev(uint32_t index);
int tty_open_peer(int master, uint32_t flags);

/* tty-dump.c */
struct stat;
int tty_dump_file(struct file_ids *f, pid_t pid, int fd, const char *link,
		  const struct stat *sb, const char *what, struct tty_info **out);
int tty_dump_task(struct file_ids *f, pid_t pid);
int tty_dump_finish(struct tty_state *st);

/* tty-img.c */
int tty_write_infos(int dirfd, struct tty_state *st);
int tty_read_infos(int dirfd, struct file_ids *f);

/* tty-data.c: queued bytes, read from a live pty and put back */
int tty_data_take(struct tty_info *master, struct tty_info *slave);
/* packet: the master is in packet mode already (its reads carry a status byte) */
int tty_data_refill(int master_fd, int slave_fd, bool packet, const struct tty_info *master,
		    const struct tty_info *slave);

/* tty-restore.c */
int tty_open_file(struct file_ids *f, struct file_entry *fe);
/* A pty slave without its master, a console...: the shell's terminal or an external one. */
bool tty_unpaired(const struct tty_state *st, const struct tty_info *ti);

#endif /* CRIU_FILES_TTY_INTERNAL_H */
