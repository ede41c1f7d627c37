/* Every function and every error path of the Docket C API.
 *
 * Usage: test_api POLICY.json CASES.ndjson
 * (examples/order-ops.policy.json and examples/cases.ndjson).
 *
 * Expected values come from the spec (cases-and-outcomes.md, C-1001 worked example) and
 * from the example policy's rules, reasoned by hand; the comments say why.
 */
#include "docket.h"
#include "check.h"

#include <stdint.h>

/* 2026-11-23T10:00:00Z */
#define NOW 1795428000LL
#define HOUR 3600LL
#define DAY 86400LL

static docket_engine *engine;

static int contains(const docket_buffer *b, const char *needle) {
  return strstr(docket_buffer_data(b), needle) != NULL;
}

static size_t count_lines(const docket_buffer *b) {
  size_t n = 0;
  const char *p = docket_buffer_data(b);
  for (size_t i = 0; i < docket_buffer_len(b); i++) n += p[i] == '\n';
  return n;
}

static int err_is(const docket_error *err, docket_result code, const char *name) {
  size_t len = 0;
  const char *n = docket_error_name(err, &len);
  return docket_error_code(err) == code && strlen(n) == len && strcmp(n, name) == 0;
}

static void test_version_and_null_frees(void) {
  /* The workspace version in Cargo.toml. */
  CHECK(strcmp(docket_version(), "0.1.0") == 0);
  /* _free(NULL) is a no-op for every handle. */
  docket_engine_free(NULL);
  docket_buffer_free(NULL);
  docket_error_free(NULL);
  docket_workspace_free(NULL);
  docket_report_free(NULL);
  /* Accessors on NULL handles answer neutral values. */
  size_t len = 99;
  CHECK(docket_error_code(NULL) == DOCKET_RESULT_OK);
  CHECK(strcmp(docket_error_message(NULL, &len), "") == 0 && len == 0);
  CHECK(strcmp(docket_error_path(NULL, NULL), "") == 0);
  CHECK(strcmp(docket_error_name(NULL, NULL), "") == 0);
  CHECK(strcmp(docket_error_diagnostics_json(NULL, NULL), "") == 0);
  CHECK(strcmp(docket_buffer_data(NULL), "") == 0);
  CHECK(docket_buffer_len(NULL) == 0);
  /* Result 9 has two names; the shared error table calls it internal. */
  CHECK(DOCKET_RESULT_INTERNAL == 9 && DOCKET_RESULT_PANIC == DOCKET_RESULT_INTERNAL);
}

static void test_engine_new(const char *policy, size_t policy_len) {
  docket_engine *sentinel = (docket_engine *)&checks_passed; /* never dereferenced */
  docket_engine *out = sentinel;
  docket_error *err = NULL;

  CHECK(docket_engine_new(NULL, 10, &out, &err) == DOCKET_RESULT_NULL_ARGUMENT);
  CHECK(out == sentinel); /* outputs written only on success */
  CHECK(err_is(err, DOCKET_RESULT_NULL_ARGUMENT, "null_argument"));
  docket_error_free(err);
  err = NULL;

  CHECK(docket_engine_new(policy, policy_len, NULL, &err) == DOCKET_RESULT_NULL_ARGUMENT);
  docket_error_free(err);
  err = NULL;

  /* err may be NULL: the code alone still comes back. */
  CHECK(docket_engine_new(NULL, 0, &out, NULL) == DOCKET_RESULT_NULL_ARGUMENT);

  /* Invalid UTF-8. */
  const char bad_utf8[] = "{\"name\": \"\xff\"}";
  CHECK(docket_engine_new(bad_utf8, sizeof bad_utf8 - 1, &out, &err) == DOCKET_RESULT_INVALID_UTF8);
  CHECK(err_is(err, DOCKET_RESULT_INVALID_UTF8, "invalid_utf8"));
  CHECK(out == sentinel);
  docket_error_free(err);
  err = NULL;

  /* A len that disagrees with the string: it covers the terminating NUL. */
  const char small[] = "{}";
  CHECK(docket_engine_new(small, sizeof small, &out, &err) == DOCKET_RESULT_LENGTH_MISMATCH);
  CHECK(err_is(err, DOCKET_RESULT_LENGTH_MISMATCH, "length_mismatch"));
  docket_error_free(err);
  err = NULL;

  /* Truncated JSON: half of the policy. */
  CHECK(docket_engine_new(policy, policy_len / 2, &out, &err) == DOCKET_RESULT_INVALID_JSON);
  CHECK(err_is(err, DOCKET_RESULT_INVALID_JSON, "invalid_json"));
  CHECK(out == sentinel);
  docket_error_free(err);
  err = NULL;

  /* A policy in an unsupported format version: the diagnostic points at /docket. */
  const char v2[] = "{\"docket\": 2, \"name\": \"x\", \"currency\": \"EUR\", \"fields\": {}, "
                    "\"queues\": {\"q\": {\"owner\": \"o\"}}, \"routing\": {\"hit\": \"first\", \"rules\": "
                    "[{\"id\": \"R1\", \"when\": {}, \"then\": {\"queue\": \"q\"}}]}}";
  CHECK(docket_engine_new(v2, sizeof v2 - 1, &out, &err) == DOCKET_RESULT_INVALID_POLICY);
  size_t plen = 0;
  CHECK(strcmp(docket_error_path(err, &plen), "/docket") == 0 && plen == 7);
  CHECK(err_is(err, DOCKET_RESULT_INVALID_POLICY, "invalid_policy"));
  CHECK(strstr(docket_error_message(err, NULL), "version") != NULL);
  CHECK(strstr(docket_error_diagnostics_json(err, NULL), "\"path\":\"/docket\"") != NULL);
  /* The name is the call's code (docs/errors.md); each diagnostic keeps its own. */
  CHECK(strstr(docket_error_diagnostics_json(err, NULL), "\"code\":\"unsupported_version\"") != NULL);
  CHECK(out == sentinel);
  docket_error_free(err);
  err = NULL;

  /* The example policy compiles; err stays untouched on success. */
  CHECK(docket_engine_new(policy, policy_len, &engine, &err) == DOCKET_RESULT_OK);
  CHECK(engine != NULL);
  CHECK(err == NULL);
}

static void check_text(const char *got, size_t len, const char *want) {
  CHECK(got != NULL && len == strlen(want) && memcmp(got, want, len) == 0 && got[len] == '\0');
}

static void test_names(void) {
  const char *s = NULL;
  size_t len = 0, n = 0;
  uint32_t idx = 0;
  docket_error *err = NULL;

  /* Policy identity, from the example policy's "name" and "version". */
  CHECK(docket_engine_policy_info(engine, 0, &s, &len, &err) == DOCKET_RESULT_OK);
  check_text(s, len, "acme-order-ops");
  CHECK(docket_engine_policy_info(engine, 1, &s, &len, &err) == DOCKET_RESULT_OK);
  check_text(s, len, "2026.11.2");
  CHECK(docket_engine_policy_info(engine, 2, &s, &len, &err) == DOCKET_RESULT_OK);
  CHECK(len == 7 + 64 && strncmp(s, "sha256:", 7) == 0);
  /* 3: the compile warnings as JSON; the example policy has none. */
  CHECK(docket_engine_policy_info(engine, 3, &s, &len, &err) == DOCKET_RESULT_OK);
  check_text(s, len, "[]");
  CHECK(docket_engine_policy_info(engine, 4, &s, &len, &err) == DOCKET_RESULT_INVALID_ARGUMENT);
  docket_error_free(err);
  err = NULL;
  CHECK(docket_engine_policy_info(NULL, 0, &s, &len, NULL) == DOCKET_RESULT_NULL_ARGUMENT);
  CHECK(docket_engine_policy_info(engine, 0, NULL, &len, NULL) == DOCKET_RESULT_NULL_ARGUMENT);
  CHECK(docket_engine_policy_info(engine, 0, &s, NULL, NULL) == DOCKET_RESULT_NULL_ARGUMENT);
  /* The named values are the numbers above. */
  CHECK(docket_engine_policy_info(engine, DOCKET_POLICY_INFO_NAME, &s, &len, NULL) == DOCKET_RESULT_OK);
  check_text(s, len, "acme-order-ops");
  CHECK(docket_engine_policy_info(engine, DOCKET_POLICY_INFO_VERSION, &s, &len, NULL) == DOCKET_RESULT_OK);
  check_text(s, len, "2026.11.2");
  CHECK(docket_engine_policy_info(engine, DOCKET_POLICY_INFO_FINGERPRINT, &s, &len, NULL) == DOCKET_RESULT_OK);
  CHECK(len == 7 + 64 && strncmp(s, "sha256:", 7) == 0);
  CHECK(docket_engine_policy_info(engine, DOCKET_POLICY_INFO_WARNINGS, &s, &len, NULL) == DOCKET_RESULT_OK);
  check_text(s, len, "[]");
  /* Any value past them is refused, naming the argument. */
  CHECK(docket_engine_policy_info(engine, (docket_policy_info)UINT32_MAX, &s, &len, &err) ==
        DOCKET_RESULT_INVALID_ARGUMENT);
  CHECK(err_is(err, DOCKET_RESULT_INVALID_ARGUMENT, "invalid_argument"));
  CHECK(strcmp(docket_error_path(err, NULL), "which") == 0);
  docket_error_free(err);
  err = NULL;

  /* The example declares 11 queues; refund_validation is the 8th (index 7), owned by finance_ops. */
  CHECK(docket_engine_list_len(engine, DOCKET_LIST_QUEUE, &n, &err) == DOCKET_RESULT_OK);
  CHECK_EQ_INT(n, 11);
  CHECK(docket_engine_list_item(engine, DOCKET_LIST_QUEUE, 7, &s, &len, &err) == DOCKET_RESULT_OK);
  check_text(s, len, "refund_validation");
  CHECK(docket_engine_list_item(engine, DOCKET_LIST_OWNER, 7, &s, &len, &err) == DOCKET_RESULT_OK);
  check_text(s, len, "finance_ops");
  CHECK(docket_engine_list_find(engine, DOCKET_LIST_QUEUE, "data_quality_review", 19, &idx, &err) == DOCKET_RESULT_OK);
  CHECK_EQ_INT(idx, 10);
  /* One owner per queue, in queue order: new_order_review (0) and data_quality_review (10)
   * are both order_ops', fraud_review (2) is risk's. */
  CHECK(docket_engine_list_len(engine, DOCKET_LIST_OWNER, &n, NULL) == DOCKET_RESULT_OK);
  CHECK_EQ_INT(n, 11);
  CHECK(docket_engine_list_item(engine, DOCKET_LIST_OWNER, 0, &s, &len, NULL) == DOCKET_RESULT_OK);
  check_text(s, len, "order_ops");
  CHECK(docket_engine_list_item(engine, DOCKET_LIST_OWNER, 2, &s, &len, NULL) == DOCKET_RESULT_OK);
  check_text(s, len, "risk");
  CHECK(docket_engine_list_item(engine, DOCKET_LIST_OWNER, 10, &s, &len, NULL) == DOCKET_RESULT_OK);
  check_text(s, len, "order_ops");
  /* Two metrics (response, resolution), four bands, eight roles. */
  CHECK(docket_engine_list_len(engine, DOCKET_LIST_METRIC, &n, NULL) == DOCKET_RESULT_OK);
  CHECK_EQ_INT(n, 2);
  CHECK(docket_engine_list_item(engine, DOCKET_LIST_METRIC, 1, &s, &len, NULL) == DOCKET_RESULT_OK);
  check_text(s, len, "resolution");
  CHECK(docket_engine_list_len(engine, DOCKET_LIST_BAND, &n, NULL) == DOCKET_RESULT_OK);
  CHECK_EQ_INT(n, 4);
  CHECK(docket_engine_list_item(engine, DOCKET_LIST_BAND, 3, &s, &len, NULL) == DOCKET_RESULT_OK);
  check_text(s, len, "critical");
  CHECK(docket_engine_list_len(engine, DOCKET_LIST_ROLE, &n, NULL) == DOCKET_RESULT_OK);
  CHECK_EQ_INT(n, 8);
  /* Routing outputs P1, P2, P3. */
  CHECK(docket_engine_list_len(engine, DOCKET_LIST_PRIORITY, &n, NULL) == DOCKET_RESULT_OK);
  CHECK_EQ_INT(n, 3);
  CHECK(docket_engine_list_find(engine, DOCKET_LIST_PRIORITY, "P1", 2, &idx, NULL) == DOCKET_RESULT_OK);
  CHECK(docket_engine_list_item(engine, DOCKET_LIST_PRIORITY, idx, &s, &len, NULL) == DOCKET_RESULT_OK);
  check_text(s, len, "P1");
  /* Columns include the standard keys and every declared field. */
  CHECK(docket_engine_list_find(engine, DOCKET_LIST_COLUMN, "response_at", 11, &idx, NULL) == DOCKET_RESULT_OK);
  docket_field_type ty = 0;
  CHECK(docket_engine_column_type(engine, idx, &ty, NULL) == DOCKET_RESULT_OK);
  CHECK_EQ_INT(ty, DOCKET_FIELD_TYPE_TIMESTAMP);
  CHECK(docket_engine_list_find(engine, DOCKET_LIST_COLUMN, "amount", 6, &idx, NULL) == DOCKET_RESULT_OK);
  CHECK(docket_engine_column_type(engine, idx, &ty, NULL) == DOCKET_RESULT_OK);
  CHECK_EQ_INT(ty, DOCKET_FIELD_TYPE_MONEY);
  uint32_t kind_col = 0, region_col = 0;
  CHECK(docket_engine_list_find(engine, DOCKET_LIST_COLUMN, "kind", 4, &kind_col, NULL) == DOCKET_RESULT_OK);
  CHECK(docket_engine_column_type(engine, kind_col, &ty, NULL) == DOCKET_RESULT_OK);
  CHECK_EQ_INT(ty, DOCKET_FIELD_TYPE_ENUM);
  /* kind has 12 values; refund is the 8th. */
  CHECK(docket_engine_enum_len(engine, kind_col, &n, NULL) == DOCKET_RESULT_OK);
  CHECK_EQ_INT(n, 12);
  CHECK(docket_engine_enum_find(engine, kind_col, "refund", 6, &idx, NULL) == DOCKET_RESULT_OK);
  CHECK_EQ_INT(idx, 7);
  CHECK(docket_engine_list_find(engine, DOCKET_LIST_COLUMN, "region", 6, &region_col, NULL) == DOCKET_RESULT_OK);
  CHECK(docket_engine_enum_item(engine, region_col, 1, &s, &len, NULL) == DOCKET_RESULT_OK);
  check_text(s, len, "us");

  /* Error paths. */
  CHECK(docket_engine_list_find(engine, DOCKET_LIST_QUEUE, "nope", 4, &idx, &err) == DOCKET_RESULT_NOT_FOUND);
  CHECK(err_is(err, DOCKET_RESULT_NOT_FOUND, "not_found"));
  docket_error_free(err);
  err = NULL;
  CHECK(docket_engine_enum_find(engine, kind_col, "nope", 4, &idx, NULL) == DOCKET_RESULT_NOT_FOUND);
  CHECK(docket_engine_list_len(engine, 99, &n, &err) == DOCKET_RESULT_INVALID_ARGUMENT);
  CHECK(err_is(err, DOCKET_RESULT_INVALID_ARGUMENT, "invalid_argument"));
  docket_error_free(err);
  err = NULL;
  CHECK(docket_engine_list_item(engine, DOCKET_LIST_QUEUE, 11, &s, &len, NULL) == DOCKET_RESULT_INVALID_ARGUMENT);
  CHECK(docket_engine_enum_item(engine, kind_col, 12, &s, &len, NULL) == DOCKET_RESULT_INVALID_ARGUMENT);
  CHECK(docket_engine_column_type(engine, 100000, &ty, NULL) == DOCKET_RESULT_INVALID_ARGUMENT);
  CHECK(docket_engine_enum_len(engine, 100000, &n, NULL) == DOCKET_RESULT_INVALID_ARGUMENT);
  CHECK(docket_engine_list_len(NULL, 0, &n, NULL) == DOCKET_RESULT_NULL_ARGUMENT);
  CHECK(docket_engine_list_len(engine, 0, NULL, NULL) == DOCKET_RESULT_NULL_ARGUMENT);
  CHECK(docket_engine_list_item(engine, 0, 0, NULL, &len, NULL) == DOCKET_RESULT_NULL_ARGUMENT);
  CHECK(docket_engine_list_find(engine, 0, NULL, 3, &idx, NULL) == DOCKET_RESULT_NULL_ARGUMENT);
  CHECK(docket_engine_list_find(engine, 0, "q", 1, NULL, NULL) == DOCKET_RESULT_NULL_ARGUMENT);
  CHECK(docket_engine_list_find(engine, 0, "\xc3", 1, &idx, NULL) == DOCKET_RESULT_INVALID_UTF8);
  CHECK(docket_engine_column_type(engine, 0, NULL, NULL) == DOCKET_RESULT_NULL_ARGUMENT);
  CHECK(docket_engine_enum_len(NULL, 0, &n, NULL) == DOCKET_RESULT_NULL_ARGUMENT);
  CHECK(docket_engine_enum_item(engine, kind_col, 0, &s, NULL, NULL) == DOCKET_RESULT_NULL_ARGUMENT);
  CHECK(docket_engine_enum_find(engine, kind_col, "a\0b", 3, &idx, NULL) == DOCKET_RESULT_LENGTH_MISMATCH);
}

