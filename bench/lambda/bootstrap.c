/* bootstrap.c - a minimal `provided` runtime for the Lambda bench: a compiled bootstrap that
 * speaks the Runtime API over one keep-alive connection (GET next, POST the event back as the
 * response), so that the bench measures kinesd's invoke path rather than an interpreter's. */
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_MESSAGE (7 << 20)

static int connect_api(const char *address)
{
    char host[256];
    const char *colon = strrchr(address, ':');
    snprintf(host, sizeof host, "%.*s", (int)(colon - address), address);
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res;
    if (getaddrinfo(host, colon + 1, &hints, &res) != 0)
        return -1;
    int fd = socket(res->ai_family, SOCK_STREAM, 0), on = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    if (connect(fd, res->ai_addr, res->ai_addrlen) != 0)
        fd = -1;
    freeaddrinfo(res);
    return fd;
}

/* Reads one HTTP response into buf; its body (and length) and the request id header. */
static int read_response(int fd, char *buf, char **body, size_t *body_len, char *request_id)
{
    size_t have = 0;
    char *end = NULL;
    while (!end) {
        ssize_t n = read(fd, buf + have, MAX_MESSAGE - have - 1);
        if (n <= 0)
            return -1;
        have += (size_t)n;
        buf[have] = '\0';
        end = strstr(buf, "\r\n\r\n");
    }
    size_t length = 0;
    for (char *line = strstr(buf, "\r\n") + 2; line < end; line = strstr(line, "\r\n") + 2) {
        if (strncasecmp(line, "Content-Length:", 15) == 0)
            length = strtoul(line + 15, NULL, 10);
        else if (request_id && strncasecmp(line, "Lambda-Runtime-Aws-Request-Id:", 30) == 0)
            sscanf(line + 30, " %63[^\r]", request_id);
    }
    size_t head = (size_t)(end + 4 - buf);
    while (have < head + length) {
        ssize_t n = read(fd, buf + have, MAX_MESSAGE - have - 1);
        if (n <= 0)
            return -1;
        have += (size_t)n;
    }
    *body = buf + head;
    *body_len = length;
    return 0;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w <= 0)
            return -1;
        p += w, n -= (size_t)w;
    }
    return 0;
}

int main(void)
{
    const char *api = getenv("AWS_LAMBDA_RUNTIME_API");
    int fd = api ? connect_api(api) : -1;
    char *buf = malloc(MAX_MESSAGE), *reply = malloc(MAX_MESSAGE), *body;
    char request_id[64] = "";
    size_t len;
    if (fd < 0 || !buf || !reply)
        return 1;
    for (;;) {
        static const char next[] = "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\n"
                                   "Host: runtime\r\n\r\n";
        if (write_all(fd, next, sizeof next - 1) || read_response(fd, buf, &body, &len, request_id))
            return 1;
        int n = snprintf(reply, MAX_MESSAGE,
                         "POST /2018-06-01/runtime/invocation/%s/response HTTP/1.1\r\n"
                         "Host: runtime\r\nContent-Length: %zu\r\n\r\n",
                         request_id, len);
        memcpy(reply + n, body, len); /* one write: no Nagle wait between head and body */
        if (write_all(fd, reply, (size_t)n + len) || read_response(fd, buf, &body, &len, NULL))
            return 1;
    }
}
