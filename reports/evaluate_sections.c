/*
 * Experiment 5's sections beside its verdict (evaluate_verdict.c): the GPU it ran on, per
 * network kind the rates figure (its data, drawn by plots/rates.gp), the table of the three
 * evaluators, the GPU's split of its evaluate phase and what limits the kernel.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reports/evaluate_verdict.h"
#include "reports/report.h"

/* FP64 operations of one step written in engine/step.h: RK4 (4 derivatives x 45, the state
   updates 78), the inputs 6, the force 3; the 16 sin/cos calls are not in it (about 20 each) */
#define FP64_OPS_PER_STEP 267
#define TRIG_OPS_PER_STEP (16 * 20)
#define MAX_POPS 256

static const char *const kinds[] = { "one", "all", "gpu" };

static int take_device(void *ctx, json_t *rec)
{
	struct vdevice *d = ctx;
	const char *type = json_string_value(json_object_get(rec, "type"));
	const char *name = json_string_value(json_object_get(rec, "name"));

	if (d->have || !type || strcmp(type, "device") || !name || !*name)
		return 0;
	d->have = 1;
	snprintf(d->name, sizeof(d->name), "%s", name);
	d->cc_major = (int)report_num(rec, "cc_major", 0);
	d->cc_minor = (int)report_num(rec, "cc_minor", 0);
	d->sms = (int)report_num(rec, "sms", 0);
	d->fp64_units_per_sm = (int)report_num(rec, "fp64_units_per_sm", 0);
	d->cuda_runtime = (int)report_num(rec, "cuda_runtime", 0);
	d->cuda_driver = (int)report_num(rec, "cuda_driver", 0);
	d->clock_mhz = report_num(rec, "clock_mhz", NAN);
	d->fp64_peak_gflops = report_num(rec, "fp64_peak_gflops", NAN);
	d->mem_gib = report_num(rec, "mem_gib", NAN);
	return 0;
}

static int jsonl(const struct dirent *e)
{
	size_t n = strlen(e->d_name);

	return n > 6 && !strcmp(e->d_name + n - 6, ".jsonl");
}

void vdevice_read(struct report *r, struct vdevice *d)
{
	struct dirent **names;
	int n, i;

	memset(d, 0, sizeof(*d));
	n = scandir(r->dir, &names, jsonl, alphasort);
	for (i = 0; i < n; i++) {
		if (!d->have)
			report_read_records(r, names[i]->d_name, take_device, d);
		free(names[i]);
	}
	if (n >= 0)
		free(names);
}

void vsection_gpu(FILE *f, int ran, const struct vdevice *d, const char *status, int cores)
{
	char b[3][32];

	if (ran && d->have)
		fprintf(f, "**The GPU:** %s (compute capability %d.%d, %d SMs at %s MHz; FP64 peak %s GFLOP/s "
			   "by %d FP64 units per SM, an estimate from the architecture; %s GiB; CUDA runtime %d, "
			   "driver %d).\n", d->name, d->cc_major, d->cc_minor, d->sms, vnum(b[0], d->clock_mhz),
			vnum(b[1], d->fp64_peak_gflops), d->fp64_units_per_sm, vnum(b[2], d->mem_gib),
			d->cuda_runtime, d->cuda_driver);
	else if (!ran)
		fprintf(f, "**The GPU half was not run.** Here `evopar run --device cuda` says: *%s*. Every GPU "
			   "column below is `-` and the rules that need a GPU say NOT RUN; only the CPU half (one "
			   "core against all %d cores) was measured. `experiments/experiment-5/device-run.sh` "
			   "runs the whole experiment on a machine with an NVIDIA GPU; its records and report, "
			   "where committed, are under `experiments/records/experiment-5/`.\n", status, cores);
	fprintf(f, "\n");
}

/* a ranged column of a row, "-" without the row */
static const char *cell(char *b, const struct vtab *t, int row, const char *col)
{
	char mn[64], mx[64];

	if (row < 0)
		return strcpy(b, "-");
	snprintf(mn, sizeof(mn), "%s_min", col);
	snprintf(mx, sizeof(mx), "%s_max", col);
	return vrng(b, vt_num(t, row, col), vt_num(t, row, mn), vt_num(t, row, mx));
}

