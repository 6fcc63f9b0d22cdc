/*
 * `evopar bench`: runs a set of configurations, each repetition a fresh `evopar run` (or
 * `evopar search`, optionally under a launcher such as mpirun) child, in interleaved order
 * (A B C A B C ...) so that drift hits all alike, into one JSON Lines file: a calibration
 * record, a bench record, then every run's records tagged with its configuration and
 * repetition, and a bench_run record each with what the bench saw of the child's tree.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness/instruments/calibrate.h"
#include "harness/records/meta.h"
#include "harness/options.h"
#include "harness/records/record.h"
#include "harness/run.h"
#include "harness/instruments/sampler.h"

struct bench_options {
	const char *config;         /* only for --help: the values are collected apart */
	const char *configs;        /* a file of configurations, one a line */
	const char *common;         /* run options put before every configuration's own */
	int repeat;
	int warmup;
	double timeout_s;           /* one run's limit; past it the run is stopped and recorded */
	double sample_ms;           /* period of the bench's sampler of each child's tree; 0: off */
	const char *out;
	int quiet;
	int help;
};

#define BO(field) offsetof(struct bench_options, field)

static const struct opt_spec bench_opts[] = {
	{ "config", OPT_STRING, BO(config), 0, 0, NULL, "one configuration: 'LABEL: evopar run options' or just the options; repeat it" },
	{ "configs", OPT_STRING, BO(configs), 0, 0, NULL, "a file of configurations, one a line as for --config ('common: ...' applies to all; # comments)" },
	{ "common", OPT_STRING, BO(common), 0, 0, NULL, "evopar run options put before every configuration's own" },
	{ "repeat", OPT_INT, BO(repeat), 1, 100000, NULL, "measured repetitions of every configuration" },
	{ "warmup", OPT_INT, BO(warmup), 0, 1000, NULL, "warm-up repetitions first (recorded, marked warmup, left out of reports)" },
	{ "timeout", OPT_DOUBLE, BO(timeout_s), 1, 604800, NULL, "seconds one run may take before it is stopped (SIGTERM, then SIGKILL) and recorded as failed" },
	{ "sample-ms", OPT_DOUBLE, BO(sample_ms), 0, 60000, NULL, "the bench samples each child's process tree (threads, processes, summed RSS) this often; 0: not" },
	{ "out", OPT_STRING, BO(out), 0, 0, NULL, "JSON Lines records; '-' for stdout; appears when the bench ends" },
	{ "quiet", OPT_FLAG, BO(quiet), 0, 0, NULL, "no progress line" },
	{ "help", OPT_FLAG, BO(help), 0, 0, NULL, "this text" },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

struct bench_config {
	char *label;
	char *text;                 /* the command as given, common options inserted */
	char **argv;                /* the options of the evopar command, common ones first */
	int argc;
	char **launch;              /* words before `evopar` (e.g. mpirun -np 3), or none */
	int n_launch;
	const char *command;        /* "run" or "search" */
	int label_given;
	int line_no;                /* its line in --configs, or 0 for a --config */
	struct run_options ro;      /* the options parsed, to check them and to derive a label */
};

struct bench {
	struct bench_options o;
	struct bench_config *cfg;
	int n_cfg, cap_cfg;
	char *common;               /* --common, or the file's common: line */
	char self_exe[4096];
	char tmpdir[256];
	char tmp_out[300], tmp_err[300];
	struct output out;
	struct jw jw;
	double t_start;
	int runs_done, runs_total, runs_failed;
	char err[1024];
};

static volatile sig_atomic_t bench_stop;

static void on_bench_stop(int sig)
{
	bench_stop = sig;
}

static void usage(FILE *f)
{
	struct bench_options d = { .repeat = 5, .warmup = 1, .timeout_s = 3600, .sample_ms = 20,
				   .out = "-" };

	fprintf(f, "usage: evopar bench --config 'ARGS' [--config 'ARGS' ...] [options]\n"
		   "       evopar bench --configs FILE [options]\n\n"
		   "Run every configuration --warmup times, then --repeat times, interleaved (A B C A B C),\n"
		   "each run a fresh `evopar run ARGS --quiet` process, into one JSON Lines file: a\n"
		   "calibration record (this machine's floors), a bench record, then each run's records\n"
		   "tagged with config_id, config_label, rep and warmup, and a bench_run record per run\n"
		   "(the child's rusage and what the bench's sampler saw of its process tree).\n"
		   "ARGS may start with `search` for `evopar search ARGS`, or name a launcher before the\n"
		   "word evopar: 'mpirun -np 3 evopar search --backend mpi ...'; --common options go\n"
		   "right after the subcommand.\n"
		   "A run that fails is recorded and the bench goes on. Exit codes: 0 every run ok,\n"
		   "2 bad options (nothing run), 3 some run failed (the file is complete), 130 interrupted.\n"
		   "Then: evopar report DIR.\n\noptions:\n");
	options_help(f, bench_opts, &d);
}

static void free_words(char **argv, int argc)
{
	while (argc > 0)
		free(argv[--argc]);
	free(argv);
}

/* Split text into words: blanks separate, '...' and "..." quote, \ escapes one character. */
static int split_words(const char *text, char ***argv_out, int *argc_out)
{
	size_t len = strlen(text);
	char *buf = malloc(len + 1), **argv = calloc(len / 2 + 2, sizeof(*argv));
	const char *s = text;
	int argc = 0;

	if (!buf || !argv)
		goto nomem;
	while (*s) {
		char *w = buf, quote = 0;

		while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
			s++;
		if (!*s)
			break;
		for (; *s && (quote || (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')); s++) {
			if (quote && *s == quote)
				quote = 0;
			else if (!quote && (*s == '\'' || *s == '"'))
				quote = *s;
			else if (*s == '\\' && s[1])
				*w++ = *++s;
			else
				*w++ = *s;
		}
		if (quote) {
			free_words(argv, argc);
			free(buf);
			return -EINVAL;
		}
		*w = 0;
		argv[argc] = strdup(buf);
		if (!argv[argc++])
			goto nomem;
	}
	free(buf);
	*argv_out = argv;
	*argc_out = argc;
	return 0;
nomem:
	while (argv && argc > 0)
		free(argv[--argc]);
	free(argv);
	free(buf);
	return -ENOMEM;
}

/* "LABEL: --opt ..." -> label and options; a colon after the first "--" is not a label's. */
static void split_label(const char *line, char **label, const char **args)
{
	const char *colon = strchr(line, ':'), *dash = strstr(line, "--");
	const char *end;

	*label = NULL;
	*args = line;
	if (!colon || (dash && dash < colon))
		return;
	while (*line == ' ' || *line == '\t')
		line++;
	for (end = colon; end > line && (end[-1] == ' ' || end[-1] == '\t'); end--)
		;
	*label = strndup(line, (size_t)(end - line));
	for (*args = colon + 1; **args == ' ' || **args == '\t'; (*args)++)
		;
}

static int add_config(struct bench *b, const char *line, int line_no)
{
	struct bench_config *c;
	const char *args;
	char *label;

	split_label(line, &label, &args);
	if (label && !strcmp(label, "common")) {
		free(b->common);
		b->common = strdup(args);
		free(label);
		return b->common ? 0 : -ENOMEM;
	}
	if (b->n_cfg == b->cap_cfg) {
		int cap = b->cap_cfg ? b->cap_cfg * 2 : 8;
		struct bench_config *nc = realloc(b->cfg, sizeof(*nc) * (size_t)cap);

		if (!nc) {
			free(label);
			return -ENOMEM;
		}
		b->cfg = nc;
		b->cap_cfg = cap;
	}
	c = &b->cfg[b->n_cfg++];
	memset(c, 0, sizeof(*c));
	c->label = label;
	c->label_given = label && *label;
	c->text = strdup(args);
	c->line_no = line_no;
	return c->text ? 0 : -ENOMEM;
}

static int read_config_file(struct bench *b, const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	int n = 0, rc = 0;

	if (!f) {
		rc = -errno;
		snprintf(b->err, sizeof(b->err), "--configs %s: %s", path, strerror(-rc));
		return rc;
	}
	while (getline(&line, &cap, f) >= 0) {
		char *s = line;

		n++;
		s[strcspn(s, "\r\n")] = 0;
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s || *s == '#')
			continue;
		rc = add_config(b, s, n);
		if (rc)
			break;
	}
	free(line);
	fclose(f);
	return rc;
}

/* the value of --NAME VALUE or --NAME=VALUE at argv[*i], stepping over it; NULL otherwise */
static const char *option_value(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], "--", 2) || strncmp(argv[*i] + 2, name, n))
		return NULL;
	if (argv[*i][n + 2] == '=')
		return argv[*i] + n + 3;
	if (argv[*i][n + 2] || *i + 1 >= argc)
		return NULL;
	return argv[++*i];
}

