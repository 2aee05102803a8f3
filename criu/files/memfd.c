// SPDX-License-Identifier: GPL-2.0
/*
 * memfd: each open file description is a memfd_file_entry in files.img
 * (flags, position, inode id); each memfd once, in memfd.img (name, owner,
 * mode, size, seals), with its content in pagemap-shmem-<shmid>.img + a
 * pages image. Restore: memfd_create, fill, reopen it once per open file
 * description, then mode, owner and seals last.
 */
#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#define LOG_PREFIX "memfd: "
#include "anon-fd.h"
#include "arena.h"
#include "files-internal.h"
#include "image.h"
#include "log.h"
#include "memfd.h"
#include "proc-parse.h"

#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U	/* Linux 6.3 */
#define MFD_EXEC 0x0010U
#endif
#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif

#define MEMFD_PREFIX "/memfd:"
#define DELETED_SUFFIX " (deleted)"
#define MEMFD_NAME_MAX 249	/* NAME_MAX - strlen("memfd:") */
#define MEMFD_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | \
		     F_SEAL_FUTURE_WRITE | F_SEAL_EXEC)
#define MEMFD_OPEN_FLAGS (O_APPEND | O_NONBLOCK | ANON_O_LARGEFILE | O_NOATIME | O_SYNC | O_DSYNC)
#define MEMFD_MAX_INODES (1 << 20)

struct memfd_inode {
	uint32_t inode_id;
	uint32_t shmid;		/* names the content images */
	char name[MEMFD_NAME_MAX + 1];
	uint32_t uid, gid, mode;
	uint64_t size;
	uint32_t seals;
	uint64_t dev, ino;	/* dump: identity */
	int src_fd;		/* dump: an fd to copy the content from */
	bool created;		/* restore: every entry of it is open */
};

struct memfd_state {
	uint32_t flags;
	uint64_t pos;
	uint32_t inode_id;
	struct memfd_inode *inode;
	bool owner;		/* this entry frees the inode */
	bool mapping;		/* dump: opened for the task's mappings, not an fd of it */
};

/* The file behind proc is a memfd, not an unlinked file that happened to be called /memfd:x. */
static bool is_memfd(const char *proc, const char *link, const struct stat *st)
{
	size_t len = strlen(link), sl = strlen(DELETED_SUFFIX);
	struct statfs sf;

	if (strncmp(link, MEMFD_PREFIX, strlen(MEMFD_PREFIX)) || len < sl ||
	    strcmp(link + len - sl, DELETED_SUFFIX) || !S_ISREG(st->st_mode) || st->st_nlink)
		return false;
	return !statfs(proc, &sf) && (sf.f_type == TMPFS_MAGIC || sf.f_type == HUGETLBFS_MAGIC);
}

static bool memfd_match(const struct fd_parms *p)
{
	char proc[64];

	snprintf(proc, sizeof(proc), "/proc/%d/fd/%d", p->pid, p->fd);
	return is_memfd(proc, p->link, p->st);
}

static struct memfd_inode *find_inode(const struct file_ids *f, uint64_t dev, uint64_t ino)
{
	const struct file_entry *fe;

	list_for_each_entry(fe, &f->files, list) {
		const struct memfd_state *s = fe->priv;

		if (fe->kind == FILE_KIND_MEMFD && s->owner && s->inode->dev == dev &&
		    s->inode->ino == ino)
			return s->inode;
	}
	return NULL;
}

static uint32_t count_inodes(const struct file_ids *f)
{
	const struct file_entry *fe;
	uint32_t n = 0;

	list_for_each_entry(fe, &f->files, list)
		if (fe->kind == FILE_KIND_MEMFD && ((const struct memfd_state *)fe->priv)->owner)
			n++;
	return n;
}

