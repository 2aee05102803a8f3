// SPDX-License-Identifier: GPL-2.0
/*
 * Restore of terminals, in criu before any task exists: each pty is made
 * again with its old index (an error when that one is taken), set up as dumped,
 * refilled, and every file on it opened; the shell's terminal of a shell
 * job is criu's own. Then, in the tasks: a session leader takes its
 * controlling terminal before it forks, and the foreground group is set
 * once every group exists.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#define LOG_PREFIX "tty: "
#include "file-ops.h"
#include "files-internal.h"
#include "log.h"
#include "options.h"
#include "tty-internal.h"

#define PTMX "/dev/ptmx"

bool tty_unpaired(const struct tty_state *st, const struct tty_info *ti)
{
	switch (ti->type) {
	case TTY_T_PTY:
		return !ti->master && !tty_peer(st, ti);
	case TTY_T_CONSOLE:
	case TTY_T_VT:
	case TTY_T_SERIAL:
		return true;
	default:
		return false;
	}
}

/*
 * devpts hands out the lowest free index, so opening /dev/ptmx until the
 * index comes up gets it back when it is free; the ptys opened on the way
 * are closed again. A taken index is an error, as a taken PID is: the
 * programs would find their terminal under another name.
 */
static int open_ptmx(uint32_t index, uint32_t flags)
{
	int *held = calloc(index + 1, sizeof(int)), nr = 0, fd = -1;
	unsigned int n = 0;
	bool taken = false;

	if (!held) {
		pr_err("out of memory\n");
		return -1;
	}
	while ((uint32_t)nr <= index) {
		int m = open(PTMX, (flags & ~O_ACCMODE) | O_RDWR | O_NOCTTY | O_CLOEXEC);

		if (m < 0) {
			pr_perror("can't open " PTMX " for pty %u", index);
			break;
		}
		if (ioctl(m, TIOCGPTN, &n)) {
			pr_perror("can't read the index of a new pty");
			close(m);
			break;
		}
		if (n == index) {
			fd = m;
			break;
		}
		held[nr++] = m;
		if (n > index) {
			taken = true;
			break;
		}
	}
	if (taken)
		pr_err("pty %u is taken: /dev/pts/%u is another terminal now; close it "
		       "before restoring\n", index, index);
	for (int i = 0; i < nr; i++)
		close(held[i]);
	free(held);
	return fd;
}

static struct file_entry *first_file(struct file_ids *f, const struct tty_info *ti)
{
	struct file_entry *fe;

	list_for_each_entry(fe, &f->files, list)
		if (fe->kind == FILE_KIND_TTY && ((struct tty_file *)fe->priv)->info == ti)
			return fe;
	return NULL;
}

/* Open the files on the slave, through the master: no path, no devpts lookup. */
static int open_slaves(struct file_ids *f, const struct tty_info *s, int master)
{
	struct file_entry *fe;

	list_for_each_entry(fe, &f->files, list) {
		struct tty_file *tf = fe->priv;

		/* an inherited one is open already */
		if (fe->kind != FILE_KIND_TTY || tf->info != s || fe->rst_fd >= 0)
			continue;
		fe->rst_fd = tty_open_peer(master, tf->flags | O_NOCTTY);
		if (fe->rst_fd < 0) {
			pr_perror("can't open the slave of pty %u (flags 0%o)", s->index,
				  tf->flags);
			return -1;
		}
	}
	return 0;
}

static int refill(int master, const struct tty_info *m, const struct tty_info *s)
{
	int wfd, ret;

	if (!s || (!m->data_len && !s->data_len))
		return 0;
	wfd = tty_open_peer(master, O_RDWR | O_NOCTTY | O_NONBLOCK);
	if (wfd < 0) {
		pr_perror("can't open the slave of pty %u to refill it", m->index);
		return -1;
	}
	ret = tty_data_refill(master, wfd, false, m, s);
	close(wfd);
	return ret;
}

