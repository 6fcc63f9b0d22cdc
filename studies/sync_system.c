/*
 * Document 002's actor-learner, made deterministic: an actor reads every agent's published
 * policy once per turn, acts, and adds the experience to that agent's ring; a learner per
 * share of the agents samples a fixed choice of each epoch's experience, updates the policy
 * and publishes it. Run in one thread (sequential) or on threads or processes, timed in blocks.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proc/clock.h"
#include "studies/sync.h"

#define LEARN_RATE 0.01f

/* what each worker timed, in nanoseconds */
struct role_times {
	uint64_t read, act, add, wait, sample, learn, publish;
	uint64_t ready_ns;        /* when it started working */
};

struct sys {
	struct sync_system_config c;
	enum sync_mode mode;
	int learners;
	struct sync_slot *slots;  /* per agent */
	struct sync_ring *rings;  /* per agent */
	struct sync_gate acted;   /* epochs the actor has finished */
	struct sync_gate learned; /* learner epochs finished, all learners together */
	_Atomic int *done;        /* per learner: epochs finished */
	struct role_times *times; /* [0]: the actor, [1 + l]: learner l */
	uint64_t action_checksum;
	_Atomic int abort;
};

static float unit_float(uint64_t h)
{
	return (float)((double)(h >> 11) * (1.0 / 9007199254740992.0) * 2.0 - 1.0);
}

static float dot(const float *a, const float *b, int n)
{
	float s = 0;
	int i;

	for (i = 0; i < n; i++)
		s += a[i] * b[i];
	return s;
}

/* --- the actor ----------------------------------------------------------------------- */

struct actor {
	float *policy;            /* [agents][dim]: the copies reads return into */
	const float **seen;       /* [agents]: what each read gave */
	float *obs, *truth;       /* [agents][dim] */
	float *action, *reward;   /* [agents] */
};

static int actor_ready(void *ctx)
{
	const struct sys *s = ((void **)ctx)[0];
	int need = *(const int *)((void **)ctx)[1], l;

	for (l = 0; l < s->learners; l++)
		if (atomic_load(&s->done[l]) < need)
			return 0;
	return 1;
}

/* the items of epoch e overwrite those of epoch e - ring_epochs: every learner is past it */
static int actor_wait(struct sys *s, int e)
{
	int need = e - s->c.ring_epochs + 1;
	void *ctx[2] = { s, &need };

	return need > 0 ? sync_gate_wait(&s->learned, actor_ready, ctx, &s->abort) : 0;
}

static void actor_observe_act(struct sys *s, struct actor *a, int e, int t)
{
	int d = s->c.dim, k, i, w;

	for (k = 0; k < s->c.agents; k++) {
		float *obs = a->obs + (size_t)k * d, h = 0;
		uint64_t n = (uint64_t)e * (uint64_t)s->c.turns + (uint64_t)t;

		for (i = 0; i < d; i++)
			obs[i] = unit_float(sync_hash(s->c.seed, (uint64_t)k, n, (uint64_t)i));
		for (w = 0; w < s->c.act_work; w++)
			h = tanhf(dot(a->seen[k], obs, d) * (1.0f + 0.01f * h));
		a->action[k] = h;
		a->reward[k] = dot(a->truth + (size_t)k * d, obs, d);
	}
}

static int actor_epoch(struct sys *s, struct actor *a, int e, struct role_times *rt)
{
	uint64_t t0 = sync_now_ns(), t1;
	int t, k, d = s->c.dim;

	if (proc_stop_requested)  /* a stop signal to this process: end between two epochs */
		return -EINTR;
	if (actor_wait(s, e))
		return -ECANCELED;
	t1 = sync_now_ns();
	rt->wait += t1 - t0;
	for (t = 0; t < s->c.turns; t++) {
		for (k = 0; k < s->c.agents; k++)
			a->seen[k] = sync_read(&s->slots[k], s->mode, a->policy + (size_t)k * d);
		t0 = sync_now_ns();
		rt->read += t0 - t1;
		actor_observe_act(s, a, e, t);
		t1 = sync_now_ns();
		rt->act += t1 - t0;
		for (k = 0; k < s->c.agents; k++)
			sync_add(&s->rings[k], s->mode, a->obs + (size_t)k * d, a->action[k], a->reward[k]);
		t0 = sync_now_ns();
		rt->add += t0 - t1;
		s->action_checksum = sync_checksum(s->action_checksum, a->action, s->c.agents);
		t1 = t0;
	}
	sync_gate_advance(&s->acted);
	return 0;
}

