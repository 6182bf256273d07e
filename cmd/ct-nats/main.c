/* ct-nats: carry NDJSON lines over NATS: `pub` publishes each line of
 * standard input, `sub` writes each message as a line. With --stream
 * they use JetStream (acknowledged publishes, de-duplicated by
 * Nats-Msg-Id; durable pull consumers, acknowledged once written);
 * without it, core NATS (at most once, to whoever listens). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "ctnats.h"
#include "diag.h"
#include "js.h"
#include "nats.h"
#include "sig.h"

enum opt_id {
	O_SERVER,
	O_STREAM,
	O_DURABLE,
	O_PER_LOG,
	O_REPLICAS,
	O_MAX_AGE,
	O_MAX_BYTES,
	O_DUP_WINDOW,
	O_MAX_PENDING,
	O_ACK_TIMEOUT,
	O_BATCH,
	O_ACK_WAIT,
	O_DELIVER,
	O_REWIND,
	O_DRAIN,
	O_COUNT,
	O_QUEUE,
	O_GIVE_UP,
	O_CONNECT_TIMEOUT,
	O_CACERT,
	O_QUIET,
	O_UNBUFFERED,
	O_NOPTS
};

static const struct ct_opt opt_table[O_NOPTS] = {
	[O_SERVER] = { "server", 's', "URL[,URL...]", "NATS servers, tried in turn (nats:// or tls://, user:password@ or token@)", "nats://127.0.0.1:4222" },
	[O_STREAM] = { "stream", 0, "NAME", "use JetStream: this stream (pub creates it if missing)", NULL },
	[O_DURABLE] = { "durable", 0, "NAME", "sub: the durable consumer (same name: share the work; another: get everything)", NULL },
	[O_PER_LOG] = { "per-log", 0, NULL, "pub: publish on SUBJECT.<log> (the record's log URL as a token)", NULL },
	[O_REPLICAS] = { "replicas", 0, "N", "pub: replicas of a stream it creates (1 to 5)", "1" },
	[O_MAX_AGE] = { "max-age", 0, "DURATION", "pub: a stream it creates keeps messages this long (0: forever)", "24h" },
	[O_MAX_BYTES] = { "max-bytes", 0, "BYTES", "pub: a stream it creates keeps at most this much (0: no limit)", "0" },
	[O_DUP_WINDOW] = { "dup-window", 0, "DURATION", "pub: a stream it creates drops a repeated Nats-Msg-Id within this long", "2m" },
	[O_MAX_PENDING] = { "max-pending", 0, "N", "pub: publishes in flight without their acknowledgement", "512" },
	[O_ACK_TIMEOUT] = { "ack-timeout", 0, "DURATION", "pub: publish again after this long without an acknowledgement", "5s" },
	[O_BATCH] = { "batch", 0, "N", "sub: messages asked for at a time (1 to 256)", "128" },
	[O_ACK_WAIT] = { "ack-wait", 0, "DURATION", "sub: a consumer it creates redelivers what is not acknowledged in this long", "30s" },
	[O_DELIVER] = { "deliver", 0, "all|new", "sub: where a consumer it creates starts", "all" },
	[O_REWIND] = { "rewind", 0, "N", "sub: start again N messages before the first unacknowledged one (recreates the consumer)", NULL },
	[O_DRAIN] = { "drain", 0, NULL, "sub: exit once no message is left", NULL },
	[O_COUNT] = { "count", 'n', "N", "sub: exit after writing N messages", NULL },
	[O_QUEUE] = { "queue", 0, "GROUP", "sub without --stream: share the messages in this queue group", NULL },
	[O_GIVE_UP] = { "give-up", 0, "DURATION", "exit 1 after this long without a server (pub: or an acknowledgement)", NULL },
	[O_CONNECT_TIMEOUT] = { "connect-timeout", 0, "DURATION", "give up a connection attempt or a write after this long", "5s" },
	[O_CACERT] = { "cacert", 0, "FILE", "trust the CA certificates in FILE (PEM) for TLS instead of the system's", NULL },
	[O_QUIET] = { "quiet", 'q', NULL, "no line on standard error for each connection", NULL },
	[O_UNBUFFERED] = { "unbuffered", 'u', NULL, "sub: flush (and acknowledge) after every message", NULL },
};

static const struct ct_cli cli = {
	"pub [options] SUBJECT < lines\n       ct-nats sub [options] [SUBJECT] > lines",
	"Carry NDJSON lines over NATS. With --stream, JetStream: pub waits for\n"
	"each line's acknowledgement (Nats-Msg-Id from the record: repeats are\n"
	"dropped by the server), sub reads a durable consumer and acknowledges\n"
	"each message once written. Without it, core NATS: at most once.",
	opt_table, sizeof opt_table / sizeof opt_table[0]
};

static int on_opt(void *ctx, int idx, const char *arg)
{
	struct opts *o = ctx;
	const char *n = opt_table[idx].name;
	switch (idx) {
	case O_SERVER: o->servers = arg; break;
	case O_STREAM: o->stream = arg; break;
	case O_DURABLE: o->durable = arg; break;
	case O_PER_LOG: o->per_log = 1; break;
	case O_REPLICAS: o->replicas = (unsigned)ct_cli_u64(n, arg, 1, 5); break;
	case O_MAX_AGE: o->max_age_ms = ct_cli_duration_ms(n, arg); break;
	case O_MAX_BYTES: o->max_bytes = ct_cli_u64(n, arg, 0, 1ULL << 60); break;
	case O_DUP_WINDOW: o->dup_window_ms = ct_cli_duration_ms(n, arg); break;
	case O_MAX_PENDING:
		o->max_pending = (unsigned)ct_cli_u64(n, arg, 1, 65536);
		break;
	case O_ACK_TIMEOUT: o->ack_timeout_ms = ct_cli_duration_ms(n, arg); break;
	case O_BATCH: o->batch = (unsigned)ct_cli_u64(n, arg, 1, 256); break;
	case O_ACK_WAIT: o->ack_wait_ms = ct_cli_duration_ms(n, arg); break;
	case O_DELIVER:
		if (strcmp(arg, "all") && strcmp(arg, "new"))
			ct_usage_error("--deliver: 'all' or 'new', not '%s'", arg);
		o->deliver_new = !strcmp(arg, "new");
		break;
	case O_REWIND: o->rewind = ct_cli_u64(n, arg, 1, 1ULL << 50); break;
	case O_DRAIN: o->drain = 1; break;
	case O_COUNT: o->count = ct_cli_u64(n, arg, 1, 1ULL << 62); break;
	case O_QUEUE: o->queue = arg; break;
	case O_GIVE_UP: o->give_up_ms = ct_cli_duration_ms(n, arg); break;
	case O_CONNECT_TIMEOUT:
		o->connect_ms = ct_cli_duration_ms(n, arg);
		break;
	case O_CACERT: o->cacert = arg; break;
	case O_QUIET: o->quiet = 1; break;
	case O_UNBUFFERED: o->unbuffered = 1; break;
	}
	return 0;
}

/* Options of the other mode, or of JetStream without --stream, are
 * mistakes worth saying. */