/* What is set once every file is open: lock, packet mode, exclusivity, owner. */
static int finish_pty(struct file_ids *f, int master, const struct tty_info *m,
		      const struct tty_info *s)
{
	static const struct tty_termios1 unlocked;
	struct file_entry *sfe = s ? first_file(f, s) : NULL;
	int one = 1;
	struct stat sb;

	if (m->packet_mode && ioctl(master, TIOCPKT, &one)) {
		pr_perror("can't set packet mode on pty %u", m->index);
		return -1;
	}
	if (memcmp(&m->termios_locked, &unlocked, sizeof(unlocked)) &&
	    ioctl(master, TIOCSLCKTRMIOS, &m->termios_locked))
		pr_pwarn("can't lock the settings of pty %u", m->index);
	if (sfe && s->has_owner && !fstat(sfe->rst_fd, &sb) &&
	    (sb.st_uid != s->uid || sb.st_gid != s->gid) && fchown(sfe->rst_fd, s->uid, s->gid))
		pr_pwarn("can't give /dev/pts/%u to %u:%u", s->index, s->uid, s->gid);
	/* an exclusive slave refuses further opens without CAP_SYS_ADMIN: last */
	if ((sfe && s->exclusive && ioctl(sfe->rst_fd, TIOCEXCL)) ||
	    (m->exclusive && ioctl(master, TIOCEXCL))) {
		pr_perror("can't make pty %u exclusive", m->index);
		return -1;
	}
	if (m->locked && ioctl(master, TIOCSPTLCK, &one)) {
		pr_perror("can't lock pty %u", m->index);
		return -1;
	}
	return 0;
}

static int create_pty(struct file_ids *f, struct tty_state *st, struct tty_info *m)
{
	struct tty_info *s = tty_peer(st, m);
	struct file_entry *mfe = first_file(f, m);
	int zero = 0, fd;

	fd = open_ptmx(m->index, mfe ? ((struct tty_file *)mfe->priv)->flags : O_RDWR);
	if (fd < 0)
		return -1;
	if (mfe)
		mfe->rst_fd = fd;
	m->opened = true;
	if (s)
		s->opened = true;
	if (ioctl(fd, TIOCSPTLCK, &zero)) {
		pr_perror("can't unlock pty %u", m->index);
		goto err;
	}
	/* through the master: they are the slave's settings */
	if (m->has_termios && ioctl(fd, TTY_TCSETS2, &m->termios)) {
		pr_perror("can't restore the settings of pty %u", m->index);
		goto err;
	}
	if (m->has_winsize && ioctl(fd, TIOCSWINSZ, &m->ws)) {
		pr_perror("can't restore the window size of pty %u", m->index);
		goto err;
	}
	if ((s && open_slaves(f, s, fd)) || refill(fd, m, s) || finish_pty(f, fd, m, s))
		goto err;
	pr_info("pty %u restored\n", m->index);
	return 0;
err:
	if (!mfe)
		close(fd);
	return -1;
}

/* A criu in the background must not be stopped by SIGTTOU for it. */
static void set_job_termios(int fd, const struct tty_termios2 *t)
{
	sigset_t ttou, old;

	sigemptyset(&ttou);
	sigaddset(&ttou, SIGTTOU);
	sigprocmask(SIG_BLOCK, &ttou, &old);
	if (ioctl(fd, TTY_TCSETS2, t))
		pr_pwarn("can't give the job's settings to criu's terminal");
	sigprocmask(SIG_SETMASK, &old, NULL);
}

/* The shell job's terminal is criu's own: a new open of it for each file. */
static int open_job_terminal(struct tty_state *st, struct tty_info *ti, struct file_entry *fe)
{
	const struct tty_file *tf = fe->priv;
	char proc[64];

	if (!opts->shell_job) {
		pr_err("terminal tty[%x:%x] (a %s) had its other side outside the dumped tree; "
		       "restore with --shell-job (-j), or give it with --inherit-fd "
		       "fd[N]:tty[%x:%x]\n", ti->rdev, ti->dev, tty_type_name(ti->type), ti->rdev,
		       ti->dev);
		return -1;
	}
	for (int i = 0; i < 3 && st->job_term < 0; i++)
		if (isatty(i))
			st->job_term = i;
	if (st->job_term < 0) {
		pr_err("--shell-job: criu has no terminal on its fds 0-2 to give the tree\n");
		return -1;
	}
	if (!ti->opened && ti->has_termios)
		set_job_termios(st->job_term, &ti->termios);
	ti->opened = true;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", st->job_term);
	fe->rst_fd = open(proc, tf->flags | O_NOCTTY | O_CLOEXEC);
	if (fe->rst_fd < 0) {
		pr_pwarn("can't open criu's terminal again; the job shares fd %d's flags",
			 st->job_term);
		fe->rst_fd = fcntl(st->job_term, F_DUPFD_CLOEXEC, 0);
	}
	if (fe->rst_fd < 0) {
		pr_perror("can't give criu's terminal to the job");
		return -1;
	}
	return 0;
}