static void test_evaluate_json(const char *cases, size_t cases_len) {
  docket_buffer *out = NULL, *out2 = NULL;
  docket_error *err = NULL;

  /* NDJSON: 15 cases -> 15 outcome lines. */
  CHECK(docket_evaluate_json(engine, cases, cases_len, NOW, &out, &err) == DOCKET_RESULT_OK);
  CHECK(err == NULL);
  CHECK_EQ_INT(count_lines(out), 15);
  CHECK(strlen(docket_buffer_data(out)) == docket_buffer_len(out));
  /* C-1001 (spec worked example): 1250.00 EUR refund -> R10 -> refund_validation, P1;
   * resolution 45900 s of 28800 -> breached, escalation level 2; calendar age 72h45m -> critical. */
  const char *first = docket_buffer_data(out);
  const char *nl = strchr(first, '\n');
  CHECK(strncmp(first, "{\"id\":\"C-1001\"", 14) == 0);
  CHECK(strstr(first, "\"queue\":\"refund_validation\"") < nl);
  CHECK(strstr(first, "\"owner\":\"finance_ops\"") < nl);
  CHECK(strstr(first, "\"priority\":\"P1\"") < nl);
  CHECK(strstr(first, "\"elapsed_s\":45900") < nl);
  CHECK(strstr(first, "\"due\":\"2026-11-21T10:15:00Z\"") < nl);
  CHECK(strstr(first, "\"next_at\":\"2026-11-23T13:15:00Z\"") < nl);
  CHECK(strstr(first, "\"band\":\"critical\"") < nl);
  CHECK(strstr(first, "\"remaining\":[\"finance_reviewer\"]") < nl);
  /* C-1012 has no kind: an outcome with error missing_kind, the rest unaffected. */
  CHECK(contains(out, "{\"id\":\"C-1012\",\"error\":{\"code\":\"missing_kind\""));

  /* The same cases as a JSON array give the same outcomes (array index = line here). */
  size_t alen = 0;
  char *array = malloc(cases_len * 2 + 4);
  array[alen++] = '[';
  for (size_t i = 0; i < cases_len; i++) {
    if (cases[i] == '\n') {
      if (i + 1 < cases_len) array[alen++] = ',';
    } else {
      array[alen++] = cases[i];
    }
  }
  array[alen++] = ']';
  CHECK(docket_evaluate_json(engine, array, alen, NOW, &out2, &err) == DOCKET_RESULT_OK);
  CHECK(docket_buffer_len(out2) == docket_buffer_len(out));
  CHECK(memcmp(docket_buffer_data(out2), docket_buffer_data(out), docket_buffer_len(out)) == 0);
  docket_buffer_free(out2);
  out2 = NULL;

  /* A truncated array fails the whole call; the output is not written. */
  docket_buffer *sentinel = (docket_buffer *)&checks_passed;
  out2 = sentinel;
  CHECK(docket_evaluate_json(engine, array, alen - 1, NOW, &out2, &err) == DOCKET_RESULT_INVALID_JSON);
  CHECK(err_is(err, DOCKET_RESULT_INVALID_JSON, "invalid_json"));
  size_t plen = 0;
  CHECK(strcmp(docket_error_path(err, &plen), "cases") == 0 && plen == 5);
  CHECK(out2 == sentinel);
  docket_error_free(err);
  err = NULL;
  free(array);

  /* NDJSON: a malformed line is that case's error (bad_json, with its line); others go on. */
  const char two[] = "{\"id\":\"C-1\",\"kind\":\"payment_hold\",\"order_id\":\"O-1\",\"opened_at\":\"2026-11-23T08:00:00Z\"}\n"
                     "{\"id\":\"C-2\",\"kind\":\n";
  CHECK(docket_evaluate_json(engine, two, sizeof two - 1, NOW, &out2, &err) == DOCKET_RESULT_OK);
  CHECK_EQ_INT(count_lines(out2), 2);
  CHECK(contains(out2, "\"queue\":\"payment_hold_review\""));
  CHECK(contains(out2, "\"code\":\"bad_json\""));
  CHECK(contains(out2, "\"line\":2"));
  docket_buffer_free(out2);
  out2 = NULL;

  /* NDJSON whose first line is `[]`: that bracket closes before more input, so this is
     NDJSON, not an array; line 1 is its own error (not an object), line 2 is routed. */
  const char first_empty[] = "[]\n{\"id\":\"C-1\",\"kind\":\"payment_hold\",\"order_id\":\"O-1\",\"opened_at\":\"2026-11-23T08:00:00Z\"}\n";
  CHECK(docket_evaluate_json(engine, first_empty, sizeof first_empty - 1, NOW, &out2, &err) == DOCKET_RESULT_OK);
  CHECK_EQ_INT(count_lines(out2), 2);
  CHECK(contains(out2, "\"code\":\"not_an_object\""));
  CHECK(contains(out2, "\"line\":1"));
  CHECK(contains(out2, "\"queue\":\"payment_hold_review\""));
  docket_buffer_free(out2);
  out2 = NULL;

  /* Empty input: no cases, an empty buffer. */
  CHECK(docket_evaluate_json(engine, "", 0, NOW, &out2, &err) == DOCKET_RESULT_OK);
  CHECK(docket_buffer_len(out2) == 0 && docket_buffer_data(out2)[0] == '\0');
  docket_buffer_free(out2);
  out2 = sentinel;

  /* Argument errors. */
  CHECK(docket_evaluate_json(NULL, cases, cases_len, NOW, &out2, NULL) == DOCKET_RESULT_NULL_ARGUMENT);
  CHECK(docket_evaluate_json(engine, NULL, 5, NOW, &out2, NULL) == DOCKET_RESULT_NULL_ARGUMENT);
  CHECK(docket_evaluate_json(engine, cases, cases_len, NOW, NULL, NULL) == DOCKET_RESULT_NULL_ARGUMENT);
  CHECK(docket_evaluate_json(engine, "[{\"id\":\"\xe2\x82\"}]", 12, NOW, &out2, NULL) == DOCKET_RESULT_INVALID_UTF8);
  /* One array (its `[` closes at the end) holding a NUL: the array is read whole. */
  CHECK(docket_evaluate_json(engine, "[\0]", 3, NOW, &out2, NULL) == DOCKET_RESULT_LENGTH_MISMATCH);
  CHECK(docket_evaluate_json(engine, "[{}", 3, NOW, &out2, NULL) == DOCKET_RESULT_INVALID_JSON);
  CHECK(out2 == sentinel);
  docket_buffer_free(out);
}

static void test_report_json(const char *cases, size_t cases_len) {
  docket_buffer *out = NULL;
  docket_error *err = NULL;
  CHECK(docket_report_json(engine, cases, cases_len, NOW, &out, &err) == DOCKET_RESULT_OK);
  /* 15 cases; C-1012 (no kind) is the one error; C-1010 (no order_id, required for "*")
   * and C-1011 (amount "not-a-number") fail intake validation -> invalid. */
  CHECK(contains(out, "\"cases\":15"));
  CHECK(contains(out, "\"errors\":1"));
  CHECK(contains(out, "\"invalid\":2"));
  CHECK(contains(out, "\"now\":\"2026-11-23T10:00:00Z\""));
  CHECK(contains(out, "\"refund_validation\":{"));
  CHECK(contains(out, "\"controls\":["));
  docket_buffer_free(out);
  docket_buffer *sentinel = (docket_buffer *)&checks_passed;
  out = sentinel;
  CHECK(docket_report_json(engine, "[1,", 3, NOW, &out, &err) == DOCKET_RESULT_INVALID_JSON);
  docket_error_free(err);
  err = NULL;
  CHECK(docket_report_json(NULL, cases, cases_len, NOW, &out, NULL) == DOCKET_RESULT_NULL_ARGUMENT);
  CHECK(docket_report_json(engine, cases, cases_len, NOW, NULL, NULL) == DOCKET_RESULT_NULL_ARGUMENT);
  /* A JSON array must be UTF-8 as a whole; an NDJSON line that is not is its case's error. */
  CHECK(docket_report_json(engine, "[\xff]", 3, NOW, &out, NULL) == DOCKET_RESULT_INVALID_UTF8);
  CHECK(out == sentinel);
  CHECK(docket_report_json(engine, "\xff", 1, NOW, &out, &err) == DOCKET_RESULT_OK);
  CHECK(err == NULL);
  CHECK(contains(out, "\"cases\":1,\"errors\":1"));
  docket_buffer_free(out);
}

