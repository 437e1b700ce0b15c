/*
 * sender_webhook.c - events as signed JSON, queued and delivered
 *
 * An event (share.recorded, intro.sent, delivery.failed) becomes one
 * outbox row of kind "webhook" for each [webhook NAME] that asked for
 * it, written in the same transaction as the fact it tells: the share
 * (store_shares_record_with(), from the milter) or the delivery's
 * outcome (store_outbox_record(), from the sender, with the notices).
 * The row's message is the JSON body exactly as it is signed; its one
 * recipient is NAME, looked up in the configuration in force at each
 * try, so that a secret rotated (and reloaded) signs the retries too.
 *
 * Delivery signs as the Standard Webhooks specification does:
 *	webhook-id: msg_<outbox id>        (the same on every retry)
 *	webhook-timestamp: <seconds since the epoch, at this try>
 *	webhook-signature: v1,<base64 HMAC-SHA256(key, id.timestamp.body)>
 * The receiver dedupes by webhook-id: delivery is at least once (a
 * timeout after the receiver took the event sends it again).
 *
 * No loops: a webhook that failed is an outcome of its own row, never
 * an event. No message body is ever put in an event.
 *
 * Trust: the share's fields come from mail; JSON escapes them
 * (json-glib), and they are never interpreted here.
 */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "common/log.h"
#include "common/util.h"
#include "sender/sender_int.h"

/* sender_webhook_signature - "v1,<base64>" of key over id.timestamp.body */
char *
sender_webhook_signature(
    GBytes *key, const char *id, gint64 timestamp, GBytes *body)
{
	gsize klen = 0, blen = 0, dlen = 32;
	const guchar *k = g_bytes_get_data(key, &klen);
	const guchar *b = g_bytes_get_data(body, &blen);
	g_autoptr(GHmac) hmac = g_hmac_new(G_CHECKSUM_SHA256, k, klen);
	g_autofree char *prefix =
	    g_strdup_printf("%s.%" G_GINT64_FORMAT ".", id, timestamp);
	guint8 digest[32];
	g_autofree char *b64 = NULL;

	g_hmac_update(hmac, (const guchar *)prefix, -1);
	if (blen > 0)
		g_hmac_update(hmac, b, (gssize)blen);
	g_hmac_get_digest(hmac, digest, &dlen);
	b64 = g_base64_encode(digest, dlen);
	return g_strconcat("v1,", b64, NULL);
}

/* add_string - "name": value, or null */
static void
add_string(JsonBuilder *b, const char *name, const char *value)
{
	json_builder_set_member_name(b, name);
	if (value != NULL && g_utf8_validate(value, -1, NULL))
		json_builder_add_string_value(b, value);
	else
		json_builder_add_null_value(b);
}

/* add_int - "name": value */
static void
add_int(JsonBuilder *b, const char *name, gint64 value)
{
	json_builder_set_member_name(b, name);
	json_builder_add_int_value(b, value);
}

/* add_share - "share": {...}, its status as it stands after the event;
 * merged true when the sharer's share was merged into this open request
 * of another member's (the share's id is that request's) */
static void
add_share(JsonBuilder *b, const Share *s, const char *status, gint64 now)
{
	g_autofree char *at =
	    util_rfc3339_utc(s->created_at != 0 ? s->created_at : now);

	json_builder_set_member_name(b, "share");
	json_builder_begin_object(b);
	add_int(b, "id", s->id);
	add_string(b, "sharer", s->sharer);
	add_string(b, "recipient", s->recipient);
	add_string(b, "requester", s->requester);
	add_string(b, "subject", s->subject);
	add_string(b, "status", status);
	add_string(b, "created_at", at);
	json_builder_set_member_name(b, "merged");
	json_builder_add_boolean_value(b, s->merged);
	json_builder_end_object(b);
}

/* add_rcpt - one recipient's outcome: address, status, code, text */
static void
add_rcpt(JsonBuilder *b, const OutboxRcpt *r)
{
	add_string(b, "recipient", r->address);
	add_string(b, "status", r->status);
	json_builder_set_member_name(b, "code");
	if (r->code != 0)
		json_builder_add_int_value(b, r->code);
	else
		json_builder_add_null_value(b);
	add_string(b, "text", r->text);
}

/* What one event says. */
typedef struct {
	guint event;            /* CONFIG_EVENT_* */
	gint64 now;             /* when it happened */
	const Share *share;     /* or NULL: mail tied to no share */
	const char *status;     /* the share's status after the event */
	const OutboxItem *item; /* the delivery, or NULL */
	const OutboxRcpt *rcpt; /* delivery.failed: the recipient */
} Event;

/* event_body - the JSON body of an event (transfer full) */
static GBytes *
event_body(const Event *ev)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autoptr(JsonNode) root = NULL;
	g_autofree char *at = util_rfc3339_utc(ev->now);
	char *text;

	json_builder_begin_object(b);
	add_string(b, "type", config_event_name(ev->event));
	add_string(b, "timestamp", at);
	json_builder_set_member_name(b, "data");
	json_builder_begin_object(b);
	if (ev->share != NULL)
		add_share(b, ev->share, ev->status, ev->now);
	if (ev->item != NULL) {
		json_builder_set_member_name(b, "delivery");
		json_builder_begin_object(b);
		add_int(b, "outbox_id", ev->item->id);
		add_string(b, "kind", ev->item->kind);
		if (ev->rcpt != NULL)
			add_rcpt(b, ev->rcpt);
		json_builder_end_object(b);
	}
	json_builder_end_object(b);
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	json_generator_set_root(gen, root);
	text = json_generator_to_data(gen, NULL);
	return g_bytes_new_take(text, strlen(text));
}

