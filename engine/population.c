/*
 * The population: its two generations of networks (current and next), the child plan,
 * the task's start states; set-up, the evaluate phase, building children, the digest.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "engine/rng.h"
#include "engine/serial.h"
#include "engine/task.h"

/* buf holds at least bytes, grown by realloc; NULL without memory */
static void *grow_buffer(void **buf, size_t *cap, size_t bytes)
{
	if (bytes > *cap) {
		void *b = realloc(*buf, bytes);

		if (!b)
			return NULL;
		*buf = b;
		*cap = bytes;
	}
	return *buf;
}

void *scratch_get(struct scratch *s, size_t bytes)
{
	return grow_buffer(&s->buf, &s->cap, bytes);
}

void *scratch_get2(struct scratch *s, size_t bytes)
{
	return grow_buffer(&s->buf2, &s->cap2, bytes);
}

void scratch_release(struct scratch *s)
{
	free(s->buf);
	free(s->buf2);
	memset(s, 0, sizeof(*s));
}

static int init_net(struct net *n, const struct evo_config *cfg, const struct task *t, int index)
{
	struct rng r;
	uint32_t i;
	int rc;

	rng_init(&r, cfg->seed, 0, (uint64_t)index, RNG_INIT);
	if (cfg->mode == MODE_STATIC) {
		struct mlp_shape s;

		rc = net_static_alloc(n, (uint32_t)t->n_in, (uint32_t)cfg->hidden, (uint32_t)t->n_out);
		if (rc)
			return rc;
		mlp_shape_of(&s, n->n_in, n->hidden, n->n_out);
		/* scaled so that each layer's input to tanh starts near unit variance */
		for (i = 0; i < s.total; i++) {
			uint32_t fan_in = i < s.w2 ? s.n_in : s.hidden;

			n->weights[i] = rng_gauss(&r) / sqrtf((float)fan_in);
		}
		return 0;
	}
	rc = net_dynamic_minimal(n, (uint32_t)t->n_in, (uint32_t)t->n_out);
	if (rc)
		return rc;
	for (i = 0; i < n->n_conns; i++)
		n->conns[i].weight = rng_gauss(&r) * (float)cfg->weight_init;
	net_grow(n, &r, cfg->init_hidden);    /* after the weights: no change to the default's draws */
	return 0;
}

int population_init(struct population *p, const struct evo_config *cfg, char *err, size_t errlen)
{
	int i, rc = -ENOMEM;

	memset(p, 0, sizeof(*p));
	p->cfg = cfg;
	p->n = cfg->pop;
	p->task = task_by_kind(cfg->task);
	if (!p->task) {
		snprintf(err, errlen, "unknown task kind %d", cfg->task);
		return -EINVAL;
	}
	p->nets = calloc((size_t)p->n, sizeof(*p->nets));
	p->next = calloc((size_t)p->n, sizeof(*p->next));
	p->plan = calloc((size_t)p->n, sizeof(*p->plan));
	p->episode_states = calloc((size_t)cfg->episodes * (size_t)p->task->state_floats + 1,
				   sizeof(float));
	if (!p->nets || !p->next || !p->plan || !p->episode_states)
		goto fail;
	for (i = 0; i < p->n; i++) {
		rc = init_net(&p->nets[i], cfg, p->task, i);
		if (rc)
			goto fail;
	}
	return 0;
fail:
	snprintf(err, errlen, "population of %d networks: out of memory", cfg->pop);
	population_release(p);
	return rc;
}

void population_release(struct population *p)
{
	int i;

	for (i = 0; p->nets && i < p->n; i++)
		net_release(&p->nets[i]);
	for (i = 0; p->next && i < p->n; i++)
		net_release(&p->next[i]);
	free(p->nets);
	free(p->next);
	free(p->plan);
	free(p->episode_states);
	memset(p, 0, sizeof(*p));
}

void population_begin_generation(struct population *p)
{
	p->task->make_states(p->episode_states, p->cfg, p->gen);
}

void population_swap(struct population *p)
{
	struct net *t = p->nets;

	p->nets = p->next;
	p->next = t;
}

float net_evaluate(struct net *n, const struct task *t, const float *states,
		   const struct evo_config *cfg, struct scratch *s)
{
	return t->evaluate(n, states, cfg, s);
}

int engine_evaluate_range(struct population *p, struct scratch *s, int lo, int hi)
{
	int i;

	for (i = lo; i < hi; i++)
		p->nets[i].fitness = net_evaluate(&p->nets[i], p->task, p->episode_states, p->cfg, s);
	engine_work_flush(s);
	return 0;
}

/* Resample, second half: child i of next[] from the plan engine_select() wrote. */
int engine_build_children(struct population *p, int lo, int hi)
{
	int i, rc;

	for (i = lo; i < hi; i++) {
		const struct child_plan *c = &p->plan[i];

		if (c->b < 0)
			rc = net_copy(&p->next[i], &p->nets[c->a]);
		else
			rc = net_crossover(&p->next[i], &p->nets[c->a], &p->nets[c->b],
					   p->cfg, (uint64_t)p->gen, (uint64_t)i);
		if (rc)
			return rc;
		p->next[i].elite = c->elite;
	}
	return 0;
}

/* FNV-1a, 64-bit, over the canonical bytes of every network in order. */
uint64_t population_digest(const struct population *p)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	uint8_t *buf = NULL;
	size_t cap = 0;
	int i;

	for (i = 0; i < p->n; i++) {
		size_t need = serial_size(&p->nets[i]), k;

		if (need > cap) {
			uint8_t *nb = realloc(buf, need);

			if (!nb) {
				free(buf);
				return 0;
			}
			buf = nb;
			cap = need;
		}
		serial_write(&p->nets[i], buf);
		for (k = 0; k < need; k++)
			h = (h ^ buf[k]) * 0x100000001b3ULL;
	}
	free(buf);
	return h;
}
