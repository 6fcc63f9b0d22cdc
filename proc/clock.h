/*
 * The clock every deadline in proc/ is measured on, whether a process (of this machine) is
 * still running, and the flag a stop signal sets so that long waits give up.
 */
#ifndef EVOPAR_CLOCK_H
#define EVOPAR_CLOCK_H

#include <signal.h>
#include <sys/types.h>

/* CLOCK_MONOTONIC in seconds: deadlines are absolute times on it */
double proc_now_s(void);
/* is pid (on this machine) running? A zombie is not. */
int proc_alive(pid_t pid);
/* the state letter of a /proc stat file (/proc/PID/stat, /proc/self/task/TID/stat); 0: none */
char proc_stat_state(const char *path);
/* set by the harness's stop-signal handler: long waits give up with -EINTR */
extern volatile sig_atomic_t proc_stop_requested;
/* SIGINT and SIGTERM call fn from now on, without SA_RESTART: a blocked call returns EINTR */
void proc_catch_stop(void (*fn)(int sig));

#endif
