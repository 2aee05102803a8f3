// SPDX-License-Identifier: GPL-2.0
/* Entry of the GOT test blob: calls into got-lib.c through GOT slots. */
#include <compel/pie.h>

#include "got.h"

COMPEL_ENTRY long got_main(long x)
{
	return got_twice(x) + (&got_value ? got_value : -1000);
}
