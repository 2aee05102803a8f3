/* SPDX-License-Identifier: GPL-2.0 */
/* What the kdat-*.c files share: one probe entry per file, and small helpers. */
#ifndef CRIU_KERN_KDAT_PRIV_H
#define CRIU_KERN_KDAT_PRIV_H

#include <stddef.h>
#include <sys/types.h>

#include "kdat.h"

/* Classify an errno the usual way; a probe overrides what it knows better. */
struct kdat_result kdat_result_of(int err, int seccomp_mode);
/* Read a small text file, NUL-terminated; bytes read, or -1 with errno set. */
ssize_t kdat_read_text(const char *path, char *buf, size_t len);

/* kdat-pid.c */
void kdat_probe_clone3_set_tid(struct kdat *k);
void kdat_probe_ns_last_pid(struct kdat *k);
/* kdat-task.c: ptrace, process_vm_readv, pidfd, rseq, xstate on a helper */
void kdat_probe_task(struct kdat *k);
/* kdat-mm.c */
void kdat_probe_mm_map(struct kdat *k);
void kdat_probe_vdso(struct kdat *k);
void kdat_probe_thp(struct kdat *k);
void kdat_probe_madv_populate(struct kdat *k);
void kdat_probe_uffd(struct kdat *k);
void kdat_probe_soft_dirty(struct kdat *k);

#endif /* CRIU_KERN_KDAT_PRIV_H */
