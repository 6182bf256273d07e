/* logs: log records, starting points, state files. */
#include "logs.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "afile.h"
#include "b64.h"
#include "diag.h"
#include "logrec.h"
#include "mem.h"
#include "positions.h"
#include "state.h"

static char *state_path(const struct opts *o, const struct log *l)
{
	struct ctbuf b = CTBUF_INIT;
	ctbuf_printf(&b, "%s/", o->state_dir);
	for (const char *p = l->id; *p; p++)
		ctbuf_addc(&b, *p == '/' ? '_' : *p == '+' ? '-' : *p == '=' ? '\0' : *p);
	b.len = strlen(ctbuf_cstr(&b));
	ctbuf_adds(&b, ".state");
	return ctbuf_cstr(&b);
}

/* 1 and *st if a state file exists, 0 if not; dies if it is bad. */
static int load_state(const struct opts *o, const struct log *l,
		      struct ctfstate *st)
{
	char *p = state_path(o, l);
	struct ctbuf b = CTBUF_INIT;
	int r = 0;
	const char *err;
	if (ctafile_read(p, 1 << 20, &b) < 0) {
		if (errno != ENOENT)
			ct_die(CT_EXIT_RUNTIME, "%s", p);
	} else {
		if (ctfstate_parse(b.p, b.len, st, &err) < 0)
			ct_diex(CT_EXIT_RUNTIME, "%s: not a ct-fetch state file: %s "
				"(fix or remove it)", p, err);
		if (strcmp(st->url, l->url))
			ct_warnx("%s: state of %s, now %s: same log ID, going on",
				 p, st->url, l->url);
		r = 1;
	}
	ctbuf_free(&b);
	free(p);
	return r;
}

int logs_save(const struct opts *o, struct log *l, int64_t now)
{
	if (!o->state_dir || !l->dirty || o->has_start)
		return 0;
	char *p = state_path(o, l);
	struct ctbuf b = CTBUF_INIT;
	struct ctfstate st = { .next = l->next, .tree_size = l->tree_size };
	snprintf(st.url, sizeof st.url, "%s", l->url);
	if (l->range_ok && l->range.size == l->next) {
		st.has_range = 1;
		st.range = l->range;
	}
	if (l->has_verified) {
		st.has_verified = 1;
		st.verified_size = l->verified_size;
		memcpy(st.verified_root, l->verified_root, CTM_HASH);
	}
	ctfstate_format(&b, &st, l->name, (int64_t)time(NULL));
	int r = ctafile_write(p, b.p, b.len);
	if (r < 0)
		ct_warn("%s", p);
	else
		l->dirty = 0;
	l->saved_ms = now;
	ctbuf_free(&b);
	free(p);
	return r;
}

/* Where a log with a state file at saved starts: after the last index
 * the final stage handed on (--rewind-to), if that is before saved,
 * else --rewind entries before saved. pos: the positions file, NULL if
 * there is none. */
static uint64_t start_of(const struct opts *o, const struct log *l,
			 const struct ctpos *pos, uint64_t saved)
{
	uint64_t at;
	if (pos && ctpos_get(pos, l->url, strlen(l->url), &at) == 0)
		return at < saved ? at + 1 : saved;
	return saved > o->rewind ? saved - o->rewind : 0;
}

/* The positions file of --rewind-to, or NULL (absent: nothing handed on
 * yet; unreadable or bad: said once, --rewind instead). */
static struct ctpos *read_positions(const struct opts *o)
{
	struct ctbuf b = CTBUF_INIT;
	const char *why;
	if (!o->rewind_to)
		return NULL;
	if (ctafile_read(o->rewind_to, (size_t)256 << 20, &b) < 0) {
		if (errno != ENOENT)
			ct_warn("%s: going back --rewind %llu entries instead",
				o->rewind_to, (unsigned long long)o->rewind);
		ctbuf_free(&b);
		return NULL;
	}
	struct ctpos *p = ctpos_new(CTPOS_FILE_MAX);
	if (ctpos_load(p, b.p, b.len, &why) < 0) {
		ct_warnx("%s: not a positions file (%s): going back --rewind "
			 "%llu entries instead", o->rewind_to, why,
			 (unsigned long long)o->rewind);
		ctpos_free(p);
		p = NULL;
	}
	ctbuf_free(&b);
	return p;
}

static char *dup_str(const cJSON *j, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, k);
	return cJSON_IsString(v) ? ct_xstrdup(v->valuestring) : NULL;
}

