// SPDX-License-Identifier: GPL-2.0
/*
 * compel-hgen, x86_64 relocations (psABI names: S symbol, A addend, P place,
 * G GOT slot). Everything PC-relative is final once the blob is one image;
 * R_X86_64_64 stays a load-time relocation; 32-bit absolute ones mean the
 * code was not built position independent and are refused.
 */
#include <stdint.h>
#include <string.h>

#include "hgen.h"

const unsigned int hgen_arch_machine = EM_X86_64;

int hgen_arch_needs_got(unsigned int type)
{
	return type == R_X86_64_GOTPCREL || type == R_X86_64_GOTPCRELX ||
	       type == R_X86_64_REX_GOTPCRELX;
}

static int put(struct hgen *h, unsigned long p, unsigned long room, int width, long v,
	       const struct hgen_target *t)
{
	uint32_t v32 = (uint32_t)v;

	if (room < (unsigned long)width) {
		hgen_err(h, "relocation against '%s' crosses its section end", t->name);
		return -1;
	}
	if (width == 4 && (v < INT32_MIN || v > INT32_MAX)) {
		hgen_err(h, "relocation against '%s' at %#lx overflows 32 bits", t->name, p);
		return -1;
	}
	if (width == 4)
		memcpy(h->image + p, &v32, 4);
	else
		memcpy(h->image + p, &v, 8);
	return 0;
}

static int pc_rel(struct hgen *h, unsigned long p, unsigned long room, int width,
		  long target, const struct hgen_target *t)
{
	if (t->absolute) {
		hgen_err(h, "PC-relative reference to absolute symbol '%s'", t->name);
		return -1;
	}
	return put(h, p, room, width, target - (long)p, t);
}

int hgen_arch_apply(struct hgen *h, const Elf64_Rela *r, unsigned long p,
		    unsigned long room, const struct hgen_target *t)
{
	unsigned int type = ELF64_R_TYPE(r->r_info);
	long sa = (long)t->value + r->r_addend;

	switch (type) {
	case R_X86_64_NONE:
		return 0;
	case R_X86_64_64:
		if (put(h, p, room, 8, sa, t))
			return -1;
		return t->absolute ? 0 : hgen_add_reloc(h, p, sa);
	case R_X86_64_PC32:
	case R_X86_64_PLT32:
		/* A PLT entry is not needed: the callee is in the blob. */
		return pc_rel(h, p, room, 4, sa, t);
	case R_X86_64_PC64:
		return pc_rel(h, p, room, 8, sa, t);
	case R_X86_64_GOTPCREL:
	case R_X86_64_GOTPCRELX:
	case R_X86_64_REX_GOTPCRELX:
		if (t->got == NO_OFF)
			return -1;
		return put(h, p, room, 4, (long)t->got + r->r_addend - (long)p, t);
	case R_X86_64_32:
	case R_X86_64_32S:
		if (t->absolute)
			return put(h, p, room, 4, sa, t);
		hgen_err(h, "absolute 32-bit reference to '%s': build blob code with -fpie",
			 t->name);
		return -1;
	default:
		hgen_err(h, "unsupported relocation type %u against '%s' at %#lx", type,
			 t->name, p);
		return -1;
	}
}
