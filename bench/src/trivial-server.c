/*
 * trivial-server — the "loadgen ceiling" for fieldgate's benchmarks.
 *
 * Listens on 127.0.0.1:PORT and answers every complete Modbus TCP request of the bench's shape
 * (12 bytes: FC3, 10 registers) with a canned 29-byte reply carrying the request's transaction id
 * and unit. No register image, no checks beyond framing: it costs as little as a server can, so the
 * rate the load generator reaches against it is the most the load generator can measure.
 * One epoll loop; all replies to the requests found in one read go out in one write.
 *
 * usage: trivial-server PORT
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUF 16384
#define REPLY_LEN 29 /* MBAP(7) + FC + byte count + 20 data bytes */

typedef struct {
    int fd;
    unsigned char in[BUF];
    size_t inlen;
    unsigned char out[BUF / 8 * REPLY_LEN]; /* the smallest frame is 8 bytes */
    size_t outlen, outoff;
    int stuck; /* waiting for EPOLLOUT */
} client_t;

static void close_client(int ep, client_t *c) {
    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    free(c);
}

/* Write what is pending; returns -1 on a fatal error. While output is stuck the client waits for
 * EPOLLOUT only (no reading: back-pressure). */
static int flush_out(int ep, client_t *c) {
    while (c->outoff < c->outlen) {
        ssize_t w = send(c->fd, c->out + c->outoff, c->outlen - c->outoff, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                struct epoll_event ev = {.events = EPOLLOUT, .data.ptr = c};
                epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
                c->stuck = 1;
                return 0;
            }
            return -1;
        }
        c->outoff += (size_t)w;
    }
    if (c->stuck) {
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
    }
    c->outoff = c->outlen = 0;
    c->stuck = 0;
    return 0;
}

static int on_readable(client_t *c) {
    if (c->outlen > 0) return 0; /* back-pressure: wait for EPOLLOUT before reading more */
    ssize_t r = recv(c->fd, c->in + c->inlen, BUF - c->inlen, 0);
    if (r == 0) return -1;
    if (r < 0) return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? 0 : -1;
    c->inlen += (size_t)r;
    size_t off = 0;
    while (c->inlen - off >= 6) {
        const unsigned char *p = c->in + off;
        size_t len = ((size_t)p[4] << 8) | p[5];
        if (len < 2 || len > 254) return -1;
        if (c->inlen - off < 6 + len) break;
        unsigned char *o = c->out + c->outlen;
        memset(o, 0, REPLY_LEN);
        o[0] = p[0]; o[1] = p[1];      /* transaction id */
        o[5] = REPLY_LEN - 6;          /* length */
        o[6] = p[6];                   /* unit */
        o[7] = 3;
        o[8] = 20;
        c->outlen += REPLY_LEN;
        off += 6 + len;
    }
    memmove(c->in, c->in + off, c->inlen - off);
    c->inlen -= off;
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: trivial-server PORT\n"); return 2; }
    int port = atoi(argv[1]);
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(ls, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(ls, 1024) < 0) {
        perror("trivial-server: bind/listen");
        return 1;
    }
    fcntl(ls, F_SETFL, fcntl(ls, F_GETFL) | O_NONBLOCK);
    int ep = epoll_create1(0);
    struct epoll_event lev = {.events = EPOLLIN, .data.ptr = NULL};
    epoll_ctl(ep, EPOLL_CTL_ADD, ls, &lev);

    struct epoll_event evs[256];
    for (;;) {
        int n = epoll_wait(ep, evs, 256, -1);
        if (n < 0) {
            if (errno == EINTR) continue;
            perror("trivial-server: epoll_wait");
            return 1;
        }
        for (int i = 0; i < n; i++) {
            client_t *c = evs[i].data.ptr;
            if (!c) {
                int fd;
                while ((fd = accept4(ls, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    client_t *nc = calloc(1, sizeof *nc);
                    if (!nc) { close(fd); continue; }
                    nc->fd = fd;
                    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = nc};
                    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
                }
                continue;
            }
            int bad = 0;
            if (evs[i].events & EPOLLOUT) bad = flush_out(ep, c) < 0;
            if (!bad && (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))) {
                bad = on_readable(c) < 0;
                if (!bad && c->outlen > 0) bad = flush_out(ep, c) < 0;
            }
            if (bad) close_client(ep, c);
        }
    }
}
