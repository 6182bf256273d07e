/* options: ct-serve's option table (the command line and the keys of
 * a config file alike), each option's default in it, and setting one
 * into a struct opts. Pure: nothing printed, nothing kept. */
#ifndef CTSERVE_OPTIONS_H
#define CTSERVE_OPTIONS_H

#include <stddef.h>

#include "cli.h"
#include "server.h"

enum opt_id {
	O_LISTEN,
	O_TCP,
	O_TCP_FULL,
	O_TCP_DOMAINS,
	O_TOKEN,
	O_AUTH_HEADER,
	O_HEARTBEAT,
	O_QUEUE,
	O_WRITE_TIMEOUT,
	O_MAX_CLIENTS,
	O_EXIT_ON_EOF,
	O_MAX_PER_IP,
	O_ACCEPT_RATE,
	O_TRUSTED_PROXY,
	O_FETCH_STATS,
	O_POSITIONS,
	O_WAIT_FOR_CLIENT,
	O_BACKPRESSURE,
	O_RECENT,
	O_RECENT_BYTES,
	O_CONFIG,
	O_DEFLATE,
	O_TLS_CERT,
	O_TLS_KEY,
	O_NOPTS
};

extern const struct ct_opt opt_table[O_NOPTS];

/* Set option idx from arg, which must outlive o (NULL for a flag without
 * a value given on the command line). 0, or -1 with the reason (without
 * the option's name) in err. */
int opts_set(struct opts *o, int idx, const char *arg, char *err, size_t n);

/* The id of the option called name (a config file's key), or -1; --config
 * is not one there. */
int opts_id(const char *name);

/* For a setting that takes effect on restart only (listen, tcp,
 * tcp-full, tcp-domains, recent, wait-for-client, positions): put the
 * running value of id back into o; 1 if o had another, else 0. */
int opts_keep(struct opts *o, const struct opts *running, int id);

#endif
