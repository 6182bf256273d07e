/* lib/tile and the TileLeaf codec in lib/leaf: path encoding both ways,
 * a tile leaf round trip from our own entry, then (when present) every
 * data tile of the real Navigli2025h2 tiles decodes and its leaves hash
 * to the level-0 tile. */
#include <stdio.h>

#include "../../lib/leaf.h"
#include "../../lib/merkle.h"
#include "../../lib/tile.h"
#include "tap.h"

static int path_is(int level, uint64_t n, unsigned w, const char *want)
{
	struct ctbuf b = CTBUF_INIT;
	cttile_path(&b, level, n, w);
	int lv;
	uint64_t nn;
	unsigned ww;
	int r = b.len == strlen(want) && !memcmp(b.p, want, b.len) &&
		!cttile_parse_path(b.p, b.len, &lv, &nn, &ww) && lv == level && nn == n &&
		ww == (w ? w : 256);
	if (!r)
		printf("# got %.*s for %s\n", (int)b.len, b.p, want);
	ctbuf_free(&b);
	return r;
}

static void navigli(void)
{
	const char *fx = getenv("CT_FIXTURES");
	char dir[512];
	snprintf(dir, sizeof dir, "%s/static-ct/navigli2025h2-testsigned/tile",
		 fx ? fx : "../shared/fixtures");
	static const char *const data[] = { "data/000", "data/001", "data/002", "data/003",
					    "data/003.p/10" };
	static const char *const l0[] = { "0/000", "0/001", "0/002", "0/003", "0/003.p/10" };
	static uint8_t buf[1 << 22], hashes[8192];
	size_t leaves = 0, good = 0;
	for (int t = 0; t < 5; t++) {
		char p[700];
		snprintf(p, sizeof p, "%s/%s", dir, data[t]);
		FILE *f = fopen(p, "rb");
		if (!f) {
			printf("ok %d - # SKIP no Navigli tiles at %s\n", ++tap_n, dir);
			return;
		}
		size_t n = fread(buf, 1, sizeof buf, f);
		fclose(f);
		snprintf(p, sizeof p, "%s/%s", dir, l0[t]);
		f = fopen(p, "rb");
		size_t hn = f ? fread(hashes, 1, sizeof hashes, f) : 0;
		if (f)
			fclose(f);
		size_t off = 0, k = 0;
		while (off < n) {
			struct cttileleaf tl;
			const char *err;
			long used = ctleaf_tile_next(buf + off, n - off, &tl, &err);
			if (used < 0) {
				printf("# %s leaf %zu: %s\n", data[t], k, err);
				break;
			}
			struct ctbuf li = CTBUF_INIT;
			ctleaf_tile_leaf_input(&li, &tl);
			uint8_t h[32];
			ctm_leaf_hash(li.p, li.len, h);
			struct ctleaf l;
			good += (k + 1) * 32 <= hn && !memcmp(h, hashes + k * 32, 32) &&
				!ctleaf_parse((const uint8_t *)li.p, li.len, &l, &err) &&
				tl.nfp >= 1;
			ctbuf_free(&li);
			off += (size_t)used;
			k++;
		}
		leaves += k;
	}
	ok(leaves == 1034 && good == leaves,
	   "Navigli tiles: %zu of %zu leaves decode and hash to the level-0 tile", good, leaves);
}

int main(void)
{
	ok(path_is(0, 0, 0, "tile/0/000"), "tile/0/000");
	ok(path_is(0, 1234067, 0, "tile/0/x001/x234/067"), "the spec's example");
	ok(path_is(CTTILE_DATA, 3, 10, "tile/data/003.p/10"), "a partial data tile");
	ok(path_is(2, 1000, 255, "tile/2/x001/000.p/255"), "1000 at level 2, width 255");
	ok(path_is(1, UINT64_MAX / 256, 1, "tile/1/x072/x057/x594/x037/x927/935.p/1"),
	   "the largest index");
	static const char *bad[] = { "tile/0/1", "tile/0/0000", "tile/0/x000", "tile/00/000",
		"tile/64/000", "tile/0/000.p/0", "tile/0/000.p/256", "tile/0/000.p/01",
		"tile/data/000/", "tile/0/x001/", "tile/0/001.p", "tile/0/001.q/1",
		"tile//000", "tiles/0/000", "tile/0/x1/000", "tile/0/x000/001",
		"tile/0/x999/x999/x999/x999/x999/x999/999", NULL };
	int acc = 0;
	for (int i = 0; bad[i]; i++) {
		int lv;
		uint64_t n;
		unsigned w;
		if (!cttile_parse_path(bad[i], strlen(bad[i]), &lv, &n, &w)) {
			printf("# accepted %s\n", bad[i]);
			acc++;
		}
	}
	ok(!acc, "bad tile paths are refused (%d accepted)", acc);

	/* a precert entry round trip: leaf_input + extra_data -> TileLeaf */
	struct ctleaf l = { .timestamp = 1767225600000ULL, .entry_type = CTLEAF_PRECERT };
	static const uint8_t ikh[32] = { 7 }, tbs[] = "tbs-bytes", pre[] = "precert",
			     iss1[] = "issuer-1", iss2[] = "root";
	l.issuer_key_hash = ikh;
	l.cert.p = tbs;
	l.cert.len = sizeof tbs;
	struct ctchain c = { .pre_cert = { pre, sizeof pre }, .n = 2,
			     .certs = { { iss1, sizeof iss1 }, { iss2, sizeof iss2 } } };
	struct ctbuf li = CTBUF_INIT, ex = CTBUF_INIT, tile = CTBUF_INIT, back = CTBUF_INIT;
	const char *err = "";
	ok(ctleaf_encode(&li, &l, &err) == 0 &&
		   ctleaf_encode_extra(&ex, CTLEAF_PRECERT, &c, &err) == 0,
	   "leaf and extra_data encoded");
	int r = ctleaf_tile_encode(&tile, (const uint8_t *)li.p, li.len,
				   (const uint8_t *)ex.p, ex.len, &err);
	struct cttileleaf tl;
	long used = r ? -1 : ctleaf_tile_next((const uint8_t *)tile.p, tile.len, &tl, &err);
	if (used > 0)
		ctleaf_tile_leaf_input(&back, &tl);
	ok(used == (long)tile.len && back.len == li.len && !memcmp(back.p, li.p, li.len) &&
	   tl.nfp == 2 && tl.pre_cert.len == sizeof pre, "a precert entry survives TileLeaf");
	int trunc = 0;
	for (size_t n = 0; n < tile.len; n++)
		trunc += ctleaf_tile_next((const uint8_t *)tile.p, n, &tl, &err) >= 0;
	ok(!trunc, "every truncation of it is refused (%d accepted)", trunc);
	ctbuf_free(&li);
	ctbuf_free(&ex);
	ctbuf_free(&tile);
	ctbuf_free(&back);
	navigli();
	return tap_done();
}
