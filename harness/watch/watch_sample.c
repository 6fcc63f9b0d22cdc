/*
 * One sample of `evopar watch`: a snapshot of the tree (proctree.h), its threads paired by tid
 * with the snapshot before to get each one's share of the interval running and waiting for a
 * core, the interval the rules read, the evidence they will name, and the sample record.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "harness/watch/watch.h"

void watch_state_init(struct watch_state *st, pid_t root, double interval_ms, int jobs)
{
	memset(st, 0, sizeof(*st));
	st->root = root;
	st->interval_s = interval_ms * 1e-3;
	st->series.jobs = jobs;
	st->series.have_wait = 1;
}

void watch_state_release(struct watch_state *st)
{
	int k;

	for (k = 0; k < 2; k++)
		proctree_release(&st->snap[k]);
	free(st->use);
	free(st->procs);
	watch_series_release(&st->series);
}

/* room for n in a per-thread array of elem bytes; -ENOMEM */
static int reserve(void **arr, int *cap, int n, size_t elem)
{
	void *p;

	if (n <= *cap)
		return 0;
	p = realloc(*arr, (size_t)n * elem);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = n;
	return 0;
}

/*
 * Each thread of the newest snapshot against the same tid in the one before: its share of the
 * interval running (util) and runnable on a queue (wait), -1 for a thread new since; and the
 * context switches the pairs made, into *vol and *invol.
 */
static int pair_threads(struct watch_state *st, double dt, long *vol, long *invol)
{
	const struct pt_snapshot *a = &st->snap[!st->cur], *b = &st->snap[st->cur];
	int j, n = b->n_threads + 1;

	if (reserve((void **)&st->use, &st->cap_use, n, sizeof(*st->use)))
		return -ENOMEM;
	*vol = *invol = 0;
	for (j = 0; j < b->n_threads; j++) {
		const struct pt_thread *tb = &b->threads[j], *ta = st->have_prev ? proctree_find(a, tb->tid) : NULL;
		struct watch_thread_use *u = &st->use[j];

		u->util = u->wait = -1;
		u->blocks = 0;
		if (!ta || tb->run_s < ta->run_s)
			continue;             /* new, or a tid used again */
		u->util = (float)((tb->run_s - ta->run_s) / dt);
		u->wait = (float)(tb->wait_s > ta->wait_s ? (tb->wait_s - ta->wait_s) / dt : 0);
		u->blocks = (float)((double)(tb->vol - ta->vol) / dt);
		*vol += tb->vol - ta->vol;
		*invol += tb->invol - ta->invol;
	}
	return 0;
}

static struct watch_proc *find_proc(struct watch_state *st, const struct pt_process *p)
{
	struct watch_proc *w;
	int i;

	for (i = 0; i < st->n_procs; i++)
		if (st->procs[i].pid == p->pid)
			return &st->procs[i];
	if (st->n_procs == st->cap_procs &&
	    reserve((void **)&st->procs, &st->cap_procs, 2 * st->cap_procs + 16, sizeof(*w)))
		return NULL;
	w = &st->procs[st->n_procs++];
	memset(w, 0, sizeof(*w));
	w->pid = p->pid;
	return w;
}

/* "12 × python3, 3 × OpenBLAS": the threads of p by name, the largest groups first */
static void name_groups(const struct pt_snapshot *s, const struct pt_process *p, char *buf, size_t len)
{
	enum { GROUPS = 6 };
	const char *name[GROUPS];
	int count[GROUPS], n = 0, rest = 0, i, k, best;
	size_t at = 0;

	for (i = 0; i < p->n; i++) {
		const char *c = s->threads[p->first + i].comm;

		for (k = 0; k < n && strcmp(name[k], c); k++)
			;
		if (k == n && n == GROUPS) {
			rest++;
			continue;
		}
		if (k == n) {
			name[n] = c;
			count[n++] = 0;
		}
		count[k]++;
	}
	buf[0] = 0;
	while (n > 0 && at < len) {
		for (best = 0, k = 1; k < n; k++)
			best = count[k] > count[best] ? k : best;
		at += (size_t)snprintf(buf + at, len - at, "%s%d × %s", at ? ", " : "", count[best], name[best]);
		name[best] = name[--n];
		count[best] = count[n];
	}
	if (rest && at < len)
		snprintf(buf + at, len - at, ", %d under other names", rest);
}