/*
 * Take --config (repeatable) and --common out of argv before options_parse: their values
 * are run options, starting with "--", which options_parse would take for an option.
 */
static int take_configs(struct bench *b, int *argc, char **argv)
{
	int i, j = 0, rc;

	for (i = 0; i < *argc; i++) {
		const char *v = option_value(*argc, argv, &i, "config");

		if (v) {
			rc = add_config(b, v, 0);
			if (rc)
				return rc;
			continue;
		}
		v = option_value(*argc, argv, &i, "common");
		if (v) {
			b->o.common = v;
			continue;
		}
		argv[j++] = argv[i];
	}
	*argc = j;
	return 0;
}

/* "--config 2" or "--configs FILE line 7": where a configuration came from, for errors */
static void config_origin(const struct bench *b, const struct bench_config *c, int id, char *buf, size_t len)
{
	if (c->line_no)
		snprintf(buf, len, "--configs %s line %d", b->o.configs, c->line_no);
	else
		snprintf(buf, len, "--config %d", id + 1);
}

/*
 * Where the evopar options start in a configuration's words, setting its command and the
 * count of launcher words: "LAUNCHER... evopar CMD OPTIONS", "CMD OPTIONS" or "OPTIONS".
 */
static int find_command(struct bench_config *c, char **w, int n)
{
	int i;

	c->command = "run";
	for (i = 0; i < n && strcmp(w[i], "evopar"); i++)
		;
	if (i < n) {
		c->n_launch = i;
		if (i + 1 >= n || (strcmp(w[i + 1], "run") && strcmp(w[i + 1], "search")))
			return -EINVAL;
		c->command = strcmp(w[i + 1], "run") ? "search" : "run";
		return i + 2;
	}
	if (n && (!strcmp(w[0], "run") || !strcmp(w[0], "search"))) {
		c->command = strcmp(w[0], "run") ? "search" : "run";
		return 1;
	}
	return 0;
}

