/* Unit tests of static_gunzip (cmd/ct-fetch/static.c, built into this
 * test): a data tile gzipped without Content-Encoding is inflated into
 * the scratch buffer it is given (a reused one keeps its memory), the
 * two swap; a body that is not gzip is left as it is; a broken one is
 * an error that leaves the body and frees nothing twice. */
#include "tap.h"

#include "../../cmd/ct-fetch/issuers.c"
#include "../../cmd/ct-fetch/static.c"

static void gzip_into(const unsigned char *p, size_t n, struct ctbuf *out)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY);
	size_t room = deflateBound(&z, (uLong)n) + 32;
	z.next_in = (Bytef *)p;
	z.avail_in = (uInt)n;
	z.next_out = (Bytef *)ctbuf_room(out, room);
	z.avail_out = (uInt)room;
	deflate(&z, Z_FINISH);
	ctbuf_commit(out, room - z.avail_out);
	deflateEnd(&z);
}

int main(void)
{
	static unsigned char plain[300000];
	for (size_t i = 0; i < sizeof plain; i++)
		plain[i] = (unsigned char)(i * 7 + i / 1000);
	const char *err = NULL;

	struct ctbuf b = CTBUF_INIT, scratch = CTBUF_INIT;
	gzip_into(plain, sizeof plain, &b);
	size_t gzlen = b.len;
	ok(static_gunzip(&b, &scratch, &err) == 0, "gzip inflated");
	ok(b.len == sizeof plain && !memcmp(b.p, plain, sizeof plain),
	   "the tile's bytes");
	ok(scratch.len == gzlen, "scratch holds the gzip body");

	/* again, with scratch's memory reused */
	ctbuf_reset(&b);
	gzip_into(plain, sizeof plain, &b);
	ctbuf_reset(&scratch);
	ctbuf_grow(&scratch, 2 << 20);
	char *mem = scratch.p;
	ok(static_gunzip(&b, &scratch, &err) == 0 && b.p == mem,
	   "inflated into the scratch buffer's own memory");
	ok(b.len == sizeof plain && !memcmp(b.p, plain, sizeof plain),
	   "the tile's bytes, reused buffer");

	/* not gzip: untouched */
	ctbuf_reset(&b);
	ctbuf_add(&b, "\x00\x01plain", 7);
	char *bp = b.p, *sp = scratch.p;
	ok(static_gunzip(&b, &scratch, &err) == 0 && b.p == bp &&
	   scratch.p == sp && b.len == 7, "a plain body is left alone");

	/* truncated gzip: -1, the body as it was */
	ctbuf_reset(&b);
	gzip_into(plain, sizeof plain, &b);
	b.len /= 2;
	bp = b.p;
	err = NULL;
	int rc = static_gunzip(&b, &scratch, &err);
	ok(rc < 0 && err && b.p == bp, "truncated: an error, the body kept (%s)",
	   err ? err : "?");

	/* a gzip bomb over STATIC_TILE_MAX: refused */
	size_t big = STATIC_TILE_MAX + (1 << 20);
	unsigned char *zeros = calloc(1, big);
	ctbuf_reset(&b);
	gzip_into(zeros, big, &b);
	free(zeros);
	err = NULL;
	rc = static_gunzip(&b, &scratch, &err);
	ok(rc < 0 && err && strstr(err, "MiB"), "over the tile cap: %s",
	   err ? err : "?");
	ctbuf_free(&b);
	ctbuf_free(&scratch);
	return tap_done();
}
