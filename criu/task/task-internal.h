/* SPDX-License-Identifier: GPL-2.0 */
/* Parsers shared by the task module's files; private to criu/task/. */
#ifndef CRIU_TASK_TASK_INTERNAL_H
#define CRIU_TASK_TASK_INTERNAL_H

#include "task.h"

/* /proc/PID/timers: ids, clocks, signals of POSIX timers (values come later). */
int task_parse_timers_text(const char *text, struct task_core *tc);
int task_parse_posix_timers(pid_t pid, struct task_core *tc);
/* /proc/PID/limits */
int task_parse_limits_text(const char *text, struct task_core *tc);
int task_parse_limits(pid_t pid, struct task_core *tc);

#endif /* CRIU_TASK_TASK_INTERNAL_H */
