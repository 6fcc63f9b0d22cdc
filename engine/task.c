/*
 * The task table: one line per task, found by name (the command line) or kind (the config).
 */
#include <string.h>

#include "engine/config.h"
#include "engine/task.h"

static const struct task *const tasks[] = {
	[TASK_POLE] = &task_pole,
	[TASK_XOR] = &task_xor,
	[TASK_SPIN] = &task_spin,
};

const struct task *task_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(tasks) / sizeof(tasks[0]); i++)
		if (!strcmp(tasks[i]->name, name))
			return tasks[i];
	return NULL;
}

const struct task *task_by_kind(int kind)
{
	if (kind < 0 || (size_t)kind >= sizeof(tasks) / sizeof(tasks[0]))
		return NULL;
	return tasks[kind];
}
