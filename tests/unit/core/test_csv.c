/* test_csv.c: the CSV reader (quoting, line numbers, line ends, BOM, UTF-8 flags, caps
 * and resync) and the quoting writer. */
#include "testutil.h"

/* Reads every record of text (n bytes) with the given caps; the records are rendered
 * as "LINE:field|field" (or "LINE:!err") joined by newlines into out. */
static void parse(const char *text, size_t n, size_t cap, int fields_cap, char *out, size_t outlen)
{
	FILE *f = fmemopen((void *)text, n, "r");
	assert_non_null(f);
	struct mu_csv *c = mu_csv_new(f, cap, fields_cap);
	struct mu_csv_record r;
	size_t o = 0;
	uint64_t last_line = 0;
	int rc;
	out[0] = '\0';
	while ((rc = mu_csv_next(c, &r)) == 1) {
		assert_true(r.line > last_line);
		last_line = r.line;
		o += (size_t)snprintf(out + o, outlen - o, "%s%llu:", o ? "\n" : "",
				      (unsigned long long)r.line);
		if (r.err) {
			o += (size_t)snprintf(out + o, outlen - o, "!%s", mu_csv_err_msg(r.err));
			continue;
		}
		if (r.bad_utf8 >= 0)
			o += (size_t)snprintf(out + o, outlen - o, "~%d~", r.bad_utf8);
		for (int i = 0; i < r.nfields; i++) {
			assert_int_equal(strlen(r.fields[i]), r.lens[i]);
			o += (size_t)snprintf(out + o, outlen - o, "%s%s", i ? "|" : "",
					      r.fields[i]);
		}
	}
	assert_int_equal(rc, 0);
	assert_int_equal(mu_csv_bytes(c), n);
	mu_csv_free(c);
	fclose(f);
}

#define CHECK(text, want)                                                                          \
	do {                                                                                       \
		char got_[4096];                                                                   \
		parse(text, sizeof(text) - 1, 0, 0, got_, sizeof got_);                            \
		assert_string_equal(got_, want);                                                   \
	} while (0)

static void test_plain(void **state)
{
	(void)state;
	CHECK("a,b,c\n1,2,3\n", "1:a|b|c\n2:1|2|3");
	CHECK("a,,c\n,\n", "1:a||c\n2:|");
	CHECK("", "");
	CHECK("one", "1:one");
}

static void test_quoting(void **state)
{
	(void)state;
	CHECK("\"a,b\",\"say \"\"hi\"\"\",\"\"\n", "1:a,b|say \"hi\"|");
	/* A quoted empty field is a record of one empty field, not an empty line. */
	CHECK("\"\"\nx\n", "1:\n2:x");
	/* A stray quote inside plain text is kept as data. */
	CHECK("ab\"c,d\n", "1:ab\"c|d");
	/* Text after a closing quote is malformed; the next line parses again. */
	CHECK("\"ab\"c,d\nok,1\n", "1:!malformed quoting\n2:ok|1");
	/* A quote never closed swallows the rest and is reported. */
	CHECK("ok\n\"never closed,\nmore\n", "1:ok\n2:!malformed quoting");
}

static void test_newlines_and_line_numbers(void **state)
{
	(void)state;
	CHECK("h1,h2\n\"multi\nline\",x\nnext,y\n", "1:h1|h2\n2:multi\nline|x\n4:next|y");
	CHECK("a\n\"1\n2\n3\"\nb\n", "1:a\n2:1\n2\n3\n5:b");
}

static void test_crlf(void **state)
{
	(void)state;
	CHECK("a,b\r\n1,2\r\n", "1:a|b\n2:1|2");
	CHECK("\"q\"\r\nx,\"y\"\r\n", "1:q\n2:x|y");
	/* CRLF inside quotes is data. */
	CHECK("\"a\r\nb\"\r\nc\r\n", "1:a\r\nb\n3:c");
	CHECK("a,b\r\n1,2\r", "1:a|b\n2:1|2");
}

static void test_bom(void **state)
{
	(void)state;
	CHECK("\xEF\xBB\xBF"
	      "code,name\n1,x\n",
	      "1:code|name\n2:1|x");
	CHECK("\xEF\xBB\xBF", "");
	/* Only at the very start. */
	CHECK("a\n\xEF\xBB\xBF"
	      "b\n",
	      "1:a\n2:\xEF\xBB\xBF"
	      "b");
}

static void test_utf8(void **state)
{
	(void)state;
	/* 𠈌 is four bytes: valid. */
	CHECK("\xF0\xA0\x88\x8C,\xE5\xBC\xA0\n", "1:\xF0\xA0\x88\x8C|\xE5\xBC\xA0");
	/* GBK 张三 in the second field: flagged, and the record is still delivered. */
	CHECK("ok,\xD5\xC5\xC8\xFD\nnext\n", "1:~1~ok|\xD5\xC5\xC8\xFD\n2:next");
	/* A flag on one record does not carry over to the next. */
	CHECK("\xFF\nfine\n", "1:~0~\xFF\n2:fine");
}

