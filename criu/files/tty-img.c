// SPDX-License-Identifier: GPL-2.0
/*
 * tty-info.img (one tty_info_entry per terminal side) and tty-data.img
 * (the bytes queued for one side's readers: tty_data_entry.tty_id names
 * that side), written at dump and read back checked at restore.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#define LOG_PREFIX "tty: "
#include "file-ops.h"
#include "image.h"
#include "log.h"
#include "tty-internal.h"

#define PID_LIMIT (1u << 22)	/* PID_MAX_LIMIT on 64-bit */

static void termios_to_img(const struct tty_termios2 *t, TermiosEntry *e, uint32_t *cc)
{
	termios_entry__init(e);
	e->c_iflag = t->c_iflag;
	e->c_oflag = t->c_oflag;
	e->c_cflag = t->c_cflag;
	e->c_lflag = t->c_lflag;
	e->c_line = t->c_line;
	e->c_ispeed = t->c_ispeed;
	e->c_ospeed = t->c_ospeed;
	for (int i = 0; i < TTY_NCCS; i++)
		cc[i] = t->c_cc[i];
	e->n_c_cc = TTY_NCCS;
	e->c_cc = cc;
}

static int write_info(struct img *img, const struct tty_info *ti)
{
	TtyInfoEntry e = TTY_INFO_ENTRY__INIT;
	TermiosEntry tios, locked;
	WinsizeEntry ws = WINSIZE_ENTRY__INIT;
	TtyPtyEntry pty = TTY_PTY_ENTRY__INIT;
	uint32_t cc[TTY_NCCS], cc_locked[TTY_NCCS];
	struct tty_termios2 l = { 0 };

	e.id = ti->id;
	e.type = (TtyType)ti->type;
	e.locked = ti->locked;
	e.exclusive = ti->exclusive;
	e.packet_mode = ti->packet_mode;
	e.sid = ti->sid;
	e.pgrp = ti->pgrp;
	e.rdev = ti->rdev;
	e.has_dev = 1;
	e.dev = ti->dev;
	if (ti->has_termios) {
		termios_to_img(&ti->termios, &tios, cc);
		memcpy(&l, &ti->termios_locked, sizeof(ti->termios_locked));
		termios_to_img(&l, &locked, cc_locked);
		e.termios = &tios;
		e.termios_locked = &locked;
	}
	if (ti->has_winsize) {
		ws.ws_row = ti->ws.ws_row;
		ws.ws_col = ti->ws.ws_col;
		ws.ws_xpixel = ti->ws.ws_xpixel;
		ws.ws_ypixel = ti->ws.ws_ypixel;
		e.winsize = &ws;
	}
	if (ti->type == TTY_T_PTY) {
		pty.index = ti->index;
		e.pty = &pty;
	}
	if (ti->has_owner) {
		e.has_uid = e.has_gid = 1;
		e.uid = ti->uid;
		e.gid = ti->gid;
	}
	return img_write_entry(img, &e);
}

int tty_write_infos(int dirfd, struct tty_state *st)
{
	struct img *info = NULL, *data = NULL;
	struct tty_info *ti;
	int ret = -1;

	list_for_each_entry(ti, &st->infos, list) {
		TtyDataEntry d = TTY_DATA_ENTRY__INIT;

		if (!info && !(info = img_open(dirfd, IMG_TTY_INFO, O_WRONLY, 0)))
			goto out;
		if (write_info(info, ti))
			goto out;
		if (!ti->data_len)
			continue;
		if (!data && !(data = img_open(dirfd, IMG_TTY_DATA, O_WRONLY, 0)))
			goto out;
		d.tty_id = ti->id;
		d.data.len = ti->data_len;
		d.data.data = ti->data;
		if (img_write_entry(data, &d))
			goto out;
	}
	ret = 0;
out:
	if (img_close(info) || img_close(data))
		ret = -1;
	return ret;
}

static int termios_from_img(const TermiosEntry *e, struct tty_termios2 *t)
{
	if (e->c_line > 255 || e->n_c_cc < TTY_NCCS || e->n_c_cc > 64)
		return -1;
	t->c_iflag = e->c_iflag;
	t->c_oflag = e->c_oflag;
	t->c_cflag = e->c_cflag;
	t->c_lflag = e->c_lflag;
	t->c_line = e->c_line;
	t->c_ispeed = e->c_ispeed;
	t->c_ospeed = e->c_ospeed;
	for (int i = 0; i < TTY_NCCS; i++) {
		if (e->c_cc[i] > 255)
			return -1;
		t->c_cc[i] = e->c_cc[i];
	}
	return 0;
}