static void test_authorize_json(const char *cases) {
  docket_buffer *out = NULL;
  docket_error *err = NULL;
  const char *c1001 = cases;
  size_t c1001_len = (size_t)(strchr(cases, '\n') - cases);

  /* C-1001 at NOW (2026-11-23T10:00:00Z): its ops_manager step is filled by u-7, its
   * finance_reviewer step (A3) is open. close requires every step filled: pending. The
   * answer is a decision record: case, actor, action, now, the policy. */
  const char *lead = "{\"id\":\"u-9\",\"roles\":[\"team_lead\"]}";
  CHECK(docket_authorize_json(engine, c1001, c1001_len, lead, strlen(lead), "close", 5, NOW, &out, &err) ==
        DOCKET_RESULT_OK);
  CHECK(contains(out, "{\"case\":\"C-1001\",\"actor\":\"u-9\",\"action\":\"close\",\"now\":\"2026-11-23T10:00:00Z\","
                      "\"allowed\":false,"));
  CHECK(contains(out, "\"code\":\"approvals_pending\""));
  CHECK(contains(out, "\"roles\":[\"finance_reviewer\"]"));
  CHECK(contains(out, "\"policy\":{\"name\":\"acme-order-ops\",\"version\":\"2026.11.2\",\"fingerprint\":\"sha256:"));
  docket_buffer_free(out);
  /* A finance_reviewer may fill the open step, and the record names it. */
  const char *reviewer = "{\"id\":\"u-8\",\"roles\":[\"finance_reviewer\"]}";
  CHECK(docket_authorize_json(engine, c1001, c1001_len, reviewer, strlen(reviewer), "approve", 7, NOW, &out, &err) ==
        DOCKET_RESULT_OK);
  CHECK(contains(out, "\"allowed\":true,\"reasons\":[],\"fills\":{\"role\":\"finance_reviewer\",\"rule\":\"A3\","
                      "\"as\":\"finance_reviewer\"}"));
  docket_buffer_free(out);
  /* A team_lead (250) ranks below finance_reviewer: no open step it may fill. */
  CHECK(docket_authorize_json(engine, c1001, c1001_len, lead, strlen(lead), "approve", 7, NOW, &out, &err) ==
        DOCKET_RESULT_OK);
  CHECK(contains(out, "\"allowed\":false"));
  CHECK(contains(out, "\"code\":\"no_open_step\""));
  docket_buffer_free(out);
  /* As of 2026-11-20T10:30:00Z (1795170600), before u-7's approval at 11:00, the
   * ops_manager step (A2) is the first open one: an ops_manager fills it. */
  const char *manager = "{\"id\":\"u-6\",\"roles\":[\"ops_manager\"]}";
  CHECK(docket_authorize_json(engine, c1001, c1001_len, manager, strlen(manager), "approve", 7, 1795170600LL, &out,
                              &err) == DOCKET_RESULT_OK);
  CHECK(contains(out, "\"now\":\"2026-11-20T10:30:00Z\""));
  CHECK(contains(out, "\"fills\":{\"role\":\"ops_manager\",\"rule\":\"A2\""));
  docket_buffer_free(out);
  /* cancel is not_requester: agent-17 requested C-1001. */
  const char *requester = "{\"id\":\"agent-17\",\"roles\":[\"ops_manager\"]}";
  CHECK(docket_authorize_json(engine, c1001, c1001_len, requester, strlen(requester), "cancel", 6, NOW, &out, &err) ==
        DOCKET_RESULT_OK);
  CHECK(contains(out, "\"code\":\"separation_of_duties\""));
  docket_buffer_free(out);
  /* An undeclared action is a denial, not a call error. */
  CHECK(docket_authorize_json(engine, c1001, c1001_len, lead, strlen(lead), "launch", 6, NOW, &out, &err) ==
        DOCKET_RESULT_OK);
  CHECK(contains(out, "\"code\":\"unknown_action\""));
  docket_buffer_free(out);

  docket_buffer *sentinel = (docket_buffer *)&checks_passed;
  out = sentinel;
  /* Truncated case JSON, truncated actor, actor of the wrong shape, bad text. */
  CHECK(docket_authorize_json(engine, c1001, c1001_len - 1, lead, strlen(lead), "close", 5, NOW, &out, &err) ==
        DOCKET_RESULT_INVALID_JSON);
  CHECK(strcmp(docket_error_path(err, NULL), "case_json") == 0);
  docket_error_free(err);
  err = NULL;
  CHECK(docket_authorize_json(engine, c1001, c1001_len, lead, strlen(lead) - 2, "close", 5, NOW, &out, &err) ==
        DOCKET_RESULT_INVALID_JSON);
  CHECK(strcmp(docket_error_path(err, NULL), "actor_json") == 0);
  docket_error_free(err);
  err = NULL;
  CHECK(docket_authorize_json(engine, c1001, c1001_len, "{\"name\":\"x\"}", 12, "close", 5, NOW, &out, &err) ==
        DOCKET_RESULT_INVALID_ARGUMENT);
  docket_error_free(err);
  err = NULL;
  CHECK(docket_authorize_json(engine, c1001, c1001_len, lead, strlen(lead), "clos\xe9", 5, NOW, &out, NULL) ==
        DOCKET_RESULT_INVALID_UTF8);
  CHECK(docket_authorize_json(engine, c1001, c1001_len, lead, strlen(lead), "close", 6, NOW, &out, NULL) ==
        DOCKET_RESULT_LENGTH_MISMATCH);
  CHECK(docket_authorize_json(engine, NULL, 0, lead, strlen(lead), "close", 5, NOW, &out, NULL) == DOCKET_RESULT_NULL_ARGUMENT);
  CHECK(docket_authorize_json(engine, c1001, c1001_len, NULL, 0, "close", 5, NOW, &out, NULL) == DOCKET_RESULT_NULL_ARGUMENT);
  CHECK(docket_authorize_json(engine, c1001, c1001_len, lead, strlen(lead), NULL, 0, NOW, &out, NULL) ==
        DOCKET_RESULT_NULL_ARGUMENT);
  CHECK(docket_authorize_json(engine, c1001, c1001_len, lead, strlen(lead), "close", 5, NOW, NULL, NULL) ==
        DOCKET_RESULT_NULL_ARGUMENT);
  CHECK(docket_authorize_json(NULL, c1001, c1001_len, lead, strlen(lead), "close", 5, NOW, &out, NULL) ==
        DOCKET_RESULT_NULL_ARGUMENT);
  CHECK(out == sentinel);
}


/* docket_report_new_by: the queues split by kind and channel (docs/reports.md). */
static void test_report_by(const char *cases, size_t cases_len) {
  docket_report *report = NULL;
  docket_error *err = NULL;
  CHECK(docket_report_new_by(engine, NOW, "kind,channel", 12, &report, &err) == DOCKET_RESULT_OK);
  CHECK(docket_report_add_json(engine, cases, cases_len, report, &err) == DOCKET_RESULT_OK);
  docket_buffer *json = NULL;
  CHECK(docket_report_to_json(engine, report, &json, &err) == DOCKET_RESULT_OK);
  /* refund_validation holds C-1015, an adjustment without a channel, and C-1001, a
   * refund by web: each the only case of its combination. */
  CHECK(contains(json, "\"by\":[\"kind\",\"channel\"]"));
  CHECK(contains(json, "{\"values\":{\"kind\":\"adjustment\",\"channel\":null},\"cases\":1"));
  CHECK(contains(json, "{\"values\":{\"kind\":\"refund\",\"channel\":\"web\"},\"cases\":1"));
  docket_buffer_free(json);
  docket_report_free(report);
  /* A money field cannot split a report. */
  report = NULL;
  CHECK(docket_report_new_by(engine, NOW, "amount", 6, &report, &err) == DOCKET_RESULT_INVALID_ARGUMENT);
  CHECK(report == NULL);
  CHECK(strcmp(docket_error_path(err, NULL), "by") == 0);
  CHECK(strstr(docket_error_message(err, NULL), "money field") != NULL);
  docket_error_free(err);
  CHECK(docket_report_new_by(engine, NOW, "kind", 4, NULL, NULL) == DOCKET_RESULT_NULL_ARGUMENT);
}

/* docket_report_set_flow: day buckets (UTC) from 2026-11-20 to now, merged from two
 * chunks (docs/reports.md, "Flow"). */
static void test_report_flow(const char *cases, size_t cases_len) {
  docket_report *a = NULL, *b = NULL, *plain = NULL;
  docket_error *err = NULL;
  CHECK(docket_report_new(engine, NOW, &a, &err) == DOCKET_RESULT_OK);
  CHECK(docket_report_new(engine, NOW, &b, &err) == DOCKET_RESULT_OK);
  CHECK(docket_report_new(engine, NOW, &plain, &err) == DOCKET_RESULT_OK);
  CHECK(docket_report_set_flow(engine, a, NOW - 3 * DAY, DOCKET_BUCKET_DAY, &err) == DOCKET_RESULT_OK);
  /* A report may take another period before it has cases. */
  CHECK(docket_report_set_flow(engine, b, NOW - 3 * DAY, DOCKET_BUCKET_WEEK, &err) == DOCKET_RESULT_OK);
  CHECK(docket_report_merge(a, b, &err) == DOCKET_RESULT_INVALID_ARGUMENT);
  CHECK(strcmp(docket_error_path(err, NULL), "from") == 0);
  docket_error_free(err);
  err = NULL;
  CHECK(docket_report_set_flow(engine, b, NOW - 3 * DAY, DOCKET_BUCKET_DAY, &err) == DOCKET_RESULT_OK);
  size_t first = (size_t)(strchr(cases, '\n') - cases) + 1;
  CHECK(docket_report_add_json(engine, cases, first, a, &err) == DOCKET_RESULT_OK);
  CHECK(docket_report_add_json(engine, cases + first, cases_len - first, b, &err) == DOCKET_RESULT_OK);
  CHECK(docket_report_merge(a, b, &err) == DOCKET_RESULT_OK);
  docket_buffer *json = NULL;
  CHECK(docket_report_to_json(engine, a, &json, &err) == DOCKET_RESULT_OK);
  /* Days from 11-20 00:00Z (holding since, 11-20 10:00Z) to 11-24 00:00Z (the day of now).
   * refund_validation received C-1001 and C-1013 on 11-20 and C-1015 and C-1002 on 11-23,
   * closed none: its 4 open cases carried over. C-1001's response took 45m (2700 s: the
   * bin [2688, 2720), read at most the largest value). */
  CHECK(contains(json, "\"flow\":{\"since\":\"2026-11-20T10:00:00Z\",\"bucket\":\"day\",\"timezone\":\"UTC\","
                       "\"start\":\"2026-11-20T00:00:00Z\",\"end\":\"2026-11-24T00:00:00Z\""));
  CHECK(contains(json, "\"refund_validation\":{\"open_at_start\":0,\"buckets\":[{\"start\":\"2026-11-20T00:00:00Z\","
                       "\"received\":2,\"closed\":0,\"carried_over\":2,\"cycle_times\":[{\"kind\":\"refund\","
                       "\"metric\":\"response\",\"count\":1,\"business\":{\"mean_s\":2700,\"p50_s\":2700,"
                       "\"p90_s\":2700,\"max_s\":2700}"));
  CHECK(contains(json, "{\"start\":\"2026-11-23T00:00:00Z\",\"received\":2,\"closed\":0,\"carried_over\":4,"
                       "\"cycle_times\":[]}]}"));
  docket_buffer_free(json);
  /* Reports with and without flow do not merge; a report with cases takes no flow. */
  CHECK(docket_report_merge(a, plain, &err) == DOCKET_RESULT_INVALID_ARGUMENT);
  docket_error_free(err);
  err = NULL;
  CHECK(docket_report_set_flow(engine, a, NOW - DAY, DOCKET_BUCKET_DAY, &err) == DOCKET_RESULT_INVALID_ARGUMENT);
  CHECK(strcmp(docket_error_path(err, NULL), "report") == 0);
  docket_error_free(err);
  err = NULL;
  /* Since after now; 400 days before now is the 401st day; a bucket out of range. */
  CHECK(docket_report_set_flow(engine, plain, NOW + 1, DOCKET_BUCKET_DAY, &err) == DOCKET_RESULT_INVALID_ARGUMENT);
  CHECK(strcmp(docket_error_path(err, NULL), "since") == 0);
  docket_error_free(err);
  err = NULL;
  CHECK(docket_report_set_flow(engine, plain, NOW - 400 * DAY, DOCKET_BUCKET_DAY, &err) ==
        DOCKET_RESULT_LIMIT_EXCEEDED);
  CHECK(strcmp(docket_error_path(err, NULL), "since") == 0);
  docket_error_free(err);
  err = NULL;
  CHECK(docket_report_set_flow(engine, plain, NOW - 399 * DAY, DOCKET_BUCKET_DAY, NULL) == DOCKET_RESULT_OK);
  CHECK(docket_report_set_flow(engine, plain, NOW, 7, &err) == DOCKET_RESULT_INVALID_ARGUMENT);
  CHECK(strcmp(docket_error_path(err, NULL), "bucket") == 0);
  docket_error_free(err);
  CHECK(docket_report_set_flow(NULL, plain, NOW, DOCKET_BUCKET_DAY, NULL) == DOCKET_RESULT_NULL_ARGUMENT);
  CHECK(docket_report_set_flow(engine, NULL, NOW, DOCKET_BUCKET_DAY, NULL) == DOCKET_RESULT_NULL_ARGUMENT);
  docket_report_free(a);
  docket_report_free(b);
  docket_report_free(plain);
}

