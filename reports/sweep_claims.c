/*
 * A study document's claims against the sweep's measurements (sweep.h). A claim "X gives a-b x"
 * is the ratio time(slow) / time(fast) of two configurations of one bench file, paired over its
 * rounds, or of two calibration floors (unpaired). The rule, on the 95% interval: CONFIRMED when
 * it lies wholly at or above a (at least the gain claimed), REFUTED when wholly below a, else
 * INCONCLUSIVE; NOT APPLICABLE where nothing here measures it, with the reason.
 */
#include <string.h>

#include "reports/report.h"
#include "reports/sweep.h"

const char *sweep_claim_word(const struct sweep_claim *c, const struct ratio_ci *ci)
{
	if (!ci->resamples)
		return "INCONCLUSIVE";
	if (ci->lo >= c->lo)
		return "CONFIRMED";
	if (ci->hi < c->lo)
		return "REFUTED";
	return "INCONCLUSIVE";
}

static const struct report_config *find_label(const struct report_group *g, const char *label)
{
	int i;

	for (i = 0; i < g->n_cfg; i++)
		if (g->cfg[i].label && !strcmp(g->cfg[i].label, label))
			return &g->cfg[i];
	return NULL;
}

/* the samples of calibration floor name in group g into *x; their count (0: none) */
static int floor_samples(const struct report_group *g, const char *name, double *x, int max)
{
	json_t *s = json_object_get(json_object_get(json_object_get(g->calibration, "floors"), name),
				    "samples_us");
	size_t i;
	int n = 0;

	if (!json_is_array(s))
		return 0;
	for (i = 0; i < json_array_size(s) && n < max; i++)
		if (json_is_number(json_array_get(s, i)))
			x[n++] = json_number_value(json_array_get(s, i));
	return n;
}

/*
 * Why an INCONCLUSIVE claim is one: the rounds that would narrow the interval enough to leave
 * the claim's low end on one side, its arms taken to shrink as 1 / sqrt(rounds).
 */
static void undecided_reason(FILE *f, const struct sweep_claim *c, const struct ratio_ci *ci)
{
	int need = ratio_ci_rounds_to_decide(ci, c->lo);

	if (!ci->resamples)
		fprintf(f, " (%d repetition%s: no interval)", ci->n, ci->n == 1 ? "" : "s");
	else if (need < 0)
		fprintf(f, " (the ratio sits on the claim's low end: more rounds would not decide it)");
	else
		fprintf(f, " (%d rounds; about %d would decide it at this noise)", ci->n, need);
}

static void claim_cell(FILE *f, const struct sweep_claim *c, const struct ratio_ci *ci)
{
	const char *word = sweep_claim_word(c, ci);
	char m[32], lo[32], hi[32];

	fmt_ratio(m, sizeof(m), ci->ratio);
	fmt_ratio(lo, sizeof(lo), ci->lo);
	fmt_ratio(hi, sizeof(hi), ci->hi);
	fprintf(f, "%s× [%s–%s] **%s**", m, lo, hi, word);
	if (!strcmp(word, "INCONCLUSIVE"))
		undecided_reason(f, c, ci);
	else if (ci->lo > c->hi)
		fprintf(f, " (above the claimed range)");
}

/* C1: process creation, from the first file's calibration: spawn floor / fork floor */
static void floor_claim(const struct report *r, const struct sweep_claim *c, FILE *f)
{
	static double a[1024], b[1024];
	struct ratio_ci ci;
	int i, na = 0, nb = 0;

	for (i = 0; i < r->n_g && (!na || !nb); i++) {
		na = floor_samples(&r->g[i], c->slow, a, 1024);
		nb = floor_samples(&r->g[i], "fork_wait", b, 1024);
	}
	if (!na || !nb || boot_unpaired_ratio(a, na, b, nb, BOOT_RESAMPLES, BOOT_SEED, &ci)) {
		fprintf(f, "| %s | %s | the calibration's samples of %s and fork_wait | NOT APPLICABLE: "
			   "no calibration record with samples |\n", c->id, c->text, c->slow);
		return;
	}
	fprintf(f, "| %s | %s | %s ÷ fork_wait, calibration floors (%d and %d samples, unpaired) | ",
		c->id, c->text, c->slow, na, nb);
	claim_cell(f, c, &ci);
	fprintf(f, " |\n");
}

/* a ratio of two configurations at every work size (the smallest first) of every population */
static void config_claim(const struct report *r, const struct sweep_spec *spec,
			 const struct sweep_claim *c, FILE *f)
{
	int i, shown = 0;

	fprintf(f, "| %s | %s | %s ÷ %s, %s | ", c->id, c->text, c->slow, c->fast,
		report_row_names[spec->row]);
	for (i = 0; i < r->n_g; i++) {
		const struct report_group *g = &r->g[i];
		const struct report_config *slow = find_label(g, c->slow), *fast = find_label(g, c->fast);
		const struct report_config *seq;
		struct ratio_ci ci;
		char w[48];

		if (!slow || !fast || slow->baseline < 0 || report_paired_ratio(slow, fast, spec->row, &ci))
			continue;
		seq = &g->cfg[slow->baseline];
		fmt_ms(w, sizeof(w), seq->row[spec->work_row].median * 1e3 /
		       report_num(seq->config, "pop", 1));
		fprintf(f, "%s%d networks, %s µs: ", shown++ ? "<br>" : "",
			(int)report_num(seq->config, "pop", 0), w);
		claim_cell(f, c, &ci);
	}
	if (!shown)
		fprintf(f, "NOT APPLICABLE: no bench file holds both configurations");
	fprintf(f, " |\n");
}

void sweep_write_claims(struct report *r, const struct sweep_spec *spec, FILE *f)
{
	int k;

	fprintf(f, "**The document's claims.** Each is a ratio of times, measured in the same bench "
		   "file with rounds as pairs (%d bootstrap resamples). Rule: CONFIRMED when the 95%% "
		   "interval lies wholly at or above the claim's low end (the mechanism gains at least "
		   "what the document says), REFUTED when it lies wholly below it, INCONCLUSIVE "
		   "otherwise; given at every work size, the smallest (where overhead dominates, as in "
		   "the document's 98.8%%) first.\n\n"
		   "| | claim | measured as | ratio [95%% interval] and verdict |\n"
		   "| --- | --- | --- | --- |\n", BOOT_RESAMPLES);
	for (k = 0; k < spec->n_claims; k++) {
		const struct sweep_claim *c = &spec->claims[k];

		if (c->not_applicable)
			fprintf(f, "| %s | %s | - | NOT APPLICABLE: %s |\n", c->id, c->text, c->not_applicable);
		else if (!c->fast)
			floor_claim(r, c, f);
		else
			config_claim(r, spec, c, f);
	}
	fprintf(f, "\n");
}
