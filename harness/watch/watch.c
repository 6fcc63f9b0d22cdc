/*
 * `evopar watch [options] (-- CMD ... | --pid PID)`: run CMD (or attach to PID) and sample its
 * whole process tree every --interval ms from /proc; records meta, one sample per tick and a
 * summary with the diagnosis, which also goes to stderr. Exits with CMD's own status.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "harness/cli.h"
#include "harness/options.h"
#include "harness/records/records.h"
#include "harness/run.h"
#include "harness/watch/watch.h"
#include "proc/child.h"
#include "proc/clock.h"
#include "proc/proc.h"

#define EXIT_NOT_FOUND 127        /* a shell's code for a command it cannot run */
#define DETACH_POLL_S 0.5         /* after --for: how often watch looks whether CMD has ended */

struct watch_options {
	int jobs;                 /* 0: judged from what the tree shows */
	double interval_ms;
	const char *out;
	double for_s;             /* 0: until the job ends */
	int pid;                  /* 0: run CMD instead */
	int help;
};

#define WO(field) offsetof(struct watch_options, field)

static const struct opt_spec watch_opts[] = {
	{ "jobs", OPT_INT, WO(jobs), 0, 1000000, NULL, "tasks the job is meant to run at once (0: judged from the busy worker processes or active threads it shows)" },
	{ "interval", OPT_DOUBLE, WO(interval_ms), 1, 60000, NULL, "milliseconds between two samples of the tree" },
	{ "out", OPT_STRING, WO(out), 0, 0, NULL, "JSON Lines records (meta, sample, summary); '-' for stdout, shared with CMD's; appears when the watch ends" },
	{ "for", OPT_DOUBLE, WO(for_s), 0, 604800, NULL, "seconds to watch (0: until the job ends); CMD runs on after it, and watch still exits with its status" },
	{ "pid", OPT_INT, WO(pid), 1, 4194304, NULL, "attach to this running process and its tree instead of running CMD" },
	{ "help", OPT_FLAG, WO(help), 0, 0, NULL, "this text" },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

struct watch_run {
	struct watch_options o;
	char **cmd;               /* the words after --; NULL with --pid */
	struct child child;
	pid_t root;
	struct output out;
	struct jw jw;
	struct watch_state st;
	double t0;
	int detached;             /* --for ran out while the job ran on */
};

static volatile sig_atomic_t watch_stop;
static volatile sig_atomic_t forward_to;     /* CMD's pid once it runs */

/*
 * CMD stays in watch's process group, so a ^C at the terminal reaches it directly (si_code
 * SI_KERNEL); a signal sent to watch alone by a process (kill: si_code <= 0) is passed on.
 */
static void on_stop(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	watch_stop = sig;
	if (forward_to > 0 && si && si->si_code <= 0)
		kill((pid_t)forward_to, sig);
}

static void catch_stop_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_stop;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static double cpu_now_s(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void watch_options_defaults(void *o)
{
	*(struct watch_options *)o = (struct watch_options){ .interval_ms = 100, .out = "watch.jsonl" };
}

static void usage(FILE *f)
{
	struct watch_options d;

	watch_options_defaults(&d);

	fprintf(f, "usage: evopar watch [options] -- CMD [ARGS...]\n"
		   "       evopar watch [options] --pid PID\n\n"
		   "Run CMD (or attach to the running process PID) and sample its whole process tree from\n"
		   "/proc every --interval ms: per process and thread its CPU and run-queue time, state\n"
		   "(running, sleeping, in a futex wait), name, resident memory and context switches. Then\n"
		   "diagnose its parallelism: no overlap, overlap without progress, oversubscription,\n"
		   "thread explosion, or healthy, each with its evidence and a fix (README.md, \"Diagnosing\n"
		   "any job\"). Records: meta, sample, summary. Exit codes: CMD's own; 127 CMD cannot be\n"
		   "run; 2 bad options; with --pid 0, or 130 when interrupted.\n\noptions:\n");
	options_help(f, watch_opts, &d);
}

/* options before "--", CMD after it */
static int parse_args(struct watch_run *r, int argc, char **argv, char *err, size_t errlen)
{
	int sep;

	for (sep = 0; sep < argc && strcmp(argv[sep], "--"); sep++)
		;
	r->cmd = sep + 1 < argc ? &argv[sep + 1] : NULL;
	if (options_parse(watch_opts, &r->o, sep, argv, err, errlen)) {
		if (!strncmp(err, "unexpected argument", 19))
			snprintf(err + strlen(err), errlen - strlen(err), "; the command goes after --");
		return -1;
	}
	if (r->o.help)
		return 0;
	if (sep < argc && !r->cmd) {
		snprintf(err, errlen, "no command after --");
		return -1;
	}
	if (!r->cmd && !r->o.pid) {
		snprintf(err, errlen, "no command: give -- CMD [ARGS...] or --pid PID");
		return -1;
	}
	if (r->cmd && r->o.pid) {
		snprintf(err, errlen, "either -- CMD or --pid, not both");
		return -1;
	}
	return 0;
}

/* a process to attach to must exist, be alive and be ours to signal and read */
static int check_pid(pid_t pid, char *err, size_t errlen)
{
	if (pid == getpid()) {
		snprintf(err, errlen, "--pid %d: that is evopar watch itself", (int)pid);
		return -1;
	}
	if (kill(pid, 0) && errno == EPERM) {
		snprintf(err, errlen, "--pid %d: not ours: this user may not signal it or read its threads",
			 (int)pid);
		return -1;
	}
	if (!proc_alive(pid)) {
		snprintf(err, errlen, "--pid %d: no such process", (int)pid);
		return -1;
	}
	return 0;
}

static int executable(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode) && !access(path, X_OK) ? 0 :
	       !stat(path, &st) ? -EACCES : -ENOENT;
}

/* CMD as execvp would find it: 0, -ENOENT (nowhere) or -EACCES (found, not executable) */
static int find_command(const char *name, char *err, size_t errlen)
{
	const char *p = getenv("PATH"), *end;
	char full[4096];
	int rc = -ENOENT, one;

	if (strchr(name, '/'))
		rc = executable(name);
	for (p = p ? p : "/usr/bin:/bin"; rc && !strchr(name, '/'); p = end + 1) {
		end = strchrnul(p, ':');
		/* an empty entry is the current directory, as for execvp */
		snprintf(full, sizeof(full), "%.*s/%s", end > p ? (int)(end - p) : 1, end > p ? p : ".", name);
		one = executable(full);
		if (!one || one == -EACCES)
			rc = one;         /* found; not executable: a later entry may still be */
		if (!*end)
			break;
	}
	if (rc == -ENOENT)
		snprintf(err, errlen, "%s: %s", name, strchr(name, '/') ? "No such file or directory" :
			 "command not found");
	else if (rc)
		snprintf(err, errlen, "%s: Permission denied", name);
	return rc;
}

static int write_meta(struct watch_run *r)
{
	int i;

	meta_begin(&r->jw, "watch", watch_opts, &r->o);
	jw_arr_begin(&r->jw, "argv");
	for (i = 0; r->cmd && r->cmd[i]; i++)
		jw_str(&r->jw, NULL, r->cmd[i]);
	jw_arr_end(&r->jw);
	jw_end(&r->jw);
	return output_write(&r->out, &r->jw);
}

/* one sample and its record; its CPU time is the sampler's cost. 0, or -errno: root gone */
static int sample_once(struct watch_run *r)
{
	double c0 = cpu_now_s(CLOCK_THREAD_CPUTIME_ID);
	int rc = watch_sample(&r->st, &r->jw, proc_now_s() - r->t0);

	if (!rc)
		output_write(&r->out, &r->jw);
	r->st.cpu_s += cpu_now_s(CLOCK_THREAD_CPUTIME_ID) - c0;
	return rc;
}

/* Wait until the monotonic time until; 1 when the job ended meanwhile. */
static int wait_tick(struct watch_run *r, double until)
{
	double left = until - proc_now_s();

	if (r->cmd)
		return !child_wait(&r->child, left > 0 ? left : 0);
	while (left > 0 && !watch_stop) {
		struct timespec ts = { 0, (long)((left < 0.02 ? left : 0.02) * 1e9) };

		nanosleep(&ts, NULL);     /* a stop signal cuts it short */
		if (!proc_alive(r->root))
			return 1;
		left = until - proc_now_s();
	}
	return !proc_alive(r->root);
}

/* sample every interval until the job ends, --for runs out or (with --pid) a stop signal */
static void watch_loop(struct watch_run *r)
{
	double next = r->t0, interval = r->o.interval_ms * 1e-3, now;

	for (;;) {
		if (sample_once(r) && !r->cmd)
			return;           /* the process attached to has gone */
		now = proc_now_s();
		if (r->o.for_s > 0 && now - r->t0 >= r->o.for_s) {
			r->detached = 1;
			return;
		}
		next += interval;
		if (next < now)           /* late (a loaded machine): skip ticks, do not burst */
			next = now + interval;
		if (r->o.for_s > 0 && next > r->t0 + r->o.for_s)
			next = r->t0 + r->o.for_s;
		if (wait_tick(r, next) || (!r->cmd && watch_stop))
			return;
	}
}

/* how the job ended, in words, and its exit code (-1 where watch cannot know it) */
static int job_end(const struct watch_run *r, char *buf, size_t len)
{
	if (r->detached) {
		snprintf(buf, len, "still running (watch left it at --for %g s)", r->o.for_s);
		return -1;
	}
	if (r->cmd) {
		child_describe(&r->child, buf, len);
		return child_exit_code(&r->child);
	}
	snprintf(buf, len, proc_alive(r->root) ? "still running: watch was stopped" :
		 "ended (its exit status is its parent's to read)");
	return -1;
}

static void write_summary(struct watch_run *r, const struct watch_verdict *v)
{
	struct rusage ru;
	char ended[128];
	int code = job_end(r, ended, sizeof(ended));

	getrusage(RUSAGE_SELF, &ru);
	jw_begin(&r->jw, "summary");
	jw_str(&r->jw, "status", r->detached ? "detached" : watch_stop ? "interrupted" : "ok");
	jw_int(&r->jw, "target_pid", r->root);
	jw_str(&r->jw, "ended", ended);
	if (code >= 0)
		jw_int(&r->jw, "exit_code", code);
	else
		jw_null(&r->jw, "exit_code");
	jw_num(&r->jw, "wall_s", r->st.wall_s);
	watch_write_diagnosis(&r->st, v, &r->jw);
	/* all of watch's own CPU: the sampling above, meta's probes at the start, the waits between */
	jw_num(&r->jw, "watch_cpu_s", (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 +
	       (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec * 1e-6);
	jw_end(&r->jw);
	output_write(&r->out, &r->jw);
	fprintf(stderr, "evopar watch: %s (pid %d) after %.1f s: %s\n", r->cmd ? r->cmd[0] : "the process",
		(int)r->root, r->st.wall_s, ended);
}

/* start CMD in watch's own process group (terminal signals reach it) */
static int start_command(struct watch_run *r, char *err, size_t errlen)
{
	child_init(&r->child);
	r->child.argv = r->cmd;
	r->child.pgid = -1;
	if (child_start(&r->child, err, errlen))
		return -1;
	r->root = r->child.pid;
	forward_to = r->root;
	return 0;
}

/*
 * The sampler keeps up to three files open per thread watched: room for large trees, raised
 * after CMD has started so that CMD keeps the limits it was given.
 */
static void more_files(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur >= rl.rlim_max)
		return;
	rl.rlim_cur = rl.rlim_max < (1u << 20) ? rl.rlim_max : (1u << 20);
	setrlimit(RLIMIT_NOFILE, &rl);
}

/* after the records: with --for, CMD still runs; watch waits for it to pass its status on */
static int finish(struct watch_run *r)
{
	if (r->cmd) {
		while (child_wait(&r->child, DETACH_POLL_S))
			;
		return child_exit_code(&r->child);
	}
	return watch_stop ? EXIT_INTERRUPTED : 0;
}

/* everything between a valid command line and the exit code */
static int watch_run(struct watch_run *r, char *err, size_t errlen)
{
	struct watch_verdict v;

	if (output_open(&r->out, r->o.out, err, errlen)) {
		fprintf(stderr, "evopar watch: %s\n", err);
		return EXIT_FAILED;
	}
	if (r->out.f != stdout)
		fcntl(fileno(r->out.f), F_SETFD, FD_CLOEXEC);   /* not CMD's to inherit */
	catch_stop_signals();
	write_meta(r);
	if (r->cmd && start_command(r, err, errlen)) {
		fprintf(stderr, "evopar watch: %s\n", err);
		output_discard(&r->out);
		return EXIT_FAILED;
	}
	if (!r->cmd)
		r->root = r->o.pid;
	more_files();
	watch_state_init(&r->st, r->root, r->o.interval_ms, r->o.jobs);
	r->t0 = proc_now_s();
	watch_loop(r);
	r->st.wall_s = proc_now_s() - r->t0;
	watch_diagnose(&r->st.series, &v);
	write_summary(r, &v);
	watch_print_diagnosis(&r->st, &v, stderr);
	watch_state_release(&r->st);
	if (output_commit(&r->out, err, errlen)) {
		fprintf(stderr, "evopar watch: %s\n", err);
		finish(r);
		return EXIT_FAILED;
	}
	return finish(r);
}

int cmd_watch(int argc, char **argv)
{
	struct watch_run *r = calloc(1, sizeof(*r));
	char err[1024];
	int code = EXIT_USAGE;

	if (!r) {
		fprintf(stderr, "evopar watch: out of memory\n");
		return EXIT_FAILED;
	}
	watch_options_defaults(&r->o);
	if (parse_args(r, argc, argv, err, sizeof(err)) ||
	    (r->o.pid && check_pid(r->o.pid, err, sizeof(err)))) {
		fprintf(stderr, "evopar watch: %s\n", err);
		goto free_run;
	}
	if (r->o.help) {
		code = options_answer(r->o.help, usage);
		goto free_run;
	}
	if (options_check_output("out", r->o.out, err, sizeof(err))) {
		fprintf(stderr, "evopar watch: %s\n", err);
		goto free_run;
	}
	code = EXIT_NOT_FOUND;
	if (r->cmd && find_command(r->cmd[0], err, sizeof(err))) {
		fprintf(stderr, "evopar watch: %s\n", err);
		goto free_run;
	}
	code = watch_run(r, err, sizeof(err));
free_run:
	jw_release(&r->jw);
	free(r);
	return code;
}

const struct cli_doc watch_doc = { watch_opts, usage, watch_options_defaults,
				   sizeof(struct watch_options), CLI_COMMAND_LINE };