static void test_report_handles(const char *cases, size_t cases_len) {
  docket_report *report = NULL;
  docket_error *err = NULL;
  CHECK(docket_report_new(engine, NOW, &report, &err) == DOCKET_RESULT_OK);
  /* Two chunks: the first line, then the other 14. */
  size_t first = (size_t)(strchr(cases, '\n') - cases) + 1;
  CHECK(docket_report_add_json(engine, cases, first, report, &err) == DOCKET_RESULT_OK);
  CHECK(docket_report_add_json(engine, cases + first, cases_len - first, report, &err) == DOCKET_RESULT_OK);
  /* A failing chunk leaves the report unchanged. */
  CHECK(docket_report_add_json(engine, "[{\"id\":", 7, report, &err) == DOCKET_RESULT_INVALID_JSON);
  docket_error_free(err);
  err = NULL;
  docket_report_totals t;
  CHECK(docket_report_counts(report, &t, &err) == DOCKET_RESULT_OK);
  /* 15 cases, C-1012 unusable; C-1010 and C-1011 invalid (see test_report_json). */
  CHECK_EQ_INT(t.cases, 15);
  CHECK_EQ_INT(t.errors, 1);
  CHECK_EQ_INT(t.invalid, 2);
  CHECK_EQ_INT(t.unrouted, 0);
  /* refund_validation (7): C-1001 (R10), C-1002 (R11), C-1013 (2400 USD = 2208 EUR, R10),
   * C-1015 (adjustment 2600, R10); none has resolution_at, so all four are open; the oldest
   * is C-1001, opened 2026-11-20T09:15:00Z. data_quality_review (10): C-1010, C-1011. */
  docket_queue_summary q;
  CHECK(docket_report_queue(report, 7, &q, &err) == DOCKET_RESULT_OK);
  CHECK_EQ_INT(q.cases, 4);
  CHECK_EQ_INT(q.open, 4);
  CHECK_EQ_INT(q.oldest_open_at, NOW - 3 * DAY - 45 * 60);
  CHECK(docket_report_queue(report, 10, &q, &err) == DOCKET_RESULT_OK);
  CHECK_EQ_INT(q.cases, 2);
  /* Both on S07 (eu_ops, response 4h), opened before eu_ops opens Mon 08:00 CET: at 11:00
   * CET 3h elapsed, 1h left, within the example's sla.at_risk of 2h. */
  CHECK_EQ_INT(q.at_risk, 2);
  CHECK(docket_report_queue(report, 0, &q, &err) == DOCKET_RESULT_OK);
  /* new_order_review (0): no example case is a new_order, and R99 catches none of them. */
  CHECK_EQ_INT(q.cases, 0);
  CHECK_EQ_INT(q.oldest_open_at, DOCKET_NO_TIME);
  CHECK(docket_report_queue(report, 11, &q, &err) == DOCKET_RESULT_INVALID_ARGUMENT);
  docket_error_free(err);
  err = NULL;
  CHECK(docket_report_queue(NULL, 0, &q, NULL) == DOCKET_RESULT_NULL_ARGUMENT);
  CHECK(docket_report_queue(report, 0, NULL, NULL) == DOCKET_RESULT_NULL_ARGUMENT);
  CHECK(docket_report_counts(NULL, &t, NULL) == DOCKET_RESULT_NULL_ARGUMENT);
  CHECK(docket_report_counts(report, NULL, NULL) == DOCKET_RESULT_NULL_ARGUMENT);
  CHECK(docket_report_add_json(NULL, cases, cases_len, report, NULL) == DOCKET_RESULT_NULL_ARGUMENT);
  CHECK(docket_report_add_json(engine, NULL, 1, report, NULL) == DOCKET_RESULT_NULL_ARGUMENT);
  CHECK(docket_report_add_json(engine, cases, cases_len, NULL, NULL) == DOCKET_RESULT_NULL_ARGUMENT);
  CHECK(docket_report_add_json(engine, "[\"\xff\"]", 5, report, NULL) == DOCKET_RESULT_INVALID_UTF8);
  /* In NDJSON a line that is not UTF-8 is one unusable case, added to the report. */
  CHECK(docket_report_add_json(engine, "\xff\n", 2, report, &err) == DOCKET_RESULT_OK);
  CHECK(docket_report_counts(report, &t, &err) == DOCKET_RESULT_OK);
  CHECK_EQ_INT(t.cases, 16);
  CHECK_EQ_INT(t.errors, 2);
  docket_report_free(report);
}

static uint32_t col(const char *name) {
  uint32_t idx = UINT32_MAX;
  if (docket_engine_list_find(engine, DOCKET_LIST_COLUMN, name, strlen(name), &idx, NULL) != DOCKET_RESULT_OK) {
    fprintf(stderr, "no column %s\n", name);
    checks_failed++;
  }
  return idx;
}

static uint32_t enum_index(const char *column, const char *value) {
  uint32_t idx = UINT32_MAX;
  if (docket_engine_enum_find(engine, col(column), value, strlen(value), &idx, NULL) != DOCKET_RESULT_OK) {
    fprintf(stderr, "no value %s of %s\n", value, column);
    checks_failed++;
  }
  return idx;
}

/* Gives column `column` of `cols` other values of another kind. */
static void replace_column(docket_column *cols, size_t n, uint32_t column, docket_value_kind kind, const void *values,
                           const size_t *lens) {
  for (size_t c = 0; c < n; c++) {
    if (cols[c].column == column) {
      cols[c].kind = kind;
      cols[c].values = values;
      cols[c].lens = lens;
    }
  }
}