/* The memfd behind proc (a task's fd or mapping), met for the first time. */
static struct memfd_inode *new_inode(const struct file_ids *f, const char *proc, const char *link,
				     const struct stat *st, const char *what)
{
	size_t plen = strlen(MEMFD_PREFIX), len = strlen(link) - plen - strlen(DELETED_SUFFIX);
	struct memfd_inode *in;
	struct statfs sf;

	if (statfs(proc, &sf) || sf.f_type == HUGETLBFS_MAGIC || len > MEMFD_NAME_MAX) {
		pr_err("%s: memfd '%s' on hugetlbfs or with a long name: not supported yet\n", what,
		       link);
		return NULL;
	}
	in = calloc(1, sizeof(*in));
	if (!in)
		return NULL;
	memcpy(in->name, link + plen, len);
	in->inode_id = count_inodes(f) + 1;
	in->shmid = st->st_ino <= UINT32_MAX ? st->st_ino : in->inode_id;
	in->uid = st->st_uid;
	in->gid = st->st_gid;
	in->mode = st->st_mode & 07777;
	in->size = st->st_size;
	in->dev = st->st_dev;
	in->ino = st->st_ino;
	/* a new open file description: reading it moves no position of the task's */
	in->src_fd = open(proc, O_RDONLY | O_CLOEXEC);
	if (in->src_fd < 0 || (int)(in->seals = fcntl(in->src_fd, F_GET_SEALS)) < 0) {
		pr_perror("%s: can't open memfd '%s' to copy it", what, in->name);
		goto err;
	}
	if (in->size > MEMFD_MAX_SIZE) {
		pr_err("%s: memfd '%s' holds %llu bytes, more than we store\n", what, in->name,
		       (unsigned long long)in->size);
		goto err;
	}
	return in;
err:
	if (in->src_fd >= 0)
		close(in->src_fd);
	free(in);
	return NULL;
}

/* A new entry for one open file description of the memfd behind proc. */
static struct file_entry *add_entry(struct file_ids *f, const char *proc, const char *link,
				    const struct stat *st, uint32_t flags, uint64_t pos,
				    const char *what)
{
	struct memfd_inode *in = find_inode(f, st->st_dev, st->st_ino);
	struct file_entry *fe = anon_new_entry(f, FILE_KIND_MEMFD, sizeof(struct memfd_state));
	struct memfd_state *s;

	if (!fe)
		return NULL;
	s = fe->priv;
	if (!in) {
		in = new_inode(f, proc, link, st, what);
		if (!in)
			return NULL;
		s->owner = true;
	}
	s->inode = in;
	s->inode_id = in->inode_id;
	s->flags = flags;
	s->pos = pos;
	pr_debug("%s is memfd '%s' (%llu bytes, seals 0x%x)\n", what, in->name,
		 (unsigned long long)in->size, in->seals);
	return fe;
}

static int memfd_dump(struct file_ids *f, const struct fd_parms *p, uint32_t *id)
{
	uint32_t acc = p->fi->flags & O_ACCMODE;
	struct file_entry *fe;
	char proc[64];

	if (acc == O_ACCMODE || anon_check_flags(p, acc, MEMFD_OPEN_FLAGS, "a memfd"))
		return -1;
	snprintf(proc, sizeof(proc), "/proc/%d/fd/%d", p->pid, p->fd);
	fe = add_entry(f, proc, p->link, p->st, p->fi->flags, p->fi->pos, p->what);
	if (!fe)
		return -1;
	*id = fe->id;
	return 0;
}

/*
 * The memfd a task maps at [start, end): through /proc/PID/map_files
 * (which needs CAP_CHECKPOINT_RESTORE in the initial user namespace), or
 * else among the task's fds.
 */
static int find_mapped(pid_t pid, unsigned long start, unsigned long end, unsigned long ino,
		       char *proc, size_t psize, char *link, struct stat *st)
{
	struct dirent *de;
	DIR *d;

	snprintf(proc, psize, "/proc/%d/map_files/%lx-%lx", pid, start, end);
	if (!stat(proc, st) && st->st_ino == ino && !proc_readlink(proc, link, PROC_PATH_MAX) &&
	    is_memfd(proc, link, st))
		return 0;
	snprintf(proc, psize, "/proc/%d/fd", pid);
	d = opendir(proc);
	if (!d) {
		pr_perror("can't list %s", proc);
		return -1;
	}
	while ((de = readdir(d))) {
		snprintf(proc, psize, "/proc/%d/fd/%s", pid, de->d_name);
		if (de->d_name[0] != '.' && !stat(proc, st) && st->st_ino == ino &&
		    !proc_readlink(proc, link, PROC_PATH_MAX) && is_memfd(proc, link, st)) {
			closedir(d);
			return 0;
		}
	}
	closedir(d);
	pr_err("task %d: area %lx-%lx maps a memfd (inode %lu) it has no fd of, and "
	       "/proc/PID/map_files needs CAP_CHECKPOINT_RESTORE\n", pid, start, end, ino);
	return -1;
}

