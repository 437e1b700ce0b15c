/*
 * web_rate.c - a token bucket per client address (see web_int.h)
 *
 * Trust: keys come from requests (an address, or what a local proxy
 * wrote): they are only hashed and compared. Memory is bounded by
 * WEB_RATE_KEYS buckets.
 */
#include "config.h"

#include "web/web_int.h"

typedef struct {
	double tokens; /* requests that may be made now */
	gint64 last;   /* when tokens was computed, microseconds */
} Bucket;

struct WebRate {
	GMutex lock;
	guint per_minute;
	GHashTable *buckets; /* key -> Bucket */
};

/* web_rate_new - a table allowing per_minute requests a minute a key */
WebRate *
web_rate_new(guint per_minute)
{
	WebRate *r = g_new0(WebRate, 1);

	g_mutex_init(&r->lock);
	r->per_minute = per_minute;
	r->buckets =
	    g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	return r;
}

/* web_rate_free - release the table; accepts NULL */
void
web_rate_free(WebRate *rate)
{
	if (rate == NULL)
		return;
	g_hash_table_destroy(rate->buckets);
	g_mutex_clear(&rate->lock);
	g_free(rate);
}

/* refill - the bucket's tokens at now */
static void
refill(const WebRate *r, Bucket *b, gint64 now)
{
	if (now > b->last) {
		b->tokens += (double)(now - b->last) * r->per_minute /
			     (60.0 * G_USEC_PER_SEC);
		if (b->tokens > r->per_minute)
			b->tokens = r->per_minute;
		b->last = now;
	}
}

/* full - g_hash_table_foreach_remove(): a bucket back to full */
static gboolean
full(gpointer key, gpointer value, gpointer data)
{
	const WebRate *r = ((gpointer *)data)[0];
	const gint64 *now = ((gpointer *)data)[1];
	Bucket *b = value;

	(void)key;
	refill(r, b, *now);
	return b->tokens >= r->per_minute;
}

/* web_rate_take - one request for key at now_us, or FALSE and the
 * seconds until the next one may come */
gboolean
web_rate_take(WebRate *rate, const char *key, gint64 now_us, guint *retry_after)
{
	Bucket *b;
	gboolean ok;

	g_return_val_if_fail(rate != NULL && key != NULL, FALSE);
	*retry_after = 0;
	if (rate->per_minute == 0)
		return TRUE;
	g_mutex_lock(&rate->lock);
	b = g_hash_table_lookup(rate->buckets, key);
	if (b == NULL && g_hash_table_size(rate->buckets) >= WEB_RATE_KEYS) {
		gpointer data[2] = { rate, &now_us };

		g_hash_table_foreach_remove(rate->buckets, full, data);
	}
	if (b == NULL && g_hash_table_size(rate->buckets) < WEB_RATE_KEYS) {
		b = g_new(Bucket, 1);
		b->tokens = rate->per_minute;
		b->last = now_us;
		g_hash_table_insert(rate->buckets, g_strdup(key), b);
	}
	if (b == NULL) { /* every bucket in use: nobody new for a while */
		*retry_after = 60;
		g_mutex_unlock(&rate->lock);
		return FALSE;
	}
	refill(rate, b, now_us);
	ok = b->tokens >= 1.0;
	if (ok)
		b->tokens -= 1.0;
	else
		*retry_after =
		    (guint)((1.0 - b->tokens) * 60.0 / rate->per_minute +
			    0.999);
	g_mutex_unlock(&rate->lock);
	return ok;
}
