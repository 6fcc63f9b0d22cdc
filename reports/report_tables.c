/*
 * tables.md in the study's layout: phases down, one column per configuration, median ms per
 * generation [min–max] across repetitions, the speedups against sequential, each also as a
 * share of the machine's capacity, and the workers' imbalance; the table across files that
 * repeat a study over seeds is report_across.c's, a search's own table search_tables.c's.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/report.h"

#define CELL 160

static const char *const phase_rows[] = { "mutate", "prepare", "evaluate", "resample", "total" };

static void fmt_speedup(char *buf, size_t len, const struct report_group *g,
			const struct report_config *c, int row)
{
	report_fmt_speedup(buf, len, g, c, row);
}

/* "88%" of capacity, with its paired interval "88% [85–91]" where a capacity arm ran in
   the same rounds; "-" where nothing measured the capacity */
static void fmt_share(char *buf, size_t len, const struct report_group *g,
		      const struct report_config *c, double speedup)
{
	double cap = report_capacity(g, c->workers);
	struct ratio_ci ci;

	if (speedup <= 0 || cap <= 0 || c->baseline == (int)(c - g->cfg) || report_is_arm(c))
		snprintf(buf, len, "-");
	else if (!report_share_ci(g, c, &ci))
		snprintf(buf, len, "%.0f%% [%.0f–%.0f]", 100 * speedup / cap, 100 * ci.lo, 100 * ci.hi);
	else
		snprintf(buf, len, "%.0f%%", 100 * speedup / cap);
}

static void header_row(FILE *f, const struct report_group *g, const char *corner, int skip_baselines)
{
	int i;

	fprintf(f, "| %s |", corner);
	for (i = 0; i < g->n_cfg; i++)
		if (!skip_baselines || g->cfg[i].baseline != i)
			fprintf(f, " %s |", g->cfg[i].label);
	fprintf(f, "\n| --- |");
	for (i = 0; i < g->n_cfg; i++)
		if (!skip_baselines || g->cfg[i].baseline != i)
			fprintf(f, " ---: |");
	fprintf(f, "\n");
}

/* the workload shared by the configurations, from the first one's meta config */
static void write_workload(FILE *f, const struct report_group *g)
{
	const json_t *c = g->n_cfg ? g->cfg[0].config : NULL;

	if (!c)
		return;
	fprintf(f, "Workload: %s networks, task %s, population %d, %d generations",
		report_str(c, "mode", "?"), report_str(c, "task", "?"), (int)report_num(c, "pop", 0), (int)report_num(c, "gens", 0));
	if (!strcmp(report_str(c, "task", ""), "pole"))
		fprintf(f, ", %d episodes of up to %d steps", (int)report_num(c, "episodes", 0),
			(int)report_num(c, "steps", 0));
	fprintf(f, ", seed %.0f.\n", report_num(c, "seed", 0));
}

/* how the bench ran its rounds: shuffled (with the order's seed) or, in older files, in order */
static void write_reps_line(FILE *f, const struct report_group *g)
{
	int rounds = g->rounds ? g->rounds : (int)report_num(g->bench, "repeat", 0);
	int warmup = (int)report_num(g->bench, "warmups", 0);
	const char *stopped = report_str(g->bench_end, "stopped", NULL);

	if (!g->bench) {
		fprintf(f, "Plain `evopar run` files: each file is one repetition.\n");
		return;
	}
	if (!json_object_get(g->bench, "order_seed")) {
		fprintf(f, "%d repetitions after %d warm-up round%s, interleaved (A B C A B C ...), each a fresh process.\n",
			rounds, warmup, warmup == 1 ? "" : "s");
		return;
	}
	fprintf(f, "%d rounds after %d warm-up round%s; each round runs every configuration once, in an order "
		   "shuffled afresh (order seed %.0f, each round's order in its bench_round record), each run a "
		   "fresh process.", rounds, warmup, warmup == 1 ? "" : "s", report_num(g->bench, "order_seed", 0));
	if (stopped && strcmp(stopped, "repeat"))
		fprintf(f, " Rounds were added until %s.", !strcmp(stopped, "ci-width") ?
			"every speedup's interval was narrow enough (--ci-width)" : !strcmp(stopped, "max-time") ?
			"--max-time ran out, before every interval was narrow enough" : "the bench was interrupted");
	fprintf(f, "\n");
}

