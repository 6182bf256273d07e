/* ct-serve's clients and filters: the one iterator visits every
 * streaming client, list by list, and lets its body drop the client it
 * is at; counts per stream and protocol; clients per address; ?domain=
 * filters shared by list, evaluated once, freed with their last holder. */
#include <stdlib.h>
#include <string.h>

#include "../../cmd/ct-serve/client.h"
#include "../../cmd/ct-serve/filters.h"
#include "tap.h"

static struct server s;

/* A client as accepted (in HTTP, as client_new puts it, without the
 * loop), then on the list of (st, p) unless st < 0. */
static struct client *add(int st, int p, const char *ip)
{
	struct client *c = calloc(1, sizeof *c);
	c->st = C_HTTP;
	snprintf(c->ip, sizeof c->ip, "%s", ip);
	c->next = s.http;
	if (c->next)
		c->next->prev = c;
	s.http = c;
	s.pending++;
	s.total++;
	static const enum cstate state[NPROTO] = { C_WS, C_SSE, C_TCP };
	if (st >= 0)
		client_join(&s, c, state[p], (enum stream)st, (enum proto)p);
	return c;
}

/* Take c off its list as client_drop does, without a socket. */
static void unlink_client(struct client *c)
{
	struct client **head = &s.lists[c->stream][c->proto];
	if (c->prev)
		c->prev->next = c->next;
	else
		*head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	s.nclients[c->stream][c->proto]--;
	c->next = NULL; /* as the dead list may reuse it */
	free(c);
}

static void iterate(void)
{
	ok(clients_first(&s) == NULL, "no clients: nothing");
	add(-1, 0, "10.0.0.9"); /* still in HTTP: not streaming */
	struct client *a = add(S_DOM, P_TCP, "10.0.0.1");
	struct client *b = add(S_LITE, P_SSE, "10.0.0.1");
	struct client *c = add(S_LITE, P_WS, "10.0.0.2");
	struct client *d = add(S_LITE, P_WS, "10.0.0.1");
	struct client *e = add(S_FULL, P_WS, "::1");
	struct client *want[] = { d, c, b, e, a }, *got[8];
	size_t n = 0;
	for (struct client *k = clients_first(&s); k && n < 8;
	     k = clients_next(&s, k))
		got[n++] = k;
	ok(n == 5 && !memcmp(got, want, sizeof want),
	   "every streaming client once, stream by stream, protocol by "
	   "protocol (%zu)", n);
	ok(clients_count(&s, -1, -1) == 5 &&
	       clients_count(&s, S_LITE, -1) == 3 &&
	       clients_count(&s, -1, P_WS) == 3 &&
	       clients_count(&s, S_LITE, P_SSE) == 1 &&
	       clients_count(&s, S_FULL, P_TCP) == 0,
	   "counts by stream and protocol");
	ok(clients_from(&s, "10.0.0.1", NULL) == 3 &&
		   clients_from(&s, "10.0.0.1", b) == 2 &&
		   clients_from(&s, "10.0.0.9", NULL) == 1,
	   "clients from an address, in HTTP too, but one");
	/* the body drops the client it is at */
	struct client *k, *next;
	n = 0;
	for (k = clients_first(&s); k; k = next) {
		next = clients_next(&s, k);
		n++;
		unlink_client(k);
	}
	ok(n == 5 && clients_first(&s) == NULL &&
	       clients_count(&s, -1, -1) == 0,
	   "dropping each as it goes: all visited, none left");
	free(s.http);
	s.http = NULL;
}

static void filters(void)
{
	struct filter *list = NULL;
	char err[300];
	struct filter *f = filter_get(&list, "a.example%2C.b.example", 22, err,
				      sizeof err);
	struct filter *g = filter_get(&list, "a.example,.b.example", 20, err,
				      sizeof err);
	ok(f && f == g && f->refs == 2 && filters_count(list) == 1,
	   "one filter for one list, however it is encoded");
	ok(!filter_get(&list, "", 0, err, sizeof err) &&
		   !strcmp(err, "domain: an empty, bad or too long list"),
	   "an empty list: %s", err);
	ok(!filter_get(&list, "a..example", 10, err, sizeof err) &&
		   !strncmp(err, "domain 'a..example': ", 21),
	   "a bad item: %s", err);
	struct filter *h = filter_get(&list, "c.example", 9, err, sizeof err);
	ok(h && filters_count(list) == 2, "another list, another filter");
	static const char leaf[] = "{\"all_domains\":[\"x.b.example\",\"q\"]}";
	struct ctjson_val v;
	ctjson_parse(leaf, sizeof leaf - 1, &v);
	filters_run(list, &v);
	ok(f->hit && !h->hit, "evaluated: .b.example covers x.b.example");
	static const char none[] = "{\"subject\":{}}";
	ctjson_parse(none, sizeof none - 1, &v);
	filters_run(list, &v);
	ok(!f->hit && !h->hit, "no all_domains: no hit");
	filter_put(&list, g);
	ok(filters_count(list) == 2 && f->refs == 1, "one holder left: kept");
	filter_put(&list, f);
	filter_put(&list, NULL);
	ok(filters_count(list) == 1 && list == h, "the last gone: freed");
	filter_put(&list, h);
	ok(list == NULL, "none left");
}

int main(void)
{
	iterate();
	filters();
	return tap_done();
}
