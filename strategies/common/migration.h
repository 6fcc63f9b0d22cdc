/*
 * Island migration files: a small header, the migrants in the network wire format and a
 * CRC-32 over the whole file, written to a temp name and renamed so readers see all or none.
 */
#ifndef EVOPAR_MIGRATION_H
#define EVOPAR_MIGRATION_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "engine/net.h"

/*
 * Layout, little-endian: "EVMG", u16 version, u16 flags (0), u32 island, u32 generation,
 * u32 count, u32 payload bytes, the payload (count networks, serial.h), u32 CRC-32 of all
 * bytes before it. Files are named island-I-gen-G.mig.
 */
#define MIGRATION_MAGIC "EVMG"
#define MIGRATION_VERSION 1
#define MIGRATION_HEADER 24
#define MIGRATION_MAX_BYTES (256u << 20)   /* a bigger file is not ours: refuse it */

/* A migration file seen in a directory. */
struct migration_file {
	int gen;                   /* from the name */
	struct timespec mtime;     /* when it was renamed into place */
};

void migration_path(char *buf, size_t len, const char *dir, int island, int gen);
/* the whole file in memory (also an MPI message's payload); *len gets its size; NULL: no memory */
uint8_t *migration_encode(int island, int gen, const struct net *const *nets, int count,
			  size_t *len);
/* write nets[0..count) as island's file for gen; 0 or -errno with a message */
int migration_write(const char *dir, int island, int gen, const struct net *const *nets,
		    int count, char *err, size_t errlen);
/*
 * Decode a whole file: check header, length and checksum, then up to max networks into
 * nets[] (arrays reused). island >= 0 must match the header. 0 or -errno with a message.
 */
int migration_decode(const uint8_t *buf, size_t len, int island, struct net *nets, int max,
		     int *count, int *gen, char *err, size_t errlen);
int migration_read(const char *path, int island, struct net *nets, int max, int *count,
		   int *gen, char *err, size_t errlen);
/* island's files in dir, newest first (by mtime, then generation); *files is malloc'ed */
int migration_list(const char *dir, int island, struct migration_file **files, int *n,
		   char *err, size_t errlen);
/* 1 if a is newer than b: later mtime, or the same mtime and a later generation */
int migration_newer(const struct migration_file *a, const struct migration_file *b);
/* remove the temp files that processes pids[0..n) left in dir (killed mid-write) */
void migration_tidy(const char *dir, const long *pids, int n);
/* remove dir and the files in it (a directory this run made for itself) */
int migration_remove_dir(const char *dir);

#endif
