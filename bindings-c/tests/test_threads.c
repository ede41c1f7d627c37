/* One engine shared by several threads (const use only), each with its own workspace
 * and report, evaluating columnar batches of 10,000 cases per call; the answers must
 * match the routing rules of the example policy and a single-threaded run.
 *
 * Usage: test_threads POLICY.json
 */
#include "docket.h"
#include "check.h"

#include <pthread.h>
#include <stdint.h>

#define NOW 1795428000LL /* 2026-11-23T10:00:00Z */
#define THREADS 4
#define PER_CALL 10000
#define CALLS 2
#define TOTAL (THREADS * PER_CALL * CALLS)

static const docket_engine *engine;
static uint32_t c_id, c_kind, c_amount, c_order, c_region, c_opened, refund, eu;

/* Inputs for every case (struct of arrays). */
static char id_text[TOTAL][12];
static const char *ids[TOTAL];
static size_t id_lens[TOTAL];
static uint32_t kinds[TOTAL], regions[TOTAL];
static int64_t amounts[TOTAL], opened[TOTAL];

/* Outputs: one set for the threads, one for the single-threaded reference run. */
typedef struct {
  int32_t queue[TOTAL], priority[TOTAL];
  uint8_t status[TOTAL], state[TOTAL * 2];
  int64_t due[TOTAL * 2];
  uint32_t required[TOTAL];
} results;
static results threaded, single;

typedef struct {
  size_t first; /* first case of this thread */
  size_t count;
  results *out;
  docket_report *report;
  docket_result rc;
} job;

static void *run(void *arg) {
  job *j = arg;
  docket_workspace *ws = NULL;
  j->rc = docket_workspace_new(&ws, NULL);
  for (size_t start = j->first; j->rc == DOCKET_RESULT_OK && start < j->first + j->count; start += PER_CALL) {
    size_t n = PER_CALL;
    if (start + n > j->first + j->count) n = j->first + j->count - start;
    docket_column cols[] = {
        {c_id, DOCKET_VALUE_KIND_STRING, ids + start, id_lens + start, NULL, NULL, 0},
        {c_kind, DOCKET_VALUE_KIND_ENUM_INDEX, kinds + start, NULL, NULL, NULL, 0},
        {c_amount, DOCKET_VALUE_KIND_SCALED, amounts + start, NULL, NULL, NULL, 2},
        {c_order, DOCKET_VALUE_KIND_STRING, ids + start, id_lens + start, NULL, NULL, 0},
        {c_region, DOCKET_VALUE_KIND_ENUM_INDEX, regions + start, NULL, NULL, NULL, 0},
        {c_opened, DOCKET_VALUE_KIND_I64, opened + start, NULL, NULL, NULL, 0},
    };
    results *r = j->out;
    docket_outputs outs = {0};
    outs.queue = r->queue + start;
    outs.priority = r->priority + start;
    outs.status = r->status + start;
    outs.sla_state = r->state + 2 * start;
    outs.sla_due = r->due + 2 * start;
    outs.approvals_required = r->required + start;
    outs.report = j->report;
    j->rc = docket_evaluate_columns(engine, cols, sizeof cols / sizeof cols[0], n, NOW, ws, &outs, NULL);
  }
  docket_workspace_free(ws);
  return NULL;
}

