/* config: the running configuration. At startup, the option table's
 * defaults, then --config FILE (key = value lines, the long options'
 * names), then the flags, which win; at each reload (SIGHUP, or the file
 * changed) the same again. A reload that fails is reported and the
 * running configuration stays; what needs new sockets or memory waits
 * for a restart (reported). Also the TLS context, made afresh at each
 * load, so a renewed certificate is picked up. */
#ifndef CTSERVE_CONFIG_H
#define CTSERVE_CONFIG_H

#include "server.h"

/* Record an option from the command line (ct_cli_parse's callback; ctx
 * the server): a default goes under everything, a flag over it. A bad
 * value is a usage error (exit 2). */
int config_option(void *ctx, int idx, const char *arg);

/* Load the configuration. startup: an error exits 2. force: report a
 * reload even when the file has not changed (SIGHUP). */
void config_load(struct server *s, int startup, int force);

/* Watch the directory of --config for changes: s->inotify, or -1 (none,
 * or the watch could not be set up: reported, SIGHUP still reloads). */
void config_watch(struct server *s);

/* The watched directory changed: reload once changes have settled. */
void config_changed(struct server *s);

/* SIGHUP: reload (or say there is nothing to reload). */
void config_hup(struct server *s);

void config_free(struct server *s);

#endif