static void test_columns(void) {
  docket_workspace *ws = NULL;
  docket_error *err = NULL;
  CHECK(docket_workspace_new(&ws, &err) == DOCKET_RESULT_OK);
  CHECK(docket_workspace_new(NULL, NULL) == DOCKET_RESULT_NULL_ARGUMENT);

  /* Three cases: C-1001 and C-1002 of the examples, and one without kind.
   * C-1002: shipping_correction 35.50 EUR opened Mon 2026-11-23 07:00Z (08:00 CET). */
  enum { N = 3 };
  const char *ids[N] = {"C-1001", "C-1002", "C-X"};
  size_t id_lens[N] = {6, 6, 3};
  uint32_t kinds[N] = {enum_index("kind", "refund"), enum_index("kind", "shipping_correction"), 0};
  uint8_t kind_present[N] = {1, 1, 0};
  /* Money three ways: scaled integer, decimal string. */
  int64_t amounts[N] = {125000, 3550, 1000};
  const char *order_ids[N] = {"O-88812", "O-88813", "O-1"};
  size_t order_lens[N] = {7, 7, 3};
  uint32_t regions[N] = {enum_index("region", "eu"), enum_index("region", "eu"), enum_index("region", "eu")};
  int64_t opened[N] = {NOW - 3 * DAY - 45 * 60, NOW - 3 * HOUR, NOW - HOUR};
  int64_t responded[N] = {NOW - 3 * DAY, 0, 0};
  uint8_t responded_present[N] = {1, 0, 0};
  const char *requesters[N] = {"agent-17", "agent-3", ""};
  size_t requester_lens[N] = {8, 7, 0};
  uint8_t requester_present[N] = {1, 1, 0};
  /* C-1001's approval: ops_manager by u-7 at 2026-11-20T11:00Z; evidence refund_receipt. */
  size_t appr_offsets[N + 1] = {0, 1, 1, 1};
  uint32_t appr_roles[1] = {0};
  CHECK(docket_engine_enum_find(engine, col("approval_role"), "ops_manager", 11, &appr_roles[0], NULL) ==
        DOCKET_RESULT_OK);
  const char *appr_by[1] = {"u-7"};
  size_t appr_by_lens[1] = {3};
  int64_t appr_at[1] = {NOW - 3 * DAY + HOUR};
  const char *evidence[1] = {"refund_receipt"};
  size_t evidence_lens[1] = {14};

  docket_column columns[] = {
      {col("id"), DOCKET_VALUE_KIND_STRING, ids, id_lens, NULL, NULL, 0},
      {col("kind"), DOCKET_VALUE_KIND_ENUM_INDEX, kinds, NULL, kind_present, NULL, 0},
      {col("amount"), DOCKET_VALUE_KIND_SCALED, amounts, NULL, NULL, NULL, 2},
      {col("order_id"), DOCKET_VALUE_KIND_STRING, order_ids, order_lens, NULL, NULL, 0},
      {col("region"), DOCKET_VALUE_KIND_ENUM_INDEX, regions, NULL, NULL, NULL, 0},
      {col("opened_at"), DOCKET_VALUE_KIND_I64, opened, NULL, NULL, NULL, 0},
      {col("response_at"), DOCKET_VALUE_KIND_I64, responded, NULL, responded_present, NULL, 0},
      {col("requested_by"), DOCKET_VALUE_KIND_STRING, requesters, requester_lens, requester_present, NULL, 0},
      {col("approval_role"), DOCKET_VALUE_KIND_ENUM_INDEX, appr_roles, NULL, NULL, appr_offsets, 0},
      {col("approval_by"), DOCKET_VALUE_KIND_STRING, appr_by, appr_by_lens, NULL, appr_offsets, 0},
      {col("approval_at"), DOCKET_VALUE_KIND_I64, appr_at, NULL, NULL, appr_offsets, 0},
      {col("evidence"), DOCKET_VALUE_KIND_STRING, evidence, evidence_lens, NULL, appr_offsets, 0},
  };
  const size_t ncols = sizeof columns / sizeof columns[0];

  int32_t queue[N], priority[N], band[N];
  uint8_t status[N], error[N], state[N * 2];
  uint32_t issues[N], required[N], remaining[N], level[N * 2];
  int64_t due[N * 2], elapsed[N * 2], target[N * 2], next_at[N * 2];
  docket_report *report = NULL, *report2 = NULL;
  CHECK(docket_report_new(engine, NOW, &report, &err) == DOCKET_RESULT_OK);
  CHECK(docket_report_new(engine, NOW, &report2, &err) == DOCKET_RESULT_OK);
  docket_outputs outs = {queue, priority, band, status, error, issues, required, remaining,
                         state, due, elapsed, target, level, next_at, report, NULL, NULL, NULL};
  for (int i = 0; i < N; i++) queue[i] = 99;

  CHECK(docket_evaluate_columns(engine, columns, ncols, N, NOW, ws, &outs, &err) == DOCKET_RESULT_OK);
  CHECK(err == NULL);
  uint32_t p1 = 0, p2 = 0;
  docket_engine_list_find(engine, DOCKET_LIST_PRIORITY, "P1", 2, &p1, NULL);
  docket_engine_list_find(engine, DOCKET_LIST_PRIORITY, "P2", 2, &p2, NULL);
  /* C-1001: the spec's worked example. */
  CHECK_EQ_INT(status[0], DOCKET_CASE_STATUS_OK);
  CHECK_EQ_INT(error[0], DOCKET_CASE_ERROR_NONE);
  CHECK_EQ_INT(queue[0], 7); /* refund_validation */
  CHECK_EQ_INT(priority[0], p1);
  CHECK_EQ_INT(band[0], 3); /* critical: calendar age 72h45m */
  CHECK_EQ_INT(issues[0], 0);
  CHECK_EQ_INT(state[0], DOCKET_SLA_STATE_MET);                   /* response: 45 min of 1h */
  CHECK_EQ_INT(due[0], NOW - 3 * DAY + 15 * 60);                  /* 2026-11-20T10:15:00Z */
  CHECK_EQ_INT(elapsed[0], 2700);
  CHECK_EQ_INT(target[0], 3600);
  CHECK_EQ_INT(state[1], DOCKET_SLA_STATE_BREACHED);              /* resolution */
  CHECK_EQ_INT(due[1], NOW - 2 * DAY + 15 * 60);                  /* 2026-11-21T10:15:00Z */
  CHECK_EQ_INT(elapsed[1], 45900);
  CHECK_EQ_INT(target[1], 28800);
  CHECK_EQ_INT(level[1], 2);
  CHECK_EQ_INT(next_at[1], NOW + 3 * HOUR + 15 * 60);             /* 2026-11-23T13:15:00Z */
  CHECK_EQ_INT(required[0], 2);  /* ops_manager (A2 by_limit), finance_reviewer (A3) */
  CHECK_EQ_INT(remaining[0], 1); /* u-7 filled ops_manager */
  /* C-1002: 35.50 -> R11 (refund_validation, P2); A1 (<= 50) -> team_lead; S06: eu_ops 2h/16h.
   * Mon 08:00-11:00 CET = 3h elapsed: response (2h) breached, due 10:00 CET = 09:00Z; one
   * escalation step passed (100% = 2h; 150% = 3h is reached, not passed). Resolution 3h of
   * 16h = 19% -> ok, due Tue 14:00 CET (10h Mon + 6h Tue) = 2026-11-24T13:00Z. Age 3h -> fresh. */
  CHECK_EQ_INT(queue[1], 7);
  CHECK_EQ_INT(priority[1], p2);
  CHECK_EQ_INT(band[1], 0);
  CHECK_EQ_INT(state[2], DOCKET_SLA_STATE_BREACHED);
  CHECK_EQ_INT(due[2], NOW - HOUR);
  CHECK_EQ_INT(elapsed[2], 3 * HOUR);
  CHECK_EQ_INT(level[2], 1);
  CHECK_EQ_INT(state[3], DOCKET_SLA_STATE_OK);
  CHECK_EQ_INT(due[3], NOW + DAY + 3 * HOUR);
  CHECK_EQ_INT(level[3], 0);
  CHECK_EQ_INT(required[1], 1);
  CHECK_EQ_INT(remaining[1], 1);
  /* C-X: no kind -> unusable, nothing decided. */
  CHECK_EQ_INT(status[2], DOCKET_CASE_STATUS_ERROR);
  CHECK_EQ_INT(error[2], DOCKET_CASE_ERROR_MISSING_KIND);
  CHECK_EQ_INT(queue[2], DOCKET_NO_INDEX);
  CHECK_EQ_INT(priority[2], DOCKET_NO_INDEX);
  CHECK_EQ_INT(state[4], DOCKET_SLA_STATE_NONE);
  CHECK_EQ_INT(due[4], DOCKET_NO_TIME);

  /* approval_role given as role names (strings) fills the step exactly like an enum index:
   * C-1001's ops_manager approval by u-7 leaves 1 of 2 steps. */
  {
    const char *role_names[1] = {"ops_manager"};
    size_t role_lens[1] = {11};
    docket_column by_name[sizeof columns / sizeof columns[0]];
    memcpy(by_name, columns, sizeof columns);
    replace_column(by_name, ncols, col("approval_role"), DOCKET_VALUE_KIND_STRING, role_names, role_lens);
    uint32_t remaining3[N];
    docket_outputs outs3 = {0};
    outs3.approvals_remaining = remaining3;
    CHECK(docket_evaluate_columns(engine, by_name, ncols, N, NOW, ws, &outs3, &err) == DOCKET_RESULT_OK);
    CHECK_EQ_INT(remaining3[0], 1);
  }

  /* evidence may be given by index among the policy's evidence items
   * (docket_engine_enum_find on the evidence column). */
  {
    uint32_t item = 99;
    CHECK(docket_engine_enum_find(engine, col("evidence"), "refund_receipt", 14, &item, NULL) == DOCKET_RESULT_OK);
    CHECK(item < 99);
    CHECK(docket_engine_enum_find(engine, col("evidence"), "no_such_item", 12, &item, NULL) ==
          DOCKET_RESULT_NOT_FOUND);
    docket_column by_index[sizeof columns / sizeof columns[0]];
    memcpy(by_index, columns, sizeof columns);
    uint32_t items[1] = {item};
    replace_column(by_index, ncols, col("evidence"), DOCKET_VALUE_KIND_ENUM_INDEX, items, NULL);
    int32_t queue4[N];
    docket_outputs outs4 = {0};
    outs4.queue = queue4;
    CHECK(docket_evaluate_columns(engine, by_index, ncols, N, NOW, ws, &outs4, &err) == DOCKET_RESULT_OK);
    CHECK(memcmp(queue, queue4, sizeof queue) == 0);
  }

  /* Values the core judges case by case, as in JSON: one row's bad value is that row's
   * problem and never the call's. Row 1 (C-1002) gets each bad value in turn; rows 0 and 2
   * keep the outcomes checked above. */
  {
    docket_column rows[sizeof columns / sizeof columns[0]];
    int32_t q[N];
    uint8_t st[N], er[N];
    uint32_t is[N];
    docket_outputs o = {0};
    o.queue = q, o.status = st, o.error = er, o.issues = is;
    uint32_t invalid_queue = 99;
    CHECK(docket_engine_list_find(engine, DOCKET_LIST_QUEUE, "data_quality_review", 19, &invalid_queue, NULL) ==
          DOCKET_RESULT_OK);
#define ROWS_0_AND_2_UNCHANGED()                                                               \
  do {                                                                                         \
    CHECK_EQ_INT(st[0], DOCKET_CASE_STATUS_OK);                                                \
    CHECK_EQ_INT(q[0], 7);                                                                     \
    CHECK_EQ_INT(er[2], DOCKET_CASE_ERROR_MISSING_KIND);                                       \
  } while (0)
    /* `kind` has 12 values: index 12 is a kind the policy does not declare, as
     * "kind": "no_such_kind" is: an unknown_enum_value issue, routed to the invalid queue
     * (policy-format.md, intake validation). */
    uint32_t kinds2[N] = {kinds[0], 12, kinds[2]};
    memcpy(rows, columns, sizeof columns);
    replace_column(rows, ncols, col("kind"), DOCKET_VALUE_KIND_ENUM_INDEX, kinds2, NULL);
    CHECK(docket_evaluate_columns(engine, rows, ncols, N, NOW, ws, &o, &err) == DOCKET_RESULT_OK);
    CHECK_EQ_INT(st[1], DOCKET_CASE_STATUS_INVALID);
    CHECK_EQ_INT(er[1], DOCKET_CASE_ERROR_NONE);
    CHECK_EQ_INT(q[1], (int32_t)invalid_queue);
    CHECK_EQ_INT(is[1], 1);
    ROWS_0_AND_2_UNCHANGED();
    /* `opened_at` past the range a case may carry (1970 through 2099; 3e11 s is about
     * year 11476) is malformed: the case is unusable (bad_opened_at), nothing decided. */
    int64_t opened2[N] = {opened[0], 300000000000LL, opened[2]};
    memcpy(rows, columns, sizeof columns);
    replace_column(rows, ncols, col("opened_at"), DOCKET_VALUE_KIND_I64, opened2, NULL);
    CHECK(docket_evaluate_columns(engine, rows, ncols, N, NOW, ws, &o, &err) == DOCKET_RESULT_OK);
    CHECK_EQ_INT(st[1], DOCKET_CASE_STATUS_ERROR);
    CHECK_EQ_INT(er[1], DOCKET_CASE_ERROR_BAD_OPENED_AT);
    CHECK_EQ_INT(q[1], DOCKET_NO_INDEX);
    ROWS_0_AND_2_UNCHANGED();
    /* A region index past the enum's values: unknown_enum_value on `region`, so C-1002 is
     * invalid (routed to the invalid queue). */
    uint32_t regions2[N] = {regions[0], 1000000, regions[2]};
    memcpy(rows, columns, sizeof columns);
    replace_column(rows, ncols, col("region"), DOCKET_VALUE_KIND_ENUM_INDEX, regions2, NULL);
    CHECK(docket_evaluate_columns(engine, rows, ncols, N, NOW, ws, &o, &err) == DOCKET_RESULT_OK);
    CHECK_EQ_INT(st[1], DOCKET_CASE_STATUS_INVALID);
    CHECK_EQ_INT(q[1], (int32_t)invalid_queue);
    CHECK_EQ_INT(is[1], 1);
    ROWS_0_AND_2_UNCHANGED();
    /* An evidence index past the policy's evidence items is an item the policy never names:
     * ignored, as an unknown item name is in JSON (C-1001 keeps its queue, no issue). */
    uint32_t far_item[1] = {1000};
    memcpy(rows, columns, sizeof columns);
    replace_column(rows, ncols, col("evidence"), DOCKET_VALUE_KIND_ENUM_INDEX, far_item, NULL);
    CHECK(docket_evaluate_columns(engine, rows, ncols, N, NOW, ws, &o, &err) == DOCKET_RESULT_OK);
    CHECK_EQ_INT(is[0], 0);
    ROWS_0_AND_2_UNCHANGED();
#undef ROWS_0_AND_2_UNCHANGED
  }

  /* The same batch again reuses the warm workspace and gives the same answers. */
  int32_t queue2[N];
  docket_outputs outs2 = {0};
  outs2.queue = queue2;
  outs2.report = report2;
  CHECK(docket_evaluate_columns(engine, columns, ncols, N, NOW, ws, &outs2, &err) == DOCKET_RESULT_OK);
  CHECK(memcmp(queue, queue2, sizeof queue) == 0);

  /* Reports: 3 cases, 1 error each; merged: 6 cases, 2 errors. */
  docket_buffer *json = NULL;
  CHECK(docket_report_to_json(engine, report, &json, &err) == DOCKET_RESULT_OK);
  CHECK(contains(json, "\"cases\":3,\"errors\":1"));
  docket_buffer_free(json);
  CHECK(docket_report_merge(report, report2, &err) == DOCKET_RESULT_OK);
  CHECK(docket_report_to_json(engine, report, &json, &err) == DOCKET_RESULT_OK);
  CHECK(contains(json, "\"cases\":6,\"errors\":2"));
  docket_buffer_free(json);
  CHECK(docket_report_merge(report, report, &err) == DOCKET_RESULT_INVALID_ARGUMENT);
  docket_error_free(err);
  err = NULL;
  docket_report *later = NULL;
  CHECK(docket_report_new(engine, NOW + 1, &later, NULL) == DOCKET_RESULT_OK);
  CHECK(docket_report_merge(report, later, NULL) == DOCKET_RESULT_INVALID_ARGUMENT);
  outs2.report = later; /* a report for another `now` */
  CHECK(docket_evaluate_columns(engine, columns, ncols, N, NOW, ws, &outs2, NULL) == DOCKET_RESULT_INVALID_ARGUMENT);
  docket_report_free(later);
  CHECK(docket_report_merge(NULL, report, NULL) == DOCKET_RESULT_NULL_ARGUMENT);
  CHECK(docket_report_merge(report, NULL, NULL) == DOCKET_RESULT_NULL_ARGUMENT);
  /* Two NULLs are no report merged into itself: the first missing argument is named. */
  CHECK(docket_report_merge(NULL, NULL, &err) == DOCKET_RESULT_NULL_ARGUMENT);
  CHECK(err_is(err, DOCKET_RESULT_NULL_ARGUMENT, "null_argument"));
  CHECK(strcmp(docket_error_path(err, NULL), "into") == 0);
  docket_error_free(err);
  err = NULL;
  CHECK(docket_report_new(NULL, NOW, &later, NULL) == DOCKET_RESULT_NULL_ARGUMENT);
  CHECK(docket_report_new(engine, NOW, NULL, NULL) == DOCKET_RESULT_NULL_ARGUMENT);
  CHECK(docket_report_to_json(NULL, report, &json, NULL) == DOCKET_RESULT_NULL_ARGUMENT);
  CHECK(docket_report_to_json(engine, NULL, &json, NULL) == DOCKET_RESULT_NULL_ARGUMENT);
  CHECK(docket_report_to_json(engine, report, NULL, NULL) == DOCKET_RESULT_NULL_ARGUMENT);

  /* Error paths: nothing is written on failure. */
  for (int i = 0; i < N; i++) queue[i] = 99;
  outs.report = NULL;
  docket_column bad;
#define BAD_CALL(expect_code)                                                                 \
  do {                                                                                        \
    docket_column cols2[2] = {columns[0], bad};                                               \
    CHECK_EQ_INT(docket_evaluate_columns(engine, cols2, 2, N, NOW, ws, &outs, &err), expect_code); \
    CHECK(docket_error_code(err) == (expect_code));                                          \
    docket_error_free(err);                                                                   \
    err = NULL;                                                                               \
    CHECK(queue[0] == 99 && queue[1] == 99 && queue[2] == 99);                                \
  } while (0)
  bad = columns[1];
  bad.column = 100000; /* unknown column */
  BAD_CALL(DOCKET_RESULT_INVALID_ARGUMENT);
  bad = columns[5];
  bad.kind = DOCKET_VALUE_KIND_F64; /* a timestamp takes I64 */
  BAD_CALL(DOCKET_RESULT_INVALID_ARGUMENT);
  bad = columns[5];
  bad.kind = 77; /* not a docket_value_kind */
  BAD_CALL(DOCKET_RESULT_INVALID_ARGUMENT);
  const char *bad_strings[N] = {"O-1", "O-\xff", "O-3"};
  size_t bad_lens[N] = {3, 3, 3};
  bad = columns[3];
  bad.values = bad_strings;
  bad.lens = bad_lens;
  BAD_CALL(DOCKET_RESULT_INVALID_UTF8);
  const char *nul_strings[N] = {"O-1", "O-2", "O\0"};
  bad.values = nul_strings;
  BAD_CALL(DOCKET_RESULT_LENGTH_MISMATCH);
  bad = columns[3];
  bad.lens = NULL; /* strings need lens */
  BAD_CALL(DOCKET_RESULT_NULL_ARGUMENT);
  bad = columns[3];
  bad.values = NULL;
  BAD_CALL(DOCKET_RESULT_NULL_ARGUMENT);
  bad = columns[9];
  bad.offsets = NULL; /* list columns need offsets */
  bad.column = col("evidence");
  BAD_CALL(DOCKET_RESULT_NULL_ARGUMENT);
  bad = columns[5];
  bad.offsets = appr_offsets; /* scalar columns take none */
  BAD_CALL(DOCKET_RESULT_INVALID_ARGUMENT);
  size_t decreasing[N + 1] = {0, 1, 0, 1};
  bad = columns[11];
  bad.offsets = decreasing;
  BAD_CALL(DOCKET_RESULT_INVALID_ARGUMENT);
  bad = columns[0]; /* the same column twice */
  BAD_CALL(DOCKET_RESULT_INVALID_ARGUMENT);
  bad = columns[2];
  bad.scale = 19;
  BAD_CALL(DOCKET_RESULT_INVALID_ARGUMENT);
  bad = columns[10]; /* approval_at without approval_by */
  BAD_CALL(DOCKET_RESULT_INVALID_ARGUMENT);

  /* An array not aligned for its element type is refused, naming the column's array, and
   * never read: int64_t, double and uint32_t values, the string pointers, the size_t
   * lens and offsets, and the output arrays. Each buffer has a spare element, so the
   * shifted pointers stay inside it. */
  {
#define MISALIGNED(buf) ((const void *)((const char *)(buf) + 1))
#define MISALIGNED_CALL(cols, ncols_, path)                                                  \
  do {                                                                                        \
    CHECK_EQ_INT(docket_evaluate_columns(engine, cols, ncols_, N, NOW, ws, &outs, &err),     \
                 DOCKET_RESULT_INVALID_ARGUMENT);                                             \
    CHECK(err_is(err, DOCKET_RESULT_INVALID_ARGUMENT, "invalid_argument"));                   \
    CHECK(strcmp(docket_error_path(err, NULL), path) == 0);                                   \
    docket_error_free(err);                                                                   \
    err = NULL;                                                                               \
    CHECK(queue[0] == 99 && queue[1] == 99 && queue[2] == 99);                                \
  } while (0)
    int64_t wide[N + 1] = {0};
    double reals[N + 1] = {0};
    uint32_t narrow[N + 1] = {0};
    const char *strs[N + 1] = {0};
    size_t sizes[N + 2] = {0};
    docket_column cols2[2] = {columns[0], columns[5]};
    cols2[1].values = MISALIGNED(wide); /* opened_at: int64_t */
    MISALIGNED_CALL(cols2, 2, "columns[1].values");
    docket_column score = {col("fraud_score"), DOCKET_VALUE_KIND_F64, MISALIGNED(reals), NULL, NULL, NULL, 0};
    cols2[1] = score; /* a number: double */
    MISALIGNED_CALL(cols2, 2, "columns[1].values");
    cols2[1] = columns[1]; /* kind: uint32_t enum indexes */
    cols2[1].values = MISALIGNED(narrow);
    MISALIGNED_CALL(cols2, 2, "columns[1].values");
    cols2[1] = columns[3]; /* order_id: string pointers */
    cols2[1].values = MISALIGNED(strs);
    MISALIGNED_CALL(cols2, 2, "columns[1].values");
    cols2[1] = columns[3]; /* their lengths */
    cols2[1].lens = MISALIGNED(sizes);
    MISALIGNED_CALL(cols2, 2, "columns[1].lens");
    cols2[1] = columns[11]; /* evidence: offsets */
    cols2[1].offsets = MISALIGNED(sizes);
    MISALIGNED_CALL(cols2, 2, "columns[1].offsets");
    /* The last column of the full batch, so the path counts every column before it. */
    docket_column all[sizeof columns / sizeof columns[0]];
    memcpy(all, columns, sizeof columns);
    all[ncols - 1].values = MISALIGNED(strs);
    MISALIGNED_CALL(all, ncols, "columns[11].values");
    /* An output array. */
    int64_t *due_kept = outs.sla_due;
    outs.sla_due = (int64_t *)(void *)((char *)due + 1);
    MISALIGNED_CALL(columns, ncols, "outputs.sla_due");
    outs.sla_due = due_kept;
    /* Nothing else broke: the same batch, aligned, gives the outcomes checked above. */
    CHECK(docket_evaluate_columns(engine, columns, ncols, N, NOW, ws, &outs, &err) == DOCKET_RESULT_OK);
    CHECK(memcmp(queue, queue2, sizeof queue) == 0);
    CHECK_EQ_INT(due[0], NOW - 3 * DAY + 15 * 60);
    for (int i = 0; i < N; i++) queue[i] = 99;
#undef MISALIGNED_CALL
#undef MISALIGNED
  }

  /* Over the per-call limit (1,000,000 by default): refused before reading anything. */
  CHECK(docket_evaluate_columns(engine, columns, ncols, 1000001, NOW, ws, &outs, &err) == DOCKET_RESULT_LIMIT_EXCEEDED);
  docket_error_free(err);
  err = NULL;
  CHECK(docket_evaluate_columns(NULL, columns, ncols, N, NOW, ws, &outs, NULL) == DOCKET_RESULT_NULL_ARGUMENT);
  CHECK(docket_evaluate_columns(engine, NULL, ncols, N, NOW, ws, &outs, NULL) == DOCKET_RESULT_NULL_ARGUMENT);
  CHECK(docket_evaluate_columns(engine, columns, ncols, N, NOW, NULL, &outs, NULL) == DOCKET_RESULT_NULL_ARGUMENT);
  CHECK(docket_evaluate_columns(engine, columns, ncols, N, NOW, ws, NULL, NULL) == DOCKET_RESULT_NULL_ARGUMENT);
  CHECK(queue[0] == 99);
  /* No columns at all: every case lacks id -> missing_id. */
  CHECK(docket_evaluate_columns(engine, NULL, 0, N, NOW, ws, &outs, NULL) == DOCKET_RESULT_OK);
  CHECK_EQ_INT(error[0], DOCKET_CASE_ERROR_MISSING_ID);
  /* Zero cases: nothing to do. */
  CHECK(docket_evaluate_columns(engine, columns, ncols, 0, NOW, ws, &outs, NULL) == DOCKET_RESULT_OK);

  docket_report_free(report);
  docket_report_free(report2);
  docket_workspace_free(ws);
}

