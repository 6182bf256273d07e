/* libFuzzer target: ct-fetch's reader of log records (one line of
 * ct-formats(5), taken from cmd/ct-fetch/logs.c as it is): any bytes,
 * no crash, no leak; a record refused says why, one taken has what
 * ct-fetch needs (url, name, a window in range). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../cmd/ct-fetch/logs.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size ? size : 1);
	memcpy(copy, data, size);
	struct log l;
	char why[256] = "";
	if (take_record(copy, size, &l, why, sizeof why) == 0) {
		if (!l.url || !l.name || l.window > CTLOG_WINDOW_MAX ||
		    (l.is_static && !l.origin))
			abort();
	} else if (!why[0]) {
		abort();
	}
	log_strings_free(&l);
	free(copy);
	return 0;
}
