// SPDX-License-Identifier: GPL-2.0
/*
 * compel-hgen, ELF side: load the relocatable object made by `ld -r -T
 * pie.lds`, lay its allocated sections out as one image, add GOT slots
 * and resolve every relocation, keeping the absolute ones for load time.
 * The object is build output, but it is still checked like any input.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hgen.h"

#define GOT_SYM		"_GLOBAL_OFFSET_TABLE_"

void hgen_err(const struct hgen *h, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "compel-hgen: %s: ", h->path);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int in_file(const struct hgen *h, unsigned long off, unsigned long size)
{
	return off <= h->file_size && size <= h->file_size - off;
}

/* Tables we cast to structs must be in the file and naturally aligned. */
static int table_ok(const struct hgen *h, unsigned long off, unsigned long size)
{
	return in_file(h, off, size) && off % 8 == 0;
}

static int read_file(struct hgen *h)
{
	struct stat st;
	size_t done = 0;
	int fd;

	fd = open(h->path, O_RDONLY);
	if (fd < 0 || fstat(fd, &st) < 0) {
		hgen_err(h, "can't open: %s", strerror(errno));
		goto err;
	}
	h->file_size = st.st_size;
	h->file = malloc(h->file_size + 1);
	if (!h->file) {
		hgen_err(h, "out of memory");
		goto err;
	}
	while (done < h->file_size) {
		ssize_t n = read(fd, h->file + done, h->file_size - done);

		if (n <= 0) {
			hgen_err(h, "can't read: %s", n ? strerror(errno) : "short file");
			goto err;
		}
		done += n;
	}
	close(fd);
	return 0;
err:
	if (fd >= 0)
		close(fd);
	return -1;
}

static int check_header(struct hgen *h)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)h->file;
	const Elf64_Shdr *strsec;

	if (h->file_size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG)) {
		hgen_err(h, "not an ELF file");
		return -1;
	}
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh->e_machine != hgen_arch_machine) {
		hgen_err(h, "not an ELF object for this architecture");
		return -1;
	}
	if (eh->e_type != ET_REL) {
		hgen_err(h, "not a relocatable object (link the blob with ld -r)");
		return -1;
	}
	if (eh->e_shentsize != sizeof(Elf64_Shdr) || eh->e_shnum == 0 ||
	    eh->e_shstrndx >= eh->e_shnum ||
	    !table_ok(h, eh->e_shoff, (unsigned long)eh->e_shnum * sizeof(Elf64_Shdr))) {
		hgen_err(h, "bad section header table");
		return -1;
	}
	h->eh = eh;
	h->sh = (const Elf64_Shdr *)(h->file + eh->e_shoff);
	h->shnum = eh->e_shnum;

	strsec = &h->sh[eh->e_shstrndx];
	if (strsec->sh_type != SHT_STRTAB || !in_file(h, strsec->sh_offset, strsec->sh_size) ||
	    !strsec->sh_size || h->file[strsec->sh_offset + strsec->sh_size - 1]) {
		hgen_err(h, "bad section name table");
		return -1;
	}
	h->shstr = (const char *)h->file + strsec->sh_offset;
	h->shstr_size = strsec->sh_size;
	return 0;
}

static const char *sec_name(const struct hgen *h, unsigned int idx)
{
	if (idx >= h->shnum || h->sh[idx].sh_name >= h->shstr_size)
		return "?";
	return h->shstr + h->sh[idx].sh_name;
}

const char *hgen_sym_name(const struct hgen *h, const Elf64_Sym *s)
{
	if (ELF64_ST_TYPE(s->st_info) == STT_SECTION)
		return sec_name(h, s->st_shndx);
	if (s->st_name >= h->strtab_size)
		return "?";
	return h->strtab + s->st_name;
}

static int use_symtab(struct hgen *h, unsigned int idx)
{
	const Elf64_Shdr *s = &h->sh[idx], *str;

	if (h->syms) {
		hgen_err(h, "more than one symbol table");
		return -1;
	}
	if (s->sh_entsize != sizeof(Elf64_Sym) || !table_ok(h, s->sh_offset, s->sh_size) ||
	    s->sh_link >= h->shnum) {
		hgen_err(h, "bad symbol table");
		return -1;
	}
	str = &h->sh[s->sh_link];
	if (str->sh_type != SHT_STRTAB || !in_file(h, str->sh_offset, str->sh_size) ||
	    !str->sh_size || h->file[str->sh_offset + str->sh_size - 1]) {
		hgen_err(h, "bad symbol name table");
		return -1;
	}
	h->syms = (const Elf64_Sym *)(h->file + s->sh_offset);
	h->symtab_idx = idx;
	h->nr_syms = s->sh_size / sizeof(Elf64_Sym);
	h->strtab = (const char *)h->file + str->sh_offset;
	h->strtab_size = str->sh_size;
	return 0;
}

