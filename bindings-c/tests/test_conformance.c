/* The shared conformance fixtures (tests/conformance/NAME.json, see its README), run
 * through the C API's JSON entry points: docket_engine_new, docket_evaluate_json,
 * docket_report_json, docket_authorize_json, and the compile warnings of
 * docket_engine_policy_info(DOCKET_POLICY_INFO_WARNINGS). Every expectation is one check, matched
 * by the fixtures' subset rules. A fixture of failures (errors.json) compiles each of
 * its policies with docket_engine_new and compares the error's result, name, path and
 * first diagnostic code.
 *
 * Usage: test_conformance FIXTURE.json...
 */
#include "docket.h"
#include "check.h"

#include <ctype.h>
#include <stdint.h>

/* ---- A small JSON reader: a tree of nodes that remember their source span. ---- */

typedef enum { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ } jtype;

typedef struct jnode {
  jtype type;
  const char *start; /* source span */
  size_t len;
  int b;
  double num;
  char *str;           /* decoded string */
  size_t n;            /* children */
  char **keys;         /* objects */
  struct jnode **kids; /* arrays and objects */
} jnode;

typedef struct {
  const char *p, *end;
  int bad;
} jparser;

static void ws(jparser *j) {
  while (j->p < j->end && isspace((unsigned char)*j->p)) j->p++;
}

