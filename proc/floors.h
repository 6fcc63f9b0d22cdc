/*
 * The floors of the process primitives (floors.c): each fills us[0..reps) with the
 * microseconds of one repetition; 0, or a negative errno with a message in err.
 */
#ifndef EVOPAR_FLOORS_H
#define EVOPAR_FLOORS_H

#include <stddef.h>

/* fork a child that exits at once, wait for it */
int proc_floor_fork(double *us, int reps, char *err, size_t errlen);
/* posix_spawn path with argv, its stdout and stderr on /dev/null, wait for it */
int proc_floor_spawn(double *us, int reps, const char *path, char *const argv[],
		     char *err, size_t errlen);
/* one byte to a child and back; cpu_self / cpu_child < 0: not pinned */
int proc_floor_pipe(double *us, int reps, int cpu_self, int cpu_child, char *err, size_t errlen);

#endif
