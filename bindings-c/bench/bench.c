/* Throughput of the C binding on the shared benchmark workload (benches/compare/run.sh):
 * the columnar API (docket_evaluate_columns, 10,000 cases per call, one workspace) and
 * the JSON API (docket_evaluate_json on the NDJSON of the same 10,000 cases).
 * Every answer of both paths is checked against Docket's native answers first.
 *
 * Usage: bench POLICY.json DIR   (DIR from `compare gen`: cases.tsv, cases.ndjson, expected.tsv)
 * Prints one JSON line per measurement: ns per case, median / min / max of 15 samples.
 * DOCKET_BENCH_PROFILE=columnar runs the columnar path alone for ~10 s (for perf record), or
 * DOCKET_BENCH_CALLS times (for callgrind).
 */
#include "docket.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NOW 1795428000LL /* 2026-11-23T10:00:00Z */
#define MAXN 10000
#define SAMPLES 15
#define NCOLS 19

static char *slurp(const char *dir, const char *name, size_t *len) {
  char path[4096];
  snprintf(path, sizeof path, "%s%s%s", dir, dir[0] ? "/" : "", name);
  FILE *f = fopen(path, "rb");
  if (!f) { fprintf(stderr, "bench: cannot open %s\n", path); exit(2); }
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = malloc((size_t)n + 1);
  if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) { fprintf(stderr, "bench: read %s\n", path); exit(2); }
  buf[n] = 0;
  fclose(f);
  if (len) *len = (size_t)n;
  return buf;
}

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int cmp_d(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Splits `s` in place at `sep`; returns the number of fields (at most `max`). */
static size_t split(char *s, char sep, char **out, size_t max) {
  size_t n = 0;
  out[n++] = s;
  for (char *p = s; *p && n < max; p++)
    if (*p == sep) { *p = 0; out[n++] = p + 1; }
  return n;
}

static const docket_engine *engine;

/* ---- columns ------------------------------------------------------------------------ */
static size_t n;
static const char *ids[MAXN], *orders[MAXN], *reqs[MAXN], *currs[MAXN];
static size_t id_l[MAXN], order_l[MAXN], req_l[MAXN], curr_l[MAXN];
static uint8_t req_p[MAXN], curr_p[MAXN];
static uint32_t kind[MAXN], region[MAXN], channel[MAXN], tier[MAXN];
static uint8_t region_p[MAXN], channel_p[MAXN], tier_p[MAXN];
static int64_t opened[MAXN], resp[MAXN], resol[MAXN], amount[MAXN], vf[MAXN], oa[MAXN];
static uint8_t resp_p[MAXN], resol_p[MAXN], amount_p[MAXN], vf_p[MAXN], oa_p[MAXN], fs_p[MAXN], split_p[MAXN];
static double fs[MAXN];
static uint8_t split_v[MAXN];
/* list columns */
static size_t pause_off[MAXN + 1], appr_off[MAXN + 1], ev_off[MAXN + 1];
static int64_t *pause_from, *pause_to, *appr_at;
static uint8_t *pause_to_p;
static uint32_t *appr_role, *ev_i;
static const char **appr_by;
static size_t *appr_by_l;

static uint32_t col(const char *name) {
  uint32_t i;
  if (docket_engine_list_find(engine, DOCKET_LIST_COLUMN, name, strlen(name), &i, NULL) != DOCKET_RESULT_OK) {
    fprintf(stderr, "bench: no column %s\n", name);
    exit(2);
  }
  return i;
}

static uint32_t enum_of(uint32_t column, const char *v, uint8_t *present) {
  uint32_t i = 0;
  *present = 0;
  if (!*v) return 0;
  if (docket_engine_enum_find(engine, column, v, strlen(v), &i, NULL) != DOCKET_RESULT_OK) {
    fprintf(stderr, "bench: no enum value %s\n", v);
    exit(2);
  }
  *present = 1;
  return i;
}

static int64_t i64_of(const char *s, uint8_t *present) {
  *present = *s != 0;
  return *s ? strtoll(s, NULL, 10) : 0;
}

static int64_t cents_of(const char *s, uint8_t *present) {
  *present = *s != 0;
  if (!*s) return 0;
  char *dot;
  int64_t whole = strtoll(s, &dot, 10), frac = 0;
  if (*dot == '.') frac = strtoll(dot + 1, NULL, 10) * (strlen(dot + 1) == 1 ? 10 : 1);
  return whole * 100 + frac;
}

static docket_column cols[32];
static size_t ncols;

static void load(const char *dir) {
  char *tsv = slurp(dir, "cases.tsv", NULL);
  char *lines[MAXN + 2];
  size_t nl = split(tsv, '\n', lines, MAXN + 2);
  n = 0;
  size_t items_p = 0, items_a = 0, items_e = 0;
  for (char *p = tsv; p < lines[nl - 1] + strlen(lines[nl - 1]); p++) items_p += *p == ';' || *p == '>';
  items_a = items_e = items_p + 2 * MAXN; /* generous upper bounds */
  items_p = items_a;
  pause_from = calloc(items_p, 8), pause_to = calloc(items_p, 8), pause_to_p = calloc(items_p, 1);
  appr_at = calloc(items_a, 8), appr_role = calloc(items_a, sizeof(uint32_t)), appr_by = calloc(items_a, sizeof(char *));
  appr_by_l = calloc(items_a, sizeof(size_t));
  ev_i = calloc(items_e, sizeof(uint32_t));
  uint32_t c_kind = col("kind"), c_region = col("region"), c_channel = col("channel"), c_tier = col("customer_tier");
  /* approval_role and evidence as ENUM_INDEX: names resolved once here, as a host holding
   * codes would (both also take DOCKET_VALUE_KIND_STRING). */
  uint32_t c_role = col("approval_role"), c_evidence = col("evidence");
  size_t np = 0, na = 0, ne = 0;
  for (size_t li = 1; li < nl && n < MAXN; li++) {
    if (!*lines[li]) continue;
    char *f[NCOLS];
    if (split(lines[li], '\t', f, NCOLS) != NCOLS) { fprintf(stderr, "bench: bad row %zu\n", li); exit(2); }
    size_t i = n++;
    uint8_t dummy;
    ids[i] = f[0], id_l[i] = strlen(f[0]);
    kind[i] = enum_of(c_kind, f[1], &dummy);
    orders[i] = f[2], order_l[i] = strlen(f[2]);
    opened[i] = i64_of(f[3], &dummy);
    region[i] = enum_of(c_region, f[4], &region_p[i]);
    channel[i] = enum_of(c_channel, f[5], &channel_p[i]);
    tier[i] = enum_of(c_tier, f[6], &tier_p[i]);
    amount[i] = cents_of(f[7], &amount_p[i]);
    currs[i] = f[8], curr_l[i] = strlen(f[8]), curr_p[i] = *f[8] != 0;
    fs_p[i] = *f[9] != 0, fs[i] = fs_p[i] ? strtod(f[9], NULL) : 0;
    vf[i] = i64_of(f[10], &vf_p[i]);
    oa[i] = i64_of(f[11], &oa_p[i]);
    split_v[i] = (uint8_t)i64_of(f[12], &split_p[i]);
    resp[i] = i64_of(f[13], &resp_p[i]);
    resol[i] = i64_of(f[14], &resol_p[i]);
    pause_off[i] = np;
    if (*f[15]) {
      char *items[64];
      size_t k = split(f[15], ';', items, 64);
      for (size_t j = 0; j < k; j++) {
        char *ft[2] = {"", ""};
        split(items[j], '>', ft, 2);
        pause_from[np] = strtoll(ft[0], NULL, 10);
        pause_to_p[np] = *ft[1] != 0;
        pause_to[np] = pause_to_p[np] ? strtoll(ft[1], NULL, 10) : 0;
        np++;
      }
    }
    reqs[i] = f[16], req_l[i] = strlen(f[16]), req_p[i] = *f[16] != 0;
    appr_off[i] = na;
    if (*f[17]) {
      char *items[64];
      size_t k = split(f[17], ';', items, 64);
      for (size_t j = 0; j < k; j++) {
        char *r[3] = {"", "", ""};
        split(items[j], '>', r, 3);
        appr_role[na] = enum_of(c_role, r[0], &dummy);
        appr_by[na] = r[1], appr_by_l[na] = strlen(r[1]);
        appr_at[na] = strtoll(r[2], NULL, 10);
        na++;
      }
    }
    ev_off[i] = ne;
    if (*f[18]) {
      char *items[64];
      size_t k = split(f[18], ';', items, 64);
      for (size_t j = 0; j < k; j++) ev_i[ne++] = enum_of(c_evidence, items[j], &dummy);
    }
  }
  pause_off[n] = np, appr_off[n] = na, ev_off[n] = ne;
  docket_column c[] = {
      {col("id"), DOCKET_VALUE_KIND_STRING, ids, id_l, NULL, NULL, 0},
      {c_kind, DOCKET_VALUE_KIND_ENUM_INDEX, kind, NULL, NULL, NULL, 0},
      {col("order_id"), DOCKET_VALUE_KIND_STRING, orders, order_l, NULL, NULL, 0},
      {col("opened_at"), DOCKET_VALUE_KIND_I64, opened, NULL, NULL, NULL, 0},
      {c_region, DOCKET_VALUE_KIND_ENUM_INDEX, region, NULL, region_p, NULL, 0},
      {c_channel, DOCKET_VALUE_KIND_ENUM_INDEX, channel, NULL, channel_p, NULL, 0},
      {c_tier, DOCKET_VALUE_KIND_ENUM_INDEX, tier, NULL, tier_p, NULL, 0},
      {col("amount"), DOCKET_VALUE_KIND_SCALED, amount, NULL, amount_p, NULL, 2},
      {col("currency"), DOCKET_VALUE_KIND_STRING, currs, curr_l, curr_p, NULL, 0},
      {col("fraud_score"), DOCKET_VALUE_KIND_F64, fs, NULL, fs_p, NULL, 0},
      {col("vendor_failures_90d"), DOCKET_VALUE_KIND_I64, vf, NULL, vf_p, NULL, 0},
      {col("orders_affected"), DOCKET_VALUE_KIND_I64, oa, NULL, oa_p, NULL, 0},
      {col("split_shipment"), DOCKET_VALUE_KIND_BOOL, split_v, NULL, split_p, NULL, 0},
      {col("response_at"), DOCKET_VALUE_KIND_I64, resp, NULL, resp_p, NULL, 0},
      {col("resolution_at"), DOCKET_VALUE_KIND_I64, resol, NULL, resol_p, NULL, 0},
      {col("paused_from"), DOCKET_VALUE_KIND_I64, pause_from, NULL, NULL, pause_off, 0},
      {col("paused_to"), DOCKET_VALUE_KIND_I64, pause_to, NULL, pause_to_p, pause_off, 0},
      {col("requested_by"), DOCKET_VALUE_KIND_STRING, reqs, req_l, req_p, NULL, 0},
      {c_role, DOCKET_VALUE_KIND_ENUM_INDEX, appr_role, NULL, NULL, appr_off, 0},
      {col("approval_by"), DOCKET_VALUE_KIND_STRING, appr_by, appr_by_l, NULL, appr_off, 0},
      {col("approval_at"), DOCKET_VALUE_KIND_I64, appr_at, NULL, NULL, appr_off, 0},
      {c_evidence, DOCKET_VALUE_KIND_ENUM_INDEX, ev_i, NULL, NULL, ev_off, 0},
  };
  ncols = sizeof c / sizeof c[0];
  memcpy(cols, c, sizeof c);
}

/* ---- outputs and the check ------------------------------------------------------------ */
static int32_t queue[MAXN], priority[MAXN];
static uint8_t state[MAXN * 2];
static int64_t due[MAXN * 2];
static uint32_t remaining[MAXN];
static docket_workspace *ws;

static void columnar(void) {
  docket_outputs out = {0};
  out.queue = queue, out.priority = priority, out.sla_state = state, out.sla_due = due;
  out.approvals_remaining = remaining;
  docket_error *err = NULL;
  if (docket_evaluate_columns(engine, cols, ncols, n, NOW, ws, &out, &err) != DOCKET_RESULT_OK) {
    fprintf(stderr, "bench: docket_evaluate_columns: %s at %s\n", docket_error_message(err, NULL),
            docket_error_path(err, NULL));
    exit(1);
  }
}

static const char *list_name(docket_list list, int32_t i) {
  const char *s = "";
  size_t len = 0;
  if (i >= 0 && docket_engine_list_item(engine, list, (size_t)i, &s, &len, NULL) != DOCKET_RESULT_OK) s = "?";
  return s;
}

static const char *STATES[] = {"", "ok", "warning", "breached", "paused", "met", "missed"};

static const char *json_buf;
static size_t json_len;
static docket_buffer *json_out;

static void json_path(void) {
  docket_buffer_free(json_out);
  json_out = NULL;
  if (docket_evaluate_json(engine, json_buf, json_len, NOW, &json_out, NULL) != DOCKET_RESULT_OK) {
    fprintf(stderr, "bench: docket_evaluate_json failed\n");
    exit(1);
  }
}

static void check(const char *dir) {
  char *exp = slurp(dir, "expected.tsv", NULL);
  char *lines[MAXN + 2];
  size_t nl = split(exp, '\n', lines, MAXN + 2);
  columnar();
  json_path();
  char *outs = strdup(docket_buffer_data(json_out));
  char *olines[MAXN + 2];
  size_t no = split(outs, '\n', olines, MAXN + 2);
  size_t bad_cols = 0, bad_json = 0;
  for (size_t i = 0; i < n; i++) {
    if (i >= nl || i >= no) { bad_cols++, bad_json++; continue; }
    char *e[7];
    if (split(lines[i], '\t', e, 7) != 7) { fprintf(stderr, "bench: bad expected row %zu\n", i); exit(2); }
    char d0[32], d1[32];
    snprintf(d0, sizeof d0, "%lld", (long long)due[2 * i]);
    snprintf(d1, sizeof d1, "%lld", (long long)due[2 * i + 1]);
    int ok = strcmp(list_name(DOCKET_LIST_QUEUE, queue[i]), e[0]) == 0 &&
             strcmp(list_name(DOCKET_LIST_PRIORITY, priority[i]), e[1]) == 0 &&
             strcmp(STATES[state[2 * i]], e[2]) == 0 && strcmp(due[2 * i] == DOCKET_NO_TIME ? "" : d0, e[3]) == 0 &&
             strcmp(STATES[state[2 * i + 1]], e[4]) == 0 &&
             strcmp(due[2 * i + 1] == DOCKET_NO_TIME ? "" : d1, e[5]) == 0 && remaining[i] == strtoul(e[6], NULL, 10);
    if (!ok && bad_cols++ < 5)
      fprintf(stderr, "columnar mismatch at case %zu: got %s %s %s %s %s %s %u, want %s %s %s %s %s %s %s\n", i,
              list_name(DOCKET_LIST_QUEUE, queue[i]), list_name(DOCKET_LIST_PRIORITY, priority[i]),
              STATES[state[2 * i]], d0, STATES[state[2 * i + 1]], d1, remaining[i], e[0], e[1], e[2], e[3], e[4],
              e[5], e[6]);
    char q[128], p[64];
    snprintf(q, sizeof q, "\"queue\":\"%s\"", e[0]);
    snprintf(p, sizeof p, "\"priority\":\"%s\"", e[1]);
    if ((!strstr(olines[i], q) || !strstr(olines[i], p)) && bad_json++ < 5)
      fprintf(stderr, "json mismatch at case %zu: want %s %s in %.200s\n", i, e[0], e[1], olines[i]);
  }
  free(outs);
  free(exp);
  if (bad_cols || bad_json) {
    fprintf(stderr, "FAIL: C columnar disagrees on %zu, C JSON on %zu of %zu cases\n", bad_cols, bad_json, n);
    exit(1);
  }
  fprintf(stderr, "C bench: columnar and JSON answers equal Docket's native ones on all %zu cases\n", n);
}

static void measure(const char *name, void (*f)(void)) {
  double t = now_s();
  f();
  double once = now_s() - t;
  if (once < 1e-9) once = 1e-9;
  size_t reps = (size_t)(0.02 / once) + 1;
  double ns[SAMPLES];
  for (int s = 0; s < SAMPLES; s++) {
    t = now_s();
    for (size_t r = 0; r < reps; r++) f();
    ns[s] = (now_s() - t) * 1e9 / (double)(reps * n);
  }
  qsort(ns, SAMPLES, sizeof ns[0], cmp_d);
  printf("{\"name\":\"%s\",\"ns_per_case\":%.3f,\"min\":%.3f,\"max\":%.3f,\"samples\":%d,\"cases\":%zu,\"reps\":%zu}\n",
         name, ns[SAMPLES / 2], ns[0], ns[SAMPLES - 1], SAMPLES, n, reps);
  fflush(stdout);
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s POLICY.json DIR\n", argv[0]);
    return 2;
  }
  size_t plen;
  char *policy = slurp("", argv[1], &plen);
  docket_engine *e = NULL;
  if (docket_engine_new(policy, plen, &e, NULL) != DOCKET_RESULT_OK) {
    fprintf(stderr, "bench: policy does not compile\n");
    return 1;
  }
  engine = e;
  load(argv[2]);
  json_buf = slurp(argv[2], "cases.ndjson", &json_len);
  docket_workspace_new(&ws, NULL);
  check(argv[2]);
  const char *prof = getenv("DOCKET_BENCH_PROFILE");
  if (prof && strcmp(prof, "columnar") == 0) {
    /* For a profiler (perf record): the columnar path alone, for about 10 s. */
    /* DOCKET_BENCH_CALLS=N: exactly N calls instead (for instruction counts under callgrind). */
    const char *nc = getenv("DOCKET_BENCH_CALLS");
    size_t max_calls = nc ? strtoul(nc, NULL, 10) : SIZE_MAX;
    double t0 = now_s();
    size_t calls = 0;
    while (calls < max_calls && (nc || now_s() - t0 < 10.0)) columnar(), calls++;
    fprintf(stderr, "columnar: %.1f ns/case\n", (now_s() - t0) * 1e9 / (double)(calls * n));
    return 0;
  }
  measure("c: columnar (docket_evaluate_columns)", columnar);
  measure("c: JSON (docket_evaluate_json)", json_path);
  docket_buffer_free(json_out);
  docket_workspace_free(ws);
  docket_engine_free(e);
  return 0;
}
