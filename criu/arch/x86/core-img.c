// SPDX-License-Identifier: GPL-2.0
/*
 * x86_64 registers to and from core-TID.img. The XSAVE area is stored whole
 * (xsave_raw, ours) and also split into CRIU's fields so that crit shows
 * it; reading prefers the whole area and rebuilds it from the fields when
 * an image has only those.
 */
#include <cpuid.h>
#include <stdlib.h>
#include <string.h>

#define LOG_PREFIX "x86: "
#include "arch.h"
#include "arena.h"
#include "images.h"
#include "log.h"
#include "task.h"

/* Standard-format XSAVE components CRIU names, by feature number. */
enum {
	XFEATURE_YMM = 2, XFEATURE_BNDREGS = 3, XFEATURE_BNDCSR = 4,
	XFEATURE_OPMASK = 5, XFEATURE_ZMM_HI256 = 6, XFEATURE_HI16_ZMM = 7,
	XFEATURE_PKRU = 9,
};

struct xcomp {
	int feature;
	size_t size;
	size_t offset;	/* from CPUID leaf 0xD; 0 when the CPU lacks it */
};

static void xcomp_locate(struct xcomp *c)
{
	unsigned int eax, ebx, ecx, edx;

	c->offset = 0;
	if (!__get_cpuid_count(0xd, c->feature, &eax, &ebx, &ecx, &edx))
		return;
	if (eax == c->size)
		c->offset = ebx;
}

static void *slice(struct arena *a, const uint8_t *xs, size_t len, struct xcomp *c,
		   size_t *n, size_t elem)
{
	xcomp_locate(c);
	*n = 0;
	if (!c->offset || c->offset + c->size > len)
		return NULL;
	*n = c->size / elem;
	return arena_dup(a, xs + c->offset, c->size);
}

static UserX86XsaveEntry *xsave_to_image(struct arena *a, const uint8_t *xs, size_t len)
{
	UserX86XsaveEntry *x = arena_alloc(a, sizeof(*x));
	struct xcomp ymm = { XFEATURE_YMM, 256, 0 }, bnd = { XFEATURE_BNDREGS, 64, 0 },
		     bndcsr = { XFEATURE_BNDCSR, 64, 0 }, k = { XFEATURE_OPMASK, 64, 0 },
		     zmmh = { XFEATURE_ZMM_HI256, 512, 0 }, hi16 = { XFEATURE_HI16_ZMM, 1024, 0 },
		     pkru = { XFEATURE_PKRU, 8, 0 };

	if (!x)
		return NULL;
	user_x86_xsave_entry__init(x);
	memcpy(&x->xstate_bv, xs + ARCH_XSAVE_LEGACY, 8);
	x->ymmh_space = slice(a, xs, len, &ymm, &x->n_ymmh_space, 4);
	x->bndreg_state = slice(a, xs, len, &bnd, &x->n_bndreg_state, 8);
	x->bndcsr_state = slice(a, xs, len, &bndcsr, &x->n_bndcsr_state, 8);
	x->opmask_reg = slice(a, xs, len, &k, &x->n_opmask_reg, 8);
	x->zmm_upper = slice(a, xs, len, &zmmh, &x->n_zmm_upper, 8);
	x->hi16_zmm = slice(a, xs, len, &hi16, &x->n_hi16_zmm, 8);
	x->pkru = slice(a, xs, len, &pkru, &x->n_pkru, 4);
	return x;
}