/* queue_event - one webhook row per [webhook] that wants ev, into out */
static void
queue_event(const Config *cfg, const Event *ev, GPtrArray *out)
{
	g_autoptr(GBytes) body = NULL;

	for (guint i = 0; cfg->webhooks != NULL && i < cfg->webhooks->len;
	     i++) {
		const ConfigWebhook *wh = g_ptr_array_index(cfg->webhooks, i);
		OutboxItem *item;

		if ((wh->events & ev->event) == 0)
			continue;
		if (body == NULL)
			body = event_body(ev);
		item = outbox_item_new();
		item->kind = g_strdup("webhook");
		item->mail_from = g_strdup("");
		g_ptr_array_add(item->rcpts, g_strdup(wh->name));
		item->subject = g_strdup(config_event_name(ev->event));
		item->message = g_bytes_ref(body);
		g_ptr_array_add(out, item);
	}
}

/* wants - whether any webhook asked for event */
static gboolean
wants(const Config *cfg, guint event)
{
	for (guint i = 0; cfg->webhooks != NULL && i < cfg->webhooks->len; i++)
		if (((const ConfigWebhook *)g_ptr_array_index(cfg->webhooks, i))
			->events &
		    event)
			return TRUE;
	return FALSE;
}

/* sender_webhook_share_items - the rows of share.recorded (a
 * StoreShareHook; data is the Config) */
GPtrArray *
sender_webhook_share_items(const Share *share, gint64 now, gpointer data)
{
	const Config *cfg = data;
	GPtrArray *out;
	Event ev = { .event = CONFIG_EVENT_SHARE_RECORDED,
		.now = now,
		.share = share,
		.status = share->status != NULL ? share->status : "queued" };

	if (!wants(cfg, ev.event))
		return NULL;
	out = g_ptr_array_new_with_free_func((GDestroyNotify)outbox_item_free);
	queue_event(cfg, &ev, out);
	return out;
}

/* share_of - the share item belongs to, or NULL (logged) */
static Share *
share_of(Store *store, const OutboxItem *item)
{
	g_autoptr(GError) error = NULL;
	Share *share;

	if (item->share_id == 0)
		return NULL;
	share = store_share_get(store, item->share_id, &error);
	if (share == NULL && error != NULL)
		log_warn("outbox",
		    "events of id=%" G_GINT64_FORMAT " without their share: %s",
		    item->id, error->message);
	return share;
}

/* sender_webhook_events - the rows of intro.sent and delivery.failed
 * that an item's outcome makes, into out */
void
sender_webhook_events(Store *store, const Config *cfg, const OutboxItem *item,
    const char *status, GPtrArray *failed, gint64 now, GPtrArray *out)
{
	gboolean intro = g_strcmp0(item->kind, "intro") == 0;
	gboolean sent = g_strcmp0(status, "sent") == 0;
	g_autoptr(Share) share = NULL;
	Event ev = { .now = now, .item = item };

	if (g_strcmp0(item->kind, "webhook") == 0)
		return; /* no loops */
	if (!(intro && sent && wants(cfg, CONFIG_EVENT_INTRO_SENT)) &&
	    !(failed->len > 0 && wants(cfg, CONFIG_EVENT_DELIVERY_FAILED)))
		return;
	share = share_of(store, item);
	ev.share = share;
	ev.status = share == NULL                               ? NULL
		    : intro && sent                             ? "introduced"
		    : intro && g_strcmp0(status, "failed") == 0 ? "failed"
								: share->status;
	if (intro && sent) {
		ev.event = CONFIG_EVENT_INTRO_SENT;
		queue_event(cfg, &ev, out);
	}
	ev.event = CONFIG_EVENT_DELIVERY_FAILED;
	for (guint i = 0; i < failed->len; i++) {
		ev.rcpt = g_ptr_array_index(failed, i);
		queue_event(cfg, &ev, out);
	}
}

/* sender_webhook_deliver - one webhook row to the receiver NAME names */
SendResult
sender_webhook_deliver(const Config *cfg, const OutboxItem *item,
    const char *name, guint timeout, SendReply *reply)
{
	const ConfigWebhook *wh = config_webhook(cfg, name);
	g_autofree char *id = NULL, *sig = NULL, *h_id = NULL, *h_ts = NULL,
			*h_sig = NULL;
	gint64 ts = util_now();

	*reply = (SendReply){ 0 };
	if (wh == NULL) {
		reply->detail = g_strdup_printf("webhook \"%s\" is no longer "
						"configured (no [webhook %s] "
						"in the configuration)",
		    name, name);
		return SEND_FAIL;
	}
	id = g_strdup_printf("msg_%" G_GINT64_FORMAT, item->id);
	sig = sender_webhook_signature(wh->key, id, ts, item->message);
	h_id = g_strconcat("webhook-id: ", id, NULL);
	h_ts = g_strdup_printf("webhook-timestamp: %" G_GINT64_FORMAT, ts);
	h_sig = g_strconcat("webhook-signature: ", sig, NULL);
	const char *headers[] = { "Content-Type: application/json", h_id, h_ts,
		h_sig, "Expect:", NULL };
	return sender_http_post(
	    wh->url, headers, item->message, MIN(timeout, wh->timeout), reply);
}
