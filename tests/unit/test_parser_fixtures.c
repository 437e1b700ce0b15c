/*
 * test_parser_fixtures.c - run the parser over tests/fixtures/parser/
 *
 * Each NNN-name.eml in the fixture directory becomes one GTest case,
 * /parser/fixture/NNN-name: parser_parse() + forward_to_json() on the
 * message, then a recursive comparison of that JSON with NNN-name.json
 * (the complete expected output of `passalong parse`, see
 * ../shared/spec/parse-json.md and tests/fixtures/parser/README.md).
 * Every key must match: a missing key, an extra key, a different type
 * or value is a failure, reported with its path and both values.
 *
 * The directory is $top_srcdir/tests/fixtures/parser (set by automake's
 * test environment), else FIXTURE_DIR given at compile time. A fixture
 * directory without any .eml is itself a failure, so the suite cannot
 * pass by finding nothing.
 */
#include "config.h"

#include <stdarg.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "parser/parser.h"

#define MAX_REPORTED 25 /* mismatches printed per fixture */
#define SHOW_WHOLE 240  /* strings up to this length print whole */
#define SHOW_CONTEXT 60 /* else this much either side of the diff */

typedef struct {
	char *eml;  /* path of NNN-name.eml */
	char *json; /* path of NNN-name.json */
} Fixture;

typedef struct {
	GString *report; /* one line per mismatch */
	guint count;     /* mismatches found (also past MAX_REPORTED) */
} Diff;

/* fixture_free - destructor for g_test_add_data_func_full() */
static void
fixture_free(gpointer data)
{
	Fixture *fx = data;

	if (fx == NULL)
		return;
	g_free(fx->eml);
	g_free(fx->json);
	g_free(fx);
}

/* node_show - a JSON node as compact text for a report line */
static char *
node_show(JsonNode *node)
{
	g_autoptr(JsonGenerator) gen = json_generator_new();

	if (node == NULL)
		return g_strdup("(missing)");
	json_generator_set_root(gen, node);
	return json_generator_to_data(gen, NULL);
}

/* diff_add - record one mismatch at path */
static void
diff_add(Diff *d, const char *path, const char *what, const char *expected,
    const char *actual)
{
	d->count++;
	if (d->count > MAX_REPORTED)
		return;
	g_string_append_printf(d->report,
	    "%s: %s\n    expected: %s\n"
	    "    actual:   %s\n",
	    path, what, expected, actual);
}

/* show_window - the part of a string around byte offset at */
static char *
show_window(const char *s, gsize at)
{
	gsize len = strlen(s);
	gsize from = at > SHOW_CONTEXT ? at - SHOW_CONTEXT : 0;
	gsize to = MIN(len, at + SHOW_CONTEXT);
	g_autofree char *part = NULL;
	g_autofree char *esc = NULL;

	/* keep the window on UTF-8 character boundaries */
	while (from > 0 && (s[from] & 0xc0) == 0x80)
		from--;
	while (to < len && (s[to] & 0xc0) == 0x80)
		to++;
	part = g_strndup(s + from, to - from);
	esc = g_strescape(part, NULL);
	return g_strdup_printf(
	    "%s\"%s\"%s", from > 0 ? "..." : "", esc, to < len ? "..." : "");
}

/* diff_strings - report two different strings, long ones as a window */
static void
diff_strings(Diff *d, const char *path, JsonNode *exp, JsonNode *act)
{
	const char *e = json_node_get_string(exp);
	const char *a = json_node_get_string(act);
	gsize at = 0;
	g_autofree char *what = NULL;
	g_autofree char *es = NULL;
	g_autofree char *as = NULL;

	while (e[at] != '\0' && e[at] == a[at])
		at++;
	if (strlen(e) <= SHOW_WHOLE && strlen(a) <= SHOW_WHOLE) {
		es = node_show(exp);
		as = node_show(act);
	} else {
		es = show_window(e, at);
		as = show_window(a, at);
	}
	what = g_strdup_printf("strings differ at byte %" G_GSIZE_FORMAT
			       " (lengths %" G_GSIZE_FORMAT
			       " and %" G_GSIZE_FORMAT ")",
	    at, strlen(e), strlen(a));
	diff_add(d, path, what, es, as);
}

static void compare_nodes(
    Diff *d, const char *path, JsonNode *exp, JsonNode *act);

