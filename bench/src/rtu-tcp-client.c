/*
 * rtu-tcp-client — one client, two framings, for fieldgate's southbound benchmark "RTU over TCP":
 * reads 10 holding registers of unit 1 from address 0, one request at a time, over one TCP connection
 * (TCP_NODELAY), either as RTU frames over TCP (unit + PDU + CRC, as to a serial device server:
 * "rtu") or as Modbus TCP (MBAP: "mbap"). The same program reads the slave directly and through
 * fieldgate, so the difference between the two is the path, not the client.
 *
 * usage: rtu-tcp-client rtu|mbap PORT WARMUP_MS DURATION_MS MAX_REQUESTS
 * Loopback only (127.0.0.1). Stops at DURATION_MS after the warm-up or at MAX_REQUESTS measured.
 * Output: one JSON line {"requests":N,"errors":E,"seconds":S,"rps":X,"p50_us":A,"p99_us":B}
 * (latency = request written -> reply complete). A reply that does not come within 1 s ends the run
 * (exit 1).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_SAMPLES 1000000
#define COUNT 10

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static uint16_t crc16(const uint8_t *p, size_t n) {
    uint16_t crc = 0xffff;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int b = 0; b < 8; b++) crc = (crc & 1) ? (uint16_t)((crc >> 1) ^ 0xa001) : (uint16_t)(crc >> 1);
    }
    return crc;
}

/* Reads exactly n bytes, waiting at most 1 s for each read. */
static int read_n(int fd, uint8_t *buf, size_t n) {
    size_t got = 0;
    while (got < n) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        int r = poll(&p, 1, 1000);
        if (r <= 0) return -1;
        ssize_t k = read(fd, buf + got, n - got);
        if (k <= 0) return -1;
        got += (size_t)k;
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 6 || (strcmp(argv[1], "rtu") && strcmp(argv[1], "mbap"))) {
        fprintf(stderr, "usage: rtu-tcp-client rtu|mbap PORT WARMUP_MS DURATION_MS MAX_REQUESTS\n");
        return 2;
    }
    const int rtu = !strcmp(argv[1], "rtu");
    long warmup = atol(argv[3]), duration = atol(argv[4]), max_requests = atol(argv[5]);
    if (max_requests <= 0 || max_requests > MAX_SAMPLES) max_requests = MAX_SAMPLES;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[2])) };
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
        fprintf(stderr, "rtu-tcp-client: connect: %s\n", strerror(errno));
        return 3;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

    /* FC3, address 0, COUNT registers, unit 1 */
    const uint8_t pdu[] = { 3, 0, 0, 0, COUNT };
    uint8_t req[16];
    size_t req_len, reply_len, data_at;
    if (rtu) {
        req[0] = 1;
        memcpy(req + 1, pdu, sizeof pdu);
        uint16_t crc = crc16(req, 1 + sizeof pdu);
        req[6] = (uint8_t)(crc & 0xff);
        req[7] = (uint8_t)(crc >> 8);
        req_len = 8;
        reply_len = 5 + 2 * COUNT; /* unit fc bytes data crc */
        data_at = 3;
    } else {
        const uint8_t head[] = { 0, 0, 0, 0, 0, 6, 1 };
        memcpy(req, head, sizeof head);
        memcpy(req + sizeof head, pdu, sizeof pdu);
        req_len = sizeof head + sizeof pdu;
        reply_len = 9 + 2 * COUNT; /* MBAP(7) fc bytes data */
        data_at = 9;
    }

    static uint64_t lat[MAX_SAMPLES];
    uint8_t reply[64];
    long n = 0, errors = 0;
    uint16_t tid = 0;
    uint64_t start = now_ns(), measure = start + (uint64_t)warmup * 1000000ull;
    uint64_t end = measure + (uint64_t)duration * 1000000ull;
    for (;;) {
        uint64_t t0 = now_ns();
        if (t0 >= end || n >= max_requests) break;
        if (!rtu) {
            tid++;
            req[0] = (uint8_t)(tid >> 8);
            req[1] = (uint8_t)tid;
        }
        if (write(fd, req, req_len) != (ssize_t)req_len || read_n(fd, reply, reply_len) < 0) {
            fprintf(stderr, "rtu-tcp-client: no reply (%s)\n", errno ? strerror(errno) : "timeout or closed");
            return 1;
        }
        uint64_t t1 = now_ns();
        /* register 3 holds 3 (the slave's map: each register its own address) */
        int ok = reply[data_at - 2] == 3 && reply[data_at + 7] == 3 && reply[data_at + 6] == 0;
        if (rtu) ok = ok && crc16(reply, reply_len) == 0;
        else ok = ok && reply[0] == req[0] && reply[1] == req[1];
        if (t0 >= measure) {
            if (!ok) errors++;
            else lat[n++] = t1 - t0;
        }
    }
    uint64_t stop = now_ns();
    double seconds = (double)((stop < end ? stop : end) - measure) / 1e9;
    qsort(lat, (size_t)n, sizeof lat[0], cmp);
    double p50 = n ? lat[n / 2] / 1000.0 : 0, p99 = n ? lat[(n * 99) / 100] / 1000.0 : 0;
    printf("{\"requests\":%ld,\"errors\":%ld,\"seconds\":%.3f,\"rps\":%.1f,\"p50_us\":%.1f,\"p99_us\":%.1f}\n", n,
           errors, seconds, seconds > 0 ? n / seconds : 0, p50, p99);
    close(fd);
    return 0;
}