int files_add_mapped_memfd(struct file_ids *f, pid_t pid, unsigned long start, unsigned long end,
			   unsigned long ino, uint32_t flags, uint32_t *id)
{
	char proc[PROC_PATH_MAX], link[PROC_PATH_MAX], what[96];
	struct file_entry *fe;
	struct stat st;

	if (find_mapped(pid, start, end, ino, proc, sizeof(proc), link, &st))
		return -1;
	flags |= ANON_O_LARGEFILE;
	/* one open file description per memfd and mode serves every mapping */
	list_for_each_entry(fe, &f->files, list) {
		const struct memfd_state *s = fe->priv;

		if (fe->kind == FILE_KIND_MEMFD && s->mapping && s->flags == flags &&
		    s->inode->dev == st.st_dev && s->inode->ino == st.st_ino) {
			*id = fe->id;
			return 0;
		}
	}
	snprintf(what, sizeof(what), "area %lx-%lx of task %d", start, end, pid);
	fe = add_entry(f, proc, link, &st, flags, 0, what);
	if (!fe)
		return -1;
	((struct memfd_state *)fe->priv)->mapping = true;
	*id = fe->id;
	return 0;
}

static int memfd_to_image(const struct file_entry *fe, FileEntry *e, struct arena *a)
{
	const struct memfd_state *s = fe->priv;
	MemfdFileEntry *m = arena_alloc(a, sizeof(*m));
	FownEntry *fown = anon_fown(a);

	if (!m || !fown)
		return -1;
	memfd_file_entry__init(m);
	e->type = FD_TYPES__MEMFD;
	m->id = fe->id;
	m->flags = s->flags;
	m->pos = s->pos;
	m->fown = fown;
	m->inode_id = s->inode_id;
	e->memfd = m;
	return 0;
}

static int memfd_from_image(struct file_ids *f, const FileEntry *e, struct file_entry *fe)
{
	const MemfdFileEntry *m = e->memfd;
	struct memfd_state *s;

	(void)f;
	if (!m || m->id != e->id) {
		pr_err("files.img: file %u lacks its memfd part\n", e->id);
		return -1;
	}
	if ((m->flags & O_ACCMODE) == O_ACCMODE || m->flags & ~(uint32_t)O_ACCMODE &
	    ~MEMFD_OPEN_FLAGS || m->pos > (1ULL << 62) || !m->inode_id ||
	    m->inode_id > MEMFD_MAX_INODES) {
		pr_err("files.img: memfd %u has flags 0%o, position %llu or inode %u\n", e->id,
		       m->flags, (unsigned long long)m->pos, m->inode_id);
		return -1;
	}
	s = fe->priv = calloc(1, sizeof(*s));
	if (!s) {
		pr_err("out of memory\n");
		return -1;
	}
	s->flags = m->flags;
	s->pos = m->pos;
	s->inode_id = m->inode_id;
	return 0;
}

static int write_inode(struct img *img, int dirfd, const struct memfd_inode *in)
{
	MemfdInodeEntry e = MEMFD_INODE_ENTRY__INIT;

	e.name = (char *)in->name;
	e.uid = in->uid;
	e.gid = in->gid;
	e.size = in->size;
	e.shmid = in->shmid;
	e.seals = in->seals;
	e.inode_id = in->inode_id;
	e.has_mode = 1;
	e.mode = in->mode;
	if (img_write_entry(img, &e))
		return -1;
	return memfd_write_data(dirfd, in->src_fd, in->size, in->shmid);
}

