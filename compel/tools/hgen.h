/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interface of compel-hgen: the loaded relocatable object, the
 * blob image being built from it, and the per-arch relocation hook.
 */
#ifndef COMPEL_TOOLS_HGEN_H
#define COMPEL_TOOLS_HGEN_H

#include <elf.h>
#include <stddef.h>

#define NO_OFF	(~0UL)

struct hgen_reloc {
	unsigned long off;
	unsigned long addend;
};

struct hgen {
	const char *path;
	unsigned char *file;
	size_t file_size;

	const Elf64_Ehdr *eh;
	const Elf64_Shdr *sh;
	unsigned int shnum;
	const char *shstr;
	size_t shstr_size;

	const Elf64_Sym *syms;
	unsigned int symtab_idx;
	unsigned long nr_syms;
	const char *strtab;
	size_t strtab_size;

	/* Blob offset of each section, NO_OFF for sections not in the blob. */
	unsigned long *sec_off;
	/* GOT slot offset of each symbol, NO_OFF when it has none. */
	unsigned long *got_off;
	unsigned long got_start, nr_got;

	unsigned char *image;
	unsigned long size, align;

	struct hgen_reloc *relocs;
	unsigned long nr_relocs, cap_relocs;
};

/* What a relocation refers to, resolved to a blob offset or a constant. */
struct hgen_target {
	const char *name;
	unsigned long value;	/* blob offset, or the value of an absolute symbol */
	int absolute;
	unsigned long got;	/* its GOT slot, NO_OFF if none */
};

/* hgen-elf.c */
int hgen_load(struct hgen *h, const char *path);
int hgen_build_image(struct hgen *h);
const char *hgen_sym_name(const struct hgen *h, const Elf64_Sym *s);
int hgen_add_reloc(struct hgen *h, unsigned long off, unsigned long addend);
__attribute__((format(printf, 2, 3))) void hgen_err(const struct hgen *h, const char *fmt, ...);

/* compel/arch/<arch>/tools/hgen-reloc.c */
extern const unsigned int hgen_arch_machine;
/* Does this relocation type need a GOT slot for its symbol? */
int hgen_arch_needs_got(unsigned int type);
/*
 * Resolve one relocation at blob offset p (room bytes left in its section),
 * or explain why it can't be and fail.
 */
int hgen_arch_apply(struct hgen *h, const Elf64_Rela *r, unsigned long p,
		    unsigned long room, const struct hgen_target *t);

#endif /* COMPEL_TOOLS_HGEN_H */
