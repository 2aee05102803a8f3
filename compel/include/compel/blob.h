/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The blob descriptors that compel-hgen writes into <name>-blob.h, and the
 * host-side loader: copy a blob into memory and patch its absolute
 * addresses for the address it will run at.
 */
#ifndef COMPEL_BLOB_H
#define COMPEL_BLOB_H

/*
 * One absolute address inside the blob: at load time,
 * *(u64 *)(base + off) = base + addend.
 */
struct compel_blob_reloc {
	unsigned long off;
	unsigned long addend;
};

/* An exported (COMPEL_EXPORT) symbol and its offset from the blob start. */
struct compel_blob_sym {
	const char *name;
	unsigned long off;
};

struct compel_blob_desc {
	const char *name;
	/* The image; bytes past bytes_len up to size are zero (bss). */
	const unsigned char *bytes;
	unsigned long bytes_len;
	unsigned long size;
	/* Required alignment of the load address (a power of two). */
	unsigned long align;
	/* Offset of the entry named with compel-hgen -e, 0 without one. */
	unsigned long entry;
	const struct compel_blob_reloc *relocs;
	unsigned long nr_relocs;
	const struct compel_blob_sym *syms;
	unsigned long nr_syms;
};

/*
 * Copy the blob into mem (at least d->size bytes, writable), zero its bss
 * and apply the relocations for a blob that will run at load_addr. mem and
 * load_addr differ when the area is moved (mremap) or mapped into another
 * task after relocation. Never fails: compel-hgen checked every offset.
 */
void compel_blob_relocate(void *mem, const struct compel_blob_desc *d,
			  unsigned long load_addr);

/*
 * The same for mem known to be zero (a fresh anonymous mapping): the bss is
 * not written, so its pages are only allocated if the blob touches them
 * (criu's restorer has a 256 KiB group table most tasks never use, and
 * each fresh page costs a fault).
 */
void compel_blob_relocate_fresh(void *mem, const struct compel_blob_desc *d,
				unsigned long load_addr);

/* Offset of an exported symbol, or -ENOENT. */
long compel_blob_sym_off(const struct compel_blob_desc *d, const char *name);

#endif /* COMPEL_BLOB_H */
