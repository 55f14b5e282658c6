/*
 * libmodbus-server — the libmodbus reference for fieldgate's benchmarks.
 *
 * The classic libmodbus multi-client server (tests/bandwidth-server-many-up.c): one modbus_t,
 * modbus_tcp_listen, and a select() loop that accepts clients and serves each readable one with
 * modbus_receive + modbus_reply against one modbus_mapping_t sized like the bench's bank
 * (coils 2000, discrete 2000, holding 1000, input 1000).
 *
 * usage: libmodbus-server PORT      (listens on 127.0.0.1 only)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#include <modbus.h>

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: libmodbus-server PORT\n"); return 2; }
    int port = atoi(argv[1]);

    modbus_t *ctx = modbus_new_tcp("127.0.0.1", port);
    if (!ctx) { fprintf(stderr, "libmodbus-server: modbus_new_tcp: %s\n", modbus_strerror(errno)); return 1; }
    modbus_mapping_t *map = modbus_mapping_new(2000, 2000, 1000, 1000);
    if (!map) { fprintf(stderr, "libmodbus-server: modbus_mapping_new: %s\n", modbus_strerror(errno)); return 1; }
    for (int i = 0; i < 1000; i++) map->tab_registers[i] = (uint16_t)i;

    int server = modbus_tcp_listen(ctx, 1024);
    if (server < 0) { fprintf(stderr, "libmodbus-server: listen: %s\n", modbus_strerror(errno)); return 1; }

    fd_set refset, rdset;
    FD_ZERO(&refset);
    FD_SET(server, &refset);
    int fdmax = server;
    uint8_t query[MODBUS_TCP_MAX_ADU_LENGTH];

    for (;;) {
        rdset = refset;
        if (select(fdmax + 1, &rdset, NULL, NULL, NULL) < 0) {
            if (errno == EINTR) continue;
            perror("libmodbus-server: select");
            return 1;
        }
        for (int fd = 0; fd <= fdmax; fd++) {
            if (!FD_ISSET(fd, &rdset)) continue;
            if (fd == server) {
                int c = accept(server, NULL, NULL);
                if (c < 0) { perror("libmodbus-server: accept"); continue; }
                if (c >= FD_SETSIZE) { close(c); continue; }
                FD_SET(c, &refset);
                if (c > fdmax) fdmax = c;
                continue;
            }
            modbus_set_socket(ctx, fd);
            int rc = modbus_receive(ctx, query);
            if (rc > 0) {
                modbus_reply(ctx, query, rc, map);
            } else if (rc == -1) {
                /* the client closed or sent garbage: drop it */
                close(fd);
                FD_CLR(fd, &refset);
                if (fd == fdmax) while (fdmax > server && !FD_ISSET(fdmax, &refset)) fdmax--;
            }
        }
    }
}