static int memfd_write_extra(int dirfd, const struct file_ids *f)
{
	struct img *img = NULL;
	struct file_entry *fe;
	int ret = -1;

	list_for_each_entry(fe, &f->files, list) {
		const struct memfd_state *s = fe->priv;

		if (fe->kind != FILE_KIND_MEMFD || !s->owner)
			continue;
		if (!img && !(img = img_open(dirfd, IMG_MEMFD_INODE, O_WRONLY, 0)))
			goto out;
		if (write_inode(img, dirfd, s->inode))
			goto out;
	}
	ret = 0;
out:
	if (img_close(img))
		ret = -1;
	return ret;
}

static int check_inode(const struct file_ids *f, const MemfdInodeEntry *e)
{
	const struct file_entry *fe;

	if (!e->inode_id || e->inode_id > MEMFD_MAX_INODES || strlen(e->name) > MEMFD_NAME_MAX ||
	    e->size > MEMFD_MAX_SIZE || e->seals & ~MEMFD_SEALS ||
	    (e->has_hugetlb_flag && e->hugetlb_flag) || (e->has_mode && e->mode > 07777)) {
		pr_err("memfd.img: memfd %llu ('%.64s') has a bad name, size, seals or mode, or is "
		       "on hugetlbfs\n", (unsigned long long)e->inode_id, e->name);
		return -1;
	}
	list_for_each_entry(fe, &f->files, list) {
		const struct memfd_state *s = fe->priv;

		if (fe->kind == FILE_KIND_MEMFD && s->inode &&
		    (s->inode->inode_id == e->inode_id || s->inode->shmid == e->shmid)) {
			pr_err("memfd.img: memfd %llu or content %u listed twice\n",
			       (unsigned long long)e->inode_id, e->shmid);
			return -1;
		}
	}
	return 0;
}

/* Give the inode to every entry of it; the first one owns it. */
static int attach_inode(struct img *img, void *msg, void *arg)
{
	const MemfdInodeEntry *e = msg;
	struct files_read_ctx *ctx = arg;
	struct file_ids *f = ctx->f;
	struct memfd_inode *in;
	struct file_entry *fe;
	bool owned = false;

	(void)img;
	if (check_inode(f, e) || memfd_read_data(ctx->dirfd, e->shmid, e->size, -1))
		return -1;
	in = calloc(1, sizeof(*in));
	if (!in)
		return -1;
	in->inode_id = e->inode_id;
	in->shmid = e->shmid;
	snprintf(in->name, sizeof(in->name), "%s", e->name);
	in->uid = e->uid;
	in->gid = e->gid;
	in->mode = e->has_mode ? e->mode : 0777;
	in->size = e->size;
	in->seals = e->seals;
	in->src_fd = -1;
	list_for_each_entry(fe, &f->files, list) {
		struct memfd_state *s = fe->priv;

		if (fe->kind != FILE_KIND_MEMFD || s->inode_id != e->inode_id)
			continue;
		s->inode = in;
		s->owner = !owned;
		owned = true;
	}
	if (!owned) {
		/* only a mapping could use it, and memfd mappings are not dumped */
		pr_err("memfd.img: memfd %u ('%s') is opened by no file\n", in->inode_id, in->name);
		free(in);
		return -1;
	}
	return 0;
}

static int memfd_read_extra(int dirfd, struct file_ids *f)
{
	struct files_read_ctx ctx = { dirfd, f };
	struct file_entry *fe;

	if (img_for_each_entry(dirfd, IMG_MEMFD_INODE, attach_inode, &ctx) < 0)
		return -1;
	list_for_each_entry(fe, &f->files, list) {
		const struct memfd_state *s = fe->priv;

		if (fe->kind == FILE_KIND_MEMFD && !s->inode) {
			pr_err("memfd.img: no memfd %u, which file %u opens\n", s->inode_id,
			       fe->id);
			return -1;
		}
	}
	return 0;
}

/* memfd_create's flags that give the inode its exec bits and F_SEAL_EXEC (Linux 6.3+). */
static unsigned int exec_flags(const struct memfd_inode *in)
{
	if (in->mode & 0111)
		return MFD_EXEC;
	return in->seals & F_SEAL_EXEC ? MFD_NOEXEC_SEAL : MFD_EXEC;
}

