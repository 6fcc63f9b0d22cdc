/*
 * The clock every deadline in proc/ is measured on, whether a process (of this machine) is
 * still running, the flag a stop signal sets so that long waits give up, and how long a wait
 * may spin before it sleeps.
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

/* the CPUs this process may run on (its affinity mask); -1 where that cannot be read */
int proc_cpus(void);
/* the same, or the online CPUs where the mask cannot be read; at least 1: how many workers
   can run at once (a container's cpuset or taskset leaves fewer than the machine has) */
int proc_usable_cpus(void);

/*
 * How long a wait between parties that hand work back and forth (party 0: the main process
 * or thread; 1..workers: a worker) may spin before it sleeps: PROC_SPIN_S or 0. Why: on a
 * virtual machine a vCPU that sleeps halts, and the host takes about 190 us to wake it
 * (measured here, against 10-20 us for a waiter that spins). Everyone spins where main and
 * workers fit in the CPUs this process may use; where only the workers fit, all but one
 * worker spin, so that the main process's work keeps a CPU; with more workers than CPUs
 * nobody does, since a spinner would take the CPU of one still at work (libgomp throttles
 * its spin for the same reason).
 */
#define PROC_SPIN_S 500e-6
double proc_spin_budget_s(int party, int workers);

/* the body of a spin: tells the CPU (and a sibling hardware thread) that this one waits */
static inline void proc_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

#endif
