/* SPDX-License-Identifier: GPL-2.0 */
/* Page size constants; x86_64 only uses 4 KiB base pages. */
#ifndef COMMON_PAGE_H
#define COMMON_PAGE_H

#define PAGE_SHIFT	12
#define PAGE_SIZE	(1UL << PAGE_SHIFT)
#define PAGE_MASK	(~(PAGE_SIZE - 1))
#define PAGE_ALIGN(x)	(((x) + PAGE_SIZE - 1) & PAGE_MASK)

#endif /* COMMON_PAGE_H */
