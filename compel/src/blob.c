// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side blob loader: copy the image made by compel-hgen, clear its bss
 * and write the absolute addresses it needs for its run-time address.
 */
#include <errno.h>
#include <string.h>

#include <compel/blob.h>

void compel_blob_relocate(void *mem, const struct compel_blob_desc *d,
			  unsigned long load_addr)
{
	memset((unsigned char *)mem + d->bytes_len, 0, d->size - d->bytes_len);
	compel_blob_relocate_fresh(mem, d, load_addr);
}

void compel_blob_relocate_fresh(void *mem, const struct compel_blob_desc *d,
				unsigned long load_addr)
{
	unsigned char *m = mem;
	unsigned long i;

	memcpy(m, d->bytes, d->bytes_len);
	for (i = 0; i < d->nr_relocs; i++) {
		unsigned long v = load_addr + d->relocs[i].addend;

		/* Relocated words need not be aligned: copy, don't store. */
		memcpy(m + d->relocs[i].off, &v, sizeof(v));
	}
}

long compel_blob_sym_off(const struct compel_blob_desc *d, const char *name)
{
	unsigned long i;

	for (i = 0; i < d->nr_syms; i++)
		if (!strcmp(d->syms[i].name, name))
			return d->syms[i].off;
	return -ENOENT;
}
