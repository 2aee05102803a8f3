// SPDX-License-Identifier: GPL-2.0
/*
 * Dump of terminals. Each fd on a terminal is copied into criu with
 * pidfd_getfd() (opening /dev/ptmx again would make a new pty), and the
 * terminal's settings are read there. Once every task is dumped, each
 * terminal is checked: a pty must have its master in the tree unless it
 * is the shell's terminal (-j) or marked --external; a session leader's
 * controlling terminal must be one of the dumped ones.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define LOG_PREFIX "tty: "
#include "file-ops.h"
#include "files-internal.h"
#include "log.h"
#include "options.h"
#include "proc-parse.h"
#include "tty-internal.h"

/* The task's own fd, shared with it; opening /proc/PID/fd/N of a master would not be. */
static int grab_fd(pid_t pid, int fd)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0), ret;

	if (pidfd < 0) {
		pr_perror("can't open a pidfd for task %d", pid);
		return -1;
	}
	ret = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	if (ret < 0)
		pr_perror("can't copy fd %d of task %d (pidfd_getfd)", fd, pid);
	close(pidfd);
	return ret;
}

static enum tty_type classify(dev_t rdev, bool *master)
{
	unsigned int maj = major(rdev), min = minor(rdev);

	*master = false;
	if (maj == 5 && min == 0)
		return TTY_T_CTTY;
	if (maj == 5 && min == 1)
		return TTY_T_CONSOLE;
	if (maj == 5 && min == 2) {
		*master = true;
		return TTY_T_PTY;
	}
	if (maj >= 136 && maj <= 143)
		return TTY_T_PTY;
	return min < 64 ? TTY_T_VT : TTY_T_SERIAL;
}

static struct tty_info *find_info(const struct tty_state *st, enum tty_type type, bool master,
				  uint32_t index, uint32_t rdev)
{
	struct tty_info *ti;

	list_for_each_entry(ti, &st->infos, list) {
		if (ti->type != type)
			continue;
		if (type == TTY_T_PTY ? ti->index == index && ti->master == master :
		    type == TTY_T_CTTY ? ti->real_rdev == rdev : ti->rdev == rdev)
			return ti;
	}
	return NULL;
}

/* Settings of the terminal; on a master they are those of its slave. */
static int read_params(struct tty_info *ti, int fd)
{
	int v;

	if (ioctl(fd, TTY_TCGETS2, &ti->termios)) {
		pr_perror("can't read the settings of %s (%s)", ti->path, ti->what);
		return -1;
	}
	ti->has_termios = true;
	if (ioctl(fd, TIOCGLCKTRMIOS, &ti->termios_locked))
		memset(&ti->termios_locked, 0, sizeof(ti->termios_locked));
	ti->has_winsize = !ioctl(fd, TIOCGWINSZ, &ti->ws);
	ti->exclusive = !ioctl(fd, TIOCGEXCL, &v) && v;
	if (!ti->master)
		return 0;
	if (ioctl(fd, TIOCGPTLCK, &v)) {
		pr_perror("can't read the lock of pty %u", ti->index);
		return -1;
	}
	ti->locked = v;
	if (ioctl(fd, TIOCGPKT, &v)) {
		pr_perror("can't read the packet mode of pty %u", ti->index);
		return -1;
	}
	ti->packet_mode = v;
	return 0;
}

/* /dev/tty stands for the task's controlling terminal, which must not have changed. */
static int check_ctty_file(pid_t pid, int grab, uint32_t *real, const char *what)
{
	struct proc_stat ps;
	unsigned int dev;

	if (ioctl(grab, TIOCGDEV, &dev)) {
		pr_perror("can't tell which terminal %s (/dev/tty) stands for", what);
		return -1;
	}
	if (proc_read_stat(pid, 0, &ps))
		return -1;
	if (ps.tty_nr != dev) {
		pr_err("%s is /dev/tty of terminal %u:%u, which is no longer the task's "
		       "controlling terminal: not supported\n", what, major(dev), minor(dev));
		return -1;
	}
	*real = dev;
	return 0;
}

