/*
 * config_int.h - what config.c and config_webhook.c share; not for
 *	other modules
 *
 * SYNOPSIS
 *	if (config_is_webhook_group(group))
 *		problem = config_webhook_open(cfg, group, lineno);
 *	wh = config_webhook_of_group(cfg, group);
 *	problem = config_webhook_set(wh, key, value);
 *	config_webhooks_check(cfg, errs);
 *
 * DESCRIPTION
 *	config_is_webhook_group() says whether a group's name starts a
 *	[webhook NAME] group. config_webhook_open() adds the webhook that
 *	group names (or returns why it cannot: a bad NAME);
 *	config_webhook_of_group() finds it again, NULL when none.
 *	config_webhook_set() sets one key of it (url, secret, secret_file,
 *	events, timeout); config_webhook_known_key() says whether a key is
 *	one of those. config_webhooks_check() runs after the last line:
 *	url and exactly one of secret and secret_file present, the secret
 *	read and decodable; it appends "FILE:LINE: [webhook NAME] key:
 *	text" lines to errs.
 *
 * OWNERSHIP
 *	Problems are new strings (transfer full); the webhooks belong to
 *	cfg->webhooks.
 *
 * ERRORS, THREADS
 *	Problems as strings; while a Config is being loaded, one thread.
 */
#ifndef PA_CONFIG_INT_H
#define PA_CONFIG_INT_H

#include "common/config.h"

gboolean config_is_webhook_group(const char *group);
char *config_webhook_open(Config *cfg, const char *group, guint line);
ConfigWebhook *config_webhook_of_group(const Config *cfg, const char *group);
gboolean config_webhook_known_key(const char *key);
char *config_webhook_set(ConfigWebhook *wh, const char *key, const char *value);
void config_webhooks_check(const Config *cfg, GString *errs);
void config_webhook_free(ConfigWebhook *wh);

#endif /* PA_CONFIG_INT_H */
