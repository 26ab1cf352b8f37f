/* Compiler-matrix program: string and memory functions (glibc picks its i686/SSE2 variants
   through ifunc from CPUID), sprintf/sscanf, and character classification. */
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <ctype.h>

int main(void) {
  static char big[70000], copy[70000];
  for (int i = 0; i < (int)sizeof big - 1; i++) big[i] = (char)('a' + (i * 7 + i / 13) % 26);
  big[sizeof big - 1] = 0;
  memcpy(copy, big, sizeof big);
  printf("len=%zu cmp=%d\n", strlen(big), memcmp(big, copy, sizeof big));
  copy[65000] = 'Z';
  printf("cmp2=%d strcmp=%d ncmp=%d\n", memcmp(big, copy, sizeof big) > 0, strcmp(big, copy) > 0, strncmp(big, copy, 100));
  char *p = strchr(big + 10, 'q'), *q = strrchr(big, 'q'), *r = memchr(big, 'z', sizeof big);
  printf("chr=%ld rchr=%ld memchr=%ld\n", (long)(p - big), (long)(q - big), (long)(r - big));
  printf("strstr=%ld spn=%zu cspn=%zu\n", (long)(strstr(big, "xyz") ? strstr(big, "xyz") - big : -1), strspn(big, "abcdefgh"), strcspn(big, "mn"));
  memmove(big + 3, big, 1000);
  memset(big + 500, '#', 333);
  printf("after=%.40s\n", big + 480);
  char buf[200];
  int n = snprintf(buf, sizeof buf, "%s|%10.3s|%-5d|%+x|%c", "hello", "worldwide", 42, 255, 'k');
  printf("%d:%s\n", n, buf);
  int a; char word[32]; unsigned h;
  sscanf("  17 banana 0x1f", "%d %31s %x", &a, word, &h);
  printf("%d %s %u\n", a, word, h);
  int up = 0, dig = 0;
  for (int c = 0; c < 128; c++) { up += isupper(c) != 0; dig += isdigit(c) != 0; }
  printf("upper=%d digit=%d toupper=%c strtol=%ld\n", up, dig, toupper('q'), strtol("-0777", 0, 0));
  char *dup = strdup("duplicate me");
  printf("%s %zu\n", dup, strlen(dup));
  free(dup);
  return 0;
}