static void eval_table(FILE *f, const struct vtab *t, const char *mode, int cores)
{
	double pops[MAX_POPS], q[3][3];
	int n = vpops(t, mode, pops, MAX_POPS), i, k, row[3];
	char b[9][128];

	fprintf(f, "| population | one core ms/gen | all %d cores ms/gen | GPU ms/gen | one core steps/s | "
		   "all cores steps/s | GPU steps/s | all cores ÷ one core | GPU ÷ one core | GPU ÷ all cores |\n"
		   "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n", cores);
	for (i = 0; i < n; i++) {
		for (k = 0; k < 3; k++)
			row[k] = vpick(t, mode, pops[i], kinds[k]);
		vratio(t, row[1], row[0], "steps_per_s", q[0]);
		vratio(t, row[2], row[0], "steps_per_s", q[1]);
		vratio(t, row[2], row[1], "steps_per_s", q[2]);
		for (k = 0; k < 3; k++) {
			cell(b[k], t, row[k], "evaluate_ms");
			cell(b[3 + k], t, row[k], "steps_per_s");
			vrng(b[6 + k], q[k][0], q[k][1], q[k][2]);
		}
		fprintf(f, "| %d | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", (int)pops[i],
			b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8]);
	}
	fprintf(f, "\n");
}

/* the kernel's share of the FP64 peak, without and with sin/cos, into b[128] */
static const char *peak_share(char *b, double kernel_rate, double peak)
{
	char x[32], y[32];

	if (!vtruthy(peak) || !vtruthy(kernel_rate))
		return strcpy(b, "-");
	snprintf(b, 128, "%s (%s with sin/cos)", vnum(x, kernel_rate * FP64_OPS_PER_STEP / (peak * 1e9)),
		 vnum(y, kernel_rate * (FP64_OPS_PER_STEP + TRIG_OPS_PER_STEP) / (peak * 1e9)));
	return b;
}

static void split_table(FILE *f, const struct vtab *t, const char *mode, double peak)
{
	static const char *const cols[] = { "pack_ms", "h2d_ms", "kernel_ms", "d2h_ms", "unpack_ms",
					    "transfer_share", "mib_h2d" };
	double pops[MAX_POPS];
	int n = vpops(t, mode, pops, MAX_POPS), i, k, g;
	char b[7][32], kr[128], share[128], lane[32];

	fprintf(f, "| population | pack ms | host→device ms | kernel ms | device→host ms | unpack ms | "
		   "pack + transfers share | MiB over | kernel steps/s | FP64 share of peak | lane use | scratch in global memory |\n"
		   "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n");
	for (i = 0; i < n; i++) {
		g = vpick(t, mode, pops[i], "gpu");
		if (g < 0)
			continue;
		for (k = 0; k < 7; k++)
			vnum(b[k], vt_num(t, g, cols[k]));
		fprintf(f, "| %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", (int)pops[i],
			b[0], b[1], b[2], b[3], b[4], b[5], b[6], cell(kr, t, g, "kernel_steps_per_s"),
			peak_share(share, vt_num(t, g, "kernel_steps_per_s"), peak),
			vnum(lane, vt_num(t, g, "lane_use")), vt_str(t, g, "scratch_global"));
	}
	fprintf(f, "\n");
}

/* the figure's data: population, then median, low, high steps/s of one core, all, GPU */
static int write_rates(struct report *r, const struct vtab *t, const char *mode, const char *path)
{
	static const char *const cols[] = { "steps_per_s", "steps_per_s_min", "steps_per_s_max" };
	double pops[MAX_POPS];
	int n = vpops(t, mode, pops, MAX_POPS), i, k, c, row;
	FILE *f = fopen(path, "w");

	if (!f) {
		snprintf(r->err, sizeof(r->err), "%s: %s", path, strerror(errno));
		return -EIO;
	}
	fprintf(f, "# population one one_lo one_hi all all_lo all_hi gpu gpu_lo gpu_hi\n");
	for (i = 0; i < n; i++) {
		fprintf(f, "%d", (int)pops[i]);
		for (k = 0; k < 3; k++) {
			row = vpick(t, mode, pops[i], kinds[k]);
			for (c = 0; c < 3; c++)
				if (row >= 0 && !isnan(vt_num(t, row, cols[c])))
					fprintf(f, " %.6g", vt_num(t, row, cols[c]));
				else
					fprintf(f, " NaN");
		}
		fprintf(f, "\n");
	}
	if (fclose(f)) {
		snprintf(r->err, sizeof(r->err), "%s: write failed", path);
		return -EIO;
	}
	return 0;
}

struct loss {
	double v;
	char text[256];
};

static int loss_cmp(const void *a, const void *b)
{
	const struct loss *x = a, *y = b;

	if (x->v != y->v)
		return x->v < y->v ? 1 : -1;
	return -strcmp(x->text, y->text);
}

