/* libFuzzer target: what a NATS server sends (lib/nats), and the
 * JetStream answers inside it (lib/js). A parsed message never claims
 * more than it read, its views stay inside the input, "need more" asks
 * for more than there is; header blocks, status lines, ack subjects,
 * PubAcks and consumer infos read inside their bytes. The input's first
 * line is also a server URL and a subject. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "js.h"
#include "nats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void inside(struct ctnats_str s, const char *b, size_t n)
{
	if (s.len && (s.p < b || s.p + s.len > b + n))
		abort();
}

static void payloads(const struct ctnats_msg *m)
{
	struct ctnats_str d, v;
	if (m->hdr.len) {
		int st = ctnats_status(m->hdr.p, m->hdr.len, &d);
		if (st > 999 || (st > 0 && st < 100))
			abort();
		ctnats_header(m->hdr.p, m->hdr.len, "Nats-Msg-Id", &v);
	}
	struct ctjs_ackinfo a;
	ctjs_ack_parse(m->reply.p, m->reply.len, &a);
	struct ctjs_puback pa;
	ctjs_puback_parse(m->data.p, m->data.len, &pa);
	struct ctjs_consumer_info ci;
	ctjs_consumer_info_parse(m->data.p, m->data.len, &ci);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *b = malloc(size ? size : 1);
	memcpy(b, data, size);
	size_t at = 0;
	while (at < size) {
		struct ctnats_msg m;
		int r = ctnats_parse(b + at, size - at, &m);
		if (r == -2 && m.need && m.need <= size - at)
			abort();
		if (r < 0)
			break;
		if (r == 0 || (size_t)r > size - at)
			abort();
		inside(m.subject, b + at, (size_t)r);
		inside(m.reply, b + at, (size_t)r);
		inside(m.hdr, b + at, (size_t)r);
		inside(m.data, b + at, (size_t)r);
		inside(m.text, b + at, (size_t)r);
		if (m.op == CTNATS_MSG)
			payloads(&m);
		at += (size_t)r;
	}
	const char *nl = memchr(b, '\n', size);
	size_t l = nl ? (size_t)(nl - b) : size;
	struct ctnats_url u;
	char err[80];
	if (ctnats_url_parse(b, l, &u, err, sizeof err) == 0 &&
	    (!u.host[0] || !u.port))
		abort();
	ctnats_subject_ok(b, l, size & 1);
	free(b);
	return 0;
}
