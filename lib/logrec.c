/* logrec: fields of a log record shared by ct-loglist and ct-fetch. */
#include "logrec.h"

int ctlog_window(const cJSON *v, unsigned *out)
{
	*out = 0;
	if (!v)
		return 0;
	if (!cJSON_IsNumber(v) || !(v->valuedouble >= 1) ||
	    v->valuedouble > CTLOG_WINDOW_MAX ||
	    v->valuedouble != (double)(unsigned)v->valuedouble)
		return -1;
	*out = (unsigned)v->valuedouble;
	return 0;
}
