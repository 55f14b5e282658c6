/*
 * loadgen — Modbus TCP FC3 load generator for fieldgate's benchmarks.
 *
 * N connections to 127.0.0.1:PORT, D requests in flight on each. Every request is
 * "read holding registers", COUNT registers from ADDR, unit UNIT (connection i reads from
 * ADDR + i * ADDR_STEP: --addr-step 10 gives every connection its own block). One epoll loop, non-blocking
 * sockets, TCP_NODELAY; the replies read in one go are answered with one write of new requests.
 *
 * Phases: a warm-up (not recorded), then a measured phase that ends at the first of: its duration,
 * a maximum number of recorded replies, or a stall (no reply on a connection for --timeout-ms).
 * Every reply is checked: transaction id (replies are in order, per connection), protocol id 0,
 * MBAP length, unit, function code 3, byte count 2*COUNT. A bad reply is counted as an error; a reply
 * whose MBAP length cannot be framed, a closed connection or a stall counts the requests still in
 * flight as errors and drops that connection. Latencies (send → reply, CLOCK_MONOTONIC) go into one
 * preallocated array; p50/p99 are taken with quickselect.
 *
 * Output: one JSON line on stdout:
 *   {"conns":N,"depth":D,"requests":R,"errors":E,"seconds":S,"rps":X,"p50_us":A,"p99_us":B,...}
 * cpu_pct is the load generator's own CPU use (user + system) over the measured phase: well under
 * 100 means it was waiting for the server, not the other way round.
 * Exit status: 0 (even with errors, which are in the JSON), 2 bad arguments, 3 could not connect.
 *
 * Only loopback targets (127.0.0.0/8) are accepted.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_DEPTH 64
#define REQ_LEN 12
#define RBUF_SIZE 65536

typedef struct {
    int fd;
    int alive;
    uint16_t next_tid;      /* tid of the next request to send */
    uint16_t expect_tid;    /* tid of the oldest request in flight */
    int inflight;
    uint64_t sent_ns[MAX_DEPTH]; /* ring: send time of each request in flight, oldest at head */
    int head;
    uint64_t last_progress_ns;
    unsigned char rbuf[RBUF_SIZE];
    size_t rlen;
} conn_t;

static struct {
    const char *host;
    int port, conns, depth, unit, addr, count;
    long warmup_ms, duration_ms, timeout_ms;
    long max_requests;
    int addr_step;
} opt = {"127.0.0.1", 0, 1, 1, 1, 0, 10, 500, 3000, 2000, 2000000, 0};

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* CPU time (user + system) this process has used, in ns */
static uint64_t cpu_ns(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ((uint64_t)ru.ru_utime.tv_sec + (uint64_t)ru.ru_stime.tv_sec) * 1000000000ull +
           ((uint64_t)ru.ru_utime.tv_usec + (uint64_t)ru.ru_stime.tv_usec) * 1000ull;
}

static void usage(void) {
    fprintf(stderr,
        "usage: loadgen --port P [--host 127.0.0.1] [--conns N] [--depth D] [--unit U]\n"
        "               [--addr A] [--count C] [--warmup-ms MS] [--duration-ms MS]\n"
        "               [--max-requests N] [--timeout-ms MS] [--addr-step S]\n");
}