static void test_empty_lines(void **state)
{
	(void)state;
	CHECK("\n\na\n\r\n\nb\n\n", "3:a\n6:b");
	CHECK("a\n\n", "1:a");
}

static void test_no_trailing_newline(void **state)
{
	(void)state;
	CHECK("a,b\nc,d", "1:a|b\n2:c|d");
	CHECK("a,b\nc,", "1:a|b\n2:c|");
	CHECK("a,\"b\"", "1:a|b");
}

static void test_caps_and_resync(void **state)
{
	(void)state;
	char got[4096];
	const char *t = "short\n0123456789abcdef,x\nok\n";
	parse(t, strlen(t), 10, 0, got, sizeof got);
	assert_string_equal(got, "1:short\n2:!record too long\n3:ok");
	/* Exactly at the cap is fine. */
	t = "0123456789\n";
	parse(t, strlen(t), 10, 0, got, sizeof got);
	assert_string_equal(got, "1:0123456789");
	/* An over-long quoted field is refused through to its closing quote: nothing inside
	 * it is read as a row, not even at a line break (issue 11 #18; it used to resync
	 * at the line break and read 2:def"). */
	t = "\"0123456789abc\ndef\"\nok\n";
	parse(t, strlen(t), 10, 0, got, sizeof got);
	assert_string_equal(got, "1:!record too long\n3:ok");
	t = "\"0123456789abc\nhidden,row\n\",x\nok\n";
	parse(t, strlen(t), 10, 0, got, sizeof got);
	assert_string_equal(got, "1:!record too long\n4:ok");
	/* Quotes written twice inside it do not close it. */
	t = "\"0123456789ab\"\"\nhidden,\"\"row\"\"\n\"\nok\n";
	parse(t, strlen(t), 10, 0, got, sizeof got);
	assert_string_equal(got, "1:!record too long\n4:ok");
	/* Out of room exactly at a line break inside the quotes. */
	t = "\"0123456789\nhidden\n\"\nok\n";
	parse(t, strlen(t), 10, 0, got, sizeof got);
	assert_string_equal(got, "1:!record too long\n4:ok");
	/* The rest of the record is skipped as CSV too: a later quoted field keeps its line
	 * breaks, and an over-long plain field does not end inside one either. */
	t = "\"0123456789ab\",\"x\nhidden\"\nok\n";
	parse(t, strlen(t), 10, 0, got, sizeof got);
	assert_string_equal(got, "1:!record too long\n3:ok");
	t = "0123456789ab,\"x\nhidden\"\nok\n";
	parse(t, strlen(t), 10, 0, got, sizeof got);
	assert_string_equal(got, "1:!record too long\n3:ok");
	/* Too many fields: the rest of the record is skipped the same way. */
	t = "a,b,\"c\nhidden\"\nok\n";
	parse(t, strlen(t), 0, 2, got, sizeof got);
	assert_string_equal(got, "1:!too many fields\n3:ok");
	/* Never closed: the error stands to the end of the input. */
	t = "ok\n\"0123456789ab\nhidden\n";
	parse(t, strlen(t), 10, 0, got, sizeof got);
	assert_string_equal(got, "1:ok\n2:!record too long");
	t = "a,b,c\na,b\nz\n";
	parse(t, strlen(t), 0, 2, got, sizeof got);
	assert_string_equal(got, "1:!too many fields\n2:a|b\n3:z");
	/* The field after a last comma at the very end counts too (found by fuzz_csv). */
	t = "a,b,";
	parse(t, strlen(t), 0, 2, got, sizeof got);
	assert_string_equal(got, "1:!too many fields");
	/* A record far longer than the input buffer. */
	size_t big = 300 * 1024;
	char *buf = mu_xmalloc(big + 16);
	memset(buf, 'x', big);
	memcpy(buf + big, "\nafter\n", 8);
	parse(buf, big + 7, 0, 0, got, sizeof got);
	assert_string_equal(got, "1:!record too long\n2:after");
	free(buf);
}

static void test_nul(void **state)
{
	(void)state;
	char got[256];
	parse("a\0b,c\nd\n", 8, 0, 0, got, sizeof got);
	assert_string_equal(got, "1:!NUL byte in a field\n2:d");
}

/* Records that straddle the 64 KiB input chunk keep their bytes and line numbers. */
static void test_chunk_boundaries(void **state)
{
	(void)state;
	struct mu_buf b;
	mu_buf_init(&b, 8u << 20);
	for (int i = 0; i < 20000; i++)
		assert_int_equal(mu_buf_printf(&b, "%d,\"q\"\"%d\",\"x\r\ny\"\r\n", i, i), 0);
	FILE *f = fmemopen(b.data, b.len, "r");
	struct mu_csv *c = mu_csv_new(f, 0, 0);
	struct mu_csv_record r;
	int n = 0;
	while (mu_csv_next(c, &r) == 1) {
		assert_int_equal(r.err, 0);
		assert_int_equal(r.nfields, 3);
		assert_int_equal(r.line, (uint64_t)(2 * n + 1));
		char want[32];
		snprintf(want, sizeof want, "%d", n);
		assert_string_equal(r.fields[0], want);
		snprintf(want, sizeof want, "q\"%d", n);
		assert_string_equal(r.fields[1], want);
		assert_string_equal(r.fields[2], "x\r\ny");
		n++;
	}
	assert_int_equal(n, 20000);
	mu_csv_free(c);
	fclose(f);
	mu_buf_fini(&b);
}