/* compare_objects - same keys, same values; order does not matter */
static void
compare_objects(Diff *d, const char *path, JsonObject *exp, JsonObject *act)
{
	g_autoptr(GList) ekeys = json_object_get_members(exp);
	g_autoptr(GList) akeys = json_object_get_members(act);

	for (GList *k = ekeys; k != NULL; k = k->next) {
		const char *key = k->data;
		g_autofree char *sub = g_strdup_printf("%s.%s", path, key);

		compare_nodes(d, sub, json_object_get_member(exp, key),
		    json_object_get_member(act, key));
	}
	for (GList *k = akeys; k != NULL; k = k->next) {
		const char *key = k->data;
		g_autofree char *sub = NULL;
		g_autofree char *as = NULL;

		if (json_object_has_member(exp, key))
			continue;
		sub = g_strdup_printf("%s.%s", path, key);
		as = node_show(json_object_get_member(act, key));
		diff_add(
		    d, sub, "key not in the expected output", "(missing)", as);
	}
}

/* array_show - a JSON array as compact text for a report line */
static char *
array_show(JsonArray *array)
{
	g_autoptr(JsonNode) node = json_node_new(JSON_NODE_ARRAY);

	json_node_set_array(node, array);
	return node_show(node);
}

/* compare_arrays - same length, elements equal in order */
static void
compare_arrays(Diff *d, const char *path, JsonArray *exp, JsonArray *act)
{
	guint en = json_array_get_length(exp);
	guint an = json_array_get_length(act);

	if (en != an) {
		g_autofree char *what =
		    g_strdup_printf("array length %u, expected %u", an, en);
		g_autofree char *es = array_show(exp);
		g_autofree char *as = array_show(act);

		diff_add(d, path, what, es, as);
	}
	for (guint i = 0; i < MIN(en, an); i++) {
		g_autofree char *sub = g_strdup_printf("%s[%u]", path, i);

		compare_nodes(d, sub, json_array_get_element(exp, i),
		    json_array_get_element(act, i));
	}
}

/* compare_nodes - report every difference between exp and act */
static void
compare_nodes(Diff *d, const char *path, JsonNode *exp, JsonNode *act)
{
	g_autofree char *es = NULL;
	g_autofree char *as = NULL;

	if (act == NULL || JSON_NODE_TYPE(exp) != JSON_NODE_TYPE(act) ||
	    (JSON_NODE_HOLDS_VALUE(exp) && json_node_get_value_type(exp) !=
					       json_node_get_value_type(act))) {
		es = node_show(exp);
		as = node_show(act);
		diff_add(
		    d, path, act ? "different type" : "missing key", es, as);
		return;
	}
	switch (JSON_NODE_TYPE(exp)) {
	case JSON_NODE_OBJECT:
		compare_objects(d, path, json_node_get_object(exp),
		    json_node_get_object(act));
		return;
	case JSON_NODE_ARRAY:
		compare_arrays(d, path, json_node_get_array(exp),
		    json_node_get_array(act));
		return;
	case JSON_NODE_NULL:
		return;
	case JSON_NODE_VALUE:
		break;
	}
	if (json_node_get_value_type(exp) == G_TYPE_STRING) {
		if (strcmp(json_node_get_string(exp),
			json_node_get_string(act)) != 0)
			diff_strings(d, path, exp, act);
		return;
	}
	if (!json_node_equal(exp, act)) {
		es = node_show(exp);
		as = node_show(act);
		diff_add(d, path, "values differ", es, as);
	}
}

/* load_json - parse a JSON text; the test fails when it is not JSON */
static JsonNode *
load_json(const char *data, gssize len, const char *what)
{
	g_autoptr(JsonParser) jp = json_parser_new();
	g_autoptr(GError) error = NULL;

	if (!json_parser_load_from_data(jp, data, len, &error)) {
		g_test_message(
		    "%s is not valid JSON: %s", what, error->message);
		return NULL;
	}
	return json_node_copy(json_parser_get_root(jp));
}

/* fixture_fail - mark the case failed with a reason; the run goes on */
static void G_GNUC_PRINTF(1, 2) fixture_fail(const char *fmt, ...)
{
	va_list ap;
	g_autofree char *msg = NULL;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_test_message("%s", msg);
	g_test_fail();
}