static void actor_free(struct actor *a)
{
	free(a->policy);
	free(a->seen);
	free(a->obs);
	free(a->truth);
	free(a->action);
	free(a->reward);
}

static int actor_init(struct sys *s, struct actor *a)
{
	size_t n = (size_t)s->c.agents * (size_t)s->c.dim;
	size_t i;

	a->policy = calloc(n, sizeof(float));
	a->obs = calloc(n, sizeof(float));
	a->truth = calloc(n, sizeof(float));
	a->seen = calloc((size_t)s->c.agents, sizeof(*a->seen));
	a->action = calloc((size_t)s->c.agents, sizeof(float));
	a->reward = calloc((size_t)s->c.agents, sizeof(float));
	if (!a->policy || !a->obs || !a->truth || !a->seen || !a->action || !a->reward) {
		actor_free(a);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++)   /* each agent's true weights: what its learner converges to */
		a->truth[i] = unit_float(sync_hash(s->c.seed ^ 0x7275746800ULL, i, 0, 0));
	return 0;
}

/* --- the learners -------------------------------------------------------------------- */

struct learner {
	int id, first, last;      /* the agents [first, last) it owns */
	float *w;                 /* [last - first][dim]: its private policies */
	float *batch;             /* [sample_size][dim + 2] */
};

static int learner_ready(void *ctx)
{
	const struct sys *s = ((void **)ctx)[0];

	return (int)atomic_load(&s->acted.value) > *(const int *)((void **)ctx)[1];
}

/* a fixed choice of epoch e's items, whatever the ring's state: sample j of agent k; the
   size is read as the document's sample reads it, and must cover the epoch */
static int learner_sample(struct sys *s, struct learner *l, int k, int e, int j)
{
	int item = s->c.dim + 2, i;
	unsigned long size = sync_sample_size(&s->rings[k], s->mode);

	for (i = 0; i < s->c.sample_size; i++) {
		uint64_t h = sync_hash(s->c.seed, (uint64_t)k, (uint64_t)e,
				       (uint64_t)(j * s->c.sample_size + i) + 0x5a17ULL);
		unsigned long n = (unsigned long)e * (unsigned long)s->c.turns +
				  (unsigned long)(h % (uint64_t)s->c.turns);

		memcpy(l->batch + (size_t)i * item, sync_item(&s->rings[k], n), (size_t)item * sizeof(float));
	}
	return size < (unsigned long)s->c.turns ? -EPROTO : 0;
}

static void learner_update(const struct sys *s, const struct learner *l, float *w)
{
	int d = s->c.dim, p, i, j;

	for (p = 0; p < s->c.learn_work; p++)
		for (i = 0; i < s->c.sample_size; i++) {
			const float *x = l->batch + (size_t)i * (d + 2);
			float g = LEARN_RATE * (x[d + 1] - dot(w, x, d));

			for (j = 0; j < d; j++)
				w[j] += g * x[j];
		}
}

static int learner_epoch(struct sys *s, struct learner *l, int e, struct role_times *rt)
{
	void *ctx[2] = { s, &e };
	uint64_t t0 = sync_now_ns(), t1;
	int k, j;

	if (proc_stop_requested)
		return -EINTR;
	if (sync_gate_wait(&s->acted, learner_ready, ctx, &s->abort))
		return -ECANCELED;
	t1 = sync_now_ns();
	rt->wait += t1 - t0;
	for (k = l->first; k < l->last; k++) {
		float *w = l->w + (size_t)(k - l->first) * s->c.dim;

		for (j = 0; j < s->c.samples; j++) {
			if (learner_sample(s, l, k, e, j))
				return -EPROTO;
			t0 = sync_now_ns();
			rt->sample += t0 - t1;
			learner_update(s, l, w);
			t1 = sync_now_ns();
			rt->learn += t1 - t0;
		}
		sync_publish(&s->slots[k], s->mode, w);
		t0 = sync_now_ns();
		rt->publish += t0 - t1;
		t1 = t0;
	}
	atomic_store(&s->done[l->id], e + 1);
	sync_gate_advance(&s->learned);
	return 0;
}

