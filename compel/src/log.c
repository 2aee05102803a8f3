// SPDX-License-Identifier: GPL-2.0
/*
 * compel's logging: every message goes to the callback the caller set with
 * compel_log_init(); a library must not decide where output goes.
 */
#include <stdarg.h>
#include <stddef.h>

#include "internal.h"

static void (*log_fn)(int level, const char *fmt, va_list args);

void compel_log_init(void (*fn)(int level, const char *fmt, va_list args))
{
	log_fn = fn;
}

void compel_log(int level, const char *fmt, ...)
{
	va_list ap;

	if (!log_fn)
		return;
	va_start(ap, fmt);
	log_fn(level, fmt, ap);
	va_end(ap);
}
