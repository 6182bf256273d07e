/* ct-serve's options: every default in the table is a valid value; each
 * kind of value is set or refused with the reason; a config file's key
 * is a long option but --config; the restart-only settings are kept. */
#include <string.h>

#include "../../cmd/ct-serve/options.h"
#include "tap.h"

static int set(struct opts *o, int id, const char *arg, char *err)
{
	err[0] = '\0';
	return opts_set(o, id, arg, err, 200);
}

int main(void)
{
	struct opts o = { 0 };
	char err[200];
	int all = 1;
	for (int id = 0; id < O_NOPTS; id++)
		if (opt_table[id].def && set(&o, id, opt_table[id].def, err) < 0)
			all = 0;
	ok(all && o.heartbeat_ms == 15000 && o.queue_bytes == 4194304 &&
		   o.max_clients == 10000 && o.deflate == 1 &&
		   !strcmp(o.listen, "127.0.0.1:8080"),
	   "every default is valid, and set");

	ok(set(&o, O_HEARTBEAT, "300ms", err) == 0 && o.heartbeat_ms == 300,
	   "a duration");
	ok(set(&o, O_WRITE_TIMEOUT, "50ms", err) < 0 &&
		   !strcmp(err, "'50ms' is shorter than 100ms"),
	   "a duration too short: %s", err);
	ok(set(&o, O_QUEUE, "12", err) < 0 &&
		   !strcmp(err, "12 is out of range (65536 to 17179869184)"),
	   "a number out of range: %s", err);
	ok(set(&o, O_EXIT_ON_EOF, NULL, err) == 0 && o.exit_on_eof == 1 &&
		   set(&o, O_EXIT_ON_EOF, "off", err) == 0 && !o.exit_on_eof,
	   "a flag, and a switch from a file");
	ok(set(&o, O_WAIT_FOR_CLIENT, "maybe", err) < 0 &&
		   !strcmp(err, "'maybe' is not true or false"),
	   "not a switch: %s", err);
	ok(set(&o, O_AUTH_HEADER, "X-Key: 1", err) < 0 &&
		   set(&o, O_AUTH_HEADER, "X-Key", err) == 0 &&
		   !strcmp(o.auth_header, "X-Key"),
	   "a header name");
	ok(set(&o, O_TRUSTED_PROXY, "::1", err) == 0 &&
		   set(&o, O_TRUSTED_PROXY, "proxy.example", err) < 0 &&
		   o.nproxies == 1,
	   "an IP address, not a name: %s", err);
	size_t before = o.ntokens;
	ok(set(&o, O_TOKEN, "", err) < 0 && set(&o, O_TOKEN, "t", err) == 0 &&
		   o.ntokens == before + 1,
	   "tokens: not empty, repeatable");
	ok(set(&o, O_CONFIG, "x", err) < 0, "--config is not a setting");

	ok(opts_id("tcp-full") == O_TCP_FULL && opts_id("config") == -1 &&
		   opts_id("nope") == -1 && opts_id("listen") == O_LISTEN,
	   "keys are long options, but config");

	struct opts run = o, next = o;
	next.listen = "0.0.0.0:1";
	next.recent = run.recent + 1;
	next.wait_client = !run.wait_client;
	next.heartbeat_ms = 1234;
	ok(opts_keep(&next, &run, O_LISTEN) == 1 && next.listen == run.listen,
	   "a changed listen address is kept as it runs");
	ok(opts_keep(&next, &run, O_RECENT) == 1 &&
		   next.recent == run.recent &&
		   opts_keep(&next, &run, O_WAIT_FOR_CLIENT) == 1 &&
		   next.wait_client == run.wait_client,
	   "so are recent and wait-for-client");
	ok(opts_keep(&next, &run, O_TCP) == 0 &&
		   opts_keep(&next, &run, O_HEARTBEAT) == 0 &&
		   next.heartbeat_ms == 1234,
	   "unchanged: 0; a setting that reloads is left alone");
	return tap_done();
}