static UserX86FpregsEntry *fpregs_to_image(struct arena *a, const uint8_t *xs, size_t len)
{
	UserX86FpregsEntry *f = arena_alloc(a, sizeof(*f));
	uint16_t w16;

	if (!f)
		return NULL;
	user_x86_fpregs_entry__init(f);
	memcpy(&w16, xs + 0, 2), f->cwd = w16;
	memcpy(&w16, xs + 2, 2), f->swd = w16;
	memcpy(&w16, xs + 4, 2), f->twd = w16;
	memcpy(&w16, xs + 6, 2), f->fop = w16;
	memcpy(&f->rip, xs + 8, 8);
	memcpy(&f->rdp, xs + 16, 8);
	memcpy(&f->mxcsr, xs + 24, 4);
	memcpy(&f->mxcsr_mask, xs + 28, 4);
	f->n_st_space = 32;
	f->st_space = arena_dup(a, xs + 32, 128);
	f->n_xmm_space = 64;
	f->xmm_space = arena_dup(a, xs + 160, 256);
	f->n_padding = 24;
	f->padding = arena_dup(a, xs + 416, 96);
	f->xsave = xsave_to_image(a, xs, len);
	f->has_xsave_raw = 1;
	f->xsave_raw.len = len;
	f->xsave_raw.data = arena_dup(a, xs, len);
	return f;
}

static UserX86RegsEntry *gpregs_to_image(struct arena *a, const struct arch_regs *r)
{
	UserX86RegsEntry *g = arena_alloc(a, sizeof(*g));

	if (!g)
		return NULL;
	user_x86_regs_entry__init(g);
	g->r15 = r->r15; g->r14 = r->r14; g->r13 = r->r13; g->r12 = r->r12;
	g->bp = r->bp; g->bx = r->bx; g->r11 = r->r11; g->r10 = r->r10;
	g->r9 = r->r9; g->r8 = r->r8; g->ax = r->ax; g->cx = r->cx;
	g->dx = r->dx; g->si = r->si; g->di = r->di; g->orig_ax = r->orig_ax;
	g->ip = r->ip; g->cs = r->cs; g->flags = r->flags; g->sp = r->sp;
	g->ss = r->ss; g->fs_base = r->fs_base; g->gs_base = r->gs_base;
	g->ds = r->ds; g->es = r->es; g->fs = r->fs; g->gs = r->gs;
	g->has_mode = 1;
	g->mode = USER_X86_REGS_MODE__NATIVE;
	return g;
}

int arch_core_to_image(const struct thread_core *th, struct arena *a, CoreEntry *ce)
{
	ThreadInfoX86 *ti = arena_alloc(a, sizeof(*ti));

	if (!ti)
		return -1;
	thread_info_x86__init(ti);
	ti->clear_tid_addr = th->clear_tid_addr;
	ti->gpregs = gpregs_to_image(a, &th->regs);
	ti->fpregs = fpregs_to_image(a, th->xsave, th->xsave_len);
	ce->thread_info = ti;
	return a->failed ? -1 : 0;
}

static void gpregs_from_image(const UserX86RegsEntry *g, struct arch_regs *r)
{
	r->r15 = g->r15; r->r14 = g->r14; r->r13 = g->r13; r->r12 = g->r12;
	r->bp = g->bp; r->bx = g->bx; r->r11 = g->r11; r->r10 = g->r10;
	r->r9 = g->r9; r->r8 = g->r8; r->ax = g->ax; r->cx = g->cx;
	r->dx = g->dx; r->si = g->si; r->di = g->di; r->orig_ax = g->orig_ax;
	r->ip = g->ip; r->cs = g->cs; r->flags = g->flags; r->sp = g->sp;
	r->ss = g->ss; r->fs_base = g->fs_base; r->gs_base = g->gs_base;
	r->ds = g->ds; r->es = g->es; r->fs = g->fs; r->gs = g->gs;
}

static void put_slice(uint8_t *xs, size_t len, struct xcomp *c, const void *src, size_t n,
		      size_t elem)
{
	xcomp_locate(c);
	if (c->offset && n * elem == c->size && c->offset + c->size <= len)
		memcpy(xs + c->offset, src, c->size);
}

