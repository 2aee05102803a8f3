// SPDX-License-Identifier: GPL-2.0
/*
 * Credentials of one thread. Each step runs only where the target differs
 * from what the restoring process has, so an unprivileged restore of a
 * task with our own credentials needs no capability at all; the order
 * keeps the capabilities each step needs until the last one.
 */
#include <linux/capability.h>
#include <linux/prctl.h>
#include <linux/securebits.h>

#include "rst-internal.h"

#define RST_MAX_GROUPS 65536

struct cap_hdr {
	uint32_t version;
	int pid;
};

struct cap_data {
	uint32_t eff, prm, inh;
};

static int get_caps(uint64_t *eff, uint64_t *prm, uint64_t *inh)
{
	struct cap_hdr h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct cap_data d[2];

	if (sys_capget(&h, d))
		return -1;
	*eff = d[0].eff | (uint64_t)d[1].eff << 32;
	*prm = d[0].prm | (uint64_t)d[1].prm << 32;
	*inh = d[0].inh | (uint64_t)d[1].inh << 32;
	return 0;
}

static uint32_t cur_groups[RST_MAX_GROUPS];	/* threads restore one at a time */

static int groups_differ(const struct rst_creds *c)
{
	const uint32_t *want = (const uint32_t *)c->groups;
	long n = sys_getgroups(RST_MAX_GROUPS, cur_groups);

	if (n != (long)c->ngroups)
		return 1;
	for (long i = 0; i < n; i++)
		if (cur_groups[i] != want[i])
			return 1;
	return 0;
}

static int set_ids(const struct rst_creds *c)
{
	uint32_t u[3], g[3];
	long r;

	if (sys_getresuid(&u[0], &u[1], &u[2]) || sys_getresgid(&g[0], &g[1], &g[2]))
		return -1;
	if (groups_differ(c)) {
		r = sys_setgroups(c->ngroups, (const unsigned int *)c->groups);
		if (r) {
			rst_err("can't set %u supplementary groups: %ld\n", c->ngroups, r);
			return -1;
		}
	}
	if (g[0] != c->gid || g[1] != c->egid || g[2] != c->sgid) {
		r = sys_setresgid(c->gid, c->egid, c->sgid);
		if (r) {
			rst_err("can't set gids %u/%u/%u: %ld\n", c->gid, c->egid, c->sgid, r);
			return -1;
		}
	}
	sys_setfsgid(c->fsgid);
	if (u[0] != c->uid || u[1] != c->euid || u[2] != c->suid) {
		long sb = sys_prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);

		/* keep the capabilities the next steps need across the uid change */
		if (sb >= 0 && !(sb & SECBIT_NO_SETUID_FIXUP) &&
		    sys_prctl(PR_SET_SECUREBITS, sb | SECBIT_NO_SETUID_FIXUP, 0, 0, 0)) {
			rst_err("can't keep capabilities across a uid change (CAP_SETPCAP)\n");
			return -1;
		}
		r = sys_setresuid(c->uid, c->euid, c->suid);
		if (r) {
			rst_err("can't set uids %u/%u/%u: %ld\n", c->uid, c->euid, c->suid, r);
			return -1;
		}
	}
	sys_setfsuid(c->fsuid);
	return 0;
}

static int drop_bounding(const struct rst_creds *c)
{
	for (uint32_t cap = 0; cap <= c->last_cap && cap < 64; cap++) {
		long r;

		if (c->cap_bnd & (1ULL << cap))
			continue;
		if (sys_prctl(PR_CAPBSET_READ, cap, 0, 0, 0) <= 0)
			continue;
		r = sys_prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);
		if (r) {
			rst_err("can't drop capability %u from the bounding set: %ld\n", cap, r);
			return -1;
		}
	}
	return 0;
}

static int set_caps(const struct rst_creds *c)
{
	struct cap_hdr h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct cap_data d[2] = {
		{ (uint32_t)c->cap_eff, (uint32_t)c->cap_prm, (uint32_t)c->cap_inh },
		{ (uint32_t)(c->cap_eff >> 32), (uint32_t)(c->cap_prm >> 32),
		  (uint32_t)(c->cap_inh >> 32) },
	};
	uint64_t eff, prm, inh;
	long r;

	if (get_caps(&eff, &prm, &inh))
		return -1;
	if (eff != c->cap_eff || prm != c->cap_prm || inh != c->cap_inh) {
		r = sys_capset(&h, d);
		if (r) {
			rst_err("can't set capabilities eff %lx prm %lx inh %lx: %ld\n",
				c->cap_eff, c->cap_prm, c->cap_inh, r);
			return -1;
		}
	}
	sys_prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	for (uint32_t cap = 0; cap <= c->last_cap && cap < 64; cap++) {
		if (!(c->cap_amb & (1ULL << cap)))
			continue;
		r = sys_prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0);
		if (r) {
			rst_err("can't raise ambient capability %u: %ld\n", cap, r);
			return -1;
		}
	}
	return 0;
}

int rst_restore_creds(const struct rst_creds *c)
{
	if (set_ids(c) || drop_bounding(c))
		return -1;
	if (sys_prctl(PR_GET_SECUREBITS, 0, 0, 0, 0) != (long)c->secbits &&
	    sys_prctl(PR_SET_SECUREBITS, c->secbits, 0, 0, 0)) {
		rst_err("can't set securebits %x\n", c->secbits);
		return -1;
	}
	if (set_caps(c))
		return -1;
	if (c->no_new_privs && sys_prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		rst_err("can't set no_new_privs\n");
		return -1;
	}
	return 0;
}