static uint32_t find(docket_list list, const char *name) {
  uint32_t i = UINT32_MAX;
  CHECK(docket_engine_list_find(engine, list, name, strlen(name), &i, NULL) == DOCKET_RESULT_OK);
  return i;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s POLICY\n", argv[0]);
    return 2;
  }
  size_t len = 0;
  char *policy = read_file(argv[1], &len);
  docket_engine *e = NULL;
  if (docket_engine_new(policy, len, &e, NULL) != DOCKET_RESULT_OK) {
    fprintf(stderr, "policy does not compile\n");
    return 1;
  }
  free(policy);
  engine = e;
  c_id = find(DOCKET_LIST_COLUMN, "id");
  c_kind = find(DOCKET_LIST_COLUMN, "kind");
  c_amount = find(DOCKET_LIST_COLUMN, "amount");
  c_order = find(DOCKET_LIST_COLUMN, "order_id");
  c_region = find(DOCKET_LIST_COLUMN, "region");
  c_opened = find(DOCKET_LIST_COLUMN, "opened_at");
  CHECK(docket_engine_enum_find(engine, c_kind, "refund", 6, &refund, NULL) == DOCKET_RESULT_OK);
  CHECK(docket_engine_enum_find(engine, c_region, "eu", 2, &eu, NULL) == DOCKET_RESULT_OK);
  uint32_t q_refund = find(DOCKET_LIST_QUEUE, "refund_validation");
  uint32_t p1 = find(DOCKET_LIST_PRIORITY, "P1"), p2 = find(DOCKET_LIST_PRIORITY, "P2");

  for (size_t i = 0; i < TOTAL; i++) {
    id_lens[i] = (size_t)snprintf(id_text[i], sizeof id_text[i], "T-%zu", i);
    ids[i] = id_text[i];
    kinds[i] = refund;
    regions[i] = eu;
    amounts[i] = (int64_t)((i * 7919) % 300000); /* 0.00 .. 2999.99 EUR */
    opened[i] = NOW - (int64_t)(i % 100) * 3600;
  }

  /* Threads share the engine; each has its own workspace and report. */
  pthread_t tid[THREADS];
  job jobs[THREADS];
  for (int t = 0; t < THREADS; t++) {
    jobs[t] = (job){(size_t)t * PER_CALL * CALLS, PER_CALL * CALLS, &threaded, NULL, DOCKET_RESULT_OK};
    CHECK(docket_report_new(engine, NOW, &jobs[t].report, NULL) == DOCKET_RESULT_OK);
    CHECK(pthread_create(&tid[t], NULL, run, &jobs[t]) == 0);
  }
  for (int t = 0; t < THREADS; t++) {
    pthread_join(tid[t], NULL);
    CHECK(jobs[t].rc == DOCKET_RESULT_OK);
  }
  /* The single-threaded reference run over the same cases, one report. */
  job whole = {0, TOTAL, &single, NULL, DOCKET_RESULT_OK};
  CHECK(docket_report_new(engine, NOW, &whole.report, NULL) == DOCKET_RESULT_OK);
  run(&whole);
  CHECK(whole.rc == DOCKET_RESULT_OK);

  /* Routing by the example rules: refunds >= 1000 -> R10 (P1), others R11 (P2), both
   * refund_validation. Approvals: A2 (amount > 50) resolves by_limit to team_lead (<= 250),
   * ops_manager (<= 2500) or finance_reviewer; A3 (amount >= 1000) adds finance_reviewer,
   * "without repeating a role" (policy-format.md), so above 2500 it adds nothing. */
  size_t wrong = 0, n_p1 = 0;
  for (size_t i = 0; i < TOTAL; i++) {
    int big = amounts[i] >= 100000;
    uint32_t want_required = (amounts[i] > 5000) + (big && amounts[i] <= 250000);
    n_p1 += big;
    if (threaded.status[i] != DOCKET_CASE_STATUS_OK || threaded.queue[i] != (int32_t)q_refund ||
        threaded.priority[i] != (int32_t)(big ? p1 : p2) || threaded.required[i] != want_required ||
        threaded.state[2 * i] == DOCKET_SLA_STATE_NONE || threaded.state[2 * i + 1] == DOCKET_SLA_STATE_NONE)
      wrong++;
  }
  CHECK_EQ_INT(wrong, 0);
  CHECK(n_p1 > 0 && n_p1 < TOTAL);
  CHECK(memcmp(&threaded, &single, sizeof threaded) == 0);

  /* Per-thread reports merged equal the report of the whole batch. */
  for (int t = 1; t < THREADS; t++) CHECK(docket_report_merge(jobs[0].report, jobs[t].report, NULL) == DOCKET_RESULT_OK);
  docket_buffer *merged = NULL, *one = NULL;
  CHECK(docket_report_to_json(engine, jobs[0].report, &merged, NULL) == DOCKET_RESULT_OK);
  CHECK(docket_report_to_json(engine, whole.report, &one, NULL) == DOCKET_RESULT_OK);
  CHECK(strstr(docket_buffer_data(merged), "\"cases\":80000,\"errors\":0,\"invalid\":0") != NULL);
  CHECK(docket_buffer_len(merged) == docket_buffer_len(one) &&
        memcmp(docket_buffer_data(merged), docket_buffer_data(one), docket_buffer_len(one)) == 0);
  docket_buffer_free(merged);
  docket_buffer_free(one);
  for (int t = 0; t < THREADS; t++) docket_report_free(jobs[t].report);
  docket_report_free(whole.report);
  docket_engine_free(e);
  return check_summary("test_threads");
}