/* what holds the kernel back at the largest population the GPU ran: one sentence, or nothing */
static void limits(FILE *f, const struct vtab *t, const char *mode, const struct vdevice *d)
{
	struct loss l[3];
	int i, g = -1, n = 0;
	double lane, share, eps;
	char b[32];

	for (i = 0; i < t->nrow; i++)
		if (!strcmp(vt_str(t, i, "mode"), mode) && !strcmp(vt_str(t, i, "device"), "cuda") &&
		    vtruthy(vt_num(t, i, "reps")) &&
		    (g < 0 || vt_num(t, i, "pop") > vt_num(t, g, "pop")))
			g = i;
	if (g < 0)
		return;
	lane = vt_num(t, g, "lane_use");
	share = vt_num(t, g, "transfer_share");
	if (!isnan(lane)) {
		l[n].v = 1 - lane;
		snprintf(l[n++].text, sizeof(l[0].text), "lanes idle in warps waiting for their longest episode "
			 "(divergence of episode lengths): %s of lane-steps", vnum(b, 1 - lane));
	}
	if (!isnan(share)) {
		l[n].v = share;
		snprintf(l[n++].text, sizeof(l[0].text), "pack and copies: %s of the evaluate phase", vnum(b, share));
	}
	eps = vt_num(t, g, "episodes");
	if (d->have && d->sms) {
		double resident = d->sms * 2048.0, threads = vt_num(t, g, "pop") * (vtruthy(eps) ? eps : 1);

		if (threads < resident) {
			l[n].v = 1 - threads / resident;
			snprintf(l[n++].text, sizeof(l[0].text), "too few threads to fill the GPU (%d of the %d it "
				 "holds at once): each step's latency is exposed", (int)threads, (int)resident);
		}
	}
	if (!n)
		return;
	qsort(l, (size_t)n, sizeof(*l), loss_cmp);
	fprintf(f, "**What limits it.** At %d %s networks: ", (int)vt_num(t, g, "pop"), mode);
	for (i = 0; i < n; i++)
		fprintf(f, "%s%s", i ? "; " : "", l[i].text);
	fprintf(f, ". The largest: %.*s. Scratch in global memory: %s.\n\n", (int)strcspn(l[0].text, ":"),
		l[0].text, vt_str(t, g, "scratch_global"));
}

/* the rates figure of a mode from its data: gnuplot where installed and figures are on */
static void draw_rates(struct report *r, const char *mode, const char *data, const char *base)
{
	char script[4200], what[64];

	if (!r->o.figures)
		return;
	snprintf(script, sizeof(script), "%s/rates.gp", r->plots_dir);
	snprintf(what, sizeof(what), "what='%s'", mode);
	report_draw(r, script, data, base, 0, 0, what, "rates figure");
}

int vsection_evaluate(struct report *r, FILE *f, const struct vtab *t, int ran,
		      const struct vdevice *d, int cores)
{
	static const char *const modes[] = { "dynamic", "static" };
	char data[4200], base[4200], png[4300], about[900];
	int m, rc;

	report_fig_about(r->g, r->n_g, about, sizeof(about));
	for (m = 0; m < 2; m++) {
		fprintf(f, "### Evaluate phase, %s networks\n\n", modes[m]);
		snprintf(data, sizeof(data), "%s/rates-%s.dat", r->dir, modes[m]);
		snprintf(base, sizeof(base), "%s/rates-%s", r->dir, modes[m]);
		rc = write_rates(r, t, modes[m], data);
		if (rc)
			return rc;
		draw_rates(r, modes[m], data, base);
		snprintf(png, sizeof(png), "%s.png", base);
		if (!access(png, F_OK))
			fprintf(f, "Steps per second against population (%s; [SVG](rates-%s.svg), [PDF](rates-%s.pdf)):"
				   "\n\n![steps per second against population, %s](rates-%s.png)\n\n", about, modes[m],
				   modes[m], modes[m], modes[m]);
		fprintf(f, "Median per generation [min–max over repetitions], generation 0 left out; steps/s: "
			   "survived steps (mean fitness × population × episodes × steps) per second of the "
			   "evaluate phase; the ratios: medians with a paired bootstrap 95%% interval (rounds of "
			   "one bench file as pairs, %d resamples). The GPU runs use every core for the other "
			   "phases (`--strategy threads`).\n\n", BOOT_RESAMPLES);
		eval_table(f, t, modes[m], cores);
		if (!ran)
			continue;
		fprintf(f, "The GPU's evaluate phase split (medians): pack on the host, copies and kernel timed by "
			   "CUDA events. FP64 share of peak: kernel steps/s × %d FP64 operations per step ÷ the peak "
			   "(the kernel is built with `--fmad=false`, so unfused operations reach at most half of an "
			   "FMA-counted peak); lane use: lane-steps that did work ÷ lane-steps their warp was busy, "
			   "the cost of episodes of unequal length in one warp.\n\n", FP64_OPS_PER_STEP);
		split_table(f, t, modes[m], d->have ? d->fp64_peak_gflops : NAN);
		limits(f, t, modes[m], d);
	}
	return 0;
}