int tty_open_file(struct file_ids *f, struct file_entry *fe)
{
	struct tty_state *st = f->tty;
	struct tty_file *tf = fe->priv;
	struct tty_info *ti = tf->info;

	if (ti->type == TTY_T_CTTY) {
		/* in the task: its controlling terminal is in place by now */
		fe->rst_fd = open("/dev/tty", tf->flags | O_CLOEXEC);
		if (fe->rst_fd < 0)
			pr_perror("can't open /dev/tty (flags 0%o)", tf->flags);
		return fe->rst_fd < 0 ? -1 : 0;
	}
	if (ti->type == TTY_T_EXT) {
		pr_err("external terminal tty[%x:%x] needs --inherit-fd fd[N]:tty[%x:%x]\n",
		       ti->rdev, ti->dev, ti->rdev, ti->dev);
		return -1;
	}
	if (tty_unpaired(st, ti))
		return open_job_terminal(st, ti, fe);
	if (ti->opened) {
		pr_err("pty %u was set up without file %u\n", ti->index, fe->id);
		return -1;
	}
	return create_pty(f, st, ti->master ? ti : tty_peer(st, ti));
}

/* An fd of this task on terminal ti that may take it as controlling terminal. */
static int ctty_fd(struct file_ids *f, struct tty_state *st, struct tty_info *ti, int *tmp)
{
	struct tty_info *m = ti->master ? ti : tty_peer(st, ti);
	struct tty_info *s = ti->master ? tty_peer(st, ti) : ti;
	struct file_entry *fe;

	*tmp = -1;
	list_for_each_entry(fe, &f->files, list) {
		struct tty_file *tf = fe->priv;

		if (fe->kind == FILE_KIND_TTY && fe->rst_fd >= 0 && tf->info == s && s &&
		    (tf->flags & O_ACCMODE) != O_WRONLY)
			return fe->rst_fd;
	}
	fe = m ? first_file(f, m) : NULL;
	if (fe && fe->rst_fd >= 0)
		*tmp = tty_open_peer(fe->rst_fd, O_RDWR | O_NOCTTY);
	if (*tmp < 0)
		pr_perror("no fd to take terminal %s:%x as controlling terminal with",
			  tty_type_name(ti->type), ti->rdev);
	return *tmp;
}

int files_take_ctty(struct file_ids *f, pid_t pid)
{
	struct tty_state *st = f->tty;
	struct tty_info *ti;
	int fd, tmp, ret;

	if (!st)
		return 0;
	list_for_each_entry(ti, &st->infos, list) {
		if ((pid_t)ti->sid != pid || ti->type == TTY_T_CTTY || tty_unpaired(st, ti))
			continue;
		fd = ctty_fd(f, st, ti, &tmp);
		if (fd < 0)
			return -1;
		ret = ioctl(fd, TIOCSCTTY, 0);
		if (ret)
			pr_perror("task %d: can't take terminal %s:%x back as its controlling "
				  "terminal", pid, tty_type_name(ti->type), ti->rdev);
		if (tmp >= 0)
			close(tmp);
		return ret ? -1 : 0;
	}
	return 0;
}

pid_t files_fg_group(const struct file_ids *f, pid_t pid, pid_t pgid, bool job_root)
{
	const struct tty_state *st = f->tty;
	const struct tty_info *ti;

	if (!st)
		return 0;
	list_for_each_entry(ti, &st->infos, list) {
		if (ti->type == TTY_T_CTTY || !ti->pgrp)
			continue;
		if ((pid_t)ti->sid == pid && !tty_unpaired(st, ti))
			return ti->pgrp;
		/* a job that was in the foreground, in its own group, is again */
		if (job_root && tty_unpaired(st, ti) && (pid_t)ti->pgrp == pgid && pgid == pid)
			return pgid;
	}
	return 0;
}

int files_set_fg(pid_t pgrp, bool job)
{
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC), ret;

	if (fd < 0 && job) {
		pr_warn("criu has no controlling terminal: the shell job can't be made the "
			"foreground group\n");
		return 0;
	}
	if (fd < 0) {
		pr_perror("can't open the controlling terminal to set its foreground group");
		return -1;
	}
	/* SIGTTOU is blocked in a restoring task: a background caller may do this */
	ret = ioctl(fd, TIOCSPGRP, &pgrp);
	if (ret)
		pr_pwarn("can't make group %d the foreground group", pgrp);
	close(fd);
	return 0;
}
