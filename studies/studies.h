/*
 * The studies room: `evopar study NAME [options]` measures the claims of one study document
 * on this machine and writes JSON Lines records that `evopar report` turns into a section with
 * verdicts. A study is a table entry here and files studies/NAME*.c; it may use proc/ and the
 * harness's options and record writers, and nothing above them.
 */
#ifndef EVOPAR_STUDIES_H
#define EVOPAR_STUDIES_H

struct study {
	const char *name;          /* as typed after `evopar study` */
	int (*run)(int argc, char **argv);    /* the options after NAME; returns the exit code */
	const char *summary;       /* one line for `evopar study --help` */
};

/* the `study` command (studies/study.c): the study named by argv[0], or the list */
int cmd_study(int argc, char **argv);

/* studies/sync_cmd.c: document 002, the actor-learner's synchronisation costs */
int study_sync_main(int argc, char **argv);
/* studies/model_cmd.c: evopar advise's predictions against measurement */
int study_model_main(int argc, char **argv);

#endif
