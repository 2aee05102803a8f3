/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small TAP unit-test harness. Each test file defines cases with
 * UNIT_TEST(name) { ... } and checks with EXPECT*(); cases register
 * themselves, and test/unit/main.c runs them all (or those named on the
 * command line) and prints TAP.
 */
#ifndef TEST_UNIT_UNIT_H
#define TEST_UNIT_UNIT_H

#include <stdio.h>
#include <string.h>

struct unit_case {
	const char *name;
	const char *file;
	void (*fn)(void);
	struct unit_case *next;
};

void unit_register(struct unit_case *c);
void unit_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A scratch directory for the current case, removed after it. */
const char *unit_tmpdir(void);

#define UNIT_TEST(n)                                                       \
	static void unit_fn_##n(void);                                     \
	static struct unit_case unit_case_##n = { #n, __FILE__, unit_fn_##n, 0 }; \
	__attribute__((constructor)) static void unit_reg_##n(void)       \
	{                                                                  \
		unit_register(&unit_case_##n);                             \
	}                                                                  \
	static void unit_fn_##n(void)

#define EXPECT(cond)                                                       \
	do {                                                               \
		if (!(cond))                                               \
			unit_fail(__FILE__, __LINE__, "expected %s", #cond); \
	} while (0)

#define EXPECT_EQ(a, b)                                                    \
	do {                                                               \
		long long __a = (long long)(a), __b = (long long)(b);      \
		if (__a != __b)                                            \
			unit_fail(__FILE__, __LINE__, "%s == %lld, expected %s == %lld", \
				  #a, __a, #b, __b);                       \
	} while (0)

#define EXPECT_STR(a, b)                                                   \
	do {                                                               \
		const char *__a = (a), *__b = (b);                         \
		if (!__a || !__b || strcmp(__a, __b))                      \
			unit_fail(__FILE__, __LINE__, "%s == \"%s\", expected \"%s\"", \
				  #a, __a ? __a : "(null)", __b ? __b : "(null)"); \
	} while (0)

/* Substring check, for error messages. */
#define EXPECT_HAS(hay, needle)                                            \
	do {                                                               \
		const char *__h = (hay);                                   \
		if (!__h || !strstr(__h, (needle)))                        \
			unit_fail(__FILE__, __LINE__, "\"%s\" lacks \"%s\"", \
				  __h ? __h : "(null)", (needle));          \
	} while (0)

#endif /* TEST_UNIT_UNIT_H */