/* A report answers only to the engine it was made for, known by an id no other engine
 * ever has: not to another engine of the same policy, nor to one created after its own
 * engine was freed (which may sit at the same address). */
/* SLA clocks v2 through the columns (docs/time-semantics.md): closed_at, waits and pause
 * reasons in; not-yet-open status, next_change_at, causes and waiting seconds out. Four
 * payment holds (R03 -> payment_hold_review; S02: `always`, response 1h, resolution 8h). */
static void test_columns_clocks_v2(void) {
  enum { N = 4 };
  docket_workspace *ws = NULL;
  docket_error *err = NULL;
  CHECK(docket_workspace_new(&ws, &err) == DOCKET_RESULT_OK);
  uint32_t hold = enum_index("kind", "payment_hold");
  size_t ndeps = 0;
  CHECK(docket_engine_list_len(engine, DOCKET_LIST_DEPENDENCY, &ndeps, &err) == DOCKET_RESULT_OK);
  CHECK_EQ_INT(ndeps, 5); /* warehouse, finance, carrier, customer, platform */
  uint32_t warehouse = enum_index("waiting_on", "warehouse");
  CHECK_EQ_INT(warehouse, 0);
  const char *ids[N] = {"W0", "W1", "W2", "W3"};
  size_t id_lens[N] = {2, 2, 2, 2};
  uint32_t kinds[N] = {hold, hold, hold, hold};
  const char *orders[N] = {"O", "O", "O", "O"};
  size_t order_lens[N] = {1, 1, 1, 1};
  /* W1 opens an hour after now: not yet open. */
  int64_t opened[N] = {NOW - 3 * HOUR, NOW + HOUR, NOW - 3 * HOUR, NOW - 3 * HOUR};
  int64_t responded[N] = {NOW - 30 * 60, 0, 0, 0};
  uint8_t responded_present[N] = {1, 0, 0, 0};
  int64_t closed[N] = {0, 0, NOW - HOUR, 0};
  uint8_t closed_present[N] = {0, 0, 1, 0};
  /* W0 waited on the warehouse for two hours; W3 on dependency 99 (undeclared) since its
   * opening, and is paused for finance (index 1) since ten minutes ago. */
  size_t wait_offsets[N + 1] = {0, 1, 1, 1, 2};
  int64_t wait_from[2] = {NOW - 3 * HOUR, NOW - 3 * HOUR};
  int64_t wait_to[2] = {NOW - HOUR, 0};
  uint8_t wait_to_present[2] = {1, 0};
  uint32_t wait_on[2] = {warehouse, 99};
  size_t pause_offsets[N + 1] = {0, 0, 0, 0, 1};
  int64_t pause_from[1] = {NOW - 10 * 60};
  uint32_t pause_reason[1] = {1};
  docket_column columns[] = {
      {col("id"), DOCKET_VALUE_KIND_STRING, ids, id_lens, NULL, NULL, 0},
      {col("kind"), DOCKET_VALUE_KIND_ENUM_INDEX, kinds, NULL, NULL, NULL, 0},
      {col("order_id"), DOCKET_VALUE_KIND_STRING, orders, order_lens, NULL, NULL, 0},
      {col("opened_at"), DOCKET_VALUE_KIND_I64, opened, NULL, NULL, NULL, 0},
      {col("response_at"), DOCKET_VALUE_KIND_I64, responded, NULL, responded_present, NULL, 0},
      {col("closed_at"), DOCKET_VALUE_KIND_I64, closed, NULL, closed_present, NULL, 0},
      {col("waiting_from"), DOCKET_VALUE_KIND_I64, wait_from, NULL, NULL, wait_offsets, 0},
      {col("waiting_to"), DOCKET_VALUE_KIND_I64, wait_to, NULL, wait_to_present, wait_offsets, 0},
      {col("waiting_on"), DOCKET_VALUE_KIND_ENUM_INDEX, wait_on, NULL, NULL, wait_offsets, 0},
      {col("paused_from"), DOCKET_VALUE_KIND_I64, pause_from, NULL, NULL, pause_offsets, 0},
      {col("paused_reason"), DOCKET_VALUE_KIND_ENUM_INDEX, pause_reason, NULL, NULL, pause_offsets, 0},
  };
  const size_t ncols = sizeof columns / sizeof columns[0];
  uint8_t status[N], state[N * 2];
  int32_t band[N], cause[N * 2];
  uint32_t issues[N];
  int64_t next_change[N], waiting[N * 2 * 5];
  docket_report *report = NULL;
  CHECK(docket_report_new(engine, NOW, &report, &err) == DOCKET_RESULT_OK);
  docket_outputs outs = {0};
  outs.status = status, outs.sla_state = state, outs.band = band, outs.sla_cause = cause, outs.issues = issues;
  outs.next_change_at = next_change, outs.sla_waiting = waiting, outs.report = report;
  CHECK(docket_evaluate_columns(engine, columns, ncols, N, NOW, ws, &outs, &err) == DOCKET_RESULT_OK);
  CHECK(err == NULL);
  /* W0: responded after 2h30m of a 1h target, missed by 1h30m; its two hours waiting on
   * the warehouse explain it. The resolution runs (3h < 8h, under 0.75 x 8h: ok) with the
   * same two hours waited. Next change: the band turns `aging` at 4h of age, an hour from
   * now (the resolution warns at 6h). */
  CHECK_EQ_INT(status[0], DOCKET_CASE_STATUS_OK);
  CHECK_EQ_INT(state[0], DOCKET_SLA_STATE_MISSED);
  CHECK_EQ_INT(cause[0], (int32_t)warehouse);
  CHECK_EQ_INT(state[1], DOCKET_SLA_STATE_OK);
  CHECK_EQ_INT(cause[1], DOCKET_NO_INDEX);
  CHECK_EQ_INT(waiting[(0 * 2 + 0) * 5 + 0], 2 * HOUR);
  CHECK_EQ_INT(waiting[(0 * 2 + 1) * 5 + 0], 2 * HOUR);
  CHECK_EQ_INT(waiting[(0 * 2 + 1) * 5 + 1], 0);
  CHECK_EQ_INT(next_change[0], NOW + HOUR);
  /* W1: opened after now: nothing decided. */
  CHECK_EQ_INT(status[1], DOCKET_CASE_STATUS_NOT_YET_OPEN);
  CHECK_EQ_INT(state[2], DOCKET_SLA_STATE_NONE);
  CHECK_EQ_INT(band[1], DOCKET_NO_INDEX);
  CHECK_EQ_INT(next_change[1], DOCKET_NO_TIME);
  /* W2: closed after 2h without a stamp: response missed at the closing (own), resolution
   * met; not open: no band, no next change. */
  CHECK_EQ_INT(state[4], DOCKET_SLA_STATE_MISSED);
  CHECK_EQ_INT(cause[4], DOCKET_CAUSE_OWN);
  CHECK_EQ_INT(state[5], DOCKET_SLA_STATE_MET);
  CHECK_EQ_INT(band[2], DOCKET_NO_INDEX);
  CHECK_EQ_INT(next_change[2], DOCKET_NO_TIME);
  /* W3: 2h50m elapsed (the last 10 minutes paused), breached by 1h50m; it waited on the
   * undeclared dependency all that running time: the cause, an unknown_dependency issue. */
  CHECK_EQ_INT(state[6], DOCKET_SLA_STATE_BREACHED);
  CHECK_EQ_INT(cause[6], DOCKET_CAUSE_UNDECLARED);
  CHECK_EQ_INT(issues[3], 1);
  CHECK_EQ_INT(waiting[(3 * 2 + 0) * 5 + 0], 0);
  docket_report_totals t = {0};
  CHECK(docket_report_counts(report, &t, &err) == DOCKET_RESULT_OK);
  CHECK_EQ_INT(t.cases, 4);
  CHECK_EQ_INT(t.not_yet_open, 1);
  docket_report_free(report);
  docket_workspace_free(ws);
}

