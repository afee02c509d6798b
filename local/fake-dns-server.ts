/**
 * A minimal authoritative DNS server on 127.0.0.1 over UDP, for tests: it
 * answers CNAME, MX and TXT queries from records set with `setRecords`, so
 * that node:dns/promises' Resolver (`setServers([fake.address])`) never needs
 * real DNS. An unknown name is NXDOMAIN (Node reports ENOTFOUND); a known name
 * without records of the type asked is NOERROR with no answers (ENODATA).
 */
/* eslint-disable no-bitwise -- the DNS header's flags are bit fields. */
import * as dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';

export type DnsRecordType = 'CNAME' | 'MX' | 'TXT';

const TYPE_CODES: Record<DnsRecordType, number> = { CNAME: 5, MX: 15, TXT: 16 };
const [CLASS_IN, TTL_SECONDS] = [1, 60];

/** Header flags: response, authoritative answer, recursion desired (echoed), recursion available. */
const [FLAG_QR, FLAG_AA, FLAG_RD, FLAG_RA, OPCODE_MASK] = [0x8000, 0x0400, 0x0100, 0x0080, 0x7800];
const RCODE = { NOERROR: 0, FORMERR: 1, NXDOMAIN: 3, NOTIMP: 4 } as const;

/** One question as received: the type's name if known here, else its number. */
export interface DnsQuery { readonly name: string; readonly type: string }

export class FakeDnsServer {
  public static async start(): Promise<FakeDnsServer> {
    const server = new FakeDnsServer();
    await new Promise<void>((resolve) => server.socket.bind(0, '127.0.0.1', resolve));
    return server;
  }

  /** Lower-case name without the trailing dot → type → values. */
  private readonly zone = new Map<string, Map<DnsRecordType, string[]>>();
  private readonly received: DnsQuery[] = [];
  private readonly socket = dgram.createSocket('udp4', (message, peer) => {
    this.socket.send(this.answer(message), peer.port, peer.address);
  });

  private constructor() {}

  /** Where to point a Resolver: "127.0.0.1:PORT". */
  public get address(): string {
    const { address, port } = this.socket.address() as AddressInfo;
    return `${address}:${port}`;
  }

  /** Every question asked, in arrival order. */
  public get queries(): readonly DnsQuery[] {
    return [...this.received];
  }

  /**
   * Sets the records of one name and type, replacing those it had; no values
   * removes them. MX values are "PRIORITY EXCHANGE", TXT values are whole
   * strings (split into 255-byte chunks on the wire).
   */
  public setRecords(name: string, type: DnsRecordType, values: readonly string[]): this {
    const key = normalize(name);
    const types = this.zone.get(key) ?? new Map<DnsRecordType, string[]>();
    if (values.length > 0) types.set(type, [...values]);
    else types.delete(type);
    if (types.size > 0) this.zone.set(key, types);
    else this.zone.delete(key);
    return this;
  }

  public stop(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  /** The response to one query message. */
  private answer(query: Buffer): Buffer {
    const [id, flags] = query.length >= 4 ? [query.readUInt16BE(0), query.readUInt16BE(2)] : [0, 0];
    const reply = (rcode: number, question: Buffer = Buffer.alloc(0), answers: Buffer[] = []) => {
      const header = Buffer.alloc(12);
      header.writeUInt16BE(id, 0);
      header.writeUInt16BE(FLAG_QR | (flags & OPCODE_MASK) | FLAG_AA | (flags & FLAG_RD) | FLAG_RA | rcode, 2);
      header.writeUInt16BE(question.length > 0 ? 1 : 0, 4);
      header.writeUInt16BE(answers.length, 6);
      return Buffer.concat([header, question, ...answers]);
    };
    const parsed = parseQuestion(query);
    if (!parsed) return reply(RCODE.FORMERR);
    const { name, type, question } = parsed;
    const typeName = (Object.keys(TYPE_CODES) as DnsRecordType[]).find((known) => TYPE_CODES[known] === type);
    this.received.push({ name, type: typeName ?? String(type) });
    if ((flags & OPCODE_MASK) !== 0) return reply(RCODE.NOTIMP, question);
    const types = this.zone.get(normalize(name));
    if (!types) return reply(RCODE.NXDOMAIN, question);
    const values = typeName ? types.get(typeName) ?? [] : [];
    // Each answer's owner name points back at the question's name, at offset 12.
    return reply(RCODE.NOERROR, question, values.map((value) => resourceRecord(type, rdata(typeName!, value))));
  }
}

/** The first question: its name, type, and its bytes to echo back; undefined if malformed. */
function parseQuestion(message: Buffer): { name: string; type: number; question: Buffer } | undefined {
  if (message.length < 12 || message.readUInt16BE(4) < 1) return undefined;
  const labels: string[] = [];
  let offset = 12;
  while (offset < message.length && message[offset] !== 0) {
    const length = message[offset];
    // Queries never compress their only name; a pointer or overrun is malformed.
    if (length > 63 || offset + 1 + length > message.length) return undefined;
    labels.push(message.toString('latin1', offset + 1, offset + 1 + length));
    offset += 1 + length;
  }
  const end = offset + 1 + 4; // The root label, then QTYPE and QCLASS.
  return end > message.length ? undefined : { name: labels.join('.'), type: message.readUInt16BE(offset + 1), question: message.subarray(12, end) };
}

/** NAME (a compression pointer to the question's name), TYPE, CLASS, TTL, RDLENGTH, RDATA. */
function resourceRecord(type: number, data: Buffer): Buffer {
  const ttl = Buffer.alloc(4);
  ttl.writeUInt32BE(TTL_SECONDS);
  return Buffer.concat([uint16(0xc00c), uint16(type), uint16(CLASS_IN), ttl, uint16(data.length), data]);
}

function rdata(type: DnsRecordType, value: string): Buffer {
  switch (type) {
    case 'CNAME':
      return encodeName(value);
    case 'MX': {
      const [priority, exchange] = value.trim().split(/\s+/);
      return Buffer.concat([uint16(Number(priority)), encodeName(exchange)]);
    }
    case 'TXT': {
      // Character-strings of at most 255 bytes, each after its length byte.
      const bytes = Buffer.from(value, 'utf8');
      const chunks = Array.from({ length: Math.max(1, Math.ceil(bytes.length / 255)) }, (_, i) => bytes.subarray(i * 255, i * 255 + 255));
      return Buffer.concat(chunks.flatMap((chunk) => [Buffer.from([chunk.length]), chunk]));
    }
  }
}

function uint16(value: number): Buffer {
  const buffer = Buffer.alloc(2);
  buffer.writeUInt16BE(value);
  return buffer;
}

/** A name as uncompressed labels, ending with the root label. */
function encodeName(name: string): Buffer {
  const labels = name.replace(/\.$/, '').split('.').filter(Boolean).map((label) => Buffer.from(label, 'latin1'));
  return Buffer.concat([...labels.flatMap((label) => [Buffer.from([label.length]), label]), Buffer.from([0])]);
}

function normalize(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}
