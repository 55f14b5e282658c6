/*
 * rtu-slave — a Modbus RTU slave for fieldgate's southbound benchmark: libmodbus on a serial port
 * (a socat pty in the bench). Unit 1, holding registers 0..999 = their address. Prints "ready" once
 * the port is open; exits when the port goes away.
 * With "paced", each exchange takes the time a real line at BAUD would take (a pty has no line
 * speed): before replying it sleeps for the request's and the reply's characters (11 bits each).
 *
 * usage: rtu-slave PATH BAUD [paced]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <modbus.h>

int main(int argc, char **argv) {
    if (argc != 3 && !(argc == 4 && !strcmp(argv[3], "paced"))) {
        fprintf(stderr, "usage: rtu-slave PATH BAUD [paced]\n");
        return 2;
    }
    const int paced = argc == 4;
    const double char_us = 11e6 / atoi(argv[2]);
    modbus_t *ctx = modbus_new_rtu(argv[1], atoi(argv[2]), 'N', 8, 1);
    if (!ctx) { fprintf(stderr, "rtu-slave: modbus_new_rtu: %s\n", modbus_strerror(errno)); return 1; }
    modbus_set_slave(ctx, 1);
    if (modbus_connect(ctx) == -1) { fprintf(stderr, "rtu-slave: connect %s: %s\n", argv[1], modbus_strerror(errno)); return 1; }
    modbus_mapping_t *map = modbus_mapping_new(0, 0, 1000, 0);
    if (!map) { fprintf(stderr, "rtu-slave: modbus_mapping_new: %s\n", modbus_strerror(errno)); return 1; }
    for (int i = 0; i < 1000; i++) map->tab_registers[i] = (uint16_t)i;
    printf("ready\n");
    fflush(stdout);
    uint8_t query[MODBUS_RTU_MAX_ADU_LENGTH];
    for (;;) {
        int rc = modbus_receive(ctx, query);
        if (rc > 0) {
            if (paced) {
                int fc = query[1];
                int qty = (query[4] << 8) | query[5];
                int reply_len = (fc == 3 || fc == 4) ? 5 + 2 * qty : 8;
                usleep((useconds_t)((rc + reply_len) * char_us));
            }
            modbus_reply(ctx, query, rc, map);
        }
        else if (rc == -1 && (errno == EIO || errno == EBADF || errno == ENXIO)) {
            fprintf(stderr, "rtu-slave: %s\n", modbus_strerror(errno));
            return 1;
        }
    }
}
