import { isIP } from 'node:net';

/**
 * True for hosts whose traffic cannot leave the machine: localhost (and `*.localhost`, RFC 6761),
 * 127.0.0.0/8, ::1 and IPv4-mapped 127.x. Takes a URL hostname as is (IPv6 in brackets).
 */
function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (bare === 'localhost' || bare.endsWith('.localhost')) return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || bare === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(bare);
  return false;
}

export { isLoopbackHost };