static int create(const struct memfd_inode *in, int dirfd)
{
	unsigned int flags = MFD_CLOEXEC | MFD_ALLOW_SEALING;
	int fd = memfd_create(in->name, flags | exec_flags(in));

	if (fd < 0 && errno == EINVAL)
		fd = memfd_create(in->name, flags);	/* before Linux 6.3 */
	if (fd < 0) {
		pr_perror("can't create memfd '%s'", in->name);
		return -1;
	}
	if (ftruncate(fd, in->size)) {
		pr_perror("can't make memfd '%s' %llu bytes long", in->name,
			  (unsigned long long)in->size);
		goto err;
	}
	if (memfd_read_data(dirfd, in->shmid, in->size, fd))
		goto err;
	return fd;
err:
	close(fd);
	return -1;
}

/* Each open file description of the memfd: a new open through /proc. */
static int open_entries(struct file_ids *f, const struct memfd_inode *in, int mfd)
{
	struct file_entry *fe;
	char proc[64];

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", mfd);
	list_for_each_entry(fe, &f->files, list) {
		const struct memfd_state *s = fe->priv;

		if (fe->kind != FILE_KIND_MEMFD || s->inode != in)
			continue;
		fe->rst_fd = open(proc, s->flags | O_CLOEXEC);
		if (fe->rst_fd < 0) {
			pr_perror("can't open memfd '%s' with flags 0%o", in->name, s->flags);
			return -1;
		}
		if (s->pos && lseek(fe->rst_fd, s->pos, SEEK_SET) != (off_t)s->pos) {
			pr_perror("can't restore the position %llu in memfd '%s'",
				  (unsigned long long)s->pos, in->name);
			return -1;
		}
	}
	return 0;
}

/* Mode, owner, then seals: a seal may forbid what comes before it. */
static int finish(const struct memfd_inode *in, int fd)
{
	struct stat st;
	int seals;

	if (fstat(fd, &st) || (seals = fcntl(fd, F_GET_SEALS)) < 0) {
		pr_perror("can't stat memfd '%s'", in->name);
		return -1;
	}
	if ((st.st_mode & 07777) != in->mode && fchmod(fd, in->mode)) {
		pr_perror("can't set the mode 0%o of memfd '%s'", in->mode, in->name);
		return -1;
	}
	if ((st.st_uid != in->uid || st.st_gid != in->gid) && fchown(fd, in->uid, in->gid))
		pr_pwarn("can't give memfd '%s' to %u:%u", in->name, in->uid, in->gid);
	if (in->seals & ~seals && fcntl(fd, F_ADD_SEALS, in->seals & ~seals)) {
		pr_perror("can't seal memfd '%s' with 0x%x", in->name, in->seals);
		return -1;
	}
	return 0;
}

static int memfd_open(struct file_ids *f, struct file_entry *fe, int dirfd)
{
	const struct memfd_state *s = fe->priv;
	struct memfd_inode *in = s->inode;
	int mfd, ret = -1;

	if (in->created) {
		pr_err("memfd '%s' was created but file %u is not open\n", in->name, fe->id);
		return -1;
	}
	mfd = create(in, dirfd);
	if (mfd < 0)
		return -1;
	if (!open_entries(f, in, mfd) && !finish(in, mfd))
		ret = 0;
	in->created = true;
	close(mfd);
	return ret;
}

static void memfd_free(struct file_entry *fe)
{
	struct memfd_state *s = fe->priv;

	if (s && s->owner) {
		if (s->inode->src_fd >= 0)
			close(s->inode->src_fd);
		free(s->inode);
	}
	anon_free_priv(fe);
}

const struct file_ops memfd_file_ops = {
	.name = "memfd",
	.kind = FILE_KIND_MEMFD,
	.match = memfd_match,
	.dump = memfd_dump,
	.to_image = memfd_to_image,
	.from_image = memfd_from_image,
	.write_extra = memfd_write_extra,
	.read_extra = memfd_read_extra,
	.open = memfd_open,
	.free = memfd_free,
};