/* "LAUNCHER... evopar CMD OPTIONS" as the record shows it (quotes are not kept). */
static int describe_command(struct bench_config *c)
{
	size_t len = 32, at = 0;
	char *text;
	int k;

	for (k = 0; k < c->n_launch; k++)
		len += strlen(c->launch[k]) + 1;
	for (k = 0; k < c->argc; k++)
		len += strlen(c->argv[k]) + 1;
	text = malloc(len);
	if (!text)
		return -ENOMEM;
	text[0] = 0;
	for (k = 0; k < c->n_launch; k++)
		at += (size_t)snprintf(text + at, len - at, "%s ", c->launch[k]);
	at += (size_t)snprintf(text + at, len - at, "evopar %s", c->command);
	for (k = 0; k < c->argc; k++)
		at += (size_t)snprintf(text + at, len - at, " %s", c->argv[k]);
	free(c->text);
	c->text = text;
	return 0;
}

/* The options of the evopar command: --common's words, then the configuration's own. */
static int split_config(struct bench *b, struct bench_config *c)
{
	char **w = NULL, **cw = NULL;
	int n = 0, m = 0, at, k, rc;

	rc = split_words(c->text, &w, &n);
	if (!rc && b->common)
		rc = split_words(b->common, &cw, &m);
	if (rc)
		goto free_words;
	at = find_command(c, w, n);
	if (at < 0) {
		rc = -EPROTO;
		goto free_words;
	}
	c->argv = calloc((size_t)(m + n - at + 1), sizeof(*c->argv));
	if (!c->argv) {
		rc = -ENOMEM;
		goto free_words;
	}
	for (k = 0; k < m; k++)
		c->argv[c->argc++] = cw[k];
	for (k = at; k < n; k++)
		c->argv[c->argc++] = w[k];
	for (k = c->n_launch; k < at; k++)
		free(w[k]);             /* `evopar` and the subcommand: start_child puts them back */
	c->launch = w;
	free(cw);
	return 0;
free_words:
	if (w)
		free_words(w, n);
	if (cw)
		free_words(cw, m);
	return rc;
}

/*
 * Check a search configuration by running `evopar search OPTIONS --help`: it exits 2 with
 * the one-line complaint on a bad option and 0 otherwise, without running anything.
 */
