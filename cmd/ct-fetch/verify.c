/* verify: signatures, roots and proofs of one log. */
#include "verify.h"

#include <string.h>

#include "diag.h"

int verify_signature(struct log *l, const struct opts *o,
		     const struct ctsth *s)
{
	const char *err;
	if (!l->key || ctsth_verify(s, l->key, &err) == 0)
		return 0;
	l->bad_sigs++;
	if (o->sig_warn) {
		ct_warnx("%s: BAD SIGNATURE on the head of size %llu (%s): going "
			 "on (--bad-signature warn)", l->name,
			 (unsigned long long)s->size, err);
		return 1;
	}
	ct_warnx("%s: BAD SIGNATURE on the head of size %llu (%s): this log is "
		 "stopped (--bad-signature warn goes on)", l->name,
		 (unsigned long long)s->size, err);
	snprintf(l->last_error, sizeof l->last_error,
		 "bad head signature at size %llu", (unsigned long long)s->size);
	l->phase = P_FAILED;
	return -1;
}

void verify_fork(struct log *l, const struct ctsth *s)
{
	const uint8_t *seen = NULL;
	if (l->has_sth && l->sth.size == s->size)
		seen = l->sth.root;
	else if (l->has_verified && l->verified_size == s->size)
		seen = l->verified_root;
	if (!seen || !memcmp(seen, s->root, CTM_HASH) ||
	    !memcmp(l->fork_root, s->root, CTM_HASH))
		return;
	char a[65], b[65];
	ctm_hex(s->root, a);
	ctm_hex(seen, b);
	memcpy(l->fork_root, s->root, CTM_HASH);
	l->mismatches++;
	ct_warnx("%s: MERKLE MISMATCH at size %llu: a signed head with root %s, "
		 "but root %s was signed for the same size before (a split view: "
		 "the log shows two trees)", l->name, (unsigned long long)s->size,
		 a, b);
}

static void verified(struct log *l, uint64_t size, const uint8_t root[CTM_HASH])
{
	l->has_verified = 1;
	l->verified_size = size;
	memcpy(l->verified_root, root, CTM_HASH);
	l->dirty = 1;
}

void verify_root(struct log *l)
{
	uint8_t root[CTM_HASH];
	ctm_range_root(&l->range, root);
	if (!memcmp(root, l->sth.root, CTM_HASH)) {
		verified(l, l->sth.size, root);
		return;
	}
	char a[65], b[65];
	ctm_hex(l->sth.root, a);
	ctm_hex(root, b);
	l->mismatches++;
	ct_warnx("%s: MERKLE MISMATCH at size %llu: the signed root is %s, the "
		 "entries give %s (entries written, not trusted)", l->name,
		 (unsigned long long)l->sth.size, a, b);
}

void verify_inclusion(struct log *l, const uint8_t h[CTM_HASH],
		      uint64_t index, const uint8_t (*path)[CTM_HASH],
		      size_t n)
{
	if (index == l->next &&
	    ctm_verify_inclusion(l->next, l->sth.size, h, path, n,
				 l->sth.root) == 0 &&
	    ctm_range_from_inclusion(&l->range, l->next, l->sth.size, path,
				     n) == 0) {
		l->range_ok = 1;
		return;
	}
	l->mismatches++;
	l->unverifiable = 1;
	ct_warnx("%s: MERKLE MISMATCH: entry %llu is not in the signed tree of "
		 "size %llu (proof for index %llu does not lead to its root); "
		 "entries written, not trusted", l->name,
		 (unsigned long long)l->next, (unsigned long long)l->sth.size,
		 (unsigned long long)index);
}

void verify_consistency(struct log *l, const uint8_t (*path)[CTM_HASH],
			size_t n)
{
	uint8_t root[CTM_HASH];
	ctm_range_root(&l->range, root);
	if (ctm_verify_consistency(l->next, l->sth.size, root, l->sth.root,
				   path, n) == 0) {
		verified(l, l->next, root);
		return;
	}
	char a[65];
	ctm_hex(root, a);
	l->mismatches++;
	ct_warnx("%s: MERKLE MISMATCH: the entries up to %llu give root %s, "
		 "which the log cannot prove part of its signed tree of size "
		 "%llu (entries written, not trusted)", l->name,
		 (unsigned long long)l->next, a, (unsigned long long)l->sth.size);
}

int verify_tail_node(struct log *l, const uint8_t h[CTM_HASH], int k)
{
	ctm_range_append_node(&l->tail, h, (unsigned)k);
	if (l->tail.size < l->sth.size)
		return 0;
	uint8_t root[CTM_HASH];
	ctm_range_root(&l->tail, root);
	if (!memcmp(root, l->sth.root, CTM_HASH)) {
		ctm_range_root(&l->range, root);
		verified(l, l->next, root);
		return 1;
	}
	char a[65];
	ctm_hex(root, a);
	l->mismatches++;
	ct_warnx("%s: MERKLE MISMATCH: the entries up to %llu and the log's hash "
		 "tiles give root %s at size %llu, not the signed one (entries "
		 "written, not trusted)", l->name, (unsigned long long)l->next, a,
		 (unsigned long long)l->sth.size);
	return 1;
}
