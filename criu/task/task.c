// SPDX-License-Identifier: GPL-2.0
/* Lifetime helpers of the core-state structs. */
#include <stdlib.h>
#include <string.h>

#define LOG_PREFIX "task: "
#include "log.h"
#include "task.h"

int sigqueue_add(struct sigqueue *q, const void *info)
{
	uint8_t (*n)[TASK_SIGINFO_SIZE];

	if (q->nr >= TASK_MAX_SIGQUEUE) {
		pr_err("more than %d queued signals\n", TASK_MAX_SIGQUEUE);
		return -1;
	}
	n = realloc(q->info, (q->nr + 1) * sizeof(*n));
	if (!n) {
		pr_err("out of memory\n");
		return -1;
	}
	q->info = n;
	memcpy(q->info[q->nr++], info, TASK_SIGINFO_SIZE);
	return 0;
}

void sigqueue_free(struct sigqueue *q)
{
	free(q->info);
	q->info = NULL;
	q->nr = 0;
}

void task_core_free(struct task_core *tc)
{
	for (int i = 0; i < tc->nr_threads; i++) {
		struct thread_core *th = &tc->threads[i];

		free(th->xsave);
		free(th->creds.groups);
		sigqueue_free(&th->pending);
	}
	free(tc->threads);
	free(tc->posix_timers);
	sigqueue_free(&tc->shared_pending);
	memset(tc, 0, sizeof(*tc));
}
