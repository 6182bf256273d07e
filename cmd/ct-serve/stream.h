/* stream: certificate records in, messages out. Standard input is read
 * a turn at a time; each record is parsed once, kept as the latest and
 * among the recent ones, run through the filters, derived and framed
 * once per form and protocol that someone listens to, and queued for
 * its clients (written before the loop sleeps). Also the heartbeat, and
 * --positions, each log's highest cert_index handed on. */
#ifndef CTSERVE_STREAM_H
#define CTSERVE_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "server.h"

/* Set up what the settings ask for: the ring of --recent certificates,
 * --positions from the file a previous run left. */
void stream_init(struct server *s);

/* Read standard input (at most 1 MiB a turn, so clients are written
 * between turns even when it never pauses) and hand on its records; at
 * its end, stdin_open is cleared. */
void stream_input(struct server *s);

/* (Re)start the heartbeat timer: due when nothing was sent for
 * --heartbeat. Called again when a reload may have changed it. */
void stream_heartbeat_arm(struct server *s);

/* The most recent certificate whose SHA-256 (len 32) or SHA-1 (len 20)
 * digest is want, or NULL. Valid until the next record. */
const struct recent *stream_recent(const struct server *s,
				   const uint8_t *want, size_t len);
/* Certificates the ring holds now. */
size_t stream_recent_kept(const struct server *s);

/* Write --positions now if it has changed: 0, or -1 if it could not be
 * written (reported). */
int stream_positions_flush(struct server *s);

/* Free what stream_init and the records took. */
void stream_free(struct server *s);

#endif
