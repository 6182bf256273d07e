/* filters: shared ?domain= filters over lib/watch (see filters.h). */
#include "filters.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "httpd.h"
#include "mem.h"
#include "watch.h"

struct filter *filter_get(struct filter **list, const char *v, size_t n,
			  char *err, size_t errlen)
{
	char spec[4096];
	if (cthttp_unescape(v, n, spec, sizeof spec) <= 0) {
		snprintf(err, errlen, "domain: an empty, bad or too long list");
		return NULL;
	}
	for (struct filter *f = *list; f; f = f->next)
		if (!strcmp(f->spec, spec)) {
			f->refs++;
			return f;
		}
	struct ctwatch *w = ctwatch_new();
	for (char *p = spec; *p;) {
		char *comma = strchr(p, ',');
		size_t l = comma ? (size_t)(comma - p) : strlen(p);
		char why[160];
		if (ctwatch_add(w, p, l, why, sizeof why) < 0) {
			snprintf(err, errlen, "domain '%.*s': %s", (int)l, p,
				 why);
			ctwatch_free(w);
			return NULL;
		}
		p += l + (comma ? 1 : 0);
	}
	struct filter *f = ct_xcalloc(1, sizeof *f);
	f->spec = ct_xstrdup(spec);
	f->w = w;
	f->refs = 1;
	f->next = *list;
	*list = f;
	return f;
}

void filter_put(struct filter **list, struct filter *f)
{
	if (!f || --f->refs)
		return;
	struct filter **pp = list;
	while (*pp != f)
		pp = &(*pp)->next;
	*pp = f->next;
	ctwatch_free(f->w);
	free(f->spec);
	free(f);
}

void filters_run(struct filter *list, const struct ctjson_val *leaf)
{
	if (!list)
		return;
	struct ctjson_val doms, key, el;
	int have = ctjson_member(leaf, "all_domains", &doms) == 1 &&
		   doms.type == CTJSON_ARRAY;
	struct ctbuf tmp = CTBUF_INIT;
	for (struct filter *f = list; f; f = f->next) {
		f->hit = 0;
		if (!have)
			continue;
		struct ctjson_iter it;
		ctjson_iter_init(&it, &doms);
		while (!f->hit && ctjson_next(&it, &key, &el) > 0) {
			if (el.type != CTJSON_STRING)
				continue;
			ctbuf_reset(&tmp);
			ctjson_unescape(&el, &tmp);
			f->hit = ctwatch_match(f->w, tmp.p ? tmp.p : "",
					       tmp.len) >= 0;
		}
	}
	ctbuf_free(&tmp);
}

size_t filters_count(const struct filter *list)
{
	size_t n = 0;
	for (const struct filter *f = list; f; f = f->next)
		n++;
	return n;
}