/* one process's share of the interval: cores it ran, threads it had wanting a core, active ones */
struct proc_use {
	double util, wanted;
	int active;
	int turn_takers;          /* active threads that blocked WATCH_TURN_RATE times a second */
};

static void proc_use(const struct watch_state *st, const struct pt_process *p, struct proc_use *u)
{
	int i;

	memset(u, 0, sizeof(*u));
	for (i = p->first; i < p->first + p->n; i++) {
		const struct watch_thread_use *t = &st->use[i];

		if (t->util < 0)
			continue;
		u->util += t->util;
		u->wanted += t->util + t->wait;
		u->active += t->util >= WATCH_ACTIVE_SHARE;
		u->turn_takers += t->util >= WATCH_ACTIVE_SHARE && t->blocks >= WATCH_TURN_RATE;
	}
}

/* the evidence of a thread explosion, taken when its numbers peak (the process may be gone later) */
static void take_peaks(struct watch_state *st, const struct watch_interval *iv)
{
	const struct pt_snapshot *s = &st->snap[st->cur];
	char names[WATCH_TEXT / 2];
	size_t at = 0;
	int i, listed = 0, top = 0;

	for (i = 1; i < s->n_procs; i++)
		top = s->procs[i].n > s->procs[top].n ? i : top;
	if (s->n_procs && s->procs[top].n > st->peak_proc_threads) {
		const struct pt_process *p = &s->procs[top];

		st->peak_proc_threads = p->n;
		name_groups(s, p, names, sizeof(names));
		snprintf(st->peak_proc, sizeof(st->peak_proc), "pid %d (%s) held %d threads: %s", (int)p->pid,
			 p->comm, p->n, names);
		proctree_thread_caps(p->pid, st->peak_caps, sizeof(st->peak_caps));
	}
	if (iv->teams < 2 || iv->threads <= st->peak_team_threads)
		return;
	st->peak_team_threads = iv->threads;
	at = (size_t)snprintf(st->peak_teams, sizeof(st->peak_teams), "%d threads in %d processes, %d of "
			      "them holding at least %d:", iv->threads, iv->processes, iv->teams, iv->cores);
	for (i = 0; i < s->n_procs && at < sizeof(st->peak_teams); i++) {
		const struct pt_process *p = &s->procs[i];

		if (p->n < iv->cores)
			continue;
		if (++listed > 4) {
			at += (size_t)snprintf(st->peak_teams + at, sizeof(st->peak_teams) - at, " ...");
			break;
		}
		name_groups(s, p, names, sizeof(names));
		at += (size_t)snprintf(st->peak_teams + at, sizeof(st->peak_teams) - at, "%s pid %d (%s) %s",
				       listed > 1 ? ";" : "", (int)p->pid, p->comm, names);
	}
}

/* the processes' part of an interval, and what watch keeps of each process */
static int take_processes(struct watch_state *st, struct watch_interval *iv)
{
	const struct pt_snapshot *s = &st->snap[st->cur];
	struct watch_proc *top = NULL;
	int i, top_active = 0;

	for (i = 0; i < s->n_procs; i++) {
		const struct pt_process *p = &s->procs[i];
		struct watch_proc *w = find_proc(st, p);
		struct proc_use u;

		if (!w)
			return -ENOMEM;
		memcpy(w->comm, p->comm, sizeof(w->comm));   /* the latest: an exec renames it */
		proc_use(st, p, &u);
		iv->cpu_util += (float)u.util;
		iv->wanted += (float)u.wanted;
		iv->active += u.active;
		iv->busy_procs += u.util >= WATCH_BUSY_PROCESS;
		iv->active_procs += u.active > 0;
		iv->teams += p->n >= iv->cores;
		if (p->n > iv->proc_threads_max)
			iv->proc_threads_max = p->n;
		if (u.turn_takers > iv->turn_takers)
			iv->turn_takers = u.turn_takers;
		if (u.util >= WATCH_BUSY_PROCESS && !w->busy_intervals++)
			st->series.workers_seen++;
		if (u.active > w->active_max)
			w->active_max = u.active;
		if (p->n > w->threads_max)
			w->threads_max = p->n;
		if (u.active > top_active) {
			top_active = u.active;
			top = w;
		}
	}
	if (top)
		top->top_intervals++;
	return 0;
}

