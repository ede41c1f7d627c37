/* oms.c - a legacy order-management system's nightly run, in miniature.
 *
 * Reads cases (NDJSON, one case per line) from a file, evaluates them in chunks of
 * CHUNK lines with one Docket engine, and prints a backlog summary per queue.
 *
 * Build (see bindings-c/README.md):
 *   cc -O2 -o oms bindings-c/examples/oms.c $(pkg-config --cflags --libs docket)
 * Run:
 *   ./oms examples/order-ops.policy.json examples/cases.ndjson 1795428000 1000
 */
#include <docket.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
  if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
    free(buf);
    buf = NULL;
  }
  fclose(f);
  if (buf) *len = (size_t)n;
  return buf;
}

static int fail(const char *what, docket_error *err) {
  fprintf(stderr, "oms: %s: %s (%s at \"%s\")\n", what, docket_error_message(err, NULL), docket_error_name(err, NULL),
          docket_error_path(err, NULL));
  docket_error_free(err);
  return 1;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s POLICY.json CASES.ndjson [NOW_UNIX_S] [CHUNK]\n", argv[0]);
    return 2;
  }
  long long now = argc > 3 ? atoll(argv[3]) : 1795428000LL; /* 2026-11-23T10:00:00Z */
  long chunk = argc > 4 ? atol(argv[4]) : 1000;
  if (chunk <= 0) chunk = 1000;

  size_t policy_len = 0, cases_len = 0;
  char *policy = read_file(argv[1], &policy_len);
  char *cases = read_file(argv[2], &cases_len);
  if (!policy || !cases) {
    fprintf(stderr, "oms: cannot read %s\n", policy ? argv[2] : argv[1]);
    return 1;
  }

  docket_engine *engine = NULL;
  docket_report *report = NULL;
  docket_error *err = NULL;
  if (docket_engine_new(policy, policy_len, &engine, &err) != DOCKET_RESULT_OK) return fail("policy", err);
  if (docket_report_new(engine, now, &report, &err) != DOCKET_RESULT_OK) return fail("report", err);

  /* Evaluate CHUNK lines at a time: each chunk is a contiguous slice of the file. */
  size_t start = 0, chunks = 0;
  while (start < cases_len) {
    size_t end = start;
    for (long lines = 0; end < cases_len && lines < chunk; lines++) {
      const char *nl = memchr(cases + end, '\n', cases_len - end);
      end = nl ? (size_t)(nl - cases) + 1 : cases_len;
    }
    if (docket_report_add_json(engine, cases + start, end - start, report, &err) != DOCKET_RESULT_OK)
      return fail("cases", err);
    chunks++;
    start = end;
  }

  docket_report_totals totals;
  if (docket_report_counts(report, &totals, &err) != DOCKET_RESULT_OK) return fail("report", err);
  printf("%llu cases in %zu chunk(s): %llu unusable, %llu invalid, %llu unrouted\n",
         (unsigned long long)totals.cases, chunks, (unsigned long long)totals.errors,
         (unsigned long long)totals.invalid, (unsigned long long)totals.unrouted);
  printf("%-30s %-18s %6s %6s %8s %8s %5s %6s\n", "queue", "owner", "cases", "open", "warning", "breached", "met",
         "missed");

  size_t queues = 0;
  docket_engine_list_len(engine, DOCKET_LIST_QUEUE, &queues, NULL);
  for (size_t q = 0; q < queues; q++) {
    const char *name = NULL, *owner = NULL;
    size_t name_len = 0, owner_len = 0;
    docket_queue_summary s;
    if (docket_engine_list_item(engine, DOCKET_LIST_QUEUE, q, &name, &name_len, &err) != DOCKET_RESULT_OK ||
        docket_engine_list_item(engine, DOCKET_LIST_OWNER, q, &owner, &owner_len, &err) != DOCKET_RESULT_OK ||
        docket_report_queue(report, (uint32_t)q, &s, &err) != DOCKET_RESULT_OK)
      return fail("queue", err);
    if (s.cases == 0) continue;
    printf("%-30.*s %-18.*s %6llu %6llu %8llu %8llu %5llu %6llu\n", (int)name_len, name, (int)owner_len, owner,
           (unsigned long long)s.cases, (unsigned long long)s.open, (unsigned long long)s.warning,
           (unsigned long long)s.breached, (unsigned long long)s.met, (unsigned long long)s.missed);
  }

  docket_report_free(report);
  docket_engine_free(engine);
  free(policy);
  free(cases);
  return 0;
}
