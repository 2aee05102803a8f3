/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by the restorer blob's files: logging, barrier, per-thread restore. */
#ifndef CRIU_PIE_RST_INTERNAL_H
#define CRIU_PIE_RST_INTERNAL_H

#include <stdarg.h>
#include <stdint.h>

#include "compel/pie.h"
#include "compel/syscalls.h"
#include "restorer.h"

#define RST_LOG_ERROR	1
#define RST_LOG_WARN	2
#define RST_LOG_INFO	3
#define RST_LOG_DEBUG	4

void rst_log_init(const struct rst_args *a);
void rst_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void rst_vlog(int level, const char *fmt, va_list ap);

#define rst_err(fmt, ...)   rst_log(RST_LOG_ERROR, "Error (pie): " fmt, ##__VA_ARGS__)
#define rst_info(fmt, ...)  rst_log(RST_LOG_INFO, "pie: " fmt, ##__VA_ARGS__)
#define rst_debug(fmt, ...) rst_log(RST_LOG_DEBUG, "pie: " fmt, ##__VA_ARGS__)

/* Report a failure to criu and end this process; never returns. */
void rst_fail(const struct rst_args *a) __attribute__((noreturn));

/* Restore what belongs to one thread, then meet the others and sigreturn. */
void rst_thread_finish(const struct rst_args *a, const struct rst_thread *t)
	__attribute__((noreturn));
int rst_restore_creds(const struct rst_creds *c);

/* the blob entries: the main thread's, called by criu, and the others' */
void rst_task_entry(struct rst_args *a);
void rst_thread_entry(struct rst_thread *t);

/* arch hooks (criu/arch/<arch>/pie/) */
void arch_rst_sigreturn(uint64_t sigframe) __attribute__((noreturn));
int arch_rst_set_tls(const struct rst_thread *t);

#endif /* CRIU_PIE_RST_INTERNAL_H */
