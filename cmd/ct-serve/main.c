/* ct-serve: serve certificate records from stdin to many clients over
 * WebSocket, SSE and raw TCP, in the certstream format.
 *
 * One event loop (lib/evloop). Each input line (a full certificate
 * record) is turned into the lite and domains-only forms once, and each
 * form is framed once per protocol into a reference-counted buffer that
 * every client of that kind queues; nothing is derived for a stream
 * nobody listens to. A client's queue is bounded: past the limit it
 * skips messages (counted), and a client that makes no write progress
 * for the write timeout is disconnected, so a client that never reads
 * costs at most its queue limit and slows nobody.
 *
 * This file: setting up, the loop's callbacks (each hands the work to
 * the file that does it: see server.h), and tearing down. */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"
#include "client.h"
#include "clock.h"
#include "config.h"
#include "diag.h"
#include "http.h"
#include "net.h"
#include "options.h"
#include "server.h"
#include "sig.h"
#include "stream.h"
#include "wsconn.h"

static const struct ct_cli cli = {
	"[options] < certificate-records",
	"Serve certificate records from standard input over WebSocket (/,\n"
	"/full-stream, /domains-only), SSE (/sse?stream=) and raw TCP.",
	opt_table, O_NOPTS
};

static struct server *srv; /* the one server, for the loop's callbacks */

static void on_client(struct ctev *ev, struct ctev_io *io, int ready)
{
	struct server *s = srv;
	struct client *c = (struct client *)io;
	(void)ev;
	if (ready & CTEV_WRITE && client_flush(s, c) < 0)
		return;
	/* a TLS read may wait for the socket to be writable */
	if (!(ready & CTEV_READ) && !(c->ssl && ready & CTEV_WRITE))
		return;
	if (c->st == C_HTTP && !c->close_after)
		http_readable(s, c);
	else if (c->st == C_WS)
		ws_readable(s, c);
	else
		client_drain(s, c); /* SSE, TCP, or answered already */
}

static void on_accept(struct ctev *ev, struct ctev_io *io, int ready)
{
	struct server *s = srv;
	int tcp_stream = io == &s->lio ? -1 : (int)(io - s->tio);
	(void)ev;
	(void)ready;
	for (;;) {
		char ip[INET6_ADDRSTRLEN];
		int fd = ctnet_accept(io->fd, ip, sizeof ip);
		if (fd < 0)
			return;
		if (http_refuse(s, fd, tcp_stream, ip))
			continue;
		struct client *c = client_new(s, fd, ip,
					      tcp_stream < 0 ? s->tls : NULL,
					      on_client);
		if (c && tcp_stream >= 0)
			client_join(s, c, C_TCP, (enum stream)tcp_stream,
				    P_TCP);
	}
}

static void on_stdin(struct ctev *ev, struct ctev_io *io, int ready)
{
	(void)ev;
	(void)io;
	(void)ready;
	stream_input(srv);
}

/* A regular file is always ready (epoll refuses it): read it a turn a
 * round, without sleeping in between. */
static int64_t on_stdin_file(struct ctev *ev, void *ctx)
{
	(void)ev;
	stream_input(ctx);
	return 0;
}

/* The queue of the client furthest behind, in bytes. */
static size_t most_queued(const struct server *s)
{
	size_t most = 0;
	for (const struct client *c = clients_first(s); c;
	     c = clients_next(s, c))
		if (c->qbytes > most)
			most = c->qbytes;
	return most;
}

/* Read standard input only while it may go somewhere: with
 * --wait-for-client from the first subscriber on (nothing is broadcast
 * to nobody after a restart), and with --backpressure not while a client
 * has more than that queued (the input waits in its pipe instead of
 * being lost). */
static void input_control(struct server *s)
{
	if (!s->reading)
		s->reading = !s->o.wait_client || clients_count(s, -1, -1);
	int want = s->reading && s->stdin_open &&
		   !(s->o.backpressure && most_queued(s) > s->o.backpressure);
	if (want == s->stdin_on)
		return;
	s->stdin_on = want;
	if (want && !s->stdin_file &&
	    ctev_add(s->ev, &s->stdinio, 0, CTEV_READ, on_stdin) < 0)
		s->stdin_file = 1; /* a regular file: read as we go */
	if (want && s->stdin_file)
		s->stdin_timer = ctev_timer_add(s->ev, 0, on_stdin_file, s);
	else if (!want && s->stdin_file)
		ctev_timer_del(s->ev, s->stdin_timer);
	else if (!want)
		ctev_del(s->ev, &s->stdinio);
}

