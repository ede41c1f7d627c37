/*
 * The C side of scripts/hostile: a thin command over libdocket that prints what the
 * library returns, so that the script judges the C library's answers as it judges the
 * command line's. Built with -fsanitize=address,undefined against libdocket.a; any
 * sanitizer report makes it exit non-zero.
 *
 *   driver compile POLICY [LIMIT=N ...]            "ok", or the error (below)
 *   driver eval POLICY CASES NOW [LIMIT=N ...]     the NDJSON of docket_evaluate_json
 *   driver report POLICY CASES NOW [LIMIT=N ...]   the JSON of docket_report_json
 *   driver merge-null                              docket_report_merge(NULL, NULL, &err)
 *
 * A failed call prints "error NAME PATH" (NAME from docket_error_name, PATH from
 * docket_error_path, "-" when empty) and, on the next line, docket_error_diagnostics_json.
 * LIMIT is a field of docket_limits (max_string_len=8); the others keep their defaults.
 * NOW is seconds since the Unix epoch. Files are read whole into memory, as a host would
 * hand them to the library; the exit status is 0 unless the driver itself fails.
 */
#include <docket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    perror(path);
    exit(3);
  }
  if (fseek(f, 0, SEEK_END) != 0) exit(3);
  long n = ftell(f);
  if (n < 0 || fseek(f, 0, SEEK_SET) != 0) exit(3);
  char *buf = malloc((size_t)n + 1);
  if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
    fprintf(stderr, "cannot read %s\n", path);
    exit(3);
  }
  fclose(f);
  *len = (size_t)n;
  return buf;
}

static int print_error(docket_result r, docket_error *err) {
  const char *path = docket_error_path(err, NULL);
  printf("error %s %s\n%s\n", docket_error_name(err, NULL), *path ? path : "-",
         docket_error_diagnostics_json(err, NULL));
  if (docket_error_code(err) != r) {
    fprintf(stderr, "docket_error_code %d differs from the returned %d\n", docket_error_code(err), r);
    docket_error_free(err);
    return 4;
  }
  docket_error_free(err);
  return 0;
}

static int set_limit(docket_limits *l, const char *arg) {
  const char *eq = strchr(arg, '=');
  if (!eq) return 0;
  size_t v = strtoull(eq + 1, NULL, 10);
  size_t n = (size_t)(eq - arg);
#define LIMIT(f)                                       \
  if (n == strlen(#f) && strncmp(arg, #f, n) == 0) { \
    l->f = v;                                          \
    return 1;                                          \
  }
  LIMIT(max_policy_bytes)
  LIMIT(max_string_len)
  LIMIT(max_list_len)
  LIMIT(max_case_bytes)
  LIMIT(max_cases_per_call)
  LIMIT(max_rules_per_table)
  LIMIT(max_windows_per_day)
  LIMIT(max_dates_per_calendar)
  LIMIT(max_calendars)
  LIMIT(max_metrics)
  LIMIT(max_escalation_steps)
  LIMIT(max_bands)
  LIMIT(max_values_per_field)
  LIMIT(max_memory_bytes)
#undef LIMIT
  return 0;
}

/* Compiles argv[0] with the limits given from argv[first] on; prints the error if any. */
static docket_engine *compile(char **argv, int argc, int first, int *status) {
  docket_limits limits = docket_limits_default();
  for (int i = first; i < argc; i++) {
    if (!set_limit(&limits, argv[i])) {
      fprintf(stderr, "not a limit: %s\n", argv[i]);
      exit(2);
    }
  }
  size_t len;
  char *policy = slurp(argv[0], &len);
  docket_engine *engine = NULL;
  docket_error *err = NULL;
  docket_result r = docket_engine_new_with_limits(policy, len, &limits, &engine, &err);
  free(policy);
  if (r != DOCKET_RESULT_OK) {
    *status = print_error(r, err);
    return NULL;
  }
  return engine;
}

int main(int argc, char **argv) {
  if (argc >= 3 && strcmp(argv[1], "compile") == 0) {
    int status = 0;
    docket_engine *engine = compile(argv + 2, argc - 2, 1, &status);
    if (engine) printf("ok\n");
    docket_engine_free(engine);
    return status;
  }
  if (argc >= 5 && (strcmp(argv[1], "eval") == 0 || strcmp(argv[1], "report") == 0)) {
    int status = 0;
    docket_engine *engine = compile(argv + 2, argc - 2, 3, &status);
    if (!engine) return status;
    size_t len;
    char *cases = slurp(argv[3], &len);
    long long now = strtoll(argv[4], NULL, 10);
    docket_buffer *out = NULL;
    docket_error *err = NULL;
    docket_result r = strcmp(argv[1], "eval") == 0 ? docket_evaluate_json(engine, cases, len, now, &out, &err)
                                                   : docket_report_json(engine, cases, len, now, &out, &err);
    free(cases);
    if (r == DOCKET_RESULT_OK) {
      fwrite(docket_buffer_data(out), 1, docket_buffer_len(out), stdout);
      if (strcmp(argv[1], "report") == 0) putchar('\n');
    } else {
      status = print_error(r, err);
    }
    docket_buffer_free(out);
    docket_engine_free(engine);
    return status;
  }
  if (argc == 2 && strcmp(argv[1], "merge-null") == 0) {
    docket_error *err = NULL;
    docket_result r = docket_report_merge(NULL, NULL, &err);
    if (r == DOCKET_RESULT_OK) {
      printf("ok\n");
      return 0;
    }
    return print_error(r, err);
  }
  fprintf(stderr, "usage: driver compile|eval|report|merge-null ... (see hostile/driver.c)\n");
  return 2;
}