static int parse_args(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (i + 1 >= argc) { fprintf(stderr, "loadgen: %s needs a value\n", a); return -1; }
        const char *v = argv[++i];
        char *end = NULL;
        long n = strtol(v, &end, 10);
        int numeric = end && *end == '\0' && end != v;
        if (!strcmp(a, "--host")) { opt.host = v; continue; }
        if (!numeric) { fprintf(stderr, "loadgen: %s: not a number: %s\n", a, v); return -1; }
        if (!strcmp(a, "--port")) opt.port = (int)n;
        else if (!strcmp(a, "--conns")) opt.conns = (int)n;
        else if (!strcmp(a, "--depth")) opt.depth = (int)n;
        else if (!strcmp(a, "--unit")) opt.unit = (int)n;
        else if (!strcmp(a, "--addr")) opt.addr = (int)n;
        else if (!strcmp(a, "--count")) opt.count = (int)n;
        else if (!strcmp(a, "--warmup-ms")) opt.warmup_ms = n;
        else if (!strcmp(a, "--duration-ms")) opt.duration_ms = n;
        else if (!strcmp(a, "--max-requests")) opt.max_requests = n;
        else if (!strcmp(a, "--timeout-ms")) opt.timeout_ms = n;
        else if (!strcmp(a, "--addr-step")) opt.addr_step = (int)n;
        else { fprintf(stderr, "loadgen: unknown option %s\n", a); return -1; }
    }
    if (opt.port <= 0 || opt.port > 65535 || opt.conns < 1 || opt.conns > 10000 ||
        opt.depth < 1 || opt.depth > MAX_DEPTH || opt.unit < 0 || opt.unit > 255 ||
        opt.addr < 0 || opt.addr > 65535 || opt.count < 1 || opt.count > 125 ||
        opt.warmup_ms < 0 || opt.duration_ms < 1 || opt.max_requests < 1 ||
        opt.max_requests > 100000000 || opt.timeout_ms < 1 || opt.addr_step < 0 ||
        (long)opt.addr + (long)(opt.conns - 1) * opt.addr_step + opt.count > 65536) {
        fprintf(stderr, "loadgen: argument out of range\n");
        return -1;
    }
    return 0;
}

/* --- quickselect over uint32 latencies (ns) ------------------------------------------------- */
static uint32_t select_kth(uint32_t *a, long n, long k) {
    long lo = 0, hi = n - 1;
    while (lo < hi) {
        uint32_t pivot = a[lo + (hi - lo) / 2];
        long i = lo, j = hi;
        while (i <= j) {
            while (a[i] < pivot) i++;
            while (a[j] > pivot) j--;
            if (i <= j) { uint32_t t = a[i]; a[i] = a[j]; a[j] = t; i++; j--; }
        }
        if (k <= j) hi = j;
        else if (k >= i) lo = i;
        else return a[k];
    }
    return a[k];
}

/* nearest-rank percentile */
static double percentile_us(uint32_t *a, long n, double p) {
    if (n <= 0) return 0.0;
    long k = (long)((p / 100.0) * (double)n + 0.999999) - 1;
    if (k < 0) k = 0;
    if (k >= n) k = n - 1;
    return select_kth(a, n, k) / 1000.0;
}

/* --- state -------------------------------------------------------------------------------- */
static conn_t *conns;
static uint32_t *lat;
static long nlat;
static long errors, bad_replies, dropped_conns, stalls;
static int recording;           /* 0 = warm-up, 1 = measured */
static int sending = 1;
static int epfd;

static void fill_request(unsigned char *p, uint16_t tid, int addr) {
    p[0] = tid >> 8; p[1] = tid & 0xff;
    p[2] = 0; p[3] = 0;             /* protocol id */
    p[4] = 0; p[5] = 6;             /* length: unit + PDU(5) */
    p[6] = (unsigned char)opt.unit;
    p[7] = 3;
    p[8] = addr >> 8; p[9] = addr & 0xff;
    p[10] = opt.count >> 8; p[11] = opt.count & 0xff;
}

static void drop_conn(conn_t *c, const char *why) {
    if (!c->alive) return;
    errors += c->inflight; /* errors count in warm-up too: a broken server must not look clean */
    dropped_conns++;
    fprintf(stderr, "loadgen: connection %ld dropped (%s), %d in flight\n",
            (long)(c - conns), why, c->inflight);
    epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    c->alive = 0;
    c->inflight = 0;
}

/* Send n new requests in one write. Loopback + small frames: a short write is treated as fatal
 * for the connection (it never happens with depth <= 64 and 12-byte frames). */