/*
 * The A/A control: a second sequential arm, compared with the first like any configuration.
 * Its interval is what the load alone makes of two identical arms: the null band.
 */
static void write_null_band(FILE *f, const struct report_group *g)
{
	const struct report_config *a = report_control(g);
	const struct ratio_ci *ci = a ? report_speedup_ci(g, a, ROW_TOTAL) : NULL;
	char cell[CELL], lo[32], hi[32];

	if (!a)
		return;
	report_fmt_speedup(cell, sizeof(cell), g, a, ROW_TOTAL);
	if (!ci) {
		fprintf(f, "A/A control (%s, the same sequential runs again, against %s): %s; too few rounds for an "
			   "interval, so no null band.\n", a->label, g->cfg[a->baseline].label, cell);
		return;
	}
	fmt_ratio(lo, sizeof(lo), ci->lo);
	fmt_ratio(hi, sizeof(hi), ci->hi);
	fprintf(f, "A/A control (%s, the same sequential runs again, against %s): %s. Differences inside "
		   "[%s, %s] are noise at this load.\n", a->label, g->cfg[a->baseline].label, cell, lo, hi);
}

/* the capacity arms of the file: measured in the same rounds, the shares' reference */
static void write_capacity_arms(FILE *f, const struct report_group *g)
{
	char lo[32], hi[32];
	int i, any = 0;

	for (i = 0; i < g->n_cfg; i++) {
		const struct report_config *c = &g->cfg[i];
		const struct ratio_ci *ci = report_speedup_ci(g, c, ROW_TOTAL);

		if (c->copies <= 1 || report_capacity_arm(g, c->copies) != c)
			continue;
		fprintf(f, "%s %d: %.2f", any ? "," : "Capacity, measured in the same rounds as the "
			"configurations (the sequential run beside N - 1 copies of itself: N x its speedup; "
			"each share of capacity is paired with it by round):", c->copies,
			report_capacity(g, c->copies));
		if (ci) {
			snprintf(lo, sizeof(lo), "%.2f", c->copies * ci->lo);
			snprintf(hi, sizeof(hi), "%.2f", c->copies * ci->hi);
			fprintf(f, " [%s–%s]", lo, hi);
		}
		any = 1;
	}
	if (any)
		fprintf(f, ".\n");
}

/* what the calibration measured the machine's capacity at, and the capacity arms */
static void write_capacity(FILE *f, const struct report_group *g)
{
	const json_t *cap = json_object_get(g->calibration, "capacity");
	const json_t *ratio = json_object_get(cap, "capacity");
	size_t i;

	write_capacity_arms(f, g);
	if (!cap)
		return;       /* a file from before capacity was measured */
	if (!json_array_size(ratio)) {
		fprintf(f, "Capacity: not measured: %s.\n", report_str(cap, "skipped", "?"));
		return;
	}
	fprintf(f, "Capacity (the calibration: sequential evolution as N copies at once, throughput over one alone; "
		   "%d generations of population %d, load average %.2f):", (int)report_num(cap, "gens", 0),
		(int)report_num(cap, "pop", 0), report_num(cap, "load_average_1m", -1));
	for (i = 0; i < json_array_size(ratio); i++)
		fprintf(f, "%s %zu: %.2f", i ? "," : "", i + 1, json_number_value(json_array_get(ratio, i)));
	fprintf(f, ".\n");
}

/* whether some configuration has the statistics at offset (an array of ROW_COUNT) for its
   total: files from before busy times or comm_ms do not */
static int any_measured(const struct report_group *g, size_t offset)
{
	int i;

	for (i = 0; i < g->n_cfg; i++)
		if (((const struct sample_stats *)((const char *)&g->cfg[i] + offset))[ROW_TOTAL].n)
			return 1;
	return 0;
}

static int has_imbalance(const struct report_group *g)
{
	return any_measured(g, offsetof(struct report_config, imbalance));
}

