/*
 * A snapshot of a process tree from /proc, thread by thread: state (a futex wait where the
 * kernel shows it), name, CPU and run-queue time, context switches; per process its parent and
 * resident memory. The tree is walked by the sampler's walk (sampler_visit); `evopar watch`
 * takes one snapshot per sample. Also the machine beside it: busy cores, load, cores a job may use.
 */
#ifndef EVOPAR_PROCTREE_H
#define EVOPAR_PROCTREE_H

#include <stddef.h>
#include <sys/types.h>

#define PT_COMM 16                /* a thread name as the kernel keeps it, with its NUL */

/* the files of a thread kept open from one snapshot to the next: pread beats open+read+close */
enum { PT_SCHEDSTAT, PT_STAT, PT_STATUS, PT_FILES };

struct pt_thread {
	pid_t tid;
	char comm[PT_COMM];
	char state;               /* /proc's letter (R running or runnable, S, D, T, Z, ...);
				     'F': sleeping in a futex wait (a lock, a condition, the GIL) */
	double run_s;             /* CPU time so far */
	double wait_s;            /* time spent runnable on a run queue, waiting for a core */
	long vol, invol;          /* voluntary and involuntary context switches so far */
	unsigned long long run_ns, slices;   /* schedstat's: unchanged, the thread has not run since */
	int futex_known;          /* its system call could be read */
	int fd[PT_FILES];         /* its open files; -1 where none */
};

struct pt_process {
	pid_t pid, ppid;
	char comm[PT_COMM];       /* its main thread's name */
	int first, n;             /* its threads: threads[first .. first + n) of the snapshot */
	long rss_kb;
};

struct pt_snapshot {
	struct pt_process *procs;
	int n_procs, cap_procs;
	struct pt_thread *threads;
	int n_threads, cap_threads;
	int *by_tid;              /* indices of threads[] in the order of their tids */
	int cap_by_tid;
	int have_wait;            /* every thread's run-queue time was read (/proc/.../schedstat) */
	int futex_visible;        /* a sleeping thread's system call could be read: 'F' is shown */
	int oom;                  /* an allocation failed: the snapshot is short */
	int no_fds;               /* out of descriptors: files are opened and closed each time */
	struct pt_snapshot *prev; /* during a snapshot: the one before, whose files it takes over */
};

/*
 * The tree under root as it is now (skip_tid, the caller's own thread, left out), taking over
 * the open files of the threads of prev (NULL: none) and closing those of threads gone; a
 * thread that has not run since prev is read in part. 0, -ENOMEM, or -errno when root itself
 * is gone. s is reused from one call to the next; prev keeps its values.
 */
int proctree_snapshot(struct pt_snapshot *s, struct pt_snapshot *prev, pid_t root, pid_t skip_tid);
/* the thread of s with tid, or NULL */
const struct pt_thread *proctree_find(const struct pt_snapshot *s, pid_t tid);
void proctree_release(struct pt_snapshot *s);

/* the whole machine's busy time (/proc/stat), to tell the tree's use of the cores from others' */
struct pt_machine {
	unsigned long long busy, total;   /* ticks at the last call; total 0 before the first */
};
/* cores busy machine-wide since the last call (-1 at the first) */
double proctree_machine_busy(struct pt_machine *m, int online_cores);
/* the 1-minute load average; -1 where unreadable */
double proctree_load_1m(void);
/* online cores, and the CPUs in pid's affinity mask (-1 where unreadable) */
void proctree_cores(pid_t pid, int *online, int *affinity);
/* "OMP_NUM_THREADS=4 OPENBLAS_NUM_THREADS unset MKL_NUM_THREADS unset" from pid's environment;
   0, or -errno where it cannot be read (buf says so) */
int proctree_thread_caps(pid_t pid, char *buf, size_t len);

#endif