static void test_reports_know_their_engine(const char *policy, size_t policy_len, const char *cases,
                                           size_t cases_len) {
  docket_engine *other = NULL, *gone = NULL, *later = NULL;
  docket_report *mine = NULL, *theirs = NULL, *orphan = NULL;
  docket_workspace *ws = NULL;
  docket_buffer *json = NULL;
  docket_error *err = NULL;
  CHECK(docket_engine_new(policy, policy_len, &other, NULL) == DOCKET_RESULT_OK);
  CHECK(docket_workspace_new(&ws, NULL) == DOCKET_RESULT_OK);
  CHECK(docket_report_new(engine, NOW, &mine, NULL) == DOCKET_RESULT_OK);
  CHECK(docket_report_new(other, NOW, &theirs, NULL) == DOCKET_RESULT_OK);

  CHECK(docket_report_to_json(other, mine, &json, &err) == DOCKET_RESULT_INVALID_ARGUMENT);
  CHECK(err_is(err, DOCKET_RESULT_INVALID_ARGUMENT, "invalid_argument"));
  CHECK(strcmp(docket_error_path(err, NULL), "report") == 0);
  docket_error_free(err);
  err = NULL;
  CHECK(json == NULL);
  CHECK(docket_report_add_json(other, cases, cases_len, mine, NULL) == DOCKET_RESULT_INVALID_ARGUMENT);
  CHECK(docket_report_merge(mine, theirs, NULL) == DOCKET_RESULT_INVALID_ARGUMENT);
  /* No columns: every case lacks an id, but the report is refused before any case. */
  docket_outputs outs = {0};
  outs.report = mine;
  CHECK(docket_evaluate_columns(other, NULL, 0, 1, NOW, ws, &outs, NULL) == DOCKET_RESULT_INVALID_ARGUMENT);
  /* Its own engine still takes it; nothing was added by the refused calls. */
  CHECK(docket_evaluate_columns(engine, NULL, 0, 1, NOW, ws, &outs, NULL) == DOCKET_RESULT_OK);
  docket_report_totals t;
  CHECK(docket_report_counts(mine, &t, NULL) == DOCKET_RESULT_OK);
  CHECK_EQ_INT(t.cases, 1);
  CHECK_EQ_INT(t.errors, 1);

  CHECK(docket_engine_new(policy, policy_len, &gone, NULL) == DOCKET_RESULT_OK);
  CHECK(docket_report_new(gone, NOW, &orphan, NULL) == DOCKET_RESULT_OK);
  docket_engine_free(gone);
  CHECK(docket_engine_new(policy, policy_len, &later, NULL) == DOCKET_RESULT_OK);
  CHECK(docket_report_to_json(later, orphan, &json, NULL) == DOCKET_RESULT_INVALID_ARGUMENT);
  CHECK(docket_report_add_json(later, cases, cases_len, orphan, NULL) == DOCKET_RESULT_INVALID_ARGUMENT);
  CHECK(json == NULL);

  docket_report_free(orphan);
  docket_report_free(theirs);
  docket_report_free(mine);
  docket_workspace_free(ws);
  docket_engine_free(later);
  docket_engine_free(other);
}

/* The error outcome of input line `line` (1-based) in NDJSON output, or NULL: an
 * unusable case's outcome carries its line. */
static const char *outcome_with_line(const docket_buffer *b, int line) {
  char needle[32];
  snprintf(needle, sizeof needle, ",\"line\":%d,", line);
  return strstr(docket_buffer_data(b), needle);
}

/* In NDJSON each line stands alone: a line that is not UTF-8, holds a NUL byte, is over
 * max_case_bytes or is not an object is its own case's error, with its line, and the
 * lines after it are still decided. */
static void test_ndjson_bad_records(void) {
  static const char good[] = "{\"id\":\"C-9\",\"kind\":\"payment_hold\",\"order_id\":\"O-9\","
                             "\"opened_at\":\"2026-11-23T08:00:00Z\"}";
  char text[4096];
  size_t n = 0;
#define ADD(bytes, len)                  \
  do {                                   \
    memcpy(text + n, bytes, len);        \
    n += len;                            \
    text[n++] = '\n';                    \
  } while (0)
  ADD("{\"id\":\"C-1\",\"kind\":\"\xff\xfe\"}", 23); /* line 1: not UTF-8 */
  ADD(good, sizeof good - 1);                      /* line 2 */
  ADD("{\"id\":\"C-\0\"}", 11);                    /* line 3: a NUL byte */
  ADD("[1, 2]", 6);                                /* line 4: not an object */
  ADD("   ", 3);                                   /* line 5: blank, skipped */
  ADD("\xc3", 1);                                  /* line 6: a cut character */
  ADD(good, sizeof good - 1);                      /* line 7 */
#undef ADD
  docket_buffer *out = NULL;
  docket_error *err = NULL;
  CHECK(docket_evaluate_json(engine, text, n, NOW, &out, &err) == DOCKET_RESULT_OK);
  CHECK(err == NULL);
  CHECK_EQ_INT(count_lines(out), 6);
  const char *l1 = outcome_with_line(out, 1), *l3 = outcome_with_line(out, 3);
  const char *l4 = outcome_with_line(out, 4), *l6 = outcome_with_line(out, 6);
  CHECK(l1 && l3 && l4 && l6 && outcome_with_line(out, 5) == NULL);
  /* In input order: bad_json (1), C-9 (2), bad_json (3), not_an_object (4), bad_json (6), C-9 (7). */
  const char *o = docket_buffer_data(out);
  const char *c9a = strstr(o, "{\"id\":\"C-9\""), *c9b = c9a ? strstr(c9a + 1, "{\"id\":\"C-9\"") : NULL;
  CHECK(strncmp(o, "{\"id\":null,\"error\":{\"code\":\"bad_json\"", 37) == 0 && l1 && l1 < c9a);
  CHECK(c9a && c9a < l3 && strstr(c9a, "\"queue\":\"payment_hold_review\"") < l3);
  CHECK(l3 && strstr(c9a, "{\"id\":null,\"error\":{\"code\":\"bad_json\"") < l3);
  CHECK(l4 && strstr(l3, "{\"id\":null,\"error\":{\"code\":\"not_an_object\"") < l4);
  CHECK(l6 && strstr(l4, "{\"id\":null,\"error\":{\"code\":\"bad_json\"") < l6);
  CHECK(c9b && l6 < c9b && strstr(c9b, "\"queue\":\"payment_hold_review\""));
  docket_buffer_free(out);

  /* The same lines make a report of 6 cases, 4 of them unusable. */
  CHECK(docket_report_json(engine, text, n, NOW, &out, &err) == DOCKET_RESULT_OK);
  CHECK(contains(out, "\"cases\":6,\"errors\":4"));
  docket_buffer_free(out);
}

