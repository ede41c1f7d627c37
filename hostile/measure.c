/*
 * measure RESULT LIMIT_S COMMAND [ARG...]: runs COMMAND (stdin, stdout and stderr
 * inherited) and writes to the file RESULT one line "WALL_S PEAK_KB STATUS": its wall
 * time in seconds, its peak resident set size in KiB (ru_maxrss of wait4, which counts
 * the command alone: this program is a few hundred KB, so the high-water mark the child
 * starts from is negligible), and its exit status (128 + N when killed by signal N).
 * A command still running after LIMIT_S seconds is killed with its process group
 * (SIGKILL), and STATUS is "timeout". Needs only libc, so scripts/hostile does not
 * depend on GNU time.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t timed_out = 0;
static pid_t child = 0;

static void on_alarm(int sig) {
  (void)sig;
  timed_out = 1;
  if (child > 0) kill(-child, SIGKILL);
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: measure RESULT LIMIT_S COMMAND [ARG...]\n");
    return 2;
  }
  double limit = atof(argv[2]);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  child = fork();
  if (child < 0) {
    perror("fork");
    return 2;
  }
  if (child == 0) {
    setpgid(0, 0);
    execvp(argv[3], argv + 3);
    perror(argv[3]);
    _exit(127);
  }
  setpgid(child, child);
  struct sigaction sa = {0};
  sa.sa_handler = on_alarm;
  sigaction(SIGALRM, &sa, NULL);
  struct itimerval it = {0};
  it.it_value.tv_sec = (time_t)limit;
  it.it_value.tv_usec = (suseconds_t)((limit - (double)(time_t)limit) * 1e6);
  setitimer(ITIMER_REAL, &it, NULL);
  int status = 0;
  struct rusage ru;
  pid_t r;
  while ((r = wait4(child, &status, 0, &ru)) < 0 && errno == EINTR) {
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  if (r < 0) {
    perror("wait4");
    return 2;
  }
  double wall = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  FILE *f = fopen(argv[1], "w");
  if (!f) {
    perror(argv[1]);
    return 2;
  }
  if (timed_out)
    fprintf(f, "%.3f %ld timeout\n", wall, ru.ru_maxrss);
  else if (WIFSIGNALED(status))
    fprintf(f, "%.3f %ld %d\n", wall, ru.ru_maxrss, 128 + WTERMSIG(status));
  else
    fprintf(f, "%.3f %ld %d\n", wall, ru.ru_maxrss, WEXITSTATUS(status));
  fclose(f);
  return 0;
}
