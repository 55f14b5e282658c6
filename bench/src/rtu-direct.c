/*
 * rtu-direct — the direct RTU exchange for fieldgate's southbound benchmark: a libmodbus RTU master
 * on the serial port itself (no gateway), reading 10 holding registers of unit 1 in a loop and
 * keeping the t3.5 gap (GAP_US, from the end of each reply) before the next request.
 *
 * usage: rtu-direct PATH BAUD WARMUP_MS DURATION_MS GAP_US
 * Output: one JSON line {"requests":N,"errors":E,"seconds":S,"rps":X,"p50_us":A,"p99_us":B}
 * (latency = request sent -> reply complete, the gap not included; rps includes the gaps).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <modbus.h>

#define MAX_SAMPLES 1000000

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    if (argc != 6) { fprintf(stderr, "usage: rtu-direct PATH BAUD WARMUP_MS DURATION_MS GAP_US\n"); return 2; }
    long warmup = atol(argv[3]), duration = atol(argv[4]), gap_us = atol(argv[5]);
    modbus_t *ctx = modbus_new_rtu(argv[1], atoi(argv[2]), 'N', 8, 1);
    if (!ctx) { fprintf(stderr, "rtu-direct: modbus_new_rtu: %s\n", modbus_strerror(errno)); return 1; }
    modbus_set_slave(ctx, 1);
    modbus_set_response_timeout(ctx, 0, 500000);
    if (modbus_connect(ctx) == -1) { fprintf(stderr, "rtu-direct: connect: %s\n", modbus_strerror(errno)); return 3; }
    static uint64_t lat[MAX_SAMPLES];
    uint16_t regs[10];
    long n = 0, errors = 0;
    uint64_t start = now_ns(), measure = start + (uint64_t)warmup * 1000000ull;
    uint64_t end = measure + (uint64_t)duration * 1000000ull;
    for (;;) {
        uint64_t t0 = now_ns();
        if (t0 >= end) break;
        int rc = modbus_read_registers(ctx, 0, 10, regs);
        uint64_t t1 = now_ns();
        if (t0 >= measure) {
            if (rc != 10 || regs[3] != 3) errors++;
            else if (n < MAX_SAMPLES) lat[n++] = t1 - t0;
        }
        while (now_ns() < t1 + (uint64_t)gap_us * 1000ull) { /* the t3.5 gap */ }
    }
    double seconds = (double)(end - measure) / 1e9;
    qsort(lat, (size_t)n, sizeof lat[0], cmp);
    double p50 = n ? lat[n / 2] / 1000.0 : 0, p99 = n ? lat[(n * 99) / 100] / 1000.0 : 0;
    printf("{\"requests\":%ld,\"errors\":%ld,\"seconds\":%.3f,\"rps\":%.1f,\"p50_us\":%.1f,\"p99_us\":%.1f}\n",
           n, errors, seconds, n / seconds, p50, p99);
    modbus_close(ctx);
    modbus_free(ctx);
    return 0;
}