static void on_signal(struct ctev *ev, struct ctev_io *io, int ready)
{
	char junk[64];
	(void)ready;
	while (read(io->fd, junk, sizeof junk) > 0)
		;
	if (ct_sig_hup) {
		ct_sig_hup = 0;
		config_hup(srv);
	}
	if (ct_sig_stop)
		ctev_stop(ev);
}

static void on_inotify(struct ctev *ev, struct ctev_io *io, int ready)
{
	char evb[4096];
	(void)ev;
	(void)ready;
	while (read(io->fd, evb, sizeof evb) > 0)
		;
	config_changed(srv);
}

/* Before the loop sleeps: write what the round queued, free the clients
 * it dropped, start or stop reading the input; with --exit-on-eof, leave
 * once the input is over and every queue is written (or after 5 s). */
static void before_sleep(struct ctev *ev, void *ctx)
{
	struct server *s = ctx;
	if (s->unflushed) {
		s->unflushed = 0;
		clients_flush(s);
	}
	clients_bury(s);
	input_control(s);
	if (!s->stdin_open && s->o.exit_on_eof) {
		const struct client *c = clients_first(s);
		while (c && !c->qn)
			c = clients_next(s, c);
		if (!c || ct_now_ms() - s->eof_ms > 5000)
			ctev_stop(ev);
	}
}

static void watch(struct server *s, struct ctev_io *io, int fd,
		  void (*fn)(struct ctev *ev, struct ctev_io *io, int ready))
{
	if (ctev_add(s->ev, io, fd, CTEV_READ, fn) < 0)
		ct_die(CT_EXIT_RUNTIME, "epoll_ctl");
}

static int listen_on(const char *spec)
{
	struct ctnet_addr a;
	char err[600];
	if (ctnet_parse(spec, &a, err, sizeof err) < 0)
		ct_usage_error("%s", err);
	int fd = ctnet_listen(&a, 1024);
	if (fd < 0)
		ct_die(CT_EXIT_RUNTIME, "cannot listen on %s", spec);
	ct_warnx("listening on %s:%u", a.host, ctnet_port(fd));
	return fd;
}

/* The loop, the listeners, the signals, the config file's watch. */
static void setup(struct server *s)
{
	if (pipe2(s->sigpipe, O_NONBLOCK | O_CLOEXEC) < 0)
		ct_die(CT_EXIT_RUNTIME, "pipe");
	ct_sig_setup(1, s->sigpipe[1]);
	s->ev = ctev_new();
	if (!s->ev)
		ct_die(CT_EXIT_RUNTIME, "epoll_create");
	watch(s, &s->lio, listen_on(s->o.listen), on_accept);
	for (int st = 0; st < NSTREAM; st++)
		if (s->o.tcp[st])
			watch(s, &s->tio[st], listen_on(s->o.tcp[st]),
			      on_accept);
	watch(s, &s->sigio, s->sigpipe[0], on_signal);
	config_watch(s);
	if (s->inotify >= 0)
		watch(s, &s->inotio, s->inotify, on_inotify);
	fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);
	s->started_ms = ct_now_ms();
	ctbucket_init(&s->accepts, (double)s->o.accept_rate, s->started_ms);
	stream_heartbeat_arm(s);
	ctev_timer_add(s->ev, CLIENTS_SWEEP_MS, clients_sweep, s);
	ctev_before_sleep(s->ev, before_sleep, s);
}

int main(int argc, char **argv)
{
	static struct server s;
	srv = &s;
	ct_cli_checkfds();
	int i = ct_cli_parse(&cli, argc, argv, config_option, &s);
	if (i != argc)
		ct_usage_error("unexpected argument '%s' (records come on "
			       "standard input)", argv[i]);
	config_load(&s, 1, 1);
	stream_init(&s);
	setup(&s);
	if (ctev_run(s.ev) < 0)
		ct_die(CT_EXIT_RUNTIME, "epoll_wait");
	clients_shutdown(&s);
	clients_bury(&s);
	/* the positions must be kept: exit 1 if they could not be */
	int rc = stream_positions_flush(&s) < 0 ? CT_EXIT_RUNTIME : CT_EXIT_OK;
	stream_free(&s);
	config_free(&s);
	ctev_free(s.ev);
	close(s.sigpipe[0]);
	close(s.sigpipe[1]);
	return rc;
}