int tty_dump_file(struct file_ids *f, pid_t pid, int fd, const char *link,
		  const struct stat *sb, const char *what, struct tty_info **out)
{
	struct tty_state *st = tty_state(f);
	uint32_t index = 0, real = 0;
	struct tty_info *ti;
	enum tty_type type;
	bool master;
	int grab;

	if (!st)
		return -1;
	type = classify(sb->st_rdev, &master);
	grab = grab_fd(pid, fd);
	if (grab < 0)
		return -1;
	if (type == TTY_T_PTY && master && ioctl(grab, TIOCGPTN, &index)) {
		pr_perror("can't read the index of pty master %s", what);
		goto err;
	}
	if (type == TTY_T_PTY && !master)
		index = (major(sb->st_rdev) - 136) * 256 + minor(sb->st_rdev);
	if (type == TTY_T_CTTY && check_ctty_file(pid, grab, &real, what))
		goto err;
	ti = find_info(st, type, master, index, type == TTY_T_CTTY ? real : sb->st_rdev);
	if (!ti) {
		ti = tty_new_info(st);
		if (!ti)
			goto err;
		ti->type = type;
		ti->master = master;
		ti->index = index;
		ti->rdev = sb->st_rdev;
		ti->dev = sb->st_dev;
		ti->real_rdev = real;
		snprintf(ti->what, sizeof(ti->what), "%s", what);
		snprintf(ti->path, sizeof(ti->path), "%s", link);
		if (type == TTY_T_PTY && !master) {
			ti->has_owner = true;
			ti->uid = sb->st_uid;
			ti->gid = sb->st_gid;
		}
		if (type != TTY_T_CTTY && read_params(ti, grab))
			goto err;
		/* kept for the queued bytes, read once every task is dumped */
		ti->grab = grab;
		grab = -1;
	}
	if (grab >= 0)
		close(grab);
	*out = ti;
	return 0;
err:
	close(grab);
	return -1;
}

int tty_dump_task(struct file_ids *f, pid_t pid)
{
	struct tty_state *st = tty_state(f);
	struct proc_stat ps;

	if (!st || proc_read_stat(pid, 0, &ps))
		return -1;
	if (st->nr_tasks == st->cap_tasks) {
		int cap = st->cap_tasks ? 2 * st->cap_tasks : 16;
		struct tty_task *n = realloc(st->tasks, cap * sizeof(*n));

		if (!n) {
			pr_err("out of memory\n");
			return -1;
		}
		st->tasks = n;
		st->cap_tasks = cap;
	}
	st->tasks[st->nr_tasks++] = (struct tty_task){ pid, ps.sid, ps.pgid, ps.tpgid,
						       ps.tty_nr };
	return 0;
}

static bool is_external(const struct tty_info *ti)
{
	for (int i = 0; i < opts->nr_externals; i++) {
		const struct cr_external *e = &opts->externals[i];

		if (e->type == CR_EXT_TTY && e->a == ti->rdev && e->b == ti->dev)
			return true;
	}
	return false;
}

/*
 * A terminal whose other side is not in the tree: a pty slave without its
 * master, or a console, VT or serial line. It comes back only as the
 * shell's terminal (-j) or through --inherit-fd (--external).
 */
static int check_unpaired(struct tty_state *st)
{
	struct tty_info *ti, *job = NULL;

	list_for_each_entry(ti, &st->infos, list) {
		if (ti->type == TTY_T_CTTY || (ti->type == TTY_T_PTY && ti->master) ||
		    (ti->type == TTY_T_PTY && tty_peer(st, ti)))
			continue;
		if (is_external(ti)) {
			ti->type = TTY_T_EXT;
			continue;
		}
		if (!opts->shell_job) {
			pr_err("%s is on terminal %s (tty[%x:%x]), whose other side is outside the "
			       "dumped tree; dump with --shell-job (-j) if it is the shell's "
			       "terminal, or with --external tty[%x:%x] and give it back at "
			       "restore with --inherit-fd fd[N]:tty[%x:%x]\n", ti->what, ti->path,
			       ti->rdev, ti->dev, ti->rdev, ti->dev, ti->rdev, ti->dev);
			return -1;
		}
		if (job) {
			pr_err("%s and %s are on two terminals outside the tree (%s, %s); a shell "
			       "job has one, mark the other --external\n", job->what, ti->what,
			       job->path, ti->path);
			return -1;
		}
		job = ti;
		ti->shell_job = true;
	}
	return 0;
}