static void send_requests(conn_t *c, int n, uint64_t t) {
    unsigned char buf[MAX_DEPTH * REQ_LEN];
    if (!sending || !c->alive || n <= 0) return;
    for (int i = 0; i < n; i++) {
        fill_request(buf + i * REQ_LEN, c->next_tid, opt.addr + (int)(c - conns) * opt.addr_step);
        int slot = (c->head + c->inflight + i) % MAX_DEPTH;
        c->sent_ns[slot] = t;
        c->next_tid++;
    }
    ssize_t w = send(c->fd, buf, (size_t)n * REQ_LEN, MSG_NOSIGNAL);
    if (w != (ssize_t)n * REQ_LEN) {
        c->next_tid -= n;
        drop_conn(c, w < 0 ? strerror(errno) : "short write");
        return;
    }
    c->inflight += n;
}

/* Parse complete replies from c->rbuf. Returns the number of replies consumed, or -1 if the
 * connection cannot be framed any more. */
static int parse_replies(conn_t *c, uint64_t t) {
    int done = 0;
    size_t off = 0;
    const int expect_len = 3 + 2 * opt.count; /* unit + fc + byte count + data */
    while (c->rlen - off >= 6) {
        unsigned char *p = c->rbuf + off;
        unsigned len = ((unsigned)p[4] << 8) | p[5];
        if (len < 2 || len > 254) return -1;
        if (c->rlen - off < 6 + (size_t)len) break;
        if (c->inflight <= 0) return -1;          /* reply to nothing: desync */
        uint16_t tid = (uint16_t)((p[0] << 8) | p[1]);
        int ok = tid == c->expect_tid && p[2] == 0 && p[3] == 0 && (int)len == expect_len &&
                 p[6] == opt.unit && p[7] == 3 && p[8] == 2 * opt.count;
        uint64_t sent = c->sent_ns[c->head];
        c->head = (c->head + 1) % MAX_DEPTH;
        c->inflight--;
        c->expect_tid++;
        if (!ok) {
            errors++;
            bad_replies++;
        } else if (recording && nlat < opt.max_requests) {
            uint64_t d = t - sent;
            lat[nlat++] = d > 0xffffffffull ? 0xffffffffu : (uint32_t)d;
        }
        if (!ok) c->expect_tid = (uint16_t)(tid + 1); /* resync on the server's numbering */
        off += 6 + len;
        done++;
    }
    if (off > 0) {
        memmove(c->rbuf, c->rbuf + off, c->rlen - off);
        c->rlen -= off;
    }
    return done;
}

/* One recv per readiness event: epoll is level-triggered, so anything left is reported again. */
static void on_readable(conn_t *c) {
    if (!c->alive) return;
    if (c->rlen == RBUF_SIZE) { drop_conn(c, "receive buffer full"); return; }
    ssize_t r = recv(c->fd, c->rbuf + c->rlen, RBUF_SIZE - c->rlen, 0);
    if (r == 0) { drop_conn(c, "closed by server"); return; }
    if (r < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
        drop_conn(c, strerror(errno));
        return;
    }
    uint64_t t = now_ns();
    c->rlen += (size_t)r;
    int n = parse_replies(c, t);
    if (n < 0) { drop_conn(c, "unframeable reply"); return; }
    if (n > 0) {
        c->last_progress_ns = t;
        send_requests(c, n, now_ns());
    }
}

static int connect_one(struct sockaddr_in *sa) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    struct timeval tv = {2, 0};
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (connect(fd, (struct sockaddr *)sa, sizeof *sa) < 0) { close(fd); return -1; }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