static void learner_free(struct learner *l)
{
	free(l->w);
	free(l->batch);
}

static int learner_init(const struct sys *s, struct learner *l, int id)
{
	int share = s->c.agents / s->learners, extra = s->c.agents % s->learners;

	l->id = id;
	l->first = id * share + (id < extra ? id : extra);
	l->last = l->first + share + (id < extra);
	l->w = calloc((size_t)(l->last - l->first) * (size_t)s->c.dim + 1, sizeof(float));
	l->batch = calloc((size_t)s->c.sample_size * ((size_t)s->c.dim + 2), sizeof(float));
	if (!l->w || !l->batch) {
		learner_free(l);
		return -ENOMEM;
	}
	return 0;
}

/* --- the roles on their workers ---------------------------------------------------------- */

static int actor_main(struct sys *s)
{
	struct actor a = { 0 };
	int e, rc = actor_init(s, &a);

	s->times[0].ready_ns = sync_now_ns();
	for (e = 0; e < s->c.epochs && !rc; e++)
		rc = actor_epoch(s, &a, e, &s->times[0]);
	actor_free(&a);
	return rc ? 1 : 0;
}

static int learner_main(struct sys *s, int id)
{
	struct learner l = { 0 };
	int e, rc = learner_init(s, &l, id);

	s->times[1 + id].ready_ns = sync_now_ns();
	for (e = 0; e < s->c.epochs && !rc; e++)
		rc = learner_epoch(s, &l, e, &s->times[1 + id]);
	learner_free(&l);
	return rc ? 1 : 0;
}

static int system_worker(void *ctx, int id)
{
	return id == 0 ? actor_main(ctx) : learner_main(ctx, id - 1);
}

/* the whole system in this thread: each epoch the actor's part, then every learner's */
static int run_sequential(struct sys *s)
{
	struct learner *ls = calloc((size_t)s->learners, sizeof(*ls));
	struct actor a = { 0 };
	int e, l, rc = ls ? actor_init(s, &a) : -ENOMEM;

	for (l = 0; l < s->learners && !rc; l++)
		rc = learner_init(s, &ls[l], l);
	for (e = 0; e < s->c.epochs && !rc; e++) {
		rc = actor_epoch(s, &a, e, &s->times[0]);
		for (l = 0; l < s->learners && !rc; l++)
			rc = learner_epoch(s, &ls[l], e, &s->times[1 + l]);
	}
	for (l = 0; ls && l < s->learners; l++)
		learner_free(&ls[l]);
	free(ls);
	actor_free(&a);
	return rc;
}

/* --- the mapping ---------------------------------------------------------------------- */

static size_t align64(size_t n)
{
	return (n + 63) & ~(size_t)63;
}

static size_t system_layout(const struct sync_system_config *c, int learners, size_t at[6])
{
	unsigned long cap = (unsigned long)c->ring_epochs * (unsigned long)c->turns;

	at[0] = align64(sizeof(struct sys));
	at[1] = at[0] + align64((size_t)c->agents * sizeof(struct sync_slot));
	at[2] = at[1] + align64((size_t)c->agents * sizeof(struct sync_ring));
	at[3] = at[2] + align64((size_t)learners * sizeof(_Atomic int));
	at[4] = at[3] + align64((size_t)(learners + 1) * sizeof(struct role_times));
	at[5] = at[4] + (size_t)c->agents * align64(sync_slot_bytes(c->dim));
	return at[5] + (size_t)c->agents * align64(sync_ring_bytes(c->dim, cap));
}

