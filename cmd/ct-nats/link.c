/* link: keep a connection to one of the servers up (see ctnats.h). */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "ctnats.h"
#include "diag.h"
#include "js.h"
#include "sig.h"

void link_init(struct link *l, const struct opts *o)
{
	memset(l, 0, sizeof *l);
	l->o = o;
	struct ctnatscl_opts co = {
		.servers = o->servers,
		.name = "ct-nats",
		.token = getenv("NATS_TOKEN"),
		.user = getenv("NATS_USER"),
		.pass = getenv("NATS_PASSWORD"),
		.cafile = o->cacert,
		.timeout_ms = (int64_t)o->connect_ms,
		.ping_ms = 5000,
		.max_msg = (size_t)64 << 20,
	};
	char err[300];
	l->cl = ctnatscl_new(&co, err, sizeof err);
	if (!l->cl)
		ct_usage_error("--server: %s", err);
	l->down_since = ct_now_ms();
	l->backoff_ms = 100;
}

void link_free(struct link *l)
{
	ctnatscl_free(l->cl);
	l->cl = NULL;
}

void link_sleep(int64_t ms)
{
	int64_t end = ct_now_ms() + ms;
	while (!ct_sig_stop) {
		int64_t left = end - ct_now_ms();
		if (left <= 0)
			break;
		poll(NULL, 0, (int)left);
	}
}

/* Say err, unless it was the last thing said less than 30 s ago. */
static void say(struct link *l, const char *err, const char *tail)
{
	int64_t now = ct_now_ms();
	if (!strcmp(err, l->said) && now - l->said_at < 30000)
		return;
	snprintf(l->said, sizeof l->said, "%s", err);
	l->said_at = now;
	ct_warnx("%s%s", err, tail);
}

void link_lost(struct link *l, const char *err)
{
	if (l->down_since < 0)
		l->down_since = ct_now_ms();
	l->said[0] = 0;
	say(l, err, "; reconnecting");
}

int link_up(struct link *l)
{
	char err[400];
	for (;;) {
		if (ct_sig_stop)
			return -1;
		int wrapped = 0;
		if (ctnatscl_connect(l->cl, &wrapped, err, sizeof err) == 0) {
			int64_t now = ct_now_ms();
			if (!l->o->quiet && l->connects)
				ct_warnx("connected to %s after %.1fs",
					 ctnatscl_url(l->cl),
					 (double)(now - l->down_since) / 1000);
			else if (!l->o->quiet)
				ct_warnx("connected to %s", ctnatscl_url(l->cl));
			l->connects++;
			l->down_since = -1;
			l->backoff_ms = 100;
			l->said[0] = 0;
			return 0;
		}
		if (ct_sig_stop)
			return -1;
		if (l->down_since < 0)
			l->down_since = ct_now_ms();
		say(l, err, "");
		int64_t down = ct_now_ms() - l->down_since;
		if (l->o->give_up_ms && down >= (int64_t)l->o->give_up_ms) {
			ct_warnx("no server answered for %.1fs: giving up",
				 (double)down / 1000);
			return -1;
		}
		if (wrapped) {
			link_sleep(l->backoff_ms);
			l->backoff_ms = l->backoff_ms * 2 > 2000
						? 2000
						: l->backoff_ms * 2;
		}
	}
}

/* Gave up? (said) */
static int gave_up(struct link *l, int64_t since)
{
	int64_t t = ct_now_ms() - since;
	if (!l->o->give_up_ms || t < (int64_t)l->o->give_up_ms)
		return 0;
	ct_warnx("no answer from JetStream for %.1fs: giving up",
		 (double)t / 1000);
	return 1;
}

/* JetStream answers that pass: 503; 10008, "JetStream system temporarily
 * unavailable"; 10005, "no suitable peers for placement", which a
 * cluster still forming (its metadata leader not yet knowing enough
 * peers) gives to a stream of several replicas. Each is asked again,
 * within --give-up. */
static int transient(unsigned code, unsigned err_code)
{
	return code == 503 || err_code == 10008 || err_code == 10005;
}

int link_api(struct link *l, const char *subject, const struct ctbuf *body,
	     struct ctbuf *reply)
{
	char err[400];
	int64_t since = ct_now_ms();
	for (;;) {
		if (!ctnatscl_connected(l->cl) && link_up(l) < 0)
			return -1;
		ctbuf_reset(reply);
		int r = ctnatscl_request(l->cl, subject, body ? body->p : "",
					 body ? body->len : 0, 5000, reply, err,
					 sizeof err);
		unsigned code = 0, ec = 0;
		struct ct_bytes d;
		if (r == 0 && (ctjs_api_error(reply->p, reply->len, &code, &ec,
					      &d) != 1 ||
			       !transient(code, ec)))
			return 0;
		if (ct_sig_stop)
			return -1;
		if (r == 0)
			snprintf(err, sizeof err, "%s: %.*s", subject,
				 (int)(d.len > 200 ? 200 : d.len), d.p);
		if (!ctnatscl_connected(l->cl)) {
			link_lost(l, err);
			continue;
		}
		if (r < 0) {
			/* no answer at all: this server may be stuck (it
			 * would not answer our PINGs either); another one */
			ctnatscl_disconnect(l->cl);
			link_lost(l, err);
			if (gave_up(l, since))
				return -1;
			continue;
		}
		say(l, err, "; asking again");
		if (gave_up(l, since))
			return -1;
		link_sleep(1000);
	}
}