/* The terminal a controlling-terminal device number names, or NULL. */
static struct tty_info *find_terminal(const struct tty_state *st, uint32_t rdev)
{
	struct tty_info *ti, *master = NULL;

	list_for_each_entry(ti, &st->infos, list) {
		if (ti->type == TTY_T_CTTY)
			continue;
		if (ti->type == TTY_T_PTY && ti->master) {
			if (tty_slave_rdev(ti->index) == rdev)
				master = ti;
		} else if (ti->rdev == rdev) {
			return ti;
		}
	}
	return master;
}

static const struct tty_task *find_task(const struct tty_state *st, pid_t pid)
{
	for (int i = 0; i < st->nr_tasks; i++)
		if (st->tasks[i].pid == pid)
			return &st->tasks[i];
	return NULL;
}

static void set_session(const struct tty_state *st, struct tty_info *ti, pid_t sid,
			pid_t pgrp)
{
	struct tty_info *peer = tty_peer(st, ti);

	ti->sid = sid;
	ti->pgrp = pgrp > 0 ? pgrp : 0;
	if (peer) {
		peer->sid = ti->sid;
		peer->pgrp = ti->pgrp;
	}
}

/* The shell's terminal of a job that holds no fd on it, for its foreground group. */
static struct tty_info *add_job_terminal(struct tty_state *st, const struct tty_task *t)
{
	struct tty_info *ti = tty_new_info(st);
	bool master;

	if (!ti)
		return NULL;
	ti->type = classify(t->tty_rdev, &master);
	if (ti->type == TTY_T_PTY)
		ti->index = (major(t->tty_rdev) - 136) * 256 + minor(t->tty_rdev);
	ti->rdev = t->tty_rdev;
	ti->shell_job = true;
	snprintf(ti->what, sizeof(ti->what), "the terminal of task %d", t->pid);
	snprintf(ti->path, sizeof(ti->path), "%u:%u", major(t->tty_rdev), minor(t->tty_rdev));
	return ti;
}

static int check_session(struct tty_state *st, const struct tty_task *t)
{
	struct tty_info *term = find_terminal(st, t->tty_rdev);
	bool leader = t->sid == t->pid;

	if (leader && !term) {
		pr_err("task %d leads session %d, whose controlling terminal %u:%u no fd of the "
		       "tree refers to: not supported\n", t->pid, t->sid, major(t->tty_rdev),
		       minor(t->tty_rdev));
		return -1;
	}
	if (leader && term->shell_job) {
		pr_err("task %d leads session %d, whose controlling terminal %s is outside the "
		       "tree: dump it with --external tty[%x:%x]\n", t->pid, t->sid, term->path,
		       term->rdev, term->dev);
		return -1;
	}
	if (leader) {
		set_session(st, term, t->sid, t->tpgid);
		return 0;
	}
	/* in a session led from outside: a shell job (check_sessions made sure) */
	if (find_task(st, t->sid) || !opts->shell_job)
		return 0;
	if (!term && t->tpgid == t->pgid && !(term = add_job_terminal(st, t)))
		return -1;
	if (term && term->shell_job)
		set_session(st, term, t->sid, t->tpgid);
	return 0;
}

int tty_dump_finish(struct tty_state *st)
{
	struct tty_info *ti;

	if (check_unpaired(st))
		return -1;
	for (int i = 0; i < st->nr_tasks; i++)
		if (st->tasks[i].tty_rdev && check_session(st, &st->tasks[i]))
			return -1;
	list_for_each_entry(ti, &st->infos, list) {
		bool found = false;

		if (!ti->sid || ti->shell_job || !ti->pgrp)
			continue;
		for (int i = 0; i < st->nr_tasks && !found; i++)
			found = st->tasks[i].pgid == (pid_t)ti->pgrp;
		if (!found)
			pr_warn("the foreground group %u of %s is not in the tree; it is not "
				"restored\n", ti->pgrp, ti->path);
	}
	/* bytes in flight, for pairs whose both sides are in the tree */
	list_for_each_entry(ti, &st->infos, list) {
		struct tty_info *peer = tty_peer(st, ti);

		if (ti->type == TTY_T_PTY && ti->master && peer && tty_data_take(ti, peer))
			return -1;
	}
	return 0;
}