int main(int argc, char **argv) {
    if (parse_args(argc, argv) < 0) { usage(); return 2; }

    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)opt.port);
    if (inet_pton(AF_INET, opt.host, &sa.sin_addr) != 1 ||
        (ntohl(sa.sin_addr.s_addr) >> 24) != 127) {
        fprintf(stderr, "loadgen: only loopback IPv4 targets (127.0.0.0/8) are allowed: %s\n", opt.host);
        return 2;
    }

    conns = calloc((size_t)opt.conns, sizeof *conns);
    lat = malloc((size_t)opt.max_requests * sizeof *lat);
    if (!conns || !lat) { fprintf(stderr, "loadgen: out of memory\n"); return 2; }
    /* touch the latency array now so page faults do not land in the measured phase */
    memset(lat, 0, (size_t)opt.max_requests * sizeof *lat);

    epfd = epoll_create1(0);
    for (int i = 0; i < opt.conns; i++) {
        conn_t *c = &conns[i];
        c->fd = connect_one(&sa);
        if (c->fd < 0) {
            fprintf(stderr, "loadgen: connection %d to %s:%d failed: %s\n", i, opt.host, opt.port,
                    strerror(errno));
            return 3;
        }
        c->alive = 1;
        c->next_tid = c->expect_tid = (uint16_t)(i * 4099); /* distinct per connection */
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &ev);
    }

    uint64_t t_start = now_ns();
    uint64_t t_meas = t_start + (uint64_t)opt.warmup_ms * 1000000ull;
    uint64_t t_stop = t_meas + (uint64_t)opt.duration_ms * 1000000ull;
    uint64_t timeout_ns = (uint64_t)opt.timeout_ms * 1000000ull;
    uint64_t t_end = 0, next_check = t_start + 100000000ull;
    recording = opt.warmup_ms == 0;
    uint64_t cpu_meas = cpu_ns();

    for (int i = 0; i < opt.conns; i++) {
        conns[i].last_progress_ns = t_start;
        send_requests(&conns[i], opt.depth, now_ns());
    }

    struct epoll_event evs[256];
    for (;;) {
        int n = epoll_wait(epfd, evs, 256, 5);
        if (n < 0 && errno != EINTR) { perror("loadgen: epoll_wait"); break; }
        for (int i = 0; i < n; i++) on_readable((conn_t *)evs[i].data.ptr);

        uint64_t t = now_ns();
        if (!recording && t >= t_meas) {
            recording = 1;
            t_meas = t;
            cpu_meas = cpu_ns();
            t_stop = t + (uint64_t)opt.duration_ms * 1000000ull;
        }
        if (recording && (t >= t_stop || nlat >= opt.max_requests)) { t_end = t; break; }
        if (t >= next_check) {
            next_check = t + 100000000ull;
            int alive = 0;
            for (int k = 0; k < opt.conns; k++) {
                conn_t *c = &conns[k];
                if (!c->alive) continue;
                if (c->inflight > 0 && t - c->last_progress_ns > timeout_ns) {
                    stalls++;
                    drop_conn(c, "no reply within timeout");
                    continue;
                }
                alive++;
            }
            if (alive == 0) {
                fprintf(stderr, "loadgen: every connection is gone\n");
                if (!recording) { recording = 1; t_meas = t; cpu_meas = cpu_ns(); }
                t_end = t;
                break;
            }
        }
    }
    double cpu_pct = t_end - t_meas < 1000000ull ? 0.0
                   : 100.0 * (double)(cpu_ns() - cpu_meas) / (double)(t_end - t_meas);
    sending = 0;
    for (int i = 0; i < opt.conns; i++) if (conns[i].alive) close(conns[i].fd);

    double secs = (double)(t_end - t_meas) / 1e9;
    if (secs <= 0) secs = 1e-9;
    long requests = nlat;
    double rps = (double)requests / secs;
    double sum = 0, maxv = 0;
    for (long i = 0; i < nlat; i++) { sum += lat[i]; if (lat[i] > maxv) maxv = lat[i]; }
    double mean_us = nlat ? sum / (double)nlat / 1000.0 : 0.0;
    double p50 = percentile_us(lat, nlat, 50.0);
    double p99 = percentile_us(lat, nlat, 99.0);
    printf("{\"conns\":%d,\"depth\":%d,\"requests\":%ld,\"errors\":%ld,\"seconds\":%.4f,"
           "\"rps\":%.1f,\"p50_us\":%.1f,\"p99_us\":%.1f,\"mean_us\":%.1f,\"max_us\":%.1f,"
           "\"bad_replies\":%ld,\"dropped_conns\":%ld,\"stalls\":%ld,\"capped\":%s,\"cpu_pct\":%.1f}\n",
           opt.conns, opt.depth, requests, errors, secs, rps, p50, p99, mean_us, maxv / 1000.0,
           bad_replies, dropped_conns, stalls, nlat >= opt.max_requests ? "true" : "false", cpu_pct);
    fflush(stdout);
    free(lat);
    free(conns);
    return 0;
}