static int info_from_img(const TtyInfoEntry *e, struct tty_info *ti)
{
	struct tty_termios2 l;

	if (e->type < TTY_TYPE__PTY || e->type > TTY_TYPE__SERIAL || e->sid >= PID_LIMIT ||
	    e->pgrp >= PID_LIMIT || (e->type == TTY_TYPE__PTY) != !!e->pty ||
	    (e->pty && e->pty->index >= TTY_PTY_MAX_INDEX))
		return -1;
	ti->type = (enum tty_type)e->type;
	ti->index = e->pty ? e->pty->index : 0;
	ti->master = ti->type == TTY_T_PTY && major(e->rdev) == 5 && minor(e->rdev) == 2;
	ti->rdev = e->rdev;
	ti->dev = e->has_dev ? e->dev : 0;
	ti->locked = e->locked;
	ti->exclusive = e->exclusive;
	ti->packet_mode = e->packet_mode;
	ti->sid = e->sid;
	ti->pgrp = e->pgrp;
	if (e->termios && termios_from_img(e->termios, &ti->termios))
		return -1;
	ti->has_termios = e->termios;
	if (e->termios_locked) {
		if (termios_from_img(e->termios_locked, &l))
			return -1;
		memcpy(&ti->termios_locked, &l, sizeof(ti->termios_locked));
	}
	if (e->winsize) {
		if (e->winsize->ws_row > 0xffff || e->winsize->ws_col > 0xffff ||
		    e->winsize->ws_xpixel > 0xffff || e->winsize->ws_ypixel > 0xffff)
			return -1;
		ti->ws = (struct winsize){ e->winsize->ws_row, e->winsize->ws_col,
					   e->winsize->ws_xpixel, e->winsize->ws_ypixel };
		ti->has_winsize = true;
	}
	ti->has_owner = e->has_uid && e->has_gid;
	ti->uid = e->uid;
	ti->gid = e->gid;
	return 0;
}

static int read_info(struct img *img, void *msg, void *arg)
{
	const TtyInfoEntry *e = msg;
	struct tty_state *st = arg;
	struct tty_info *ti, *o;

	(void)img;
	if (tty_find_info(st, e->id)) {
		pr_err("tty-info.img: terminal %u is listed twice\n", e->id);
		return -1;
	}
	ti = tty_new_info(st);
	if (!ti)
		return -1;
	ti->id = e->id;
	if (info_from_img(e, ti)) {
		pr_err("tty-info.img: terminal %u is malformed\n", e->id);
		return -1;
	}
	list_for_each_entry(o, &st->infos, list)
		if (o != ti && ti->type == TTY_T_PTY && o->type == TTY_T_PTY &&
		    o->index == ti->index && o->master == ti->master) {
			pr_err("tty-info.img: two %s sides of pty %u\n",
			       ti->master ? "master" : "slave", ti->index);
			return -1;
		}
	return 0;
}

static int read_data(struct img *img, void *msg, void *arg)
{
	const TtyDataEntry *e = msg;
	struct tty_state *st = arg;
	struct tty_info *ti = tty_find_info(st, e->tty_id);

	(void)img;
	if (!ti || !tty_peer(st, ti) || ti->data || !e->data.len ||
	    e->data.len > TTY_DATA_MAX) {
		pr_err("tty-data.img: %zu bytes for terminal %u, which is unknown, not a pty "
		       "pair or listed twice\n", e->data.len, e->tty_id);
		return -1;
	}
	ti->data = malloc(e->data.len);
	if (!ti->data) {
		pr_err("out of memory\n");
		return -1;
	}
	memcpy(ti->data, e->data.data, e->data.len);
	ti->data_len = e->data.len;
	return 0;
}

/* Every terminal file must name a terminal; a pty has one master file at most. */
static int link_files(struct file_ids *f, struct tty_state *st)
{
	struct file_entry *fe;

	list_for_each_entry(fe, &f->files, list) {
		struct tty_file *tf = fe->priv;
		struct file_entry *o;

		if (fe->kind != FILE_KIND_TTY)
			continue;
		tf->info = tty_find_info(st, tf->info_id);
		if (!tf->info) {
			pr_err("files.img: terminal file %u names unknown terminal %u\n", fe->id,
			       tf->info_id);
			return -1;
		}
		list_for_each_entry(o, &f->files, list) {
			if (o == fe)
				break;
			if (o->kind == FILE_KIND_TTY && tf->info->master &&
			    ((struct tty_file *)o->priv)->info == tf->info) {
				pr_err("files.img: pty %u has two master files\n", tf->info->index);
				return -1;
			}
		}
	}
	return 0;
}

int tty_read_infos(int dirfd, struct file_ids *f)
{
	struct tty_state *st = tty_state(f);

	if (!st || img_for_each_entry(dirfd, IMG_TTY_INFO, read_info, st) < 0 ||
	    img_for_each_entry(dirfd, IMG_TTY_DATA, read_data, st) < 0)
		return -1;
	return link_files(f, st);
}
