/*
 * The progress line and the summary line of the commands (see cli.h): one format for all,
 * so that a person reads every command's end the same way.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness/cli.h"

void cli_progress(int quiet, const char *fmt, ...)
{
	va_list ap;

	if (quiet || !isatty(STDERR_FILENO))
		return;
	fputc('\r', stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	/* erase what is left of a longer line before it, and nothing else */
	fputs("\033[K", stderr);
	fflush(stderr);
}

void cli_progress_end(int quiet)
{
	if (quiet || !isatty(STDERR_FILENO))
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
}

void cli_summary(int quiet, const char *cmd, const struct cli_end *e)
{
	char where[4200];

	if (quiet)
		return;
	/* stdout to a pipe is written when its buffer fills or at exit: flushed first, the
	   summary comes after the table where a user sends both streams to one place */
	fflush(stdout);
	if (!e->written)
		snprintf(where, sizeof(where), "no %s written", e->what);
	else if (!strcmp(e->out, "-"))
		snprintf(where, sizeof(where), "%s on stdout", e->what);
	else
		snprintf(where, sizeof(where), "%s in %s", e->what, e->out);
	/* three digits of a short run's time, tenths of a long one's */
	fprintf(stderr, "evopar %s: %s in %.*f s; %s%s%s; %s\n", cmd, e->status,
		e->wall_s < 10 ? 3 : 1, e->wall_s,
		e->figure, e->digest ? "; digest " : "", e->digest ? e->digest : "", where);
}
