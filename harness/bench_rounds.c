/*
 * The rounds of `evopar bench`: each round runs every configuration once in an order shuffled
 * afresh (seeded, recorded), with --aa a second sequential arm as an A/A control, and with
 * --ci-width/--max-time rounds added until every speedup's paired interval is narrow enough.
 */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/rng.h"
#include "harness/bench.h"
#include "proc/clock.h"
#include "reports/interval.h"

#define DEFAULT_MAX_TIME_S 3600   /* --ci-width alone: never add rounds for longer than this */

/* the value of --NAME among a configuration's words ("--NAME V" or "--NAME=V"), or NULL */
static const char *word_value(const struct bench_config *c, const char *name)
{
	size_t n = strlen(name);
	int k;

	for (k = 0; k < c->argc; k++) {
		const char *w = c->argv[k];

		if (strncmp(w, "--", 2) || strncmp(w + 2, name, n))
			continue;
		if (w[n + 2] == '=')
			return w + n + 3;
		if (!w[n + 2] && k + 1 < c->argc)
			return c->argv[k + 1];
	}
	return NULL;
}

/* a plain sequential run, or a search with the sequential backend (its default) */
static int is_sequential(const struct bench_config *c)
{
	const char *backend;

	if (!strcmp(c->command, "run"))
		return !c->n_launch && !strcmp(c->ro.cfg.strategy, "sequential") && c->ro.copies <= 1;
	backend = word_value(c, "backend");
	return !c->n_launch && (!backend || !strcmp(backend, "sequential"));
}

/* w[0..n) and then extra[0..n_extra), each copied, NULL-terminated; NULL without memory */
static char **join_words(char *const *w, int n, char *const *extra, int n_extra)
{
	char **d = calloc((size_t)(n + n_extra) + 1, sizeof(*d));
	int k;

	for (k = 0; d && k < n + n_extra; k++) {
		const char *src = k < n ? w[k] : extra[k - n];

		d[k] = src ? strdup(src) : NULL;
		if (src && !d[k]) {
			while (k > 0)
				free(d[--k]);
			free(d);
			return NULL;
		}
	}
	return d;
}

/* s's command text with the words extra[0..n) after it; NULL without memory */
static char *join_text(const char *s, char *const *extra, int n)
{
	size_t len = strlen(s) + 1;
	char *t;
	int k;

	for (k = 0; k < n; k++)
		len += strlen(extra[k]) + 1;
	t = malloc(len);
	if (!t)
		return NULL;
	strcpy(t, s);
	for (k = 0; k < n; k++)
		strcat(strcat(t, " "), extra[k]);
	return t;
}

/*
 * A copy of configuration src, last so that ids stay: its label with suffix, and the words
 * extra (NULL-terminated) after its own. The A/A control and the capacity arms are made so.
 */
static int add_arm(struct bench *b, int src, const char *suffix, char *const *extra)
{
	struct bench_config *c, *s;
	size_t len = strlen(b->cfg[src].label) + strlen(suffix) + 2;
	int n_extra = 0;

	while (extra && extra[n_extra])
		n_extra++;
	if (b->n_cfg == b->cap_cfg) {
		c = realloc(b->cfg, sizeof(*c) * (size_t)(b->cap_cfg + 1));
		if (!c)
			return -ENOMEM;
		b->cfg = c;
		b->cap_cfg++;
	}
	s = &b->cfg[src];
	c = &b->cfg[b->n_cfg];
	*c = *s;                  /* ro and command as parsed; the strings are its own below */
	c->label = malloc(len);
	c->text = join_text(s->text, extra, n_extra);
	c->argv = join_words(s->argv, s->argc, extra, n_extra);
	c->argc = s->argc + n_extra;
	c->launch = s->launch ? join_words(s->launch, s->n_launch, NULL, 0) : NULL;
	if (c->label)
		snprintf(c->label, len, "%s %s", s->label, suffix);
	b->n_cfg++;             /* bench_configs_free frees what was made */
	if (!c->label || !c->text || !c->argv || (s->launch && !c->launch))
		return -ENOMEM;
	return 0;
}

/* The A/A control: the baseline's command again under "LABEL A/A". */
static int add_control(struct bench *b)
{
	int rc = add_arm(b, b->seq_id, "A/A", NULL);

	b->cfg[b->n_cfg - 1].control_of = b->seq_id;
	return rc;
}

/*
 * --capacity: for each worker count W > 1 among the runs, the baseline beside W - 1 copies of
 * itself (run --copies W), labelled "LABEL capacity xW": the machine's capacity at W, measured
 * in the same rounds as the strategies it is read against.
 */
static int add_capacity_arms(struct bench *b)
{
	int n = b->n_cfg, i, j, w, rc = 0;
	char words[16], suffix[32];

	for (i = 0; i < n && !rc; i++) {
		w = strcmp(b->cfg[i].command, "run") ? 1 : b->cfg[i].ro.cfg.workers;
		for (j = 0; j < i && w > 1; j++)
			if (!strcmp(b->cfg[j].command, "run") && b->cfg[j].ro.cfg.workers == w)
				w = 1;    /* that count has its arm already */
		if (w <= 1)
			continue;
		snprintf(words, sizeof(words), "%d", w);
		snprintf(suffix, sizeof(suffix), "capacity x%d", w);
		rc = add_arm(b, b->seq_id, suffix, (char *const[]){ "--copies", words, NULL });
		if (!rc)
			b->cfg[b->n_cfg - 1].ro.copies = w;
	}
	return rc;
}

