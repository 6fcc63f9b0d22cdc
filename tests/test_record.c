/*
 * Unit tests for the JSON Lines writer (harness/records/record.c): a double always reads
 * back as a double (1 is written 1.0), an integer stays an integer, and every string comes
 * out as valid UTF-8 that a strict parser (jansson) takes, invalid bytes as U+FFFD.
 */
#include <jansson.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness/records/record.h"

#define FFFD "\xef\xbf\xbd"

/* the text one number field takes in a record */
static void number_text(double v, int exact, char *out, size_t len)
{
	struct jw w = { 0 };
	const char *at, *end;

	jw_begin(&w, "t");
	if (exact)
		jw_num_exact(&w, "v", v);
	else
		jw_num(&w, "v", v);
	jw_end(&w);
	assert_false(w.oom);
	at = strstr(w.buf, "\"v\":");
	assert_non_null(at);
	at += 4;
	end = strchr(at, '}');
	snprintf(out, len, "%.*s", (int)(end - at), at);
	jw_release(&w);
}

static void test_doubles_keep_a_point(void **state)
{
	static const struct { double v; const char *text; } cases[] = {
		{ 1.0, "1.0" }, { 0.0, "0.0" }, { -0.0, "-0.0" }, { 3600.0, "3600.0" },
		{ 0.5, "0.5" }, { -2.25, "-2.25" }, { 1e20, "1e+20" }, { 1.5e-7, "1.5e-07" },
		{ 123456789.0, "123456789.0" }, { 1234567890.0, "1.23456789e+09" },
	};
	char text[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		number_text(cases[i].v, 0, text, sizeof(text));
		assert_string_equal(text, cases[i].text);
	}
	number_text(NAN, 0, text, sizeof(text));
	assert_string_equal(text, "null");
	number_text(INFINITY, 1, text, sizeof(text));
	assert_string_equal(text, "null");
	number_text(2.0, 1, text, sizeof(text));
	assert_string_equal(text, "2.0");
	number_text(0.1, 1, text, sizeof(text));
	assert_true(strtod(text, NULL) == 0.1);
}

/* a record parsed back by jansson, which refuses invalid UTF-8 */
static json_t *parse(const struct jw *w)
{
	json_error_t err;
	json_t *rec;

	assert_false(w->oom);
	assert_true(w->len > 0 && w->buf[w->len - 1] == '\n');
	rec = json_loadb(w->buf, w->len, 0, &err);
	if (!rec)
		fail_msg("not JSON: %s in %s", err.text, w->buf);
	return rec;
}

static void test_types_per_field(void **state)
{
	const double v[] = { 1.0, 2.5 };
	struct jw w = { 0 };
	json_t *rec, *arr;

	(void)state;
	jw_begin(&w, "t");
	jw_int(&w, "i", 7);
	jw_num(&w, "d", 7.0);
	jw_u64(&w, "u", 9007199254740993ull);   /* past a double's integers */
	jw_nums(&w, "a", v, 2);
	jw_end(&w);
	rec = parse(&w);
	assert_true(json_is_integer(json_object_get(rec, "i")));
	assert_true(json_is_real(json_object_get(rec, "d")));
	arr = json_object_get(rec, "a");
	assert_true(json_is_real(json_array_get(arr, 0)) && json_is_real(json_array_get(arr, 1)));
	assert_true(json_integer_value(json_object_get(rec, "u")) == 9007199254740993ll);
	json_decref(rec);
	jw_release(&w);
}

/* s written as a string field and read back: what a reader gets */
static char *round_trip(const char *s)
{
	struct jw w = { 0 };
	json_t *rec;
	char *back;

	jw_begin(&w, "t");
	jw_str(&w, "s", s);
	jw_end(&w);
	rec = parse(&w);
	back = strdup(json_string_value(json_object_get(rec, "s")));
	json_decref(rec);
	jw_release(&w);
	return back;
}

static void expect(const char *in, const char *out)
{
	char *back = round_trip(in);

	assert_string_equal(back, out);
	free(back);
}

static void test_strings_valid_utf8(void **state)
{
	(void)state;
	/* plain text, escapes, and well-formed sequences of 2, 3 and 4 bytes come back as given */
	expect("results/run.jsonl", "results/run.jsonl");
	expect("a \"b\" \\c\n\t\x01", "a \"b\" \\c\n\t\x01");
	expect("caf\xc3\xa9 \xe2\x82\xac \xf0\x9d\x84\x9e", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9d\x84\x9e");
	expect("\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf");   /* U+10FFFF, the last code point */
	/* each byte of an invalid sequence becomes U+FFFD; what follows is kept */
	expect("out/\xff.jsonl", "out/" FFFD ".jsonl");
	expect("\xc0\xaf", FFFD FFFD);                  /* an overlong '/' */
	expect("\xe0\x80\xaf", FFFD FFFD FFFD);         /* an overlong form in 3 bytes */
	expect("\xed\xa0\x80", FFFD FFFD FFFD);         /* a surrogate */
	expect("\xf4\x90\x80\x80", FFFD FFFD FFFD FFFD);  /* past U+10FFFF */
	expect("x\xe2\x82", "x" FFFD FFFD);             /* cut short by the end */
	expect("\xe2\x82z", FFFD FFFD "z");             /* cut short by a plain byte */
	expect("\x80", FFFD);                           /* a lone continuation byte */
}

static void test_long_strings_and_keys(void **state)
{
	char big[5000], key[8] = "k\xff";
	struct jw w = { 0 };
	json_t *rec;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(big) - 1; i++)
		big[i] = i % 97 == 0 ? '\xff' : 'a' + (char)(i % 26);
	big[sizeof(big) - 1] = 0;
	jw_begin(&w, "t");
	jw_str(&w, "s", big);
	jw_str(&w, key, "v");
	jw_end(&w);
	rec = parse(&w);
	assert_true(strlen(json_string_value(json_object_get(rec, "s"))) > sizeof(big));
	assert_string_equal(json_string_value(json_object_get(rec, "k" FFFD)), "v");
	json_decref(rec);
	jw_release(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_doubles_keep_a_point),
		cmocka_unit_test(test_types_per_field),
		cmocka_unit_test(test_strings_valid_utf8),
		cmocka_unit_test(test_long_strings_and_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
