/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Compiler helpers shared by criu, compel and the freestanding blobs.
 * Nothing here may pull in libc.
 */
#ifndef COMMON_COMPILER_H
#define COMMON_COMPILER_H

#define __must_check	__attribute__((warn_unused_result))
#define __unused	__attribute__((unused))
#define __packed	__attribute__((packed))
#define __aligned(x)	__attribute__((aligned(x)))
#define __noreturn	__attribute__((noreturn))
#define __printf(a, b)	__attribute__((format(printf, a, b)))
#define __hidden	__attribute__((visibility("hidden")))

#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define BUILD_BUG_ON(cond) _Static_assert(!(cond), #cond)

#define ALIGN_UP(x, a)		(((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a)	((x) & ~((__typeof__(x))(a) - 1))

#define min(a, b) ((a) < (b) ? (a) : (b))
#define max(a, b) ((a) > (b) ? (a) : (b))

#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - __builtin_offsetof(type, member)))

#define barrier() __asm__ __volatile__("" ::: "memory")

#endif /* COMMON_COMPILER_H */
