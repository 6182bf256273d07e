/* http: the libcurl multi handle and a pool of easy handles. */
#include "http.h"

#include <stdlib.h>

#include "cli.h"
#include "diag.h"
#include "mem.h"

struct http {
	CURLM *m;
	CURL **pool;
	size_t npool, cap;
	long timeout_ms;
	const char *cacert;
};

struct http *http_new(long conns, long timeout_ms, const char *cacert)
{
	struct http *h = ct_xcalloc(1, sizeof *h);
	h->m = curl_multi_init();
	if (!h->m)
		ct_diex(CT_EXIT_RUNTIME, "cannot start libcurl");
	h->timeout_ms = timeout_ms;
	h->cacert = cacert;
	curl_multi_setopt(h->m, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
	curl_multi_setopt(h->m, CURLMOPT_MAX_HOST_CONNECTIONS, conns);
	return h;
}

void http_free(struct http *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->npool; i++)
		curl_easy_cleanup(h->pool[i]);
	free(h->pool);
	curl_multi_cleanup(h->m);
	free(h);
}

static size_t on_body(char *p, size_t sz, size_t n, void *ud)
{
	struct req *r = ud;
	if (r->body.len + sz * n > r->body_max) {
		r->too_big = 1;
		return 0;
	}
	ctbuf_add(&r->body, p, sz * n);
	return sz * n;
}

static CURL *easy(struct http *h)
{
	if (h->npool)
		return h->pool[--h->npool];
	CURL *e = curl_easy_init();
	if (!e)
		ct_diex(CT_EXIT_RUNTIME, "cannot start libcurl");
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, h->timeout_ms);
	curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	/* wait for a multiplexed HTTP/2 connection rather than open more */
	curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_USERAGENT, "ct-fetch/" CT_VERSION " (ctstream)");
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	if (h->cacert)
		curl_easy_setopt(e, CURLOPT_CAINFO, h->cacert);
	return e;
}

static void put_back(struct http *h, CURL *e)
{
	if (h->npool == h->cap) {
		h->cap = h->cap ? 2 * h->cap : 16;
		h->pool = ct_xrealloc(h->pool, h->cap * sizeof *h->pool);
	}
	h->pool[h->npool++] = e;
}

void http_start(struct http *h, struct req *r, const char *url)
{
	r->h = easy(h);
	curl_easy_setopt(r->h, CURLOPT_URL, url);
	curl_easy_setopt(r->h, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(r->h, CURLOPT_PRIVATE, r);
	ctbuf_reset(&r->body);
	r->too_big = 0;
	r->code = 0;
	r->retry_after_s = 0;
	curl_multi_add_handle(h->m, r->h);
}

void http_cancel(struct http *h, struct req *r)
{
	curl_multi_remove_handle(h->m, r->h);
	put_back(h, r->h);
	r->h = NULL;
}

void http_wait(struct http *h, int ms)
{
	int running;
	curl_multi_poll(h->m, NULL, 0, ms < 0 ? 0 : ms, NULL);
	curl_multi_perform(h->m, &running);
}

struct req *http_next(struct http *h)
{
	int left;
	for (;;) {
		CURLMsg *msg = curl_multi_info_read(h->m, &left);
		if (!msg)
			return NULL;
		if (msg->msg != CURLMSG_DONE)
			continue;
		struct req *r;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&r);
		r->rc = msg->data.result;
		curl_easy_getinfo(r->h, CURLINFO_RESPONSE_CODE, &r->code);
		curl_off_t ra = 0;
		if (r->code == 429 || r->code == 503)
			curl_easy_getinfo(r->h, CURLINFO_RETRY_AFTER, &ra);
		r->retry_after_s = (long)ra;
		http_cancel(h, r); /* done: the handle goes back to the pool */
		return r;
	}
}
