/* httpd: an HTTP/1.1 request-head parser in the picohttpparser style:
 * a pure function over (buf, len) that returns how many bytes the head
 * took, -2 when more bytes are needed, -1 when it is not a valid head.
 * Outputs are views into buf; nothing is allocated. */
#ifndef CT_HTTPD_H
#define CT_HTTPD_H

#include <stddef.h>

#define CTHTTP_MAXHEADERS 32

struct cthttp_header {
	const char *name, *value;
	size_t nlen, vlen;
};

struct cthttp_req {
	const char *method, *target;
	size_t mlen, tlen;
	int minor; /* HTTP/1.<minor> */
	size_t nheaders;
	struct cthttp_header h[CTHTTP_MAXHEADERS];
};

/* Parse a request head (request line and headers through the empty
 * line). Returns the head's length, -2 if more bytes are needed, -1 if
 * it is malformed, -3 if it has more than CTHTTP_MAXHEADERS headers. */
int cthttp_parse(const char *buf, size_t len, struct cthttp_req *r);

/* The value of header name (case-insensitive), or NULL. */
const char *cthttp_header(const struct cthttp_req *r, const char *name,
			  size_t *vlen);

/* Parts shared with the response parser (lib/httpc):
 * the index of the '\n' that ends the line starting at p, -2 if there is
 * none yet, -1 if the line holds a control character (HT and the CR of
 * a CRLF aside); */
long cthttp_line_end(const char *buf, size_t len, size_t p);
/* header lines from p through the empty line into h (room for max):
 * the length through the empty line, -2 if more bytes are needed, -1 if
 * one is malformed, -3 if there are more than max; *n set; */
long cthttp_fields(const char *buf, size_t len, size_t p,
		   struct cthttp_header *h, size_t max, size_t *n);
/* the value of header name among h[0..n) (case-insensitive), or NULL. */
const char *cthttp_field(const struct cthttp_header *h, size_t n,
			 const char *name, size_t *vlen);

/* Does a comma-separated header value contain token (case-insensitive)? */
int cthttp_has_token(const char *v, size_t vlen, const char *token);

/* The elements of a comma-separated list header over all the lines
 * that carry it, right to left: the last element of the last line
 * first (a proxy appends to the last line or adds a line), empty
 * elements skipped, blanks around each trimmed. Start with
 * cthttp_list_init; each cthttp_list_prev gives the next element to the
 * left (a view into the head, *len set) or NULL when there is none. */
struct cthttp_list {
	size_t line, end;
	int in_line;
};
void cthttp_list_init(struct cthttp_list *it, const struct cthttp_req *r);
const char *cthttp_list_prev(const struct cthttp_req *r, const char *name,
			     struct cthttp_list *it, size_t *len);

/* The value of query parameter key in target, or NULL (not decoded). */
const char *cthttp_query(const char *target, size_t tlen, const char *key,
			 size_t *vlen);

/* Decode a query value v[0..n) (%XX escapes, '+' for a space) into out,
 * NUL-terminated: its length, or -1 if an escape is bad or decodes to
 * NUL, or if out (cap bytes) cannot hold it and the NUL. */
long cthttp_unescape(const char *v, size_t n, char *out, size_t cap);

#endif
