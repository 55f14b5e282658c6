/*
 * tcp-blast — the two ends of the raw bridge benchmark, on loopback.
 *
 *   tcp-blast sink PORT BYTES
 *     Listens on 127.0.0.1:PORT, takes connections one after the other (a readiness probe that sends
 *     nothing is skipped), reads and discards until BYTES have arrived, prints one JSON line
 *     {"bytes":N,"first_ns":T,"last_ns":T} (CLOCK_MONOTONIC) and exits.
 *
 *   tcp-blast source PORT BYTES none|length FRAME
 *     Connects to 127.0.0.1:PORT and writes BYTES from a 1 MiB pattern buffer, in 1 MiB writes.
 *     With "length", the buffer holds frames of FRAME payload bytes behind a 2-byte big-endian
 *     length prefix, and BYTES must be a multiple of FRAME + 2 (the bench computes it). Prints
 *     {"bytes":N,"start_ns":T,"end_ns":T}, then closes its sending side and waits for the peer.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (1 << 20)

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static struct sockaddr_in loopback(int port) {
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

static int sink(int port, long long want) {
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = loopback(port);
    if (bind(ls, (struct sockaddr *)&a, sizeof a) < 0 || listen(ls, 16) < 0) {
        perror("sink: bind/listen");
        return 1;
    }
    char *buf = malloc(CHUNK);
    long long got = 0, first = 0, last = 0;
    while (got < want) {
        int fd = accept(ls, NULL, NULL);
        if (fd < 0) {
            if (errno == EINTR) continue;
            perror("sink: accept");
            return 1;
        }
        for (;;) {
            ssize_t n = read(fd, buf, CHUNK);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            if (got == 0) first = now_ns();
            got += n;
            last = now_ns();
            if (got >= want) break;
        }
        close(fd);
    }
    printf("{\"bytes\":%lld,\"first_ns\":%lld,\"last_ns\":%lld}\n", got, first, last);
    return 0;
}

static int source(int port, long long bytes, int framed, int frame) {
    unsigned char *buf = malloc(CHUNK);
    size_t usable = CHUNK;
    if (framed) {
        size_t flen = (size_t)frame + 2;
        usable = (CHUNK / flen) * flen;
        for (size_t off = 0; off + flen <= usable; off += flen) {
            buf[off] = (unsigned char)(frame >> 8);
            buf[off + 1] = (unsigned char)(frame & 0xff);
            memset(buf + off + 2, (int)(off / flen) & 0xff, (size_t)frame);
        }
    } else {
        for (size_t i = 0; i < usable; i++) buf[i] = (unsigned char)(i * 31);
    }
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = loopback(port);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        perror("source: connect");
        return 1;
    }
    long long start = now_ns(), sent = 0;
    while (sent < bytes) {
        size_t n = usable;
        if ((long long)n > bytes - sent) n = (size_t)(bytes - sent);
        ssize_t w = write(fd, buf, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            perror("source: write");
            return 1;
        }
        sent += w;
        /* a short write leaves the buffer misaligned with the frames: send the rest of this chunk */
        size_t off = (size_t)w;
        while (off < n) {
            ssize_t w2 = write(fd, buf + off, n - off);
            if (w2 < 0) {
                if (errno == EINTR) continue;
                perror("source: write");
                return 1;
            }
            off += (size_t)w2;
            sent += w2;
        }
    }
    long long end = now_ns();
    printf("{\"bytes\":%lld,\"start_ns\":%lld,\"end_ns\":%lld}\n", sent, start, end);
    fflush(stdout);
    shutdown(fd, SHUT_WR);
    char drain[4096];
    while (read(fd, drain, sizeof drain) > 0) {}
    close(fd);
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 4 && strcmp(argv[1], "sink") == 0) return sink(atoi(argv[2]), atoll(argv[3]));
    if (argc >= 6 && strcmp(argv[1], "source") == 0) {
        return source(atoi(argv[2]), atoll(argv[3]), strcmp(argv[4], "length") == 0, atoi(argv[5]));
    }
    fprintf(stderr, "usage: tcp-blast sink PORT BYTES | tcp-blast source PORT BYTES none|length FRAME\n");
    return 2;
}
