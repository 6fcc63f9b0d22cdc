/*
 * Island migration files: a small header naming the run they belong to, the migrants in the
 * network wire format and a CRC-32 over the whole file, written to a temp name and linked or
 * renamed into place so readers see all or none.
 */
#ifndef EVOPAR_MIGRATION_H
#define EVOPAR_MIGRATION_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "engine/net.h"

/*
 * Layout, little-endian: "EVMG", u16 version, u16 flags (0), u32 island, u32 generation,
 * u32 count, u32 payload bytes, 32 bytes of run identity (NUL-padded; empty in an MPI
 * message), the payload (count networks, serial.h), u32 CRC-32 of all bytes before it.
 * Version 1 had no run identity. A file is named island-I-gen-G.mig; where that name holds
 * another run's file, island-I-gen-G.RUN.mig, so runs sharing a directory never replace each
 * other's files.
 */
#define MIGRATION_MAGIC "EVMG"
#define MIGRATION_VERSION 2
#define MIGRATION_RUN_BYTES 32
#define MIGRATION_RUN_MAX (MIGRATION_RUN_BYTES - 1)   /* characters of a run identity */
#define MIGRATION_HEADER (24 + MIGRATION_RUN_BYTES)
#define MIGRATION_MAX_BYTES (256u << 20)   /* a bigger file is not ours: refuse it */

/* A migration file seen in a directory. */
struct migration_file {
	int gen;                   /* from the name */
	struct timespec mtime;     /* when it was renamed into place */
	char run[MIGRATION_RUN_BYTES];   /* the run its name gives; "": the plain name */
};

/* What a file's header says. */
struct migration_head {
	int island, gen, count;
	char run[MIGRATION_RUN_BYTES];   /* "": none (an MPI message) */
};

/* 0 if id can name a run: 1 to MIGRATION_RUN_MAX of A-Z a-z 0-9 _ -; else a message */
int migration_run_check(const char *id, char *err, size_t errlen);
/* a fresh run identity, unlike any other run's: 16 hex digits of pid, time and a random draw */
void migration_run_fresh(char run[MIGRATION_RUN_BYTES]);

/* island's file for gen in dir: the plain name with run NULL or "", else run's own name */
void migration_path(char *buf, size_t len, const char *dir, int island, int gen, const char *run);
/* the whole file in memory (also an MPI message's payload, with no run identity); *len gets
   its size; NULL: no memory */
uint8_t *migration_encode(int island, int gen, const struct net *const *nets, int count,
			  size_t *len);
/*
 * Write nets[0..count) as run's file of island for gen: under the plain name, unless that
 * holds another run's file, then under run's own name. 0 or -errno with a message.
 */
int migration_write(const char *dir, const char *run, int island, int gen,
		    const struct net *const *nets, int count, char *err, size_t errlen);
/*
 * Decode a whole file: check header, length and checksum, then up to max networks into
 * nets[] (arrays reused). island >= 0 must match the header. 0 or -errno with a message.
 */
int migration_decode(const uint8_t *buf, size_t len, int island, struct net *nets, int max,
		     int *count, int *gen, char *err, size_t errlen);
/* read and decode the file at path; head gets its header (head->count: networks kept) */
int migration_read(const char *path, int island, struct net *nets, int max,
		   struct migration_head *head, char *err, size_t errlen);
/* island's files in dir, of every run, newest first (by mtime, then generation); *files is
   malloc'ed */
int migration_list(const char *dir, int island, struct migration_file **files, int *n,
		   char *err, size_t errlen);
/* 1 if a is newer than b: later mtime, or the same mtime and a later generation */
int migration_newer(const struct migration_file *a, const struct migration_file *b);
/* remove the temp files that processes pids[0..n) left in dir (killed mid-write) */
void migration_tidy(const char *dir, const long *pids, int n);

#endif