/* One log record into l: 0, or -1 with why (a message). */
static int take_record(const char *line, size_t len, struct log *l,
		       char *why, size_t n)
{
	cJSON *j = cJSON_ParseWithLength(line, len);
	memset(l, 0, sizeof *l);
	l->url = dup_str(j, "url");
	l->id = dup_str(j, "log_id");
	l->name = dup_str(j, "name");
	l->type = dup_str(j, "type");
	l->operator = dup_str(j, "operator");
	char *key = dup_str(j, "key"), *su = dup_str(j, "submission_url");
	int bad_window = ctlog_window(cJSON_GetObjectItemCaseSensitive(j,
			"window"), &l->window) < 0;
	cJSON_Delete(j);
	int r = -1;
	uint8_t id[CTB64_DECODED_MAX(64)];
	const char *err;
	if (!l->url || !l->id) {
		snprintf(why, n, "not a log record (url and log_id needed)");
	} else if (l->type && strcmp(l->type, "rfc6962") &&
		   strcmp(l->type, "static")) {
		snprintf(why, n, "unknown log type '%.40s'", l->type);
	} else if (strlen(l->id) > 64 ||
		   ctb64_decode(l->id, strlen(l->id), id) != CTM_HASH) {
		snprintf(why, n, "log_id is not 32 bytes of base64");
	} else if (key && !(l->key = ctkey_from_b64(key, strlen(key), &err))) {
		snprintf(why, n, "%s", err);
	} else if (l->key && memcmp(ctkey_log_id(l->key), id, CTM_HASH)) {
		snprintf(why, n, "log_id is not the SHA-256 of key");
	} else if (bad_window) {
		snprintf(why, n, "window is not a whole number from 1 to %d",
			 CTLOG_WINDOW_MAX);
	} else {
		r = 0;
	}
	if (!r) {
		memcpy(l->log_id, id, CTM_HASH);
		char *t = ct_xstrdup_rtrim(l->url, '/');
		free(l->url);
		l->url = t;
		if (!l->name)
			l->name = ct_xstrdup(l->url);
		l->is_static = l->type && !strcmp(l->type, "static");
		/* origin: the submission URL without scheme or trailing
		 * slashes (static-ct-api) */
		const char *u = su ? su : l->url, *p = strstr(u, "://");
		if (l->is_static)
			l->origin = ct_xstrdup_rtrim(p ? p + 3 : u, '/');
	}
	free(key);
	free(su);
	return r;
}

/* Where a log starts: --start, its state file, or its head. */
static void resume(const struct opts *o, struct log *l,
		   const struct ctpos *pos)
{
	struct ctfstate saved;
	l->end = o->has_end ? o->end + 1 : 0;
	if (o->has_start) {
		/* a range: the state's position is neither used nor
		 * changed, its verified head is still checked against */
		l->next = o->start;
		if (!o->state_dir || !load_state(o, l, &saved) ||
		    !saved.has_verified)
			return;
	} else if (o->state_dir && load_state(o, l, &saved)) {
		l->next = start_of(o, l, pos, saved.next);
		l->tree_size = saved.tree_size;
		if (saved.has_range && l->next == saved.next) {
			l->range = saved.range; /* the range is of saved.next */
			l->range_ok = 1;
		}
	} else {
		l->next = o->from_start || o->has_end ? 0 : UINT64_MAX;
		return;
	}
	if (saved.has_verified) {
		l->has_verified = 1;
		l->verified_size = saved.verified_size;
		memcpy(l->verified_root, saved.verified_root, CTM_HASH);
	}
}

/* One token bucket per operator, shared by its logs (--operator-rate). */
static void operator_buckets(const struct opts *o, struct logset *s,
			     int64_t now)
{
	if (o->op_rate <= 0 || !s->n)
		return;
	s->ops = ct_xcalloc(s->n, sizeof *s->ops);
	size_t nops = 0;
	for (size_t i = 0; i < s->n; i++) {
		struct log *l = &s->v[i];
		const char *on = l->operator ? l->operator : l->name;
		size_t j = 0;
		while (j < i && strcmp(s->v[j].operator ? s->v[j].operator
						      : s->v[j].name, on))
			j++;
		if (j < i) {
			l->op = s->v[j].op;
		} else {
			l->op = &s->ops[nops++];
			ctbucket_init(l->op, o->op_rate, now);
		}
	}
}

static void log_strings_free(struct log *l)
{
	free(l->name);
	free(l->url);
	free(l->id);
	free(l->type);
	free(l->operator);
	free(l->origin);
	ctkey_free(l->key);
}

void logs_read(const struct opts *o, struct logset *s, int64_t now)
{
	const char *where = o->logs ? o->logs : "stdin";
	int fd = o->logs ? open(o->logs, O_RDONLY | O_CLOEXEC) : 0;
	if (fd < 0)
		ct_die(CT_EXIT_RUNTIME, "%s", o->logs);
	if (!o->logs && isatty(0))
		ct_usage_error("no logs: pipe ct-loglist in or give --logs FILE");
	struct ctlines *in = ctlines_new(fd, 1 << 20, NULL);
	struct ctpos *pos = read_positions(o);
	const char *line;
	size_t len, cap = 0;
	memset(s, 0, sizeof *s);
	for (;;) {
		int r = ctlines_next(in, &line, &len);
		if (r == 0)
			break;
		if (r == -3 || (r > 0 && len == 0))
			continue;
		if (r == -1)
			ct_die(CT_EXIT_RUNTIME, "%s", where);
		char why[200] = "a log record over 1 MiB";
		struct log l;
		if (r < 0 || take_record(line, len, &l, why, sizeof why) < 0) {
			if (r > 0)
				log_strings_free(&l);
			ct_warnx("%s:%lu: %s; skipped", where,
				 ctlines_lineno(in), why);
			s->bad = 1;
			continue;
		}
		if (!l.key)
			ct_warnx("%s: no key in its record: heads are not "
				 "verified, only the Merkle tree", l.name);
		resume(o, &l, pos);
		ctbucket_init(&l.own, o->rate, now);
		if (s->n == cap) {
			cap = cap ? cap * 2 : 16;
			s->v = ct_xrealloc(s->v, cap * sizeof *s->v);
		}
		s->v[s->n++] = l;
	}
	ctlines_free(in);
	ctpos_free(pos);
	if (fd)
		close(fd);
	operator_buckets(o, s, now);
}

void logs_free(struct logset *s)
{
	for (size_t i = 0; i < s->n; i++)
		log_strings_free(&s->v[i]);
	free(s->v);
	free(s->ops);
	memset(s, 0, sizeof *s);
}