/* the interval from the snapshot before to this one */
static int take_interval(struct watch_state *st, double t_s, double dt, long vol, long invol,
			 int cores, double machine)
{
	const struct pt_snapshot *s = &st->snap[st->cur];
	struct watch_interval *iv = watch_series_add(&st->series);
	int i;

	if (!iv)
		return -ENOMEM;
	iv->t_s = (float)t_s;
	iv->dt_s = (float)dt;
	iv->threads = s->n_threads;
	iv->processes = s->n_procs;
	iv->cores = cores;
	iv->vol_rate = (float)(vol / dt);
	iv->invol_rate = (float)(invol / dt);
	iv->machine_busy = (float)machine;
	iv->futex = s->futex_visible ? 0 : -1;
	for (i = 0; i < s->n_threads && s->futex_visible; i++)
		iv->futex += s->threads[i].state == 'F';
	if (take_processes(st, iv))
		return -ENOMEM;
	if (!s->have_wait)        /* no run-queue time: what ran is all that is known to have wanted to */
		iv->wanted = iv->cpu_util;
	for (i = 0; i < s->n_threads; i++)
		iv->runnable += s->threads[i].state == 'R';
	st->series.cores = cores;
	st->series.have_wait &= s->have_wait;
	take_peaks(st, iv);
	return 0;
}

static const char *state_word(char c)
{
	switch (c) {
	case 'R':
		return "running";     /* on a core or runnable on its queue: /proc does not tell */
	case 'S':
		return "sleeping";
	case 'F':
		return "futex";
	case 'D':
		return "disk";
	default:
		return "other";       /* stopped, traced, zombie, idle */
	}
}

static void write_share(struct jw *w, const char *key, float v)
{
	if (v < 0)
		jw_null(w, key);
	else
		jw_num(w, key, v);
}