static void put_utf8(char **o, unsigned cp) {
  char *d = *o;
  if (cp < 0x80) {
    *d++ = (char)cp;
  } else if (cp < 0x800) {
    *d++ = (char)(0xC0 | (cp >> 6));
    *d++ = (char)(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *d++ = (char)(0xE0 | (cp >> 12));
    *d++ = (char)(0x80 | ((cp >> 6) & 0x3F));
    *d++ = (char)(0x80 | (cp & 0x3F));
  } else {
    *d++ = (char)(0xF0 | (cp >> 18));
    *d++ = (char)(0x80 | ((cp >> 12) & 0x3F));
    *d++ = (char)(0x80 | ((cp >> 6) & 0x3F));
    *d++ = (char)(0x80 | (cp & 0x3F));
  }
  *o = d;
}

static unsigned hex4(jparser *j) {
  unsigned v = 0;
  for (int i = 0; i < 4; i++) {
    if (j->p >= j->end) {
      j->bad = 1;
      return 0;
    }
    char c = *j->p++;
    v = v * 16 + (unsigned)(isdigit((unsigned char)c) ? c - '0' : (tolower((unsigned char)c) - 'a' + 10));
  }
  return v;
}

static char *parse_string(jparser *j) {
  j->p++; /* opening quote */
  char *out = malloc((size_t)(j->end - j->p) * 2 + 1), *o = out;
  while (j->p < j->end && *j->p != '"') {
    char c = *j->p++;
    if (c != '\\') {
      *o++ = c;
      continue;
    }
    if (j->p >= j->end) break;
    c = *j->p++;
    switch (c) {
      case 'n': *o++ = '\n'; break;
      case 't': *o++ = '\t'; break;
      case 'r': *o++ = '\r'; break;
      case 'b': *o++ = '\b'; break;
      case 'f': *o++ = '\f'; break;
      case 'u': {
        unsigned cp = hex4(j);
        if (cp >= 0xD800 && cp < 0xDC00 && j->p + 1 < j->end && j->p[0] == '\\' && j->p[1] == 'u') {
          j->p += 2;
          cp = 0x10000 + ((cp - 0xD800) << 10) + (hex4(j) - 0xDC00);
        }
        put_utf8(&o, cp);
        break;
      }
      default: *o++ = c;
    }
  }
  if (j->p >= j->end) j->bad = 1;
  j->p++;
  *o = '\0';
  return out;
}

static jnode *parse_value(jparser *j);

static void add_kid(jnode *n, char *key, jnode *kid) {
  n->kids = realloc(n->kids, (n->n + 1) * sizeof *n->kids);
  n->kids[n->n] = kid;
  if (n->type == J_OBJ) {
    n->keys = realloc(n->keys, (n->n + 1) * sizeof *n->keys);
    n->keys[n->n] = key;
  }
  n->n++;
}

static jnode *parse_value(jparser *j) {
  ws(j);
  jnode *n = calloc(1, sizeof *n);
  n->start = j->p;
  if (j->p >= j->end) {
    j->bad = 1;
    return n;
  }
  char c = *j->p;
  if (c == '{' || c == '[') {
    n->type = c == '{' ? J_OBJ : J_ARR;
    char close = c == '{' ? '}' : ']';
    j->p++;
    ws(j);
    if (j->p < j->end && *j->p == close) {
      j->p++;
    } else {
      while (!j->bad) {
        char *key = NULL;
        if (n->type == J_OBJ) {
          ws(j);
          if (j->p >= j->end || *j->p != '"') {
            j->bad = 1;
            break;
          }
          key = parse_string(j);
          ws(j);
          if (j->p >= j->end || *j->p != ':') {
            j->bad = 1;
            free(key);
            break;
          }
          j->p++;
        }
        add_kid(n, key, parse_value(j));
        ws(j);
        if (j->p < j->end && *j->p == ',') {
          j->p++;
          continue;
        }
        if (j->p < j->end && *j->p == close) {
          j->p++;
          break;
        }
        j->bad = 1;
      }
    }
  } else if (c == '"') {
    n->type = J_STR;
    n->str = parse_string(j);
  } else if (!strncmp(j->p, "true", 4) || !strncmp(j->p, "false", 5)) {
    n->type = J_BOOL;
    n->b = c == 't';
    j->p += n->b ? 4 : 5;
  } else if (!strncmp(j->p, "null", 4)) {
    n->type = J_NULL;
    j->p += 4;
  } else {
    char *endp = NULL;
    n->type = J_NUM;
    n->num = strtod(j->p, &endp);
    if (endp == j->p) j->bad = 1;
    j->p = endp;
  }
  n->len = (size_t)(j->p - n->start);
  return n;
}

static jnode *parse(const char *text, size_t len) {
  jparser j = {text, text + len, 0};
  jnode *n = parse_value(&j);
  ws(&j);
  if (j.bad || j.p != j.end) {
    fprintf(stderr, "cannot parse JSON: %.*s\n", (int)(len > 200 ? 200 : len), text);
    exit(2);
  }
  return n;
}

static void jfree(jnode *n) {
  if (!n) return;
  for (size_t i = 0; i < n->n; i++) {
    jfree(n->kids[i]);
    if (n->keys) free(n->keys[i]);
  }
  free(n->kids);
  free(n->keys);
  free(n->str);
  free(n);
}

static jnode *get(const jnode *obj, const char *key) {
  if (!obj || obj->type != J_OBJ) return NULL;
  for (size_t i = 0; i < obj->n; i++)
    if (!strcmp(obj->keys[i], key)) return obj->kids[i];
  return NULL;
}

static const char *str(const jnode *n) { return n && n->type == J_STR ? n->str : ""; }

/* The fixtures' subset rule. On mismatch, writes the path to `where`. */
static int matches(const jnode *e, const jnode *a, char *where, size_t cap) {
  if (e->type == J_NULL) return a == NULL || a->type == J_NULL;
  if (!a || a->type != e->type) return 0;
  switch (e->type) {
    case J_OBJ:
      for (size_t i = 0; i < e->n; i++) {
        if (!matches(e->kids[i], get(a, e->keys[i]), where, cap)) {
          size_t l = strlen(where);
          char tmp[512];
          snprintf(tmp, sizeof tmp, "/%s%s", e->keys[i], where);
          snprintf(where, cap, "%s", tmp);
          (void)l;
          return 0;
        }
      }
      return 1;
    case J_ARR:
      if (e->n != a->n) return 0;
      for (size_t i = 0; i < e->n; i++) {
        if (!matches(e->kids[i], a->kids[i], where, cap)) {
          char tmp[512];
          snprintf(tmp, sizeof tmp, "/%zu%s", i, where);
          snprintf(where, cap, "%s", tmp);
          return 0;
        }
      }
      return 1;
    case J_NUM: return e->num == a->num;
    case J_STR: return !strcmp(e->str, a->str);
    case J_BOOL: return e->b == a->b;
    default: return 1;
  }
}

static void expect_match(const char *fixture, const char *what, const jnode *e, const jnode *a, const char *why,
                         const char *actual_text, size_t actual_len) {
  char where[512] = "";
  if (a && matches(e, a, where, sizeof where)) {
    checks_passed++;
  } else {
    checks_failed++;
    fprintf(stderr, "%s: %s: mismatch at %s (why: %s)\n  expected: %.*s\n  actual:   %.*s\n", fixture, what,
            a ? where : "(missing)", why, (int)e->len, e->start, (int)(actual_len > 2000 ? 2000 : actual_len),
            actual_text ? actual_text : "");
  }
}

/* RFC 3339 UTC ("2026-11-23T10:00:00Z", or with a +hh:mm / -hh:mm offset) to Unix seconds. */
static int64_t unix_seconds(const char *s) {
  int y, mo, d, h, mi, sec;
  if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &sec) != 6) return INT64_MIN;
  y -= mo <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  int64_t days = era * 146097 + doe - 719468;
  int64_t t = days * 86400 + h * 3600 + mi * 60 + sec;
  const char *z = s + 19;
  while (*z == '.' || isdigit((unsigned char)*z)) z++;
  if (*z == '+' || *z == '-') {
    int oh = 0, om = 0;
    sscanf(z + 1, "%2d:%2d", &oh, &om);
    t -= (*z == '+' ? 1 : -1) * (oh * 3600 + om * 60);
  }
  return t;
}