static int find_symtab(struct hgen *h)
{
	unsigned int i;

	for (i = 1; i < h->shnum; i++) {
		if (h->sh[i].sh_type == SHT_REL) {
			hgen_err(h, "section '%s': REL relocations are not supported",
				 sec_name(h, i));
			return -1;
		}
		if (h->sh[i].sh_type == SHT_SYMTAB && use_symtab(h, i))
			return -1;
	}
	if (!h->syms) {
		hgen_err(h, "no symbol table");
		return -1;
	}
	return 0;
}

/*
 * The same rule as the build's `nm -u` check: a blob must not need anything
 * from outside, except the GOT the assembler names when code uses GOT slots
 * (alloc_got() builds one after the image).
 */
static int check_undefined(const struct hgen *h)
{
	unsigned long i;
	int bad = 0;

	for (i = 1; i < h->nr_syms; i++) {
		const Elf64_Sym *s = &h->syms[i];

		if (s->st_shndx == SHN_UNDEF && !strcmp(hgen_sym_name(h, s), GOT_SYM))
			continue;
		if (s->st_shndx == SHN_UNDEF) {
			hgen_err(h, "undefined symbol '%s': blob code can't call libc "
				 "or anything outside the blob", hgen_sym_name(h, s));
			bad = 1;
		} else if (s->st_shndx == SHN_COMMON) {
			hgen_err(h, "common symbol '%s': compile with -fno-common",
				 hgen_sym_name(h, s));
			bad = 1;
		}
	}
	return bad ? -1 : 0;
}

int hgen_load(struct hgen *h, const char *path)
{
	h->path = path;
	if (read_file(h) || check_header(h) || find_symtab(h))
		return -1;
	return check_undefined(h);
}

static int layout(struct hgen *h)
{
	unsigned long off = 0, align = 1;
	unsigned int i;

	h->sec_off = malloc(h->shnum * sizeof(*h->sec_off));
	if (!h->sec_off)
		return -1;
	for (i = 0; i < h->shnum; i++) {
		const Elf64_Shdr *s = &h->sh[i];
		unsigned long a = s->sh_addralign ? s->sh_addralign : 1;

		h->sec_off[i] = NO_OFF;
		if (i == 0 || !(s->sh_flags & SHF_ALLOC))
			continue;
		if (s->sh_flags & SHF_TLS) {
			hgen_err(h, "section '%s': thread-local data is not supported",
				 sec_name(h, i));
			return -1;
		}
		if ((a & (a - 1)) || a > 4096 || s->sh_size > (1UL << 30) ||
		    (s->sh_type != SHT_NOBITS && !in_file(h, s->sh_offset, s->sh_size))) {
			hgen_err(h, "bad section '%s'", sec_name(h, i));
			return -1;
		}
		off = (off + a - 1) & ~(a - 1);
		h->sec_off[i] = off;
		off += s->sh_size;
		if (a > align)
			align = a;
	}
	h->size = off;
	h->align = align;
	return 0;
}

static const Elf64_Rela *rela_table(const struct hgen *h, unsigned int idx, unsigned long *nr)
{
	const Elf64_Shdr *s = &h->sh[idx];

	*nr = 0;
	if (s->sh_type != SHT_RELA || s->sh_info >= h->shnum ||
	    h->sec_off[s->sh_info] == NO_OFF)
		return NULL;
	if (s->sh_entsize != sizeof(Elf64_Rela) || !table_ok(h, s->sh_offset, s->sh_size) ||
	    s->sh_link != h->symtab_idx) {
		hgen_err(h, "bad relocation section '%s'", sec_name(h, idx));
		*nr = ~0UL;
		return NULL;
	}
	*nr = s->sh_size / sizeof(Elf64_Rela);
	return (const Elf64_Rela *)(h->file + s->sh_offset);
}

/* Give each symbol reached through the GOT one 8-byte slot after the image. */
static int alloc_got(struct hgen *h)
{
	unsigned long i, j, nr;

	h->got_off = malloc(h->nr_syms * sizeof(*h->got_off));
	if (!h->got_off)
		return -1;
	for (i = 0; i < h->nr_syms; i++)
		h->got_off[i] = NO_OFF;
	h->got_start = (h->size + 7) & ~7UL;
	for (i = 1; i < h->shnum; i++) {
		const Elf64_Rela *r = rela_table(h, i, &nr);

		if (!r && nr == ~0UL)
			return -1;
		for (j = 0; r && j < nr; j++) {
			unsigned long sym = ELF64_R_SYM(r[j].r_info);

			if (!hgen_arch_needs_got(ELF64_R_TYPE(r[j].r_info)) ||
			    sym >= h->nr_syms || h->got_off[sym] != NO_OFF)
				continue;
			h->got_off[sym] = h->got_start + 8 * h->nr_got++;
		}
	}
	if (h->nr_got) {
		h->size = h->got_start + 8 * h->nr_got;
		if (h->align < 8)
			h->align = 8;
	}
	return 0;
}

