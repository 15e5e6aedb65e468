/*
 * The frontend image's HEALTHCHECK (and the ECS task's health command): GET / on
 * 127.0.0.1:3000, the port the image's nginx listens on, exit 0 on a 200 answer within 2 seconds
 * (as the load balancer's health check, whose matcher is 200), else 1 with the reason on stderr.
 * The runtime image has no shell, curl or wget, and nginx cannot check itself, so this is a
 * static program: it needs nothing from the image. Built in the Containerfile's build stage for
 * the image's platform:
 *
 *   gcc -static -Os -s -Wall -Wextra -Werror -o healthcheck healthcheck.c
 *
 * The port is fixed, like nginx's `listen` (nginx reads no environment for it). berth and ECS
 * still set PORT to the service's port, so a PORT other than 3000 is the one mistake this
 * program can see: the config's port and the image disagree, and it says so. -DLISTEN_PORT=N
 * builds it for another port (the tests do, to probe servers on free ports).
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
#ifndef LISTEN_PORT
#define LISTEN_PORT 3000
#endif
#define STRINGIFY(x) #x
#define TEXT(x) STRINGIFY(x)

static void fail(const char *what) {
  fprintf(stderr, "health check failed: %s\n", what);
  exit(1);
}

/* `what`: the error in errno, e.g. "send GET /: Broken pipe". */
static void fail_errno(const char *what) {
  char reason[128];
  snprintf(reason, sizeof reason, "%s: %s", what, strerror(errno));
  fail(reason);
}

static void on_alarm(int signal) {
  (void)signal;
  /* Only async-signal-safe calls here. */
  static const char message[] = "health check failed: no answer within 2 s\n";
  ssize_t ignored = write(STDERR_FILENO, message, sizeof message - 1);
  (void)ignored;
  _exit(1);
}

/* PORT unset, empty or LISTEN_PORT is consistent; anything else names the mismatch. */
static void check_port_variable(void) {
  const char *value = getenv("PORT");
  if (value == NULL || *value == '\0' || strcmp(value, TEXT(LISTEN_PORT)) == 0) return;
  fprintf(stderr,
          "health check failed: PORT=\"%s\", but nginx in this image listens on " TEXT(LISTEN_PORT)
          " (fixed in its nginx.conf); set the service's port in the berth config to " TEXT(LISTEN_PORT) "\n",
          value);
  exit(1);
}

int main(void) {
  check_port_variable();
  /* A server that closes early makes write() fail with EPIPE, reported below, instead of killing us. */
  signal(SIGPIPE, SIG_IGN);
  signal(SIGALRM, on_alarm);
  alarm(TIMEOUT_SECONDS);

  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) fail_errno("socket");
  struct sockaddr_in address;
  memset(&address, 0, sizeof address);
  address.sin_family = AF_INET;
  address.sin_port = htons(LISTEN_PORT);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, (struct sockaddr *)&address, sizeof address) != 0)
    fail_errno("connect 127.0.0.1:" TEXT(LISTEN_PORT));

  static const char request[] =
      "GET / HTTP/1.0\r\nHost: 127.0.0.1:" TEXT(LISTEN_PORT) "\r\nUser-Agent: healthcheck\r\n\r\n";
  for (size_t sent = 0; sent < sizeof request - 1;) {
    ssize_t n = write(fd, request + sent, sizeof request - 1 - sent);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail_errno("send GET /");
    sent += (size_t)n;
  }

  /* The status line is all that matters: "HTTP/1.x NNN ...". */
  char status[16];
  size_t received = 0;
  while (received < sizeof status - 1) {
    ssize_t n = read(fd, status + received, sizeof status - 1 - received);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail_errno("read the answer to GET /");
    if (n == 0) break;
    received += (size_t)n;
  }
  close(fd);
  status[received] = '\0';
  if (received == 0) fail("the server closed the connection without answering GET /");
  if (received < 12 || strncmp(status, "HTTP/1.", 7) != 0) fail("not an HTTP answer");
  int code = atoi(status + 9);
  if (code == 200) return 0;
  char reason[64];
  snprintf(reason, sizeof reason, "GET / answered %d, not 200", code);
  fail(reason);
  return 1;
}
