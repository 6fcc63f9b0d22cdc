/*
 * The configurations of `evopar bench`: --config, --configs FILE and --common taken apart
 * into words, each checked by the parser of the command it runs (a search one by running
 * `evopar search ... --help`), and a label derived for those not given one.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc/child.h"
#include "harness/bench.h"
#include "harness/options.h"

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
	FILE *f = options_open_input("configs", path, b->err, sizeof(b->err));
	char *line = NULL;
	size_t cap = 0;
	int n = 0, rc = 0;

	if (!f)
		return -EINVAL;
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
		free(w[k]);             /* `evopar` and the subcommand: bench_one puts them back */
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
	struct child ch;
	int fds[2], k, rc;
	ssize_t got;

	if (!argv || pipe2(fds, O_CLOEXEC)) {
		free(argv);
		snprintf(b->err, sizeof(b->err), "%s: cannot check: %s", from, strerror(errno));
		return -EIO;
	}
	argv[0] = "evopar";
	argv[1] = (char *)c->command;
	for (k = 0; k < c->argc; k++)
		argv[k + 2] = c->argv[k];
	argv[k + 2] = "--help";
	child_init(&ch);
	ch.argv = argv;
	ch.exe = b->self_exe;
	ch.std_out = CHILD_NULL;
	ch.std_err = fds[1];        /* its complaint, if any, is its first line there */
	ch.pgid = -1;
	rc = child_start(&ch, msg, sizeof(msg));
	close(fds[1]);
	got = rc ? -1 : read(fds[0], msg, sizeof(msg) - 1);
	if (got >= 0)
		msg[got] = 0;
	msg[strcspn(msg, "\n")] = 0;
	close(fds[0]);
	if (!rc && child_wait(&ch, -1))
		child_end(&ch, 0);
	free(argv);
	if (!rc && child_exit_code(&ch) == 0)
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
	if (options_parse(run_opts, &c->ro, c->argc, c->argv, msg, sizeof(msg)) ||
	    run_options_check(&c->ro, msg, sizeof(msg))) {
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

/* Options and configurations (see bench.h). */
int bench_parse(struct bench *b, int argc, char **argv)
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
	rc = prepare_configs(b);
	return rc ? rc : bench_rounds_prepare(b);
}

void bench_configs_free(struct bench *b)
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
}
