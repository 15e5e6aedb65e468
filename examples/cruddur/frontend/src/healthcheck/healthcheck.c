/*
 * The frontend image's HEALTHCHECK (and the ECS task's health command): GET / on
 * 127.0.0.1:$PORT, exit 0 on a 2xx or 3xx answer within 2 seconds, else 1 with the reason on
 * stderr. The runtime image has no shell, curl or wget, and nginx cannot check itself, so this is
 * a static program: it needs nothing from the image. Built in the Containerfile's build stage
 * for the image's platform:
 *
 *   gcc -static -Os -s -Wall -Wextra -Werror -o healthcheck healthcheck.c
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define TIMEOUT_SECONDS 2
#define DEFAULT_PORT 3000

static void fail(const char *what) {
  fprintf(stderr, "health check failed: %s\n", what);
  exit(1);
}

static void on_alarm(int signal) {
  (void)signal;
  /* Only async-signal-safe calls here. */
  static const char message[] = "health check failed: no answer within 2 s\n";
  ssize_t ignored = write(STDERR_FILENO, message, sizeof message - 1);
  (void)ignored;
  _exit(1);
}

/* PORT as the servers read it: unset or empty means 3000; anything else must be 1..65535. */
static int read_port(void) {
  const char *value = getenv("PORT");
  if (value == NULL || *value == '\0') return DEFAULT_PORT;
  char *end = NULL;
  long port = strtol(value, &end, 10);
  if (*end != '\0' || port < 1 || port > 65535) {
    fprintf(stderr, "PORT=\"%s\" must be a port number 1..65535\n", value);
    exit(1);
  }
  return (int)port;
}

int main(void) {
  int port = read_port();
  signal(SIGALRM, on_alarm);
  alarm(TIMEOUT_SECONDS);

  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) fail(strerror(errno));
  struct sockaddr_in address;
  memset(&address, 0, sizeof address);
  address.sin_family = AF_INET;
  address.sin_port = htons((unsigned short)port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, (struct sockaddr *)&address, sizeof address) != 0) {
    char reason[96];
    snprintf(reason, sizeof reason, "connect 127.0.0.1:%d: %s", port, strerror(errno));
    fail(reason);
  }

  char request[128];
  int length = snprintf(request, sizeof request,
                        "GET / HTTP/1.0\r\nHost: 127.0.0.1:%d\r\nUser-Agent: healthcheck\r\n\r\n", port);
  for (int sent = 0; sent < length;) {
    ssize_t n = write(fd, request + sent, (size_t)(length - sent));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail(strerror(errno));
    sent += (int)n;
  }

  /* The status line is all that matters: "HTTP/1.x NNN ...". */
  char status[16];
  size_t received = 0;
  while (received < sizeof status - 1) {
    ssize_t n = read(fd, status + received, sizeof status - 1 - received);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail(strerror(errno));
    if (n == 0) break;
    received += (size_t)n;
  }
  close(fd);
  status[received] = '\0';
  if (received < 12 || strncmp(status, "HTTP/1.", 7) != 0) fail("not an HTTP answer");
  int code = atoi(status + 9);
  if (code >= 200 && code < 400) return 0;
  char reason[64];
  snprintf(reason, sizeof reason, "GET / answered %d", code);
  fail(reason);
  return 1;
}
