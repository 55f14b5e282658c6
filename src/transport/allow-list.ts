/**
 * Source-address filter for a server's `allow` list: addresses and CIDR blocks, IPv4 and IPv6.
 * IPv4 peers seen through a dual-stack socket (`::ffff:10.0.0.1`) match IPv4 entries.
 */
import { BlockList, isIPv4, isIPv6 } from 'node:net';

export type AllowCheck = (address: string) => boolean;

/** Strips the IPv4-mapped IPv6 prefix so `::ffff:127.0.0.1` is seen as `127.0.0.1`. */
export function plainAddress(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m?.[1] ?? address;
}

/** Builds the check; entries have been validated by the config. `undefined` allows everyone. */
export function allowList(entries: readonly string[] | undefined): AllowCheck {
  if (!entries) return () => true;
  const list = new BlockList();
  for (const entry of entries) {
    const [addr = '', bits] = entry.split('/');
    const type = isIPv6(addr) ? 'ipv6' : 'ipv4';
    if (bits !== undefined) list.addSubnet(addr, Number(bits), type);
    else list.addAddress(addr, type);
  }
  return (address) => {
    const plain = plainAddress(address);
    if (isIPv4(plain)) return list.check(plain, 'ipv4');
    return isIPv6(plain) && list.check(plain, 'ipv6');
  };
}
