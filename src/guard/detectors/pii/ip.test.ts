import { describe, expect, it } from 'vitest';
import { ipRecognizer, ipv6Valid } from './ip.js';

const cfg = { defaultRegion: 'US', contextWindow: 40 };
/** IP spans scoring at or above 0.5, as matched text. */
const ips = (text: string): string[] =>
  ipRecognizer
    .find(text, cfg)
    .filter((m) => m.score >= 0.5)
    .map((m) => text.slice(m.start, m.end));

describe('IPv4', () => {
  it('finds addresses with octets in range, also at the end of a sentence', () => {
    expect(ips('blocked 86.121.97.248 yesterday')).toEqual(['86.121.97.248']);
    expect(ips('server at 10.0.0.1.')).toEqual(['10.0.0.1']);
    expect(ips('|36.106.174.11|')).toEqual(['36.106.174.11']);
    expect(ips('255.255.255.254 and 0.1.2.3')).toEqual(['255.255.255.254', '0.1.2.3']);
  });

  it('rejects out-of-range octets, leading zeros, longer dotted runs and versions', () => {
    expect(ips('256.1.1.1')).toEqual([]);
    expect(ips('1.2.3.999')).toEqual([]);
    expect(ips('01.2.3.4')).toEqual([]);
    expect(ips('1.2.3.4.5')).toEqual([]);
    expect(ips('v1.2.3.4')).toEqual([]);
    expect(ips('version 1.2.3.4 released')).toEqual([]);
  });

  it('scores loopback low unless the text talks about IPs', () => {
    expect(ips('see 127.0.0.1 there')).toEqual([]);
    expect(ips('my ip is 127.0.0.1')).toEqual(['127.0.0.1']);
  });
});

describe('IPv6', () => {
  it.each([
    '2001:0db8:85a3:0000:0000:8a2e:0370:7334',
    '2001:db8:85a3::8a2e:370:7334',
    'fe80::1ff:fe23:4567:890a',
    '::1',
    '::',
    '::ffff:192.0.2.128',
    '2001:db8::',
    '64:ff9b::192.0.2.33',
  ])('accepts %s', (a) => {
    expect(ipv6Valid(a)).toBe(true);
  });

  it.each([
    '2001:db8::85a3::7334',
    '2001:db8:85a3:0:0:8a2e:370',
    '2001:db8:85a3:0:0:8a2e:370:7334:1',
    '12:30',
    '2001:db8::g1',
    '1::2:3:4:5:6:7:8',
    '::ffff:300.0.2.128',
  ])('rejects %s', (a) => {
    expect(ipv6Valid(a)).toBe(false);
  });

  it('finds full and compressed forms in text', () => {
    expect(ips('host 2001:db8:85a3::8a2e:370:7334 is down')).toEqual(['2001:db8:85a3::8a2e:370:7334']);
    expect(ips('full 2001:0db8:85a3:0000:0000:8a2e:0370:7334.')).toEqual([
      '2001:0db8:85a3:0000:0000:8a2e:0370:7334',
    ]);
    expect(ips('ping fe80::1')).toEqual(['fe80::1']);
  });

  it('ignores times, C++ scopes and short hex pairs without context', () => {
    expect(ips('meet at 12:30:45')).toEqual([]);
    expect(ips('std::string and Foo::bar')).toEqual([]);
    expect(ips('labels a::b here')).toEqual([]);
  });
});