int bench_rounds_prepare(struct bench *b)
{
	int i;

	b->seq_id = -1;
	for (i = 0; i < b->n_cfg; i++)
		b->cfg[i].control_of = -1;
	for (i = 0; i < b->n_cfg && b->seq_id < 0; i++)
		if (is_sequential(&b->cfg[i]))
			b->seq_id = i;
	if (b->seq_id < 0 && (b->o.aa || b->o.ci_width > 0 || b->o.capacity)) {
		snprintf(b->err, sizeof(b->err), "%s: needs a sequential configuration (--strategy sequential, "
			 "or a search with --backend sequential) to compare with",
			 b->o.aa ? "--aa" : b->o.capacity ? "--capacity" : "--ci-width");
		return -EINVAL;
	}
	if (b->o.aa && add_control(b))
		return -ENOMEM;
	if (b->o.capacity && add_capacity_arms(b))
		return -ENOMEM;
	if (b->o.ci_width > 0 && b->o.max_time_s <= 0)
		b->o.max_time_s = DEFAULT_MAX_TIME_S;
	b->order_seed = b->o.order_seed;
	for (i = 0; !b->order_seed && i < b->n_cfg; i++)
		if (!strcmp(b->cfg[i].command, "run"))
			b->order_seed = b->cfg[i].ro.cfg.evo.seed;
	b->order = calloc((size_t)b->n_cfg, sizeof(*b->order));
	b->widest = INFINITY;
	b->widest_id = -1;
	b->stopped = "repeat";
	return b->order ? 0 : -ENOMEM;
}

/* every configuration's speedup against the baseline over the rounds so far: the widest
   relative half-width of their paired intervals */
static double widest_interval(struct bench *b, int *widest_id)
{
	double *num = malloc(2 * sizeof(*num) * (size_t)(b->rounds_done + 1)), *den, widest = 0;
	int id, r, n;

	*widest_id = -1;
	if (!num)
		return INFINITY;
	den = num + b->rounds_done + 1;
	for (id = 0; id < b->n_cfg; id++) {
		struct ratio_ci ci;
		double w;

		if (id == b->seq_id)
			continue;
		for (r = n = 0; r < b->rounds_done; r++) {
			double s = b->values[r * b->n_cfg + b->seq_id], x = b->values[r * b->n_cfg + id];

			if (s > 0 && x > 0) {
				num[n] = s;
				den[n++] = x;
			}
		}
		w = boot_paired_ratio(num, den, n, BOOT_RESAMPLES, BOOT_SEED, &ci) ? INFINITY :
		    ratio_ci_rel_halfwidth(&ci);
		if (*widest_id < 0 || w > widest) {
			widest = w;
			*widest_id = id;
		}
	}
	free(num);
	return widest;
}

int bench_round_wanted(struct bench *b, int round)
{
	int rep = round - b->o.warmup;

	if (round > 0)
		b->round_s = proc_now_s() - b->t_round;   /* the round that just ended */
	b->t_round = proc_now_s();
	if (rep < b->o.repeat)
		return 1;
	if (b->o.ci_width <= 0 && b->o.max_time_s <= 0)
		return 0;         /* stopped stays "repeat" */
	b->widest = widest_interval(b, &b->widest_id);
	if (b->o.ci_width > 0 && b->widest < b->o.ci_width) {
		b->stopped = "ci-width";
		return 0;
	}
	/* a round that would not end in time is not started: the rounds stay whole */
	if (proc_now_s() - b->t_start + b->round_s > b->o.max_time_s) {
		b->stopped = "max-time";
		return 0;
	}
	return 1;
}

/* room for one more measured round's values */
static int values_room(struct bench *b, int rep)
{
	double *v;
	int cap, i;

	if (rep < b->cap_rounds)
		return 0;
	cap = b->cap_rounds ? b->cap_rounds * 2 : b->o.repeat + 4;
	v = realloc(b->values, sizeof(*v) * (size_t)cap * (size_t)b->n_cfg);
	if (!v)
		return -ENOMEM;
	for (i = b->cap_rounds * b->n_cfg; i < cap * b->n_cfg; i++)
		v[i] = -1;
	b->values = v;
	b->cap_rounds = cap;
	return 0;
}

/* Fisher-Yates on a stream keyed by (order seed, round): a round's order is a function of both */
static void shuffle(struct bench *b, int round)
{
	struct rng r;
	int i;

	rng_init(&r, b->order_seed, (uint64_t)round, 0, RNG_MEASURE);
	for (i = 0; i < b->n_cfg; i++)
		b->order[i] = i;
	for (i = b->n_cfg - 1; i > 0; i--) {
		int j = (int)rng_below(&r, (uint32_t)i + 1), t = b->order[i];

		b->order[i] = b->order[j];
		b->order[j] = t;
	}
}