static int check_by_help(struct bench *b, struct bench_config *c, const char *from)
{
	char **argv = calloc((size_t)c->argc + 4, sizeof(*argv)), msg[512] = "";
	int fds[2], status = 0, k, fd;
	ssize_t got;
	pid_t pid;

	if (!argv || pipe(fds)) {
		free(argv);
		snprintf(b->err, sizeof(b->err), "%s: cannot check: %s", from, strerror(errno));
		return -EIO;
	}
	argv[0] = "evopar";
	argv[1] = (char *)c->command;
	for (k = 0; k < c->argc; k++)
		argv[k + 2] = c->argv[k];
	argv[k + 2] = "--help";
	pid = fork();
	if (pid == 0) {
		fd = open("/dev/null", O_WRONLY);
		if (fd >= 0)
			dup2(fd, STDOUT_FILENO);
		dup2(fds[1], STDERR_FILENO);
		close(fds[0]);
		execv(b->self_exe, argv);
		_exit(127);
	}
	close(fds[1]);
	got = pid > 0 ? read(fds[0], msg, sizeof(msg) - 1) : -1;
	msg[got > 0 ? got : 0] = 0;
	msg[strcspn(msg, "\n")] = 0;
	close(fds[0]);
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	free(argv);
	if (pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	snprintf(b->err, sizeof(b->err), "%s: %s", from, msg[0] ? msg : "evopar search refused it");
	return -EINVAL;
}

/* A plain run configuration's record text: the common options, then its own as typed. */
static int with_common(struct bench *b, struct bench_config *c)
{
	size_t len = strlen(c->text) + (b->common ? strlen(b->common) : 0) + 2;
	char *text = malloc(len);

	if (!text)
		return -ENOMEM;
	snprintf(text, len, "%s%s%s", b->common ? b->common : "", b->common ? " " : "", c->text);
	free(c->text);
	c->text = text;
	return 0;
}

/* Parse one configuration's options as its command will: a bad one stops the bench early. */
static int check_config(struct bench *b, struct bench_config *c, int id)
{
	static const char *const owned[] = { "--out", "--quiet", "--help" };
	char msg[512], from[300];
	size_t i;
	int k, rc;

	config_origin(b, c, id, from, sizeof(from));
	rc = split_config(b, c);
	if (rc) {
		snprintf(b->err, sizeof(b->err), "%s: %s", from,
			 rc == -EINVAL ? "a quote is not closed" : rc == -EPROTO ?
			 "the word evopar must be followed by run or search" : "out of memory");
		return rc == -EPROTO ? -EINVAL : rc;
	}
	for (k = 0; k < c->argc; k++)
		for (i = 0; i < sizeof(owned) / sizeof(owned[0]); i++)
			if (!strncmp(c->argv[k], owned[i], strlen(owned[i]))) {
				snprintf(b->err, sizeof(b->err),
					 "%s: %s is set by evopar bench, leave it out", from, owned[i]);
				return -EINVAL;
			}
	run_options_defaults(&c->ro);
	rc = strcmp(c->command, "run") || c->n_launch ? describe_command(c) : with_common(b, c);
	if (rc)
		return rc;
	if (strcmp(c->command, "run"))
		return check_by_help(b, c, from);
	if (options_parse(run_opts, &c->ro, c->argc, c->argv, msg, sizeof(msg))) {
		snprintf(b->err, sizeof(b->err), "%s: %s", from, msg);
		return -EINVAL;
	}
	return 0;
}

static int is_label_option(const char *name)
{
	static const char *const skip[] = { "strategy", "workers", "islands", "out", "quiet", "help" };
	size_t i;

	for (i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
		if (!strcmp(name, skip[i]))
			return 0;
	return 1;
}

/* Does option s take more than one value across the configurations? */
static int option_varies(const struct bench *b, const struct opt_spec *s)
{
	char first[256], v[256];
	int i;

	options_format(s, &b->cfg[0].ro, first, sizeof(first));
	for (i = 1; i < b->n_cfg; i++) {
		if (strcmp(b->cfg[i].command, "run"))
			continue;       /* not parsed as run options */
		options_format(s, &b->cfg[i].ro, v, sizeof(v));
		if (strcmp(first, v))
			return 1;
	}
	return 0;
}

/*
 * A label from what sets a configuration apart: the strategy, each option that varies
 * across the set and differs here from its default, and the worker count.
 */
static int derive_label(struct bench *b, struct bench_config *c)
{
	const struct opt_spec *s;
	struct run_options d;
	char buf[512], v[256], dv[256];
	size_t at;
	int workers;

	if (strcmp(c->command, "run")) {
		free(c->label);          /* no run options to name it by: the command itself */
		c->label = strdup(c->text);
		return c->label ? 0 : -ENOMEM;
	}
	run_options_defaults(&d);
	at = (size_t)snprintf(buf, sizeof(buf), "%s", c->ro.cfg.strategy);
	for (s = run_opts; s->name && at < sizeof(buf); s++) {
		if (!is_label_option(s->name) || !option_varies(b, s))
			continue;
		options_format(s, &c->ro, v, sizeof(v));
		options_format(s, &d, dv, sizeof(dv));
		if (strcmp(v, dv))
			at += (size_t)snprintf(buf + at, sizeof(buf) - at, " %s=%s", s->name, v);
	}
	workers = !strcmp(c->ro.cfg.strategy, "islands") ? c->ro.cfg.islands : c->ro.cfg.workers;
	if (strcmp(c->ro.cfg.strategy, "sequential") && at < sizeof(buf))
		snprintf(buf + at, sizeof(buf) - at, " x%d", workers);
	free(c->label);
	c->label = strdup(buf);
	return c->label ? 0 : -ENOMEM;
}

static int prepare_configs(struct bench *b)
{
	int i, rc;

	if (!b->n_cfg) {
		snprintf(b->err, sizeof(b->err), "--config: at least one configuration is needed (or --configs FILE)");
		return -EINVAL;
	}
	for (i = 0; i < b->n_cfg; i++) {
		rc = check_config(b, &b->cfg[i], i);
		if (rc)
			return rc;
	}
	for (i = 0; i < b->n_cfg; i++) {
		if (b->cfg[i].label_given)
			continue;
		rc = derive_label(b, &b->cfg[i]);
		if (rc)
			return rc;
	}
	return 0;
}

static void write_bench_record(struct bench *b)
{
	struct jw *w = &b->jw;
	int i;

	jw_begin(w, "bench");
	jw_str(w, "evopar_version", EVOPAR_VERSION);
	jw_int(w, "repeat", b->o.repeat);
	jw_int(w, "warmup", b->o.warmup);
	jw_str(w, "order", "interleaved");
	jw_num(w, "timeout_s", b->o.timeout_s);
	jw_arr_begin(w, "configs");
	for (i = 0; i < b->n_cfg; i++) {
		jw_obj_begin(w, NULL);
		jw_int(w, "config_id", i);
		jw_str(w, "config_label", b->cfg[i].label);
		jw_str(w, "args", b->cfg[i].text);
		jw_str(w, "command", b->cfg[i].command);
		if (!strcmp(b->cfg[i].command, "run")) {
			jw_str(w, "strategy", b->cfg[i].ro.cfg.strategy);
			jw_int(w, "workers", b->cfg[i].ro.cfg.workers);
		}
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_end(w);
	output_write(&b->out, w);
}

/* The JSON text of a string, quotes included, into out (truncated to fit). */
static void json_quote(const char *s, char *out, size_t len)
{
	size_t at = 0;

	if (len < 3)
		return;
	out[at++] = '"';
	for (; *s && at + 8 < len; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			at += (size_t)snprintf(out + at, len - at, "\\%c", ch);
		else if (ch < 0x20)
			at += (size_t)snprintf(out + at, len - at, "\\u%04x", ch);
		else
			out[at++] = (char)ch;
	}
	out[at++] = '"';
	out[at] = 0;
}

/* Copy the child's records into the bench file, each tagged after its opening brace. */
static int copy_records(struct bench *b, int id, int rep, int warm, int *n_records)
{
	FILE *f = fopen(b->tmp_out, "r");
	char *line = NULL, label[600], tag[800];
	size_t cap = 0;
	ssize_t n;
	int rc = 0;

	*n_records = 0;
	if (!f)
		return 0;       /* the run wrote nothing (it failed before its first record) */
	json_quote(b->cfg[id].label, label, sizeof(label));
	snprintf(tag, sizeof(tag), "{\"config_id\":%d,\"config_label\":%s,\"rep\":%d,\"warmup\":%s,",
		 id, label, rep, warm ? "true" : "false");
	while ((n = getline(&line, &cap, f)) > 0) {
		if (line[0] != '{' || line[n - 1] != '\n')
			continue;       /* a torn last line of a killed run */
		if (fputs(tag, b->out.f) == EOF || fputs(line + 1, b->out.f) == EOF) {
			rc = -errno;
			break;
		}
		(*n_records)++;
	}
	free(line);
	fclose(f);
	if (!rc && fflush(b->out.f))
		rc = -errno;
	return rc;
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

static void start_child(struct bench *b, struct bench_config *c, const sigset_t *old_mask)
{
	char **argv = calloc((size_t)(c->n_launch + c->argc + 6), sizeof(*argv)), **ev;
	int i, fd;

	if (!argv)
		_exit(127);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	sigprocmask(SIG_SETMASK, old_mask, NULL);
	fd = open("/dev/null", O_WRONLY);
	if (fd >= 0 && dup2(fd, STDOUT_FILENO) >= 0 && fd != STDOUT_FILENO)
		close(fd);
	fd = open(b->tmp_err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd >= 0 && dup2(fd, STDERR_FILENO) >= 0 && fd != STDERR_FILENO)
		close(fd);
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
	if (c->n_launch)
		execvp(argv[0], argv);
	else
		execv(b->self_exe, argv);
	fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* Wait for the child until deadline; past it SIGTERM, then SIGKILL 5 s later. */
static int reap_child(pid_t pid, double deadline, int *status, struct rusage *ru, int *timed_out)
{
	sigset_t chld;
	int killed = 0;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	*timed_out = 0;
	for (;;) {
		pid_t r = wait4(pid, status, WNOHANG, ru);
		double left = deadline - now_s();
		struct timespec ts;

		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
		if (bench_stop && killed < 1) {
			kill(pid, SIGTERM);     /* the run ends cleanly and says interrupted */
			killed = 1;
		}
		if (left <= 0) {
			*timed_out = 1;
			kill(pid, killed ? SIGKILL : SIGTERM);
			killed++;
			deadline = now_s() + 5;
			left = 5;
		}
		ts.tv_sec = (time_t)left;
		ts.tv_nsec = (long)((left - (double)ts.tv_sec) * 1e9);
		sigtimedwait(&chld, NULL, &ts);
	}
}

static double tv_s(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec * 1e-6;
}

/* how one child ended and what was seen of it */
struct child_end {
	int status;
	int timed_out;
	int n_records;
	double wall_s;
	struct rusage ru;         /* wait4's: the child and every descendant it reaped */
	struct sampler tree;      /* the bench's sampler of the child's process tree */
};

static void write_run_record(struct bench *b, int id, int rep, int warm, const struct child_end *e)
{
	struct jw *w = &b->jw;
	const struct rusage *ru = &e->ru;
	char msg[512];
	int status = e->status, ok = !e->timed_out && WIFEXITED(status) && WEXITSTATUS(status) == 0;

	jw_begin(w, "bench_run");
	jw_int(w, "config_id", id);
	jw_str(w, "config_label", b->cfg[id].label);
	jw_int(w, "rep", rep);
	jw_bool(w, "warmup", warm);
	jw_str(w, "status", ok ? "ok" : e->timed_out ? "timeout" : "failed");
	if (WIFEXITED(status))
		jw_int(w, "exit", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		jw_int(w, "signal", WTERMSIG(status));
	jw_num(w, "wall_s", e->wall_s);
	jw_num(w, "cpu_user_s", tv_s(ru->ru_utime));
	jw_num(w, "cpu_sys_s", tv_s(ru->ru_stime));
	jw_int(w, "max_rss_kb", ru->ru_maxrss);
	jw_int(w, "voluntary_ctx_switches", ru->ru_nvcsw);
	jw_int(w, "involuntary_ctx_switches", ru->ru_nivcsw);
	jw_int(w, "records", e->n_records);
	/* seen from outside, so mpirun's ranks and a search's workers count as well */
	if (e->tree.started) {
		jw_obj_begin(w, "tree");
		sampler_write(&e->tree, w);
		jw_obj_end(w);
	}
	if (!ok) {
		first_error_line(b->tmp_err, msg, sizeof(msg));
		jw_str(w, "error", msg[0] ? msg : "no message");
		b->runs_failed++;
	}
	jw_end(w);
	output_write(&b->out, w);
}

/* One repetition of one configuration in a fresh process; its end is recorded, not fatal. */
static int bench_one(struct bench *b, int id, int rep, int warm, const sigset_t *old_mask)
{
	struct child_end e;
	char serr[128];
	double t = now_s();
	int rc;
	pid_t pid;

	unlink(b->tmp_out);
	pid = fork();
	if (pid < 0) {
		snprintf(b->err, sizeof(b->err), "fork: %s", strerror(errno));
		return -errno;
	}
	if (pid == 0)
		start_child(b, &b->cfg[id], old_mask);
	memset(&e, 0, sizeof(e));
	/* a sampler that cannot start costs the record its tree, not the run */
	if (b->o.sample_ms > 0)
		sampler_start_tree(&e.tree, pid, b->o.sample_ms, 1, serr, sizeof(serr));
	rc = reap_child(pid, t + b->o.timeout_s, &e.status, &e.ru, &e.timed_out);
	sampler_stop(&e.tree);
	if (rc) {
		snprintf(b->err, sizeof(b->err), "waiting for run %d: %s", pid, strerror(-rc));
		goto release;
	}
	e.wall_s = now_s() - t;
	rc = copy_records(b, id, rep, warm, &e.n_records);
	if (rc) {
		snprintf(b->err, sizeof(b->err), "--out: write failed: %s", strerror(-rc));
		goto release;
	}
	write_run_record(b, id, rep, warm, &e);
release:
	sampler_release(&e.tree);
	return rc;
}

static void show_progress(struct bench *b, int id, int rep, int warm, int final)
{
	double el = now_s() - b->t_start;

	if (b->o.quiet || !isatty(STDERR_FILENO))
		return;
	if (final) {
		fprintf(stderr, "\r%-100s\r", "");
		return;
	}
	fprintf(stderr, "\rbench: run %d/%d  %.30s %s %d/%d  elapsed %.0f s  remaining %.0f s  failed %d   ",
		b->runs_done + 1, b->runs_total, b->cfg[id].label, warm ? "warm-up" : "rep",
		rep + 1, warm ? b->o.warmup : b->o.repeat, el,
		b->runs_done ? el / b->runs_done * (b->runs_total - b->runs_done) : 0.0, b->runs_failed);
}

/* W warm-up rounds then R measured rounds, each round every configuration in order. */
static int bench_all(struct bench *b, const sigset_t *old_mask)
{
	int round, id, rc;

	b->runs_total = (b->o.warmup + b->o.repeat) * b->n_cfg;
	for (round = 0; round < b->o.warmup + b->o.repeat; round++) {
		int warm = round < b->o.warmup, rep = warm ? round : round - b->o.warmup;

		for (id = 0; id < b->n_cfg; id++) {
			if (bench_stop)
				return -EINTR;
			show_progress(b, id, rep, warm, 0);
			rc = bench_one(b, id, rep, warm, old_mask);
			if (rc)
				return rc;
			b->runs_done++;
		}
	}
	return 0;
}

/* the last record: how long the whole bench took and how it ended */
static void write_end_record(struct bench *b, int rc)
{
	struct jw *w = &b->jw;

	jw_begin(w, "bench_end");
	jw_str(w, "status", !rc ? "ok" : rc == -EINTR ? "interrupted" : "failed");
	jw_num(w, "elapsed_s", now_s() - b->t_start);
	jw_int(w, "runs", b->runs_done);
	jw_int(w, "runs_failed", b->runs_failed);
	jw_end(w);
	output_write(&b->out, w);
}

static int make_tmpdir(struct bench *b)
{
	const char *base = getenv("TMPDIR");

	snprintf(b->tmpdir, sizeof(b->tmpdir), "%s/evopar-bench.XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(b->tmpdir)) {
		snprintf(b->err, sizeof(b->err), "cannot make a temporary directory %s: %s",
			 b->tmpdir, strerror(errno));
		return -errno;
	}
	snprintf(b->tmp_out, sizeof(b->tmp_out), "%s/run.jsonl", b->tmpdir);
	snprintf(b->tmp_err, sizeof(b->tmp_err), "%s/stderr", b->tmpdir);
	return 0;
}

static void remove_tmpdir(struct bench *b)
{
	if (!b->tmpdir[0])
		return;
	unlink(b->tmp_out);
	unlink(b->tmp_err);
	rmdir(b->tmpdir);
}

static void bench_free(struct bench *b)
{
	int i;

	for (i = 0; i < b->n_cfg; i++) {
		free(b->cfg[i].label);
		free(b->cfg[i].text);
		free_words(b->cfg[i].argv, b->cfg[i].argc);
		if (b->cfg[i].launch)
			free_words(b->cfg[i].launch, b->cfg[i].n_launch);
	}
	free(b->cfg);
	free(b->common);
	jw_release(&b->jw);
	free(b);
}

/* Options and configurations; 0, or -1 with the one-line complaint in b->err. */
static int bench_parse(struct bench *b, int argc, char **argv)
{
	char msg[512];
	char **args = malloc(sizeof(*args) * (size_t)(argc + 1));
	int n = argc, rc;

	if (!args)
		return -ENOMEM;
	memcpy(args, argv, sizeof(*args) * (size_t)argc);
	rc = take_configs(b, &n, args);
	if (!rc && options_parse(bench_opts, &b->o, n, args, msg, sizeof(msg))) {
		snprintf(b->err, sizeof(b->err), "%s", msg);
		rc = -EINVAL;
	}
	free(args);
	if (rc || b->o.help)
		return rc;
	if (b->o.common) {
		b->common = strdup(b->o.common);
		if (!b->common)
			return -ENOMEM;
	}
	if (b->o.configs) {
		rc = read_config_file(b, b->o.configs);
		if (rc)
			return rc;
	}
	return prepare_configs(b);
}

static void catch_signals(sigset_t *old_mask)
{
	struct sigaction sa;
	sigset_t chld;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_bench_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* SIGCHLD stays blocked so that sigtimedwait can wait for a child with a deadline */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, old_mask);
}

int cmd_bench(int argc, char **argv)
{
	struct bench *b = calloc(1, sizeof(*b));
	struct calibration cal;
	sigset_t old_mask;
	char err[512];
	ssize_t len;
	int code = EXIT_USAGE, rc;

	if (!b) {
		fprintf(stderr, "evopar bench: out of memory\n");
		return EXIT_FAILED;
	}
	b->o = (struct bench_options){ .repeat = 5, .warmup = 1, .timeout_s = 3600, .sample_ms = 20,
				       .out = "-" };
	/* before the configurations: a search configuration is checked by running this binary */
	len = readlink("/proc/self/exe", b->self_exe, sizeof(b->self_exe) - 1);
	b->self_exe[len > 0 ? len : 0] = 0;
	rc = bench_parse(b, argc, argv);
	if (rc) {
		fprintf(stderr, "evopar bench: %s\n", rc == -ENOMEM ? "out of memory" : b->err);
		goto free_bench;
	}
	if (b->o.help) {
		usage(stdout);
		code = 0;
		goto free_bench;
	}
	code = EXIT_FAILED;
	if (output_open(&b->out, b->o.out, err, sizeof(err))) {
		fprintf(stderr, "evopar bench: %s\n", err);
		goto free_bench;
	}
	/* the runs must not inherit the bench file */
	fcntl(fileno(b->out.f), F_SETFD, FD_CLOEXEC);
	sigprocmask(SIG_SETMASK, NULL, &old_mask);
	if (make_tmpdir(b))
		goto fail;
	catch_signals(&old_mask);
	b->t_start = now_s();
	if (calibrate_measure(&cal, b->self_exe, b->err, sizeof(b->err)))
		goto fail;
	calibrate_write(&b->jw, &cal);
	output_write(&b->out, &b->jw);
	write_bench_record(b);
	rc = bench_all(b, &old_mask);
	show_progress(b, 0, 0, 0, 1);
	write_end_record(b, rc);
	if (rc && rc != -EINTR)
		goto fail;
	/* an interrupted bench keeps what it measured: the file is valid, only shorter */
	if (output_commit(&b->out, err, sizeof(err))) {
		fprintf(stderr, "evopar bench: %s\n", err);
		goto restore_signals;
	}
	code = rc == -EINTR ? EXIT_INTERRUPTED : b->runs_failed ? EXIT_FAILED : 0;
	if (b->runs_failed)
		fprintf(stderr, "evopar bench: %d of %d runs failed; their bench_run records say how\n",
			b->runs_failed, b->runs_done);
	if (rc == -EINTR)
		fprintf(stderr, "evopar bench: interrupted by signal %d after %d runs\n",
			(int)bench_stop, b->runs_done);
	goto restore_signals;
fail:
	fprintf(stderr, "evopar bench: %s\n", b->err);
	output_discard(&b->out);
restore_signals:
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	remove_tmpdir(b);
free_bench:
	bench_free(b);
	return code;
}