/* the rows under the main table's speedup: its share of capacity and the imbalance */
static void write_balance_rows(FILE *f, const struct report_group *g)
{
	char cell[CELL];
	int i, unstable;

	if (report_capacity(g, 1) > 0) {
		fprintf(f, "| share of capacity |");
		for (i = 0; i < g->n_cfg; i++) {
			fmt_share(cell, sizeof(cell), g, &g->cfg[i],
				  report_speedup(g, &g->cfg[i], ROW_TOTAL, &unstable));
			fprintf(f, " %s |", cell);
		}
		fprintf(f, "\n");
	}
	if (!has_imbalance(g))
		return;
	fprintf(f, "| imbalance (max/mean busy) |");
	for (i = 0; i < g->n_cfg; i++) {
		fmt_cell(cell, sizeof(cell), &g->cfg[i].imbalance[ROW_TOTAL]);
		fprintf(f, " %s |", cell);
	}
	fprintf(f, "\n");
}

static void write_main_table(FILE *f, const struct report_group *g)
{
	char cell[CELL];
	int i, row, failed = 0;

	header_row(f, g, "ms per generation", 0);
	fprintf(f, "| workers |");
	for (i = 0; i < g->n_cfg; i++)
		fprintf(f, " %d |", g->cfg[i].workers);
	fprintf(f, "\n");
	for (row = ROW_MUTATE; row <= ROW_TOTAL; row++) {
		fprintf(f, "| %s |", phase_rows[row]);
		for (i = 0; i < g->n_cfg; i++) {
			fmt_cell(cell, sizeof(cell), &g->cfg[i].row[row]);
			fprintf(f, " %s |", cell);
		}
		fprintf(f, "\n");
	}
	fprintf(f, "| speedup (total) |");
	for (i = 0; i < g->n_cfg; i++) {
		fmt_speedup(cell, sizeof(cell), g, &g->cfg[i], ROW_TOTAL);
		fprintf(f, " %s |", cell);
	}
	fprintf(f, "\n");
	report_work_rows(f, g);
	report_cpu_rows(f, g);
	write_balance_rows(f, g);
	fprintf(f, "| repetitions |");
	for (i = 0; i < g->n_cfg; i++) {
		fprintf(f, " %d |", g->cfg[i].row[ROW_TOTAL].n);
		failed += g->cfg[i].failed;
	}
	fprintf(f, "\n");
	if (failed) {
		fprintf(f, "| failed runs |");
		for (i = 0; i < g->n_cfg; i++)
			fprintf(f, " %d |", g->cfg[i].failed);
		fprintf(f, "\n");
	}
}

typedef void (*cell_fn)(char *buf, size_t len, const struct report_group *g,
			const struct report_config *c, int row);

/* phases down, one column per compared configuration, each cell from fn */
static void phase_table(FILE *f, const struct report_group *g, const char *corner, cell_fn fn)
{
	char cell[CELL];
	int i, row;

	header_row(f, g, corner, 1);
	for (row = ROW_MUTATE; row <= ROW_TOTAL; row++) {
		fprintf(f, "| %s |", phase_rows[row]);
		for (i = 0; i < g->n_cfg; i++) {
			if (g->cfg[i].baseline == i)
				continue;
			fn(cell, sizeof(cell), g, &g->cfg[i], row);
			fprintf(f, " %s |", cell);
		}
		fprintf(f, "\n");
	}
}

static void speedup_cell(char *buf, size_t len, const struct report_group *g,
			 const struct report_config *c, int row)
{
	fmt_speedup(buf, len, g, c, row);
}

/* the speedup and, in brackets, its share of the capacity */
static void speedup_share_cell(char *buf, size_t len, const struct report_group *g,
			       const struct report_config *c, int row)
{
	char sp[CELL / 2], share[32];
	int unstable;

	fmt_speedup(sp, sizeof(sp), g, c, row);
	fmt_share(share, sizeof(share), g, c, report_speedup(g, c, row, &unstable));
	snprintf(buf, len, "%s (%s)", sp, share);
}

static void imbalance_cell(char *buf, size_t len, const struct report_group *g,
			   const struct report_config *c, int row)
{
	(void)g;
	fmt_cell(buf, len, &c->imbalance[row]);
}

static void write_speedup_table(FILE *f, const struct report_group *g)
{
	int with_share = report_capacity(g, 1) > 0;

	if (!report_count_compared(g))
		return;
	fprintf(f, "\nSpeedup per phase against sequential (its median / the configuration's median; "
		   "above 1 is faster)%s:\n\n", with_share ?
		", in brackets as a share of the machine's capacity at its workers" : "");
	phase_table(f, g, "speedup", with_share ? speedup_share_cell : speedup_cell);
	/* only where the records carry busy times */
	if (!has_imbalance(g))
		return;
	fprintf(f, "\nImbalance per phase: each worker's busy time in the phase, max / mean (1: even; a phase the "
		   "strategy keeps in the main process counts one worker), median [min–max] across repetitions:\n\n");
	phase_table(f, g, "imbalance", imbalance_cell);
}