static void write_process(struct jw *w, const struct watch_state *st, const struct pt_process *p)
{
	const struct pt_snapshot *s = &st->snap[st->cur];
	struct proc_use u;
	long vol = 0, invol = 0;
	int i;

	proc_use(st, p, &u);
	for (i = p->first; i < p->first + p->n; i++) {
		vol += s->threads[i].vol;
		invol += s->threads[i].invol;
	}
	jw_obj_begin(w, NULL);
	jw_int(w, "pid", p->pid);
	jw_int(w, "ppid", p->ppid);
	jw_str(w, "comm", p->comm);
	jw_int(w, "threads", p->n);
	jw_int(w, "rss_kb", p->rss_kb);
	write_share(w, "cpu_util", st->have_prev ? (float)u.util : -1);
	write_share(w, "wanted", st->have_prev ? (float)u.wanted : -1);
	jw_int(w, "active", u.active);
	jw_int(w, "vol", vol);
	jw_int(w, "invol", invol);
	jw_arr_begin(w, "thread");
	for (i = p->first; i < p->first + p->n; i++) {
		const struct pt_thread *t = &s->threads[i];

		jw_obj_begin(w, NULL);
		jw_int(w, "tid", t->tid);
		jw_str(w, "comm", t->comm);
		jw_str(w, "state", state_word(t->state));
		jw_num(w, "cpu_s", t->run_s);
		jw_num(w, "wait_s", t->wait_s);
		write_share(w, "util", st->use[i].util);
		write_share(w, "wait", st->use[i].wait);
		jw_int(w, "vol", t->vol);
		jw_int(w, "invol", t->invol);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_obj_end(w);
}

/* instant counts of the threads by state */
static void write_states(struct jw *w, const struct pt_snapshot *s)
{
	static const char *const words[] = { "running", "sleeping", "futex", "disk", "other" };
	int count[5] = { 0 }, i, k;

	for (i = 0; i < s->n_threads; i++)
		for (k = 0; k < 5; k++)
			if (!strcmp(state_word(s->threads[i].state), words[k]))
				count[k]++;
	jw_obj_begin(w, "states");
	for (k = 0; k < 5; k++)
		jw_int(w, words[k], count[k]);
	jw_obj_end(w);
	jw_bool(w, "futex_visible", s->futex_visible);
}

static void write_sample(struct watch_state *st, struct jw *w, double t_s, int online, long rss_kb)
{
	const struct pt_snapshot *s = &st->snap[st->cur];
	const struct watch_interval *iv = st->have_prev ? &st->series.iv[st->series.n - 1] : NULL;
	int i;

	jw_begin(w, "sample");
	jw_num(w, "t_s", t_s);
	write_share(w, "dt_s", iv ? iv->dt_s : -1);
	jw_int(w, "processes", s->n_procs);
	jw_int(w, "threads", s->n_threads);
	jw_int(w, "cores", st->series.cores);
	jw_int(w, "online_cores", online);
	jw_num(w, "load_1m", proctree_load_1m());
	write_share(w, "machine_busy", iv ? iv->machine_busy : -1);
	write_share(w, "cpu_util", iv ? iv->cpu_util : -1);
	write_share(w, "wanted", iv ? iv->wanted : -1);
	jw_int(w, "runnable", iv ? iv->runnable : 0);
	jw_int(w, "active_threads", iv ? iv->active : 0);
	jw_int(w, "busy_processes", iv ? iv->busy_procs : 0);
	write_states(w, s);
	jw_bool(w, "run_queue_visible", s->have_wait);
	jw_int(w, "rss_kb", rss_kb);
	write_share(w, "vol_ctx_per_s", iv ? iv->vol_rate : -1);
	write_share(w, "invol_ctx_per_s", iv ? iv->invol_rate : -1);
	jw_arr_begin(w, "procs");
	for (i = 0; i < s->n_procs; i++)
		write_process(w, st, &s->procs[i]);
	jw_arr_end(w);
	jw_end(w);
}

int watch_sample(struct watch_state *st, struct jw *w, double t_s)
{
	double dt = t_s - st->t_prev, machine;
	long vol, invol, rss_kb = 0;
	int online, affinity, rc, i;

	rc = proctree_snapshot(&st->snap[st->cur], st->have_prev ? &st->snap[!st->cur] : NULL, st->root, 0);
	if (rc)
		return rc;
	proctree_cores(st->root, &online, &affinity);
	st->series.cores = affinity > 0 && affinity < online ? affinity : online;
	machine = proctree_machine_busy(&st->machine, online);
	rc = pair_threads(st, dt > 0 ? dt : 1e-9, &vol, &invol);
	if (!rc && st->have_prev)
		rc = take_interval(st, t_s, dt, vol, invol, st->series.cores, machine);
	if (rc)
		return rc;
	for (i = 0; i < st->snap[st->cur].n_procs; i++)
		rss_kb += st->snap[st->cur].procs[i].rss_kb;
	if (rss_kb > st->rss_kb_max)
		st->rss_kb_max = rss_kb;
	st->futex_visible |= st->snap[st->cur].futex_visible;
	write_sample(st, w, t_s, online, rss_kb);
	st->samples++;
	st->threads_read += st->snap[st->cur].n_threads;
	st->have_prev = 1;
	st->t_prev = t_s;
	st->cur = !st->cur;
	return 0;
}
