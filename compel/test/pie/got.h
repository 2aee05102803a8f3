/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A two-file blob built with -fno-plt, so that its calls and a weak
 * reference go through GOT slots, which compel-hgen has to build.
 */
#ifndef COMPEL_TEST_GOT_H
#define COMPEL_TEST_GOT_H

long got_main(long x);
long got_twice(long x);
extern long got_value __attribute__((weak));

#endif /* COMPEL_TEST_GOT_H */
