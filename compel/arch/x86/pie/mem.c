// SPDX-License-Identifier: GPL-2.0
/*
 * memcpy/memmove/memset/memcmp for blobs. The compiler emits calls to them
 * even in freestanding code; `rep movsb/stosb` is short and fast on CPUs
 * with ERMS, and leaves no loop for the compiler to turn back into a call.
 */
#include <compel/pie.h>

void *memcpy(void *dst, const void *src, __SIZE_TYPE__ n)
{
	void *ret = dst;

	__asm__ __volatile__("rep movsb" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
	return ret;
}

void *memmove(void *dst, const void *src, __SIZE_TYPE__ n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (!n || d <= s || d >= s + n)
		return memcpy(dst, src, n);
	/* dst overlaps the tail of src: copy backwards; the ABI wants DF=0 back. */
	d += n - 1;
	s += n - 1;
	__asm__ __volatile__("std\n\trep movsb\n\tcld" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
	return dst;
}

void *memset(void *s, int c, __SIZE_TYPE__ n)
{
	void *ret = s;

	__asm__ __volatile__("rep stosb" : "+D"(s), "+c"(n) : "a"(c) : "memory");
	return ret;
}

int memcmp(const void *a, const void *b, __SIZE_TYPE__ n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}
