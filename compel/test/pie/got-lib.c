// SPDX-License-Identifier: GPL-2.0
/* The other file of the GOT test blob. */
#include "got.h"

long got_value = 7;

long got_twice(long x)
{
	return 2 * x;
}