static void check(const struct opts *o, int pub, int given[O_NOPTS])
{
	static const int pub_only[] = { O_PER_LOG, O_REPLICAS, O_MAX_AGE,
					O_MAX_BYTES, O_DUP_WINDOW,
					O_MAX_PENDING, O_ACK_TIMEOUT };
	static const int sub_only[] = { O_DURABLE, O_BATCH, O_ACK_WAIT,
					O_DELIVER, O_REWIND, O_DRAIN,
					O_COUNT, O_QUEUE, O_UNBUFFERED };
	const int *other = pub ? sub_only : pub_only;
	size_t n = pub ? sizeof sub_only / sizeof *sub_only
		       : sizeof pub_only / sizeof *pub_only;
	for (size_t i = 0; i < n; i++)
		if (given[other[i]])
			ct_usage_error("--%s is for ct-nats %s",
				       opt_table[other[i]].name,
				       pub ? "sub" : "pub");
	if (o->stream && !ctjs_name_ok(o->stream))
		ct_usage_error("--stream: '%s' is not a stream name", o->stream);
	if (o->durable && !ctjs_name_ok(o->durable))
		ct_usage_error("--durable: '%s' is not a consumer name",
			       o->durable);
	if (!pub && o->stream && !o->durable)
		ct_usage_error("sub --stream needs --durable NAME");
	if (!pub && !o->stream &&
	    (o->durable || o->rewind || o->drain || given[O_BATCH] ||
	     given[O_ACK_WAIT] || given[O_DELIVER]))
		ct_usage_error("--durable, --batch, --ack-wait, --deliver, "
			       "--rewind and --drain need --stream");
	if (o->stream && o->queue)
		ct_usage_error("--queue is for core NATS (without --stream): "
			       "a durable is already shared");
	if (o->ack_timeout_ms < 100 || o->connect_ms < 100)
		ct_usage_error("--ack-timeout and --connect-timeout must be "
			       "at least 100ms");
}

struct parsed {
	struct opts o;
	int given[O_NOPTS];
};

static int on_arg(void *ctx, int idx, const char *arg)
{
	struct parsed *p = ctx;
	/* defaults come first, as the table's own strings; anything else
	 * is from the command line */
	if (arg != opt_table[idx].def || !arg)
		p->given[idx] = 1;
	return on_opt(&p->o, idx, arg);
}

int main(int argc, char **argv)
{
	static struct parsed p;
	ct_cli_checkfds();
	int i = ct_cli_parse(&cli, argc, argv, on_arg, &p);
	if (i >= argc)
		ct_usage_error("pub or sub?");
	int pub = !strcmp(argv[i], "pub");
	if (!pub && strcmp(argv[i], "sub"))
		ct_usage_error("'%s': pub or sub?", argv[i]);
	if (argc - i > 2)
		ct_usage_error("one SUBJECT");
	p.o.subject = argc - i == 2 ? argv[i + 1] : NULL;
	if (!p.o.subject && (pub || !p.o.stream))
		ct_usage_error("no SUBJECT");
	if (p.o.subject &&
	    !ctnats_subject_ok(p.o.subject, strlen(p.o.subject), !pub))
		ct_usage_error("'%s' is not a subject%s", p.o.subject,
			       pub ? " to publish to (no wildcards)" : "");
	check(&p.o, pub, p.given);
	ct_sig_setup(1, -1);
	return pub ? pub_main(&p.o) : sub_main(&p.o);
}