/* The docket_result of each code a failure of errors.json can have (docs/errors.md). */
static int expected_result(const char *code) {
  static const struct {
    const char *name;
    docket_result result;
  } table[] = {
      {"invalid_json", DOCKET_RESULT_INVALID_JSON},
      {"invalid_policy", DOCKET_RESULT_INVALID_POLICY},
      {"limit_exceeded", DOCKET_RESULT_LIMIT_EXCEEDED},
  };
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
    if (!strcmp(table[i].name, code)) return (int)table[i].result;
  return -1;
}

static void failure_check(const char *fixture, size_t i, const char *what, int ok, const char *expected,
                          const char *actual, const char *why) {
  if (ok) {
    checks_passed++;
  } else {
    checks_failed++;
    fprintf(stderr, "%s: failure #%zu: %s: expected %s, got %s (why: %s)\n", fixture, i, what, expected, actual, why);
  }
}

/* A fixture of failures: each policy (`policy_text` as given, `policy` as its source text)
 * through docket_engine_new. */
static void run_failures(const char *path, const jnode *failures) {
  for (size_t i = 0; failures && i < failures->n; i++) {
    const jnode *f = failures->kids[i], *expect = get(f, "expect");
    const jnode *policy_text = get(f, "policy_text"), *policy = get(f, "policy");
    const char *why = str(get(f, "why"));
    const char *code = str(get(expect, "code")), *want_path = str(get(expect, "path"));
    const jnode *first = get(expect, "first_diagnostic");
    if (!expect || !get(expect, "code") || !get(expect, "path") || (policy_text == NULL) == (policy == NULL) ||
        (policy_text && policy_text->type != J_STR)) {
      fprintf(stderr, "%s: failure #%zu: needs expect.code, expect.path and one of policy_text, policy\n", path, i);
      exit(2);
    }
    const char *text = policy_text ? policy_text->str : policy->start;
    size_t len = policy_text ? strlen(policy_text->str) : policy->len;
    docket_engine *engine = NULL;
    docket_error *err = NULL;
    docket_result rc = docket_engine_new(text, len, &engine, &err);
    if (rc == DOCKET_RESULT_OK) {
      failure_check(path, i, "docket_engine_new", 0, code, "a compiled engine", why);
      docket_engine_free(engine);
      continue;
    }
    char got[32];
    snprintf(got, sizeof got, "%d", (int)rc);
    char want[32];
    snprintf(want, sizeof want, "%d (%s)", expected_result(code), code);
    failure_check(path, i, "result", (int)rc == expected_result(code), want, got, why);
    snprintf(got, sizeof got, "%d", (int)docket_error_code(err));
    failure_check(path, i, "docket_error_code", docket_error_code(err) == rc, want, got, why);
    const char *name = docket_error_name(err, NULL);
    failure_check(path, i, "docket_error_name", !strcmp(name, code), code, name, why);
    const char *at = docket_error_path(err, NULL);
    failure_check(path, i, "docket_error_path", !strcmp(at, want_path), want_path, at, why);
    if (first) {
      size_t dlen = 0;
      const char *diags_text = docket_error_diagnostics_json(err, &dlen);
      jnode *diags = parse(diags_text, dlen);
      const char *actual = diags->type == J_ARR && diags->n ? str(get(diags->kids[0], "code")) : "(none)";
      const char *wanted = first->type == J_NULL ? "(none)" : str(first);
      failure_check(path, i, "first diagnostic code", !strcmp(actual, wanted), wanted, actual, why);
      jfree(diags);
    }
    docket_error_free(err);
  }
}