int hgen_add_reloc(struct hgen *h, unsigned long off, unsigned long addend)
{
	if (h->nr_relocs == h->cap_relocs) {
		unsigned long cap = h->cap_relocs ? 2 * h->cap_relocs : 64;
		struct hgen_reloc *n = realloc(h->relocs, cap * sizeof(*n));

		if (!n) {
			hgen_err(h, "out of memory");
			return -1;
		}
		h->relocs = n;
		h->cap_relocs = cap;
	}
	h->relocs[h->nr_relocs].off = off;
	h->relocs[h->nr_relocs].addend = addend;
	h->nr_relocs++;
	return 0;
}

static int resolve(const struct hgen *h, unsigned long idx, struct hgen_target *t)
{
	const Elf64_Sym *s;

	memset(t, 0, sizeof(*t));
	t->got = NO_OFF;
	if (idx == 0) {
		t->name = "(none)";
		t->absolute = 1;
		return 0;
	}
	if (idx >= h->nr_syms) {
		hgen_err(h, "relocation against bad symbol index %lu", idx);
		return -1;
	}
	s = &h->syms[idx];
	t->name = hgen_sym_name(h, s);
	t->got = h->got_off[idx];
	if (s->st_shndx == SHN_ABS) {
		t->absolute = 1;
		t->value = s->st_value;
		return 0;
	}
	if (s->st_shndx >= h->shnum || h->sec_off[s->st_shndx] == NO_OFF ||
	    s->st_value > h->sh[s->st_shndx].sh_size) {
		hgen_err(h, "symbol '%s' is not inside the blob", t->name);
		return -1;
	}
	t->value = h->sec_off[s->st_shndx] + s->st_value;
	return 0;
}

static int apply_section(struct hgen *h, const Elf64_Rela *r, unsigned long nr,
			 unsigned int target)
{
	const Elf64_Shdr *ts = &h->sh[target];
	struct hgen_target t;
	unsigned long i;
	int bad = 0;

	if (nr && ts->sh_type == SHT_NOBITS) {
		hgen_err(h, "relocations against bss section '%s'", sec_name(h, target));
		return -1;
	}
	for (i = 0; i < nr; i++) {
		unsigned long p = h->sec_off[target] + r[i].r_offset;

		if (r[i].r_offset >= ts->sh_size) {
			hgen_err(h, "relocation outside section '%s'", sec_name(h, target));
			return -1;
		}
		if (resolve(h, ELF64_R_SYM(r[i].r_info), &t) ||
		    hgen_arch_apply(h, &r[i], p, ts->sh_size - r[i].r_offset, &t))
			bad = 1;
	}
	return bad ? -1 : 0;
}

/* Slots hold absolute addresses, so each one is a load-time relocation. */
static int fill_got(struct hgen *h)
{
	struct hgen_target t;
	unsigned long i;

	for (i = 1; i < h->nr_syms; i++) {
		if (h->got_off[i] == NO_OFF)
			continue;
		if (resolve(h, i, &t))
			return -1;
		memcpy(h->image + h->got_off[i], &t.value, 8);
		if (!t.absolute && hgen_add_reloc(h, h->got_off[i], t.value))
			return -1;
	}
	return 0;
}

int hgen_build_image(struct hgen *h)
{
	unsigned long nr;
	unsigned int i;
	int bad = 0;

	if (layout(h) || alloc_got(h))
		return -1;
	h->image = calloc(1, h->size ? h->size : 1);
	if (!h->image)
		return -1;
	for (i = 1; i < h->shnum; i++) {
		const Elf64_Shdr *s = &h->sh[i];

		if (h->sec_off[i] != NO_OFF && s->sh_type != SHT_NOBITS)
			memcpy(h->image + h->sec_off[i], h->file + s->sh_offset, s->sh_size);
	}
	for (i = 1; i < h->shnum; i++) {
		const Elf64_Rela *r = rela_table(h, i, &nr);

		if (!r && nr == ~0UL)
			return -1;
		if (r && apply_section(h, r, nr, h->sh[i].sh_info))
			bad = 1;
	}
	if (bad)
		return -1;
	return fill_got(h);
}