/* An image from CRIU itself: rebuild the standard-format area from the fields. */
static int xsave_from_fields(const UserX86FpregsEntry *f, uint8_t **out, uint32_t *out_len,
			     const char *img)
{
	unsigned int eax, ebx, ecx, edx;
	uint8_t *xs;
	uint16_t w16;
	size_t len;

	if (f->n_st_space != 32 || f->n_xmm_space != 64) {
		pr_err("%s: x87/SSE registers have the wrong size\n", img);
		return -1;
	}
	if (!__get_cpuid_count(0xd, 0, &eax, &ebx, &ecx, &edx) || ebx < 576)
		ebx = 576;
	len = ebx;
	xs = calloc(1, len);
	if (!xs)
		return -1;
	w16 = f->cwd, memcpy(xs + 0, &w16, 2);
	w16 = f->swd, memcpy(xs + 2, &w16, 2);
	w16 = f->twd, memcpy(xs + 4, &w16, 2);
	w16 = f->fop, memcpy(xs + 6, &w16, 2);
	memcpy(xs + 8, &f->rip, 8);
	memcpy(xs + 16, &f->rdp, 8);
	memcpy(xs + 24, &f->mxcsr, 4);
	memcpy(xs + 28, &f->mxcsr_mask, 4);
	memcpy(xs + 32, f->st_space, 128);
	memcpy(xs + 160, f->xmm_space, 256);
	uint64_t bv = 3;	/* x87 + SSE */

	if (f->xsave) {
		const UserX86XsaveEntry *x = f->xsave;
		struct xcomp ymm = { XFEATURE_YMM, 256, 0 }, k = { XFEATURE_OPMASK, 64, 0 },
			     zmmh = { XFEATURE_ZMM_HI256, 512, 0 },
			     hi16 = { XFEATURE_HI16_ZMM, 1024, 0 }, pkru = { XFEATURE_PKRU, 8, 0 };

		bv = x->xstate_bv;
		put_slice(xs, len, &ymm, x->ymmh_space, x->n_ymmh_space, 4);
		put_slice(xs, len, &k, x->opmask_reg, x->n_opmask_reg, 8);
		put_slice(xs, len, &zmmh, x->zmm_upper, x->n_zmm_upper, 8);
		put_slice(xs, len, &hi16, x->hi16_zmm, x->n_hi16_zmm, 8);
		put_slice(xs, len, &pkru, x->pkru, x->n_pkru, 4);
	}
	memcpy(xs + ARCH_XSAVE_LEGACY, &bv, 8);
	*out = xs;
	*out_len = len;
	return 0;
}

int arch_core_from_image(const CoreEntry *ce, struct thread_core *th, const char *img)
{
	const ThreadInfoX86 *ti = ce->thread_info;
	const UserX86FpregsEntry *f;

	if (ce->mtype != CORE_ENTRY__MARCH__X86_64 || !ti || !ti->gpregs || !ti->fpregs) {
		pr_err("%s: not an x86_64 core image\n", img);
		return -1;
	}
	if (ti->n_tls) {
		pr_err("%s: 32-bit TLS descriptors are not supported\n", img);
		return -1;
	}
	th->clear_tid_addr = ti->clear_tid_addr;
	gpregs_from_image(ti->gpregs, &th->regs);
	if (arch_check_regs(&th->regs, th->tid))
		return -1;
	f = ti->fpregs;
	if (!f->has_xsave_raw)
		return xsave_from_fields(f, &th->xsave, &th->xsave_len, img);
	if (f->xsave_raw.len < ARCH_XSAVE_LEGACY + ARCH_XSAVE_HDR ||
	    f->xsave_raw.len > ARCH_XSAVE_MAX) {
		pr_err("%s: extended state of %zu bytes is out of range\n", img,
		       f->xsave_raw.len);
		return -1;
	}
	th->xsave = malloc(f->xsave_raw.len);
	if (!th->xsave)
		return -1;
	memcpy(th->xsave, f->xsave_raw.data, f->xsave_raw.len);
	th->xsave_len = f->xsave_raw.len;
	return 0;
}
