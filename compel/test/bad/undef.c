// SPDX-License-Identifier: GPL-2.0
/* A broken blob for hgen-errors.sh: it calls libc, which a blob can't. */
#include <compel/pie.h>

unsigned long strlen(const char *s);
long undef_main(const char *s);

COMPEL_ENTRY long undef_main(const char *s)
{
	return strlen(s);
}
