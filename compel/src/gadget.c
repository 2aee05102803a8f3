// SPDX-License-Identifier: GPL-2.0
/*
 * Where the injected syscalls run: the first syscall instruction found in
 * the thread's [vdso] (nothing in the task changes), or, without a vDSO,
 * one written over the code at the thread's instruction pointer and put
 * back by compel_release().
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* The vDSO is a few pages; don't read a huge area that only has its name. */
#define MAX_VDSO_SIZE	(1UL << 20)

static int scan_vdso(struct compel_ctl *ctl)
{
	unsigned long start, end;
	unsigned char *buf, *p;
	char perms[5];
	int ret;

	if (compel_find_vma(ctl->tid, "[vdso]", &start, &end, perms))
		return -ENOENT;
	if (perms[2] != 'x' || end - start > MAX_VDSO_SIZE)
		return -ENOENT;
	buf = malloc(end - start);
	if (!buf)
		return -ENOMEM;
	ret = compel_read_remote(ctl, buf, start, end - start);
	if (!ret) {
		/* Any byte pair will do: the CPU decodes from wherever rip points. */
		p = memmem(buf, end - start, COMPEL_SYSCALL_INSN, COMPEL_SYSCALL_INSN_LEN);
		if (p)
			ctl->gadget = start + (p - buf);
		else
			ret = -ENOENT;
	}
	free(buf);
	return ret;
}

/*
 * Only `syscall` is written, no trailing int3: we stop at syscall exit
 * with PTRACE_SYSCALL as for the vDSO. An int3 would raise SIGTRAP while
 * we block every signal, and the kernel forces a blocked fault signal
 * through by resetting its handler to SIG_DFL: the task would lose its
 * own SIGTRAP handler.
 */
static int patch_at_ip(struct compel_ctl *ctl)
{
	unsigned long ip = compel_arch_ip(&ctl->regs);
	int ret;

	ret = compel_read_remote(ctl, ctl->saved_code, ip, COMPEL_SYSCALL_INSN_LEN);
	if (ret)
		return ret;
	/* Text is read-only: this goes through /proc/PID/mem, which forces it. */
	ret = compel_write_remote(ctl, ip, COMPEL_SYSCALL_INSN, COMPEL_SYSCALL_INSN_LEN);
	if (ret)
		return ret;
	ctl->patched = 1;
	ctl->gadget = ip;
	return 0;
}

int compel_find_gadget(struct compel_ctl *ctl)
{
	if (!scan_vdso(ctl)) {
		pr_debug("%d: syscall instruction at %#lx in [vdso]", ctl->tid, ctl->gadget);
		return 0;
	}
	pr_info("%d: no usable [vdso], patching code at %#lx", ctl->tid,
		compel_arch_ip(&ctl->regs));
	return patch_at_ip(ctl);
}

int compel_unpatch_gadget(struct compel_ctl *ctl)
{
	int ret;

	if (!ctl->patched)
		return 0;
	ret = compel_write_remote(ctl, ctl->gadget, ctl->saved_code, COMPEL_SYSCALL_INSN_LEN);
	if (ret) {
		pr_err("%d: can't restore the code at %#lx", ctl->tid, ctl->gadget);
		return ret;
	}
	ctl->patched = 0;
	return 0;
}