static struct sys *system_make(const struct sync_system_config *c, enum sync_mode m, size_t *bytes,
			       char *err, size_t errlen)
{
	int learners = c->learners > 0 && c->learners < c->agents ? c->learners : c->agents, k;
	unsigned long cap = (unsigned long)c->ring_epochs * (unsigned long)c->turns;
	size_t at[6];
	char *base;
	struct sys *s;

	*bytes = system_layout(c, learners, at);
	base = sync_map(*bytes, err, errlen);
	if (!base)
		return NULL;
	s = (struct sys *)(void *)base;
	s->c = *c;
	s->mode = m;
	s->learners = learners;
	s->slots = (struct sync_slot *)(void *)(base + at[0]);
	s->rings = (struct sync_ring *)(void *)(base + at[1]);
	s->done = (_Atomic int *)(void *)(base + at[2]);
	s->times = (struct role_times *)(void *)(base + at[3]);
	s->action_checksum = 0xcbf29ce484222325ULL;
	for (k = 0; k < c->agents; k++)
		if (sync_slot_init(&s->slots[k], c->dim, base + at[4] + (size_t)k * align64(sync_slot_bytes(c->dim))) ||
		    sync_ring_init(&s->rings[k], c->dim, cap,
				   base + at[5] + (size_t)k * align64(sync_ring_bytes(c->dim, cap)))) {
			snprintf(err, errlen, "agent %d's locks could not be made", k);
			sync_unmap(base, *bytes);
			return NULL;
		}
	return s;
}

static void system_free(struct sys *s, size_t bytes)
{
	int k;

	for (k = 0; k < s->c.agents; k++) {
		sync_ring_destroy(&s->rings[k]);
		sync_slot_destroy(&s->slots[k]);
	}
	sync_unmap(s, bytes);
}

static void system_result(const struct sys *s, uint64_t t0, uint64_t t_end, enum sync_placement p,
			  struct sync_system_result *res)
{
	uint64_t h = 0xcbf29ce484222325ULL, ready = t0;
	int k;

	memset(res, 0, sizeof(*res));
	res->wall_ms = (double)(t_end - t0) * 1e-6;
	res->act_ms = (double)s->times[0].act * 1e-6;
	res->read_ms = (double)s->times[0].read * 1e-6;
	res->add_ms = (double)s->times[0].add * 1e-6;
	res->actor_wait_ms = (double)s->times[0].wait * 1e-6;
	for (k = 0; k <= s->learners; k++) {
		const struct role_times *t = &s->times[k];

		res->learn_ms += (double)t->learn * 1e-6;
		res->sample_ms += (double)t->sample * 1e-6;
		res->publish_ms += (double)t->publish * 1e-6;
		res->learner_wait_ms += k ? (double)t->wait * 1e-6 : 0;
		if (t->ready_ns > ready)
			ready = t->ready_ns;
	}
	res->startup_ms = p == PLACE_SEQUENTIAL ? 0 : (double)(ready - t0) * 1e-6;
	for (k = 0; k < s->c.agents; k++)
		h = sync_checksum(h, sync_peek(&s->slots[k]), s->c.dim);
	res->learner_checksum = h;
	res->action_checksum = s->action_checksum;
	res->workers = p == PLACE_SEQUENTIAL ? 1 : s->learners + 1;
}

int sync_system_run(const struct sync_system_config *c, enum sync_placement p, enum sync_mode m,
		    struct sync_system_result *res, char *err, size_t errlen)
{
	size_t bytes;
	struct sys *s = system_make(c, m, &bytes, err, errlen);
	uint64_t t0;
	int rc;

	if (!s)
		return -1;
	t0 = sync_now_ns();
	if (p == PLACE_SEQUENTIAL) {
		rc = run_sequential(s);
		if (rc)
			snprintf(err, errlen, "the sequential system: %s", strerror(-rc));
	} else {
		rc = sync_team_run(s->learners + 1, p == PLACE_PROCESSES, system_worker, s, &s->abort,
				   c->timeout_s, err, errlen);
	}
	if (!rc)
		system_result(s, t0, sync_now_ns(), p, res);
	system_free(s, bytes);
	return rc ? -1 : 0;
}
