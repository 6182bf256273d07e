/* filters: the ?domain= filters of streaming clients. Clients asking for
 * the same list share one filter (counted references); every filter is
 * evaluated once per record, whoever holds it. The caller owns the list
 * head; a filter lives until its last holder puts it back. */
#ifndef CTSERVE_FILTERS_H
#define CTSERVE_FILTERS_H

#include <stddef.h>

#include "json.h"
#include "server.h"

/* The filter for the (percent-encoded) comma-separated list v[0..n),
 * from *list with one more reference, or new and added to it. NULL with
 * the reason in err if the list is empty, badly encoded, too long or
 * holds an item lib/watch refuses. */
struct filter *filter_get(struct filter **list, const char *v, size_t n,
			  char *err, size_t errlen);

/* Give back a reference to f (NULL: nothing); the last frees it. */
void filter_put(struct filter **list, struct filter *f);

/* Set each filter's hit for a record: does one of the names in its
 * leaf_cert's all_domains match? */
void filters_run(struct filter *list, const struct ctjson_val *leaf);

size_t filters_count(const struct filter *list);

#endif
