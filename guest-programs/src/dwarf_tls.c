/* Thread-local variables for the source-level debugger: a __thread int, array and struct in
   the main thread and in a second thread with its own copies, each thread printing its own
   values and addresses, so that the debugger's `p` of a thread-local (DW_OP_form_tls_address
   through GS's base) can be checked against what the program itself sees. */
#include <pthread.h>
#include <stdio.h>

struct pair {
  int a;
  int b;
};

__thread int tls_counter = 5;
__thread int tls_table[3] = {7, 8, 9};
__thread struct pair tls_pair = {1, 2};
int global_plain = 11;

__attribute__((noinline)) void report(const char *who) {
  printf("%s: counter=%d at %p, table[2]=%d, pair.b=%d\n", who, tls_counter, (void *)&tls_counter, tls_table[2], tls_pair.b);
}

static void *worker(void *arg) {
  tls_counter = 100 + (int)(long)arg;
  tls_pair.b = 42;
  report("worker");
  return NULL;
}

int main(void) {
  tls_counter += 1;
  tls_table[2] = 90;
  report("main");
  pthread_t t;
  pthread_create(&t, NULL, worker, (void *)1L);
  pthread_join(t, NULL);
  report("main");
  return global_plain == 11 ? 0 : 1;
}
