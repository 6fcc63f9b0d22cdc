/*
 * harness/records/: what every command writes. record.h is the JSON Lines writer and the
 * output file (a temp name renamed into place only when whole); meta.h the `meta` record
 * (machine, build, config); summary.h the one `summary` writer every command fills.
 * Including this header includes them all.
 */
#ifndef EVOPAR_RECORDS_H
#define EVOPAR_RECORDS_H

#include "harness/records/meta.h"
#include "harness/records/record.h"
#include "harness/records/summary.h"

#endif
