/*
 * rtu-slave — a Modbus RTU slave for fieldgate's southbound benchmark: libmodbus on a serial port
 * (a socat pty in the bench). Unit 1, holding registers 0..999 = their address. Prints "ready" once
 * the port is open; exits when the port goes away.
 *
 * usage: rtu-slave PATH BAUD
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <modbus.h>

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: rtu-slave PATH BAUD\n"); return 2; }
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
        if (rc > 0) modbus_reply(ctx, query, rc, map);
        else if (rc == -1 && (errno == EIO || errno == EBADF || errno == ENXIO)) {
            fprintf(stderr, "rtu-slave: %s\n", modbus_strerror(errno));
            return 1;
        }
    }
}