static void test_writer_round_trip(void **state)
{
	(void)state;
	char *mem = NULL;
	size_t memlen = 0;
	FILE *f = open_memstream(&mem, &memlen);
	const char *row[] = {"plain", "a,b", "say \"hi\"", "two\nlines", "", "\xF0\xA0\x88\x8C"};
	assert_int_equal(mu_csv_write_record(f, row, 6), 0);
	fclose(f);
	assert_string_equal(mem,
			    "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",,\xF0\xA0\x88\x8C\n");
	assert_false(mu_csv_needs_quotes("abc", 3));
	assert_true(mu_csv_needs_quotes("a\rb", 3));

	f = fmemopen(mem, memlen, "r");
	struct mu_csv *c = mu_csv_new(f, 0, 0);
	struct mu_csv_record r;
	assert_int_equal(mu_csv_next(c, &r), 1);
	assert_int_equal(r.nfields, 6);
	for (int i = 0; i < 6; i++)
		assert_string_equal(r.fields[i], row[i]);
	assert_int_equal(mu_csv_next(c, &r), 0);
	mu_csv_free(c);
	fclose(f);
	free(mem);
}

/* Cells a spreadsheet would run as a formula are written with a leading quote, as the
 * web export does (web/src/lib/export.js), and read back as they were (issue 11 #12). */
static void test_writer_defuses_formulas(void **state)
{
	(void)state;
	char *mem = NULL;
	size_t memlen = 0;
	FILE *f = open_memstream(&mem, &memlen);
	const char *row[] = {
	    "=cmd|' /C calc'!A0", "@SUM(A1:A9)", "+1+1", "-2+3", "\tx", "\rx", "a=b", "'quoted",
	    "+44 20, 7946"};
	assert_int_equal(mu_csv_write_record(f, row, 9), 0);
	fclose(f);
	assert_string_equal(mem, "'=cmd|' /C calc'!A0,'@SUM(A1:A9),'+1+1,'-2+3,'\tx,\"'\rx\","
				 "a=b,'quoted,\"'+44 20, 7946\"\n");
	assert_true(mu_csv_formula_leading("=1", 2));
	assert_true(mu_csv_formula_leading("\t", 1));
	assert_false(mu_csv_formula_leading("1=", 2));
	assert_false(mu_csv_formula_leading("", 0));

	f = fmemopen(mem, memlen, "r");
	struct mu_csv *c = mu_csv_new(f, 0, 0);
	struct mu_csv_record r;
	assert_int_equal(mu_csv_next(c, &r), 1);
	assert_int_equal(r.err, 0);
	assert_int_equal(r.nfields, 9);
	for (int i = 0; i < 9; i++) {
		assert_string_equal(r.fields[i], row[i]);
		assert_int_equal(r.lens[i], strlen(row[i]));
	}
	mu_csv_free(c);
	fclose(f);
	free(mem);
}

/* Many rows through the chunked reader, every one whole; how fast is bench/'s to say
 * (a timing floor here failed under AddressSanitizer on a loaded machine). */
static void test_many_rows(void **state)
{
	(void)state;
	struct mu_buf b;
	mu_buf_init(&b, 64u << 20);
	const int rows = 200000;
	for (int i = 0; i < rows; i++)
		assert_int_equal(
		    mu_buf_printf(&b,
				  "resident_id,44010619900101%04d,\xE5\xBC\xA0\xE4\xB8\x89,M,"
				  "1990-01-01,13800138000,GZ-TH-0001-%05d\n",
				  i % 10000, i),
		    0);
	FILE *f = fmemopen(b.data, b.len, "r");
	struct mu_csv *c = mu_csv_new(f, 0, 0);
	struct mu_csv_record r;
	int n = 0;
	while (mu_csv_next(c, &r) == 1)
		n += r.nfields == 7 && r.bad_utf8 < 0;
	assert_int_equal(n, rows);
	mu_csv_free(c);
	fclose(f);
	mu_buf_fini(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plain),
	    cmocka_unit_test(test_quoting),
	    cmocka_unit_test(test_newlines_and_line_numbers),
	    cmocka_unit_test(test_crlf),
	    cmocka_unit_test(test_bom),
	    cmocka_unit_test(test_utf8),
	    cmocka_unit_test(test_empty_lines),
	    cmocka_unit_test(test_no_trailing_newline),
	    cmocka_unit_test(test_caps_and_resync),
	    cmocka_unit_test(test_nul),
	    cmocka_unit_test(test_chunk_boundaries),
	    cmocka_unit_test(test_writer_round_trip),
	    cmocka_unit_test(test_writer_defuses_formulas),
	    cmocka_unit_test(test_many_rows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