/* parse_fixture - the .eml through parser_parse() + forward_to_json() */
static JsonNode *
parse_fixture(const Fixture *fx)
{
	g_autofree char *eml = NULL;
	g_autofree char *got = NULL;
	gsize len = 0;
	g_autoptr(GError) error = NULL;
	g_autoptr(Forward) fwd = NULL;
	JsonNode *act;

	if (!g_file_get_contents(fx->eml, &eml, &len, &error)) {
		fixture_fail("cannot read %s: %s", fx->eml, error->message);
		return NULL;
	}
	fwd = parser_parse(eml, len, &error);
	if (fwd == NULL) {
		fixture_fail("parser_parse(%s) failed: %s", fx->eml,
		    error != NULL ? error->message : "no error set");
		return NULL;
	}
	got = forward_to_json(fwd);
	if (got == NULL) {
		fixture_fail("forward_to_json() returned NULL");
		return NULL;
	}
	act = load_json(got, -1, "forward_to_json() output");
	if (act == NULL)
		fixture_fail("output was: %s", got);
	return act;
}

/* test_fixture - one .eml through the parser, compared with its .json */
static void
test_fixture(gconstpointer data)
{
	const Fixture *fx = data;
	g_autofree char *want = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) exp = NULL;
	g_autoptr(JsonNode) act = NULL;
	Diff d = { NULL, 0 };

	if (!g_file_get_contents(fx->json, &want, NULL, &error)) {
		fixture_fail("no expected output: %s", error->message);
		return;
	}
	exp = load_json(want, -1, fx->json);
	if (exp == NULL) {
		fixture_fail("%s is not valid JSON", fx->json);
		return;
	}
	act = parse_fixture(fx);
	if (act == NULL)
		return;
	d.report = g_string_new(NULL);
	compare_nodes(&d, "$", exp, act);
	if (d.count > 0)
		fixture_fail("%s: %u mismatch(es)%s\n%s", fx->json, d.count,
		    d.count > MAX_REPORTED ? " (first ones shown)" : "",
		    d.report->str);
	g_string_free(d.report, TRUE);
}

/* test_no_fixtures - the fixture directory held nothing to test */
static void
test_no_fixtures(gconstpointer data)
{
	g_test_message("no NNN-*.eml found in %s", (const char *)data);
	g_test_fail();
}

/* fixture_dir - $top_srcdir/tests/fixtures/parser, else the build-time one */
static char *
fixture_dir(void)
{
	const char *top = g_getenv("top_srcdir");

	if (top != NULL && *top != '\0')
		return g_build_filename(
		    top, "tests", "fixtures", "parser", NULL);
	return g_strdup(FIXTURE_DIR);
}

/* is_fixture_name - "NNN-something.eml" */
static gboolean
is_fixture_name(const char *name)
{
	return strlen(name) > 8 && g_ascii_isdigit(name[0]) &&
	       g_ascii_isdigit(name[1]) && g_ascii_isdigit(name[2]) &&
	       name[3] == '-' && g_str_has_suffix(name, ".eml");
}

/* cmp_names - g_ptr_array_sort() order for file names */
static gint
cmp_names(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* add_fixture_tests - one test per .eml, in name order; returns count */
static guint
add_fixture_tests(const char *dir)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	const char *name;

	if (d == NULL)
		return 0;
	while ((name = g_dir_read_name(d)) != NULL)
		if (is_fixture_name(name))
			g_ptr_array_add(names, g_strdup(name));
	g_ptr_array_sort(names, cmp_names);
	for (guint i = 0; i < names->len; i++) {
		const char *eml = names->pdata[i];
		g_autofree char *stem = g_strndup(eml, strlen(eml) - 4);
		g_autofree char *json = g_strconcat(stem, ".json", NULL);
		g_autofree char *test =
		    g_strconcat("/parser/fixture/", stem, NULL);
		Fixture *fx = g_new0(Fixture, 1);

		fx->eml = g_build_filename(dir, eml, NULL);
		fx->json = g_build_filename(dir, json, NULL);
		g_test_add_data_func_full(test, fx, test_fixture, fixture_free);
	}
	return names->len;
}

/* with_keep_going - argv plus --keep-going, so one failure stops nothing */
static char **
with_keep_going(int *argc, char **argv)
{
	static char keep_going[] = "--keep-going";
	char **out = g_new0(char *, (gsize)*argc + 2);

	for (int i = 0; i < *argc; i++)
		out[i] = argv[i];
	out[(*argc)++] = keep_going;
	return out;
}

/* main - register one test per fixture and run them */
int
main(int argc, char **argv)
{
	g_autofree char *dir = fixture_dir();
	g_autofree char **args = with_keep_going(&argc, argv);

	/* GTest stops at the first failing case unless told to keep going;
	 * the parser engineer needs every fixture's report in one run. */
	g_test_init(&argc, &args, NULL);
	g_mime_init();
	if (add_fixture_tests(dir) == 0)
		g_test_add_data_func(
		    "/parser/fixture/none", dir, test_no_fixtures);
	return g_test_run();
}
