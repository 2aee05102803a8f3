// SPDX-License-Identifier: GPL-2.0
/*
 * A blob entry for hgen-errors.sh, which builds it once more without -fpie:
 * absolute 32-bit addresses must be refused, and a wrong -e entry too.
 */
#include <compel/pie.h>

static long table[4] = { 1, 2, 3, 4 };
long plain_main(long i);

COMPEL_ENTRY long plain_main(long i)
{
	return table[i & 3];
}