static int has_comm(const struct report_group *g)
{
	return any_measured(g, offsetof(struct report_config, comm_share));
}

/* a phase's share of time spent moving data, in %: median [min–max] across repetitions */
static void comm_cell(char *buf, size_t len, const struct report_group *g,
		      const struct report_config *c, int row)
{
	const struct sample_stats *s = &c->comm_share[row];

	(void)g;
	if (!s->n)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.1f [%.1f–%.1f]", 100 * s->median, 100 * s->min, 100 * s->max);
}

/* where the records carry comm_ms: how much of each phase is moving data, not computing */
static void write_comm_table(FILE *f, const struct report_group *g)
{
	if (!has_comm(g) || !report_count_compared(g))
		return;
	fprintf(f, "\nTime moving data: comm_ms / the phase's ms (serialising, sending and receiving networks and "
		   "results), in %%, median [min–max] across repetitions (total: all phases' comm_ms / total ms):\n\n");
	phase_table(f, g, "comm share %", comm_cell);
}

/* configurations compared with a sequential run of another workload say so */
static void write_baseline_notes(FILE *f, const struct report_group *g)
{
	int i, any = 0;

	for (i = 0; i < g->n_cfg; i++) {
		const struct report_config *c = &g->cfg[i];

		if (c->baseline < 0)
			any = -1;
		else if (c->baseline != i)
			any |= 1;
	}
	if (any < 0)
		fprintf(f, "\nNo sequential configuration in this file: no speedups.\n");
	for (i = 0; i < g->n_cfg; i++) {
		const struct report_config *c = &g->cfg[i];

		if (c->baseline >= 0 && c->baseline != i &&
		    g->cfg[c->baseline].baseline != c->baseline)
			fprintf(f, "\n%s is compared with %s, whose workload differs.\n", c->label,
				g->cfg[c->baseline].label);
	}
	for (i = 0; i < g->n_cfg; i++)
		if (g->cfg[i].baseline >= 0 && g->cfg[i].baseline != i &&
		    g->cfg[i].baseline != g->cfg[0].baseline) {
			fprintf(f, "\nEach configuration is compared with the sequential one of the same workload "
				   "(options other than the strategy's own).\n");
			break;
		}
}

int report_write_tables(struct report *r, FILE *f)
{
	int gi;

	fprintf(f, "# Tables\n");
	if (!r->n_g && r->n_watch) {
		fprintf(f, "\nNo bench, run or search records in this directory: the watched jobs follow.\n");
		return ferror(f) ? -EIO : 0;
	}
	for (gi = 0; gi < r->n_g; gi++) {
		const struct report_group *g = &r->g[gi];

		fprintf(f, "\n## %s\n\n", g->file);
		if (!g->n_cfg) {
			fprintf(f, "No runs in this file.\n");
			continue;
		}
		if (g->search) {
			search_write_tables(g, f);
			if (report_control(g))
				fprintf(f, "\n");
			write_null_band(f, g);
			continue;
		}
		write_workload(f, g);
		write_reps_line(f, g);
		report_say_intervals(f, g);
		write_null_band(f, g);
		write_capacity(f, g);
		fprintf(f, "Cells: median ms per generation [min–max] across repetitions; each repetition counts "
			   "once, as the mean of its generation records, generation 0 left out as warm-up.\n\n");
		write_main_table(f, g);
		report_work_notes(f, g);
		report_cpu_note(f, g);
		write_speedup_table(f, g);
		write_comm_table(f, g);
		write_baseline_notes(f, g);
		report_overhead_section(f, g);
	}
	if (report_write_across(r, f))
		return -ENOMEM;
	fprintf(f, "\n`?` unstable: coefficient of variation over %.0f%% or fewer than %d repetitions "
		   "(as pyperf marks them); a speedup computed from an unstable cell is marked too.\n",
		UNSTABLE_CV * 100, UNSTABLE_MIN_N);
	return ferror(f) ? -EIO : 0;
}

