/*
 * parser_json.c - a Forward as the JSON object of spec/parse-json.md
 *
 * Field names and nulls follow the contract exactly: "original" is null
 * when nothing was forwarded; "from" is always an object inside
 * "original" (its name and address null when unknown); address lists
 * are arrays, empty when absent. Strings were cleaned by the parser;
 * json-glib escapes them.
 */
#include "config.h"

#include <json-glib/json-glib.h>

#include "parser/parser.h"

/* add_string - "key": "value" or "key": null */
static void
add_string(JsonBuilder *b, const char *key, const char *value)
{
	json_builder_set_member_name(b, key);
	if (value != NULL)
		json_builder_add_string_value(b, value);
	else
		json_builder_add_null_value(b);
}

/* add_address - {"name": ..., "address": ...} */
static void
add_address(JsonBuilder *b, const FwdAddress *a)
{
	json_builder_begin_object(b);
	add_string(b, "name", a != NULL ? a->name : NULL);
	add_string(b, "address", a != NULL ? a->address : NULL);
	json_builder_end_object(b);
}

/* add_list - "key": [ {name, address}, ... ] */
static void
add_list(JsonBuilder *b, const char *key, const GPtrArray *list)
{
	json_builder_set_member_name(b, key);
	json_builder_begin_array(b);
	for (guint i = 0; list != NULL && i < list->len; i++)
		add_address(b, g_ptr_array_index(list, i));
	json_builder_end_array(b);
}

/* add_message - one forwarded message as an object */
static void
add_message(JsonBuilder *b, const FwdMessage *m)
{
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "from");
	add_address(b, m->from);
	add_list(b, "to", m->to);
	add_list(b, "cc", m->cc);
	add_list(b, "reply_to", m->reply_to);
	add_string(b, "subject", m->subject);
	add_string(b, "date", m->date);
	add_string(b, "date_raw", m->date_raw);
	add_string(b, "message_id", m->message_id);
	add_string(b, "body", m->body);
	json_builder_end_object(b);
}

/* forward_to_json - the contract's JSON for a Forward (transfer full) */
char *
forward_to_json(const Forward *fwd)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autoptr(JsonNode) root = NULL;

	g_return_val_if_fail(fwd != NULL, NULL);
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "forwarded");
	json_builder_add_boolean_value(b, fwd->forwarded);
	add_string(b, "kind", forward_kind_name(fwd->kind));
	add_string(b, "note", fwd->note);
	json_builder_set_member_name(b, "original");
	if (fwd->original != NULL)
		add_message(b, fwd->original);
	else
		json_builder_add_null_value(b);
	json_builder_set_member_name(b, "chain");
	json_builder_begin_array(b);
	for (guint i = 0; fwd->chain != NULL && i < fwd->chain->len; i++)
		add_message(b, g_ptr_array_index(fwd->chain, i));
	json_builder_end_array(b);
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	json_generator_set_root(gen, root);
	json_generator_set_pretty(gen, TRUE);
	json_generator_set_indent(gen, 2);
	return json_generator_to_data(gen, NULL);
}