/* docket_limits: the defaults are the core's; each limit set lower is hit on its path. */
static void test_limits(const char *policy, size_t policy_len) {
  docket_limits d = docket_limits_default();
  CHECK_EQ_INT(d.max_policy_bytes, 4 << 20);
  CHECK_EQ_INT(d.max_string_len, 4096);
  CHECK_EQ_INT(d.max_list_len, 1000);
  CHECK_EQ_INT(d.max_case_bytes, 1 << 20);
  CHECK_EQ_INT(d.max_cases_per_call, 1000000);
  CHECK_EQ_INT(d.max_rules_per_table, 10000);
  CHECK_EQ_INT(d.max_windows_per_day, 48);
  CHECK_EQ_INT(d.max_dates_per_calendar, 20000);
  CHECK_EQ_INT(d.max_calendars, 1000);
  CHECK_EQ_INT(d.max_metrics, 64);
  CHECK_EQ_INT(d.max_escalation_steps, 64);
  CHECK_EQ_INT(d.max_bands, 64);
  CHECK_EQ_INT(d.max_values_per_field, 100000);
  CHECK(d.max_memory_bytes == (size_t)256 << 20);

  docket_engine *sentinel = (docket_engine *)&checks_passed; /* never dereferenced */
  docket_engine *e = sentinel;
  docket_error *err = NULL;
  CHECK(docket_engine_new_with_limits(policy, policy_len, NULL, &e, &err) == DOCKET_RESULT_NULL_ARGUMENT);
  CHECK(strcmp(docket_error_path(err, NULL), "limits") == 0);
  docket_error_free(err);
  err = NULL;
  CHECK(docket_engine_new_with_limits(NULL, 0, &d, &e, NULL) == DOCKET_RESULT_NULL_ARGUMENT);
  CHECK(docket_engine_new_with_limits(policy, policy_len, &d, NULL, NULL) == DOCKET_RESULT_NULL_ARGUMENT);
  CHECK(e == sentinel);

  /* max_policy_bytes: one byte short of the policy fails, its exact size compiles. */
  docket_limits l = d;
  l.max_policy_bytes = policy_len - 1;
  CHECK(docket_engine_new_with_limits(policy, policy_len, &l, &e, &err) == DOCKET_RESULT_LIMIT_EXCEEDED);
  CHECK(err_is(err, DOCKET_RESULT_LIMIT_EXCEEDED, "limit_exceeded"));
  CHECK(strcmp(docket_error_path(err, NULL), "") == 0);
  docket_error_free(err);
  err = NULL;
  CHECK(e == sentinel);
  l.max_policy_bytes = policy_len;
  CHECK(docket_engine_new_with_limits(policy, policy_len, &l, &e, NULL) == DOCKET_RESULT_OK);
  docket_engine_free(e);
  e = sentinel;

  /* The policy limits: the routing table has 14 rules; Friday of eu_ops has two windows;
   * eu_ops has three holidays. Each is a diagnostic with its JSON pointer. */
  l = d;
  l.max_rules_per_table = 13;
  CHECK(docket_engine_new_with_limits(policy, policy_len, &l, &e, &err) == DOCKET_RESULT_LIMIT_EXCEEDED);
  CHECK(strcmp(docket_error_path(err, NULL), "/routing/rules") == 0);
  CHECK(strstr(docket_error_diagnostics_json(err, NULL), "\"code\":\"limit_exceeded\"") != NULL);
  docket_error_free(err);
  err = NULL;
  l = d;
  l.max_windows_per_day = 1;
  CHECK(docket_engine_new_with_limits(policy, policy_len, &l, &e, &err) == DOCKET_RESULT_LIMIT_EXCEEDED);
  CHECK(strcmp(docket_error_path(err, NULL), "/calendars/eu_ops/week/fri") == 0);
  docket_error_free(err);
  err = NULL;
  l = d;
  l.max_dates_per_calendar = 2;
  CHECK(docket_engine_new_with_limits(policy, policy_len, &l, &e, &err) == DOCKET_RESULT_LIMIT_EXCEEDED);
  CHECK(strcmp(docket_error_path(err, NULL), "/calendars/eu_ops/holidays") == 0);
  docket_error_free(err);
  err = NULL;
  /* The example declares 4 calendars, 2 metrics, 3 escalation steps, 4 bands and 12
   * values of `kind` (its largest enum, and the first field over 11); one less than each
   * is the diagnostic at that list. eu_ops, the first calendar, precomputes far more than
   * 1,000 bytes of working intervals. */
  struct {
    size_t *field;
    size_t value;
    const char *path;
  } policy_limits[] = {
      {&l.max_calendars, 3, "/calendars"},
      {&l.max_metrics, 1, "/sla/metrics"},
      {&l.max_escalation_steps, 2, "/sla/escalation"},
      {&l.max_bands, 3, "/sla/bands/limits"},
      {&l.max_values_per_field, 11, "/fields/kind/values"},
      {&l.max_memory_bytes, 1000, "/calendars/eu_ops"},
  };
  for (size_t i = 0; i < sizeof policy_limits / sizeof policy_limits[0]; i++) {
    l = d;
    *policy_limits[i].field = policy_limits[i].value;
    CHECK(docket_engine_new_with_limits(policy, policy_len, &l, &e, &err) == DOCKET_RESULT_LIMIT_EXCEEDED);
    CHECK(strcmp(docket_error_path(err, NULL), policy_limits[i].path) == 0);
    docket_error_free(err);
    err = NULL;
    /* One more than the limit: the example compiles. */
    l = d;
    *policy_limits[i].field = policy_limits[i].value + 1;
    if (policy_limits[i].field != &l.max_memory_bytes) {
      CHECK(docket_engine_new_with_limits(policy, policy_len, &l, &e, NULL) == DOCKET_RESULT_OK);
      docket_engine_free(e);
      e = sentinel;
    }
  }
  CHECK(e == sentinel);

  /* The case limits, kept by the engine for every call. */
  l = d;
  l.max_string_len = 5;
  l.max_list_len = 1;
  l.max_case_bytes = 200;
  l.max_cases_per_call = 2;
  CHECK(docket_engine_new_with_limits(policy, policy_len, &l, &e, &err) == DOCKET_RESULT_OK);
  const char three[] =
      /* An id of 6 bytes: over max_string_len -> id_too_long. */
      "{\"id\":\"C-1234\",\"kind\":\"payment_hold\",\"order_id\":\"O-1\",\"opened_at\":\"2026-11-23T08:00:00Z\"}\n"
      /* Two evidence items: over max_list_len -> a bad_type issue on evidence. */
      "{\"id\":\"C-2\",\"kind\":\"payment_hold\",\"order_id\":\"O-2\",\"opened_at\":\"2026-11-23T08:00:00Z\","
      "\"evidence\":[\"a\",\"b\"]}\n";
  docket_buffer *out = NULL;
  CHECK(docket_evaluate_json(e, three, sizeof three - 1, NOW, &out, &err) == DOCKET_RESULT_OK);
  CHECK(contains(out, "{\"id\":null,\"error\":{\"code\":\"id_too_long\""));
  CHECK(contains(out, "{\"id\":\"C-2\""));
  CHECK(contains(out, "\"issues\":[{\"code\":\"bad_type\",\"field\":\"evidence\""));
  docket_buffer_free(out);
  /* A record over max_case_bytes (200) is too_large, with its line; the next is read. */
  char big[512];
  int k = snprintf(big, sizeof big,
                   "{\"id\":\"C-3\",\"kind\":\"payment_hold\",\"order_id\":\"O-3\",\"opened_at\":\"2026-11-23T08:00:00Z\","
                   "\"note\":\"%0200d\"}\n{\"id\":\"C-4\",\"kind\":\"payment_hold\",\"order_id\":\"O-4\","
                   "\"opened_at\":\"2026-11-23T08:00:00Z\"}\n",
                   0);
  CHECK(docket_evaluate_json(e, big, (size_t)k, NOW, &out, &err) == DOCKET_RESULT_OK);
  CHECK(strncmp(docket_buffer_data(out), "{\"id\":null,\"error\":{\"code\":\"too_large\"", 38) == 0);
  CHECK(outcome_with_line(out, 1) != NULL);
  CHECK(contains(out, "{\"id\":\"C-4\""));
  docket_buffer_free(out);
  /* A line over the limit is too_large even when it is not text either (never read). */
  memset(big, 0xff, 300);
  CHECK(docket_evaluate_json(e, big, 300, NOW, &out, &err) == DOCKET_RESULT_OK);
  CHECK(contains(out, "{\"id\":null,\"error\":{\"code\":\"too_large\""));
  docket_buffer_free(out);
  /* max_cases_per_call (2): three cases fail every batch call, JSON and columnar. */
  const char many[] = "{}\n{}\n{}\n";
  docket_buffer *bsentinel = (docket_buffer *)&checks_passed;
  out = bsentinel;
  CHECK(docket_evaluate_json(e, many, 6, NOW, &out, NULL) == DOCKET_RESULT_OK);
  docket_buffer_free(out);
  out = bsentinel;
  CHECK(docket_evaluate_json(e, many, 9, NOW, &out, &err) == DOCKET_RESULT_LIMIT_EXCEEDED);
  CHECK(strcmp(docket_error_path(err, NULL), "cases") == 0);
  docket_error_free(err);
  err = NULL;
  CHECK(docket_evaluate_json(e, "[{},{},{}]", 10, NOW, &out, NULL) == DOCKET_RESULT_LIMIT_EXCEEDED);
  CHECK(docket_report_json(e, many, 9, NOW, &out, NULL) == DOCKET_RESULT_LIMIT_EXCEEDED);
  CHECK(out == bsentinel);
  docket_report *report = NULL;
  CHECK(docket_report_new(e, NOW, &report, NULL) == DOCKET_RESULT_OK);
  CHECK(docket_report_add_json(e, many, 9, report, NULL) == DOCKET_RESULT_LIMIT_EXCEEDED);
  docket_workspace *ws = NULL;
  CHECK(docket_workspace_new(&ws, NULL) == DOCKET_RESULT_OK);
  docket_outputs outs = {0};
  CHECK(docket_evaluate_columns(e, NULL, 0, 3, NOW, ws, &outs, &err) == DOCKET_RESULT_LIMIT_EXCEEDED);
  CHECK(strcmp(docket_error_path(err, NULL), "n_cases") == 0);
  docket_error_free(err);
  err = NULL;
  CHECK(docket_evaluate_columns(e, NULL, 0, 2, NOW, ws, &outs, NULL) == DOCKET_RESULT_OK);
  /* max_string_len in a column: an id of 6 bytes is id_too_long there too. */
  uint32_t c_id = UINT32_MAX;
  CHECK(docket_engine_list_find(e, DOCKET_LIST_COLUMN, "id", 2, &c_id, NULL) == DOCKET_RESULT_OK);
  const char *ids[2] = {"C-1234", "C-1"};
  size_t id_lens[2] = {6, 3};
  docket_column id_col = {c_id, DOCKET_VALUE_KIND_STRING, ids, id_lens, NULL, NULL, 0};
  uint8_t error[2] = {0, 0};
  outs.error = error;
  CHECK(docket_evaluate_columns(e, &id_col, 1, 2, NOW, ws, &outs, NULL) == DOCKET_RESULT_OK);
  CHECK_EQ_INT(error[0], DOCKET_CASE_ERROR_ID_TOO_LONG);
  CHECK_EQ_INT(error[1], DOCKET_CASE_ERROR_MISSING_KIND);
  /* max_list_len (1) in a list column: case 0 has two evidence items (a bad_type issue),
   * case 1 one. */
  uint32_t c_kind = 0, c_order = 0, c_opened = 0, c_ev = 0, rma = 0, note = 0;
  CHECK(docket_engine_list_find(e, DOCKET_LIST_COLUMN, "kind", 4, &c_kind, NULL) == DOCKET_RESULT_OK);
  CHECK(docket_engine_list_find(e, DOCKET_LIST_COLUMN, "order_id", 8, &c_order, NULL) == DOCKET_RESULT_OK);
  CHECK(docket_engine_list_find(e, DOCKET_LIST_COLUMN, "opened_at", 9, &c_opened, NULL) == DOCKET_RESULT_OK);
  CHECK(docket_engine_list_find(e, DOCKET_LIST_COLUMN, "evidence", 8, &c_ev, NULL) == DOCKET_RESULT_OK);
  CHECK(docket_engine_enum_find(e, c_ev, "rma_number", 10, &rma, NULL) == DOCKET_RESULT_OK);
  CHECK(docket_engine_enum_find(e, c_ev, "inspection_note", 15, &note, NULL) == DOCKET_RESULT_OK);
  const char *short_ids[2] = {"C-1", "C-2"}, *kinds[2] = {"refund", "refund"}, *orders[2] = {"O-1", "O-2"};
  size_t lens3[2] = {3, 3}, kind_lens[2] = {6, 6};
  int64_t opened[2] = {NOW - HOUR, NOW - HOUR};
  uint32_t items[3] = {rma, note, rma};
  size_t item_offsets[3] = {0, 2, 3};
  docket_column cols[5] = {
      {c_id, DOCKET_VALUE_KIND_STRING, short_ids, lens3, NULL, NULL, 0},
      {c_kind, DOCKET_VALUE_KIND_STRING, kinds, kind_lens, NULL, NULL, 0},
      {c_order, DOCKET_VALUE_KIND_STRING, orders, lens3, NULL, NULL, 0},
      {c_opened, DOCKET_VALUE_KIND_I64, opened, NULL, NULL, NULL, 0},
      {c_ev, DOCKET_VALUE_KIND_ENUM_INDEX, items, NULL, NULL, item_offsets, 0},
  };
  uint32_t issues[2] = {99, 99};
  outs.issues = issues;
  CHECK(docket_evaluate_columns(e, cols, 5, 2, NOW, ws, &outs, NULL) == DOCKET_RESULT_OK);
  CHECK_EQ_INT(error[0], DOCKET_CASE_ERROR_NONE);
  CHECK_EQ_INT(error[1], DOCKET_CASE_ERROR_NONE);
  CHECK_EQ_INT(issues[0], issues[1] + 1);
  docket_workspace_free(ws);
  docket_report_free(report);
  docket_engine_free(e);
}

/* docket_diff_json: the example policy against itself with rule R10's threshold raised
 * from 1000 to 1500 (docs/policy-changes.md derives every value). Only C-1001 (a 1250 EUR
 * refund) leaves R10: it falls to R11, P1 -> P2, S05's 1h/8h -> S06's 2h/16h on eu_ops. */
static void test_diff_json(const char *policy, size_t policy_len, const char *cases, size_t cases_len) {
  char *changed = malloc(policy_len + 1);
  memcpy(changed, policy, policy_len + 1);
  const char *r10 = "\"amount\": \">= 1000\"},\n        \"then\": {\"queue\": \"refund_validation\"";
  char *at = strstr(changed, r10);
  CHECK(at != NULL);
  if (!at) {
    free(changed);
    return;
  }
  memcpy(at + strlen("\"amount\": \">= "), "1500", 4);
  docket_engine *r10_engine = NULL;
  docket_error *err = NULL;
  CHECK(docket_engine_new(changed, policy_len, &r10_engine, &err) == DOCKET_RESULT_OK);
  docket_buffer *out = NULL;
  CHECK(docket_diff_json(engine, r10_engine, cases, cases_len, NOW, &out, &err) == DOCKET_RESULT_OK);
  CHECK(contains(out, "\"changed\":[{\"id\":\"C-1001\",\"line\":1,\"changed\":[\"priority\",\"targets\",\"due\",\"state\"]"));
  /* The 16h resolution target: 9h45m by Saturday's close, then Mon 08:00-14:15 CET. */
  CHECK(contains(out, "\"resolution\":{\"calendar\":\"eu_ops\",\"target_s\":57600,\"due\":\"2026-11-23T13:15:00Z\",\"state\":\"warning\"}"));
  CHECK(contains(out, "\"rules\":[\"R11\",\"S06\",\"A2\",\"A3\"]"));
  CHECK(contains(out, "\"summary\":{\"cases\":15,\"changed\":1,"));
  /* R10 decided C-1001, C-1013 (2208 EUR) and C-1015 (2600 EUR); afterwards the last two. */
  CHECK(contains(out, "{\"rule\":\"R10\",\"before\":3,\"after\":2}"));
  docket_buffer_free(out);
  /* A policy against itself changes nothing. */
  CHECK(docket_diff_json(engine, engine, cases, cases_len, NOW, &out, &err) == DOCKET_RESULT_OK);
  CHECK(contains(out, "\"changed\":[],\"summary\":{\"cases\":15,\"changed\":0,"));
  docket_buffer_free(out);
  /* Errors: a missing engine names its argument; a broken array fails the call. */
  CHECK(docket_diff_json(engine, NULL, cases, cases_len, NOW, &out, &err) == DOCKET_RESULT_NULL_ARGUMENT);
  size_t len = 0;
  CHECK(strcmp(docket_error_path(err, &len), "new") == 0);
  docket_error_free(err);
  err = NULL;
  CHECK(docket_diff_json(engine, r10_engine, "[1,", 3, NOW, &out, &err) == DOCKET_RESULT_INVALID_JSON);
  docket_error_free(err);
  docket_engine_free(r10_engine);
  free(changed);
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s POLICY CASES\n", argv[0]);
    return 2;
  }
  size_t policy_len = 0, cases_len = 0;
  char *policy = read_file(argv[1], &policy_len);
  char *cases = read_file(argv[2], &cases_len);
  test_version_and_null_frees();
  test_engine_new(policy, policy_len);
  if (engine) {
    test_names();
    test_evaluate_json(cases, cases_len);
    test_report_json(cases, cases_len);
    test_authorize_json(cases);
    test_report_handles(cases, cases_len);
    test_report_by(cases, cases_len);
    test_report_flow(cases, cases_len);
    test_columns();
    test_columns_clocks_v2();
    test_reports_know_their_engine(policy, policy_len, cases, cases_len);
    test_ndjson_bad_records();
    test_limits(policy, policy_len);
    test_diff_json(policy, policy_len, cases, cases_len);
  }
  docket_engine_free(engine);
  free(policy);
  free(cases);
  return check_summary("test_api");
}