static void run_fixture(const char *path) {
  size_t len = 0;
  char *text = read_file(path, &len);
  jnode *fx = parse(text, len);
  const char *name = str(get(fx, "name"));
  if (get(fx, "failures")) {
    run_failures(path, get(fx, "failures"));
    jfree(fx);
    free(text);
    return;
  }
  jnode *policy = get(fx, "policy"), *cases = get(fx, "cases"), *expect = get(fx, "expect");
  int64_t now = unix_seconds(str(get(fx, "now")));
  CHECK(now != INT64_MIN);

  docket_engine *engine = NULL;
  docket_error *err = NULL;
  if (!policy || docket_engine_new(policy->start, policy->len, &engine, &err) != DOCKET_RESULT_OK) {
    checks_failed++;
    fprintf(stderr, "%s: policy does not compile: %s\n", path, docket_error_message(err, NULL));
    docket_error_free(err);
    jfree(fx);
    free(text);
    return;
  }

  /* Outcomes, one NDJSON line per case, indexed by id. */
  docket_buffer *out = NULL;
  CHECK(cases && docket_evaluate_json(engine, cases->start, cases->len, now, &out, &err) == DOCKET_RESULT_OK);
  size_t n_out = 0;
  jnode **outcomes = calloc(cases ? cases->n + 1 : 1, sizeof *outcomes);
  const char **lines = calloc(cases ? cases->n + 1 : 1, sizeof *lines);
  size_t *line_lens = calloc(cases ? cases->n + 1 : 1, sizeof *line_lens);
  if (out) {
    const char *p = docket_buffer_data(out), *end = p + docket_buffer_len(out);
    while (p < end && n_out <= (cases ? cases->n : 0)) {
      const char *nl = memchr(p, '\n', (size_t)(end - p));
      size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
      lines[n_out] = p;
      line_lens[n_out] = l;
      outcomes[n_out++] = parse(p, l);
      p += l + 1;
    }
  }
  CHECK_EQ_INT(n_out, cases ? cases->n : 0);

  for (size_t i = 0; expect && i < expect->n; i++) {
    jnode *x = expect->kids[i];
    const char *id = str(get(x, "case"));
    jnode *actual = NULL;
    size_t k = 0;
    for (; k < n_out; k++) {
      if (!strcmp(str(get(outcomes[k], "id")), id)) {
        actual = outcomes[k];
        break;
      }
    }
    char what[256];
    snprintf(what, sizeof what, "%s: outcome of %s", name, id);
    expect_match(path, what, get(x, "outcome"), actual, str(get(x, "why")), actual ? lines[k] : NULL,
                 actual ? line_lens[k] : 0);
  }

  jnode *report = get(fx, "report");
  if (report) {
    docket_buffer *rep = NULL;
    jnode *by = get(report, "by");
    jnode *flow = get(report, "flow");
    if (by || flow) {
      /* The fields the report splits its queues by, comma-separated. */
      char fields[512] = "";
      for (size_t k = 0; by && k < by->n; k++) {
        if (k) strncat(fields, ",", sizeof fields - strlen(fields) - 1);
        strncat(fields, str(by->kids[k]), sizeof fields - strlen(fields) - 1);
      }
      docket_report *r = NULL;
      CHECK(docket_report_new_by(engine, now, fields, strlen(fields), &r, NULL) == DOCKET_RESULT_OK);
      if (flow) {
        /* `flow`: {since, bucket}, as docket_report_set_flow takes them. */
        docket_bucket bucket = strcmp(str(get(flow, "bucket")), "week") == 0 ? DOCKET_BUCKET_WEEK : DOCKET_BUCKET_DAY;
        CHECK(docket_report_set_flow(engine, r, unix_seconds(str(get(flow, "since"))), bucket, NULL) ==
              DOCKET_RESULT_OK);
      }
      CHECK(docket_report_add_json(engine, cases->start, cases->len, r, NULL) == DOCKET_RESULT_OK);
      CHECK(docket_report_to_json(engine, r, &rep, NULL) == DOCKET_RESULT_OK);
      docket_report_free(r);
    } else {
      CHECK(docket_report_json(engine, cases->start, cases->len, now, &rep, NULL) == DOCKET_RESULT_OK);
    }
    if (rep) {
      jnode *actual = parse(docket_buffer_data(rep), docket_buffer_len(rep));
      expect_match(path, "report", get(report, "expect"), actual, str(get(report, "why")), docket_buffer_data(rep),
                   docket_buffer_len(rep));
      jfree(actual);
      docket_buffer_free(rep);
    }
  }

  /* The compile warnings, as docket_engine_policy_info(DOCKET_POLICY_INFO_WARNINGS) gives them. */
  jnode *warnings = get(fx, "warnings");
  if (warnings) {
    const char *w = NULL;
    size_t wlen = 0;
    CHECK(docket_engine_policy_info(engine, DOCKET_POLICY_INFO_WARNINGS, &w, &wlen, NULL) == DOCKET_RESULT_OK);
    jnode *actual = parse(w, wlen);
    char what[256];
    snprintf(what, sizeof what, "%s: warnings", name);
    expect_match(path, what, get(warnings, "expect"), actual, str(get(warnings, "why")), w, wlen);
    jfree(actual);
  }

  jnode *authorize = get(fx, "authorize");
  for (size_t i = 0; authorize && i < authorize->n; i++) {
    jnode *a = authorize->kids[i], *c = NULL, *actor = get(a, "actor");
    const char *id = str(get(a, "case")), *action = str(get(a, "action"));
    /* An entry's own `now`, else the fixture's. */
    int64_t at = get(a, "now") ? unix_seconds(str(get(a, "now"))) : now;
    CHECK(at != INT64_MIN);
    for (size_t k = 0; k < cases->n; k++)
      if (!strcmp(str(get(cases->kids[k], "id")), id)) c = cases->kids[k];
    docket_buffer *dec = NULL;
    char what[256];
    snprintf(what, sizeof what, "%s: authorize %s %s", name, id, action);
    if (!c || !actor ||
        docket_authorize_json(engine, c->start, c->len, actor->start, actor->len, action, strlen(action), at, &dec,
                              NULL) !=
            DOCKET_RESULT_OK) {
      checks_failed++;
      fprintf(stderr, "%s: %s: call failed\n", path, what);
      continue;
    }
    jnode *actual = parse(docket_buffer_data(dec), docket_buffer_len(dec));
    expect_match(path, what, get(a, "expect"), actual, str(get(a, "why")), docket_buffer_data(dec),
                 docket_buffer_len(dec));
    jfree(actual);
    docket_buffer_free(dec);
  }

  for (size_t k = 0; k < n_out; k++) jfree(outcomes[k]);
  free(outcomes);
  free(lines);
  free(line_lens);
  docket_buffer_free(out);
  docket_engine_free(engine);
  jfree(fx);
  free(text);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s FIXTURE.json...\n", argv[0]);
    return 2;
  }
  for (int i = 1; i < argc; i++) run_fixture(argv[i]);
  return check_summary("test_conformance");
}
