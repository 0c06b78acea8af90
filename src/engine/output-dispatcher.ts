/**
 * Where image downloads may connect. The allow-list checks names (models/image-output.ts); this
 * checks what a name resolves to: a name that resolves to a private, link-local, loopback,
 * unique-local, CGNAT, multicast or unspecified address is refused, so an allowed name whose
 * DNS points inside our network cannot make the bot fetch from it. Loopback stays usable when
 * the allow-list names a loopback host itself (`127.0.0.1`, `localhost`: the emulators).
 *
 * The check runs inside the connection's own lookup, and the socket connects to the address
 * that was checked: a second, different DNS answer (a rebind) never gets a say. Hosts written
 * as IP addresses are not looked up: they pass only by being on the allow-list themselves.
 */
import { promises as dns, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { Agent } from 'undici';
import { isLoopbackHost } from '../models/image-output.js';
import { ImageDownloadError } from '../store/image-spool.js';

/** All addresses of a name (tests inject their own: no test may use real DNS). */
export type HostResolver = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolver: HostResolver = (hostname) => dns.lookup(hostname, { all: true, verbatim: true });

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

const INTERNAL = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network", unspecified
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // CGNAT
  ['169.254.0.0', 16], // link-local (cloud metadata lives here)
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const)
  INTERNAL.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128], // unspecified
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const)
  INTERNAL.addSubnet(network, prefix, 'ipv6');

/** Whether `address` is one the bot must not fetch from (loopback only when `loopbackAllowed`). */
export function isRefusedAddress(address: string, loopbackAllowed: boolean): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  if (family === 6) {
    // IPv4 written inside IPv6 (::ffff:10.0.0.1, NAT64 64:ff9b::10.0.0.1) is that IPv4 address.
    const embedded = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
    if (embedded) return isRefusedAddress(embedded, loopbackAllowed);
    const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
    if (mapped) {
      const high = Number.parseInt(mapped[1]!, 16);
      const low = Number.parseInt(mapped[2]!, 16);
      return isRefusedAddress(`${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`, loopbackAllowed);
    }
  }
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (LOOPBACK.check(address, type)) return !loopbackAllowed;
  return INTERNAL.check(address, type);
}

export interface OutputDispatcherOptions {
  /** RUNCOMFY_OUTPUT_HOSTS: naming a loopback host there allows loopback addresses. */
  allowedHosts: readonly string[];
  resolve?: HostResolver;
  connections?: number;
}

type LookupCallback = (error: Error | null, address: string | LookupAddress[], family?: number) => void;

/** An undici Agent for image downloads whose connections only reach public addresses. */
export function outputDispatcher(options: OutputDispatcherOptions): Agent {
  const resolve = options.resolve ?? systemResolver;
  const loopbackAllowed = options.allowedHosts.some((host) => isLoopbackHost(host));
  const lookup = (hostname: string, lookupOptions: { all?: boolean }, callback: LookupCallback) => {
    resolve(hostname).then(
      (addresses) => {
        const refused = addresses.find((entry) => isRefusedAddress(entry.address, loopbackAllowed));
        if (addresses.length === 0 || refused) {
          callback(
            new ImageDownloadError('image_host_refused', `${hostname} resolves to a refused address`, {
              params: { address: refused?.address ?? 'none' },
            }),
            '',
          );
          return;
        }
        if (lookupOptions.all) callback(null, addresses);
        else callback(null, addresses[0]!.address, addresses[0]!.family);
      },
      (error: unknown) => callback(error instanceof Error ? error : new Error(String(error)), ''),
    );
  };
  return new Agent({ connections: options.connections ?? 16, keepAliveTimeout: 10_000, connect: { lookup } });
}
