/*
 * One repetition of `evopar bench`: a fresh `evopar run` or `evopar search` (under a launcher
 * where one is named) through the child API, stopped past --timeout, its process tree sampled
 * from outside, its records copied into the bench file tagged, and its bench_run record.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc/child.h"
#include "harness/bench.h"
#include "harness/instruments/sampler.h"
#include "harness/records/records.h"
#include "proc/clock.h"

/* Copy the child's records into the bench file, each tagged after its opening brace. */
static int copy_records(struct bench *b, int id, int rep, int warm, int *n_records)
{
	FILE *f = fopen(b->tmp_out, "r");
	struct jw tag = { 0 };
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = 0;

	*n_records = 0;
	if (!f)
		return 0;       /* the run wrote nothing (it failed before its first record) */
	/* the tag is the opening of an object, by the one writer: the child's fields follow it */
	jw_obj_begin(&tag, NULL);
	jw_int(&tag, "config_id", id);
	jw_str(&tag, "config_label", b->cfg[id].label);
	jw_int(&tag, "rep", rep);
	jw_bool(&tag, "warmup", warm);
	rc = tag.oom ? -ENOMEM : 0;
	while (!rc && (n = getline(&line, &cap, f)) > 0) {
		if (line[0] != '{' || line[n - 1] != '\n')
			continue;       /* a torn last line of a killed run */
		rc = output_put(&b->out, tag.buf, tag.len);
		if (!rc)
			rc = output_put(&b->out, ",", 1);
		if (!rc)
			rc = output_put(&b->out, line + 1, (size_t)n - 1);
		if (!rc)
			(*n_records)++;
	}
	jw_release(&tag);
	free(line);
	fclose(f);
	return rc ? rc : output_flush(&b->out);
}

/* The first line the child wrote on stderr, for the record of a failed run. */
static void first_error_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	buf[0] = 0;
	if (!f)
		return;
	if (fgets(buf, (int)len, f))
		buf[strcspn(buf, "\n")] = 0;
	fclose(f);
}

/* LAUNCHER... evopar CMD OPTIONS --quiet --out TMP; NULL when out of memory */
static char **run_argv(struct bench *b, const struct bench_config *c)
{
	char **argv = calloc((size_t)(c->n_launch + c->argc + 6), sizeof(*argv)), **ev;
	int i;

	if (!argv)
		return NULL;
	for (i = 0; i < c->n_launch; i++)
		argv[i] = c->launch[i];
	ev = argv + c->n_launch;
	/* under a launcher the launcher starts this very binary by its path */
	ev[0] = c->n_launch ? b->self_exe : "evopar";
	ev[1] = (char *)c->command;
	for (i = 0; i < c->argc; i++)
		ev[i + 2] = c->argv[i];
	ev[i + 2] = "--quiet";
	ev[i + 3] = "--out";
	ev[i + 4] = b->tmp_out;
	return argv;
}

/*
 * Wait for the run until deadline; past it SIGTERM, then SIGKILL 5 s later. A stop of the
 * bench passes SIGTERM on at once: the run ends cleanly and says interrupted.
 */
static int reap_run(struct child *ch, double deadline)
{
	int termed = 0;

	while (ch->pid) {
		double left = deadline - proc_now_s();

		if (bench_stop && !termed) {
			kill(ch->pid, SIGTERM);
			termed = 1;
		}
		if (left <= 0) {
			child_end(ch, termed ? 0 : 5.0);
			return 1;
		}
		/* in slices, so that a stop of the bench is passed on within 100 ms */
		child_wait(ch, left < 0.1 ? left : 0.1);
	}
	return 0;
}

/* how one run ended and what was seen of it */
struct run_end {
	struct child ch;          /* its wait status and rusage (it and what it reaped) */
	int timed_out;
	int n_records;
	double wall_s;
	struct sampler tree;      /* the bench's sampler of the child's process tree */
};

static void write_run_record(struct bench *b, int id, int rep, int warm, const struct run_end *e)
{
	struct summary sm;
	char msg[512];
	int ok = !e->timed_out && child_exit_code(&e->ch) == 0;

	summary_init(&sm, SUMMARY_CHILD, ok ? "ok" : e->timed_out ? "timeout" : "failed");
	sm.config_id = id;
	sm.config_label = b->cfg[id].label;
	sm.rep = rep;
	sm.warmup = warm;
	if (WIFEXITED(e->ch.status))
		sm.exit_code = WEXITSTATUS(e->ch.status);
	else if (WIFSIGNALED(e->ch.status))
		sm.signal = WTERMSIG(e->ch.status);
	sm.wall_s = e->wall_s;
	sm.self = e->ch.ru;
	sm.records = e->n_records;
	sm.sampler = &e->tree;
	if (!ok) {
		first_error_line(b->tmp_err, msg, sizeof(msg));
		sm.error = msg[0] ? msg : "no message";
		b->runs_failed++;
	}
	summary_write(&b->jw, &sm);
	output_write(&b->out, &b->jw);
}

int bench_one(struct bench *b, int id, int rep, int warm)
{
	struct bench_config *c = &b->cfg[id];
	char **argv = run_argv(b, c), serr[128];
	struct run_end e;
	double t = proc_now_s();
	int rc;

	if (!argv)
		return -ENOMEM;
	memset(&e, 0, sizeof(e));
	unlink(b->tmp_out);
	child_init(&e.ch);
	e.ch.argv = argv;
	e.ch.exe = c->n_launch ? NULL : b->self_exe;   /* a launcher is looked up on PATH */
	e.ch.std_out = CHILD_NULL;
	e.ch.err_path = b->tmp_err;
	e.ch.pgid = -1;             /* in the bench's group: a ^C at the terminal reaches it too */
	e.ch.death_signal = SIGTERM;
	rc = child_start(&e.ch, b->err, sizeof(b->err));
	if (rc)
		goto free_argv;
	/* a sampler that cannot start costs the record its tree, not the run */
	if (b->o.sample_ms > 0)
		sampler_start_tree(&e.tree, e.ch.pid, b->o.sample_ms, 1, serr, sizeof(serr));
	e.timed_out = reap_run(&e.ch, t + b->o.timeout_s);
	sampler_stop(&e.tree);
	e.wall_s = proc_now_s() - t;
	/* the measure the adaptive rule of bench_rounds.c reads, as the reports will */
	b->last_value = !e.timed_out && child_exit_code(&e.ch) == 0 ? bench_run_value(b->tmp_out, c) : -1;
	/* a write error ends the bench; output_commit says it, with the path */
	rc = copy_records(b, id, rep, warm, &e.n_records);
	if (!rc) {
		write_run_record(b, id, rep, warm, &e);
		rc = b->out.error ? -b->out.error : 0;
	}
	sampler_release(&e.tree);
free_argv:
	free(argv);
	return rc;
}