int bench_round_begin(struct bench *b, int round)
{
	struct jw *w = &b->jw;
	int warm = round < b->o.warmup, rep = round - b->o.warmup, i;

	if (!warm && values_room(b, rep))
		return -ENOMEM;
	if (!warm && rep >= b->o.repeat)
		b->runs_total += b->n_cfg;      /* a round the adaptive rule added */
	shuffle(b, round);
	jw_begin(w, "bench_round");
	jw_int(w, "round", round);
	jw_bool(w, "warmup", warm);
	jw_int(w, "rep", warm ? round : rep);
	jw_arr_begin(w, "order");
	for (i = 0; i < b->n_cfg; i++)
		jw_int(w, NULL, b->order[i]);
	jw_arr_end(w);
	jw_end(w);
	output_write(&b->out, w);
	return b->out.error ? -b->out.error : 0;
}

void bench_round_took(struct bench *b, int round, int id)
{
	int rep = round - b->o.warmup;

	if (rep < 0)
		return;
	b->values[rep * b->n_cfg + id] = b->last_value;
	if (rep + 1 > b->rounds_done)
		b->rounds_done = rep + 1;
}

void bench_rounds_describe(struct bench *b)
{
	struct jw *w = &b->jw;

	jw_u64(w, "order_seed", b->order_seed);
	jw_bool(w, "aa", b->o.aa);
	jw_bool(w, "capacity_arms", b->o.capacity);
	jw_num(w, "ci_width", b->o.ci_width);
	jw_num(w, "max_time_s", b->o.max_time_s);
	if (b->seq_id >= 0)
		jw_int(w, "baseline_id", b->seq_id);
}

void bench_rounds_config(struct bench *b, int id)
{
	if (b->cfg[id].control_of < 0)
		return;
	jw_bool(&b->jw, "aa_control", 1);
	jw_int(&b->jw, "control_of", b->cfg[id].control_of);
}

void bench_rounds_end(struct bench *b)
{
	struct jw *w = &b->jw;

	jw_int(w, "rounds", b->rounds_done);
	jw_str(w, "stopped", b->stopped);
	if (b->o.ci_width > 0 || b->o.max_time_s > 0) {
		jw_num(w, "widest_half_width", b->widest);
		if (b->widest_id >= 0)
			jw_str(w, "widest_config", b->cfg[b->widest_id].label);
		else
			jw_null(w, "widest_config");
	}
}

void bench_rounds_say(const struct bench *b)
{
	const char *who = b->widest_id >= 0 ? b->cfg[b->widest_id].label : "?";

	if (b->o.ci_width <= 0 && b->o.max_time_s <= 0)
		return;
	if (b->widest_id < 0)
		fprintf(stderr, "evopar bench: %s after %d rounds; no speedup to measure\n",
			!strcmp(b->stopped, "max-time") ? "--max-time ran out" : "rounds ended", b->rounds_done);
	else if (!strcmp(b->stopped, "ci-width"))
		fprintf(stderr, "evopar bench: every speedup's interval within ±%.1f%% after %d rounds "
			"(widest: %s, ±%.1f%%)\n", 100 * b->o.ci_width, b->rounds_done, who, 100 * b->widest);
	else if (!strcmp(b->stopped, "max-time") && isfinite(b->widest))
		fprintf(stderr, "evopar bench: --max-time %g s ran out after %d rounds; the widest interval is "
			"±%.1f%% (%s)%s\n", b->o.max_time_s, b->rounds_done, 100 * b->widest, who,
			b->o.ci_width > 0 ? ", not within --ci-width" : "");
	else if (!strcmp(b->stopped, "max-time"))
		fprintf(stderr, "evopar bench: --max-time %g s ran out after %d rounds; no interval yet (%s)\n",
			b->o.max_time_s, b->rounds_done, who);
}

/* one record's share of the measure: a generation's total past 0, or a search's wall */
static void take_value(const json_t *rec, const struct bench_config *c, double *sum, int *n)
{
	const char *type = json_string_value(json_object_get(rec, "type"));

	if (!type)
		return;
	if (!strcmp(c->command, "run") && !strcmp(type, "generation") &&
	    json_integer_value(json_object_get(rec, "gen")) >= 1) {
		*sum += json_number_value(json_object_get(json_object_get(rec, "ms"), "total"));
		(*n)++;
	} else if (strcmp(c->command, "run") && !strcmp(type, "summary")) {
		*sum = 1e3 * json_number_value(json_object_get(rec, "wall_s"));
		*n = 1;
	}
}

double bench_run_value(const char *path, const struct bench_config *c)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	double sum = 0;
	int n = 0;

	if (!f)
		return -1;
	while (getline(&line, &cap, f) > 0) {
		json_t *rec = json_loads(line, 0, NULL);

		if (rec)
			take_value(rec, c, &sum, &n);
		json_decref(rec);
	}
	free(line);
	fclose(f);
	return n && sum > 0 ? sum / n : -1;
}

void bench_rounds_free(struct bench *b)
{
	free(b->order);
	free(b->values);
}
