/**
 * A DNS server on 127.0.0.1 (UDP, the real wire format), playing public DNS
 * for the monitor's and the gate's DNS check when a bundle runs in its own
 * process: lambda-runner's `dnsServer` points the bundle's resolvers here,
 * so Node's own resolver (c-ares) parses the answers and raises its own
 * errors: NXDOMAIN is ENOTFOUND, a name without the type asked ENODATA,
 * SERVFAIL ESERVFAIL, and a query never answered ETIMEOUT.
 */
import * as dgram from 'node:dgram';

type RecordType = 'CNAME' | 'MX' | 'TXT';
const TYPE_CODES: Record<RecordType, number> = { CNAME: 5, MX: 15, TXT: 16 };
const RCODE = { noError: 0, serverFailure: 2, nameError: 3 } as const;
const FLAGS = { responseAuthoritative: 0x8400, recursionDesired: 0x0100, recursionAvailable: 0x0080 } as const;
const HEADER_BYTES = 12;
const CLASS_IN = 1;
const TTL_SECONDS = 60;
/** A compression pointer to the question's name, right after the header. */
const POINTER_TO_QUESTION = 0xc000 + HEADER_BYTES;

export class FakeDnsServer {
  public static async start(): Promise<FakeDnsServer> {
    const server = new FakeDnsServer();
    await new Promise<void>((resolve) => server.socket.bind(0, '127.0.0.1', resolve));
    return server;
  }

  /** Every query, in arrival order. */
  public readonly queries: Array<{ name: string; type: string }> = [];
  private readonly records = new Map<string, Map<RecordType, string[]>>();
  private readonly failures = new Map<string, 'SERVFAIL' | 'no answer'>();
  private readonly socket = dgram.createSocket('udp4', (message, peer) => this.answer(message, peer));

  private constructor() {}

  /** Where a resolver finds it: `127.0.0.1:PORT`. */
  public get address(): string {
    return `127.0.0.1:${this.socket.address().port}`;
  }

  /** `name` holds these values of `type`: a CNAME's target, an MX as "10 host", a TXT's text. */
  public setRecords(name: string, type: RecordType, values: readonly string[]): this {
    const types = this.records.get(normalize(name)) ?? new Map<RecordType, string[]>();
    types.set(type, [...values]);
    this.records.set(normalize(name), types);
    return this;
  }

  /** Removes every record of `name`: it no longer exists (NXDOMAIN). */
  public deleteName(name: string): this {
    this.records.delete(normalize(name));
    return this;
  }

  /** Queries for `name` get SERVFAIL, or no answer at all (the resolver times out). */
  public fail(name: string, how: 'SERVFAIL' | 'no answer'): this {
    this.failures.set(normalize(name), how);
    return this;
  }

  public stop(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  private answer(query: Buffer, peer: dgram.RemoteInfo): void {
    const { name, type, end } = readQuestion(query);
    const typeName = (Object.keys(TYPE_CODES) as RecordType[]).find((key) => TYPE_CODES[key] === type);
    this.queries.push({ name, type: typeName ?? String(type) });
    const failure = this.failures.get(normalize(name));
    if (failure === 'no answer') {
      return;
    }
    const types = this.records.get(normalize(name));
    const values = typeName ? types?.get(typeName) ?? [] : [];
    const rcode = failure === 'SERVFAIL' ? RCODE.serverFailure : types === undefined ? RCODE.nameError : RCODE.noError;
    const answers = rcode === RCODE.noError && typeName ? values.map((value) => resourceRecord(typeName, value)) : [];
    const header = Buffer.alloc(HEADER_BYTES);
    header.writeUInt16BE(query.readUInt16BE(0), 0);
    // Flags: QR (a response) and AA, RD as the query asked (the low bit of its third byte), RA, and the response code.
    const recursionDesired = query[2] % 2 === 1;
    header.writeUInt16BE(FLAGS.responseAuthoritative + (recursionDesired ? FLAGS.recursionDesired : 0) + FLAGS.recursionAvailable + rcode, 2);
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answers.length, 6);
    const reply = Buffer.concat([header, query.subarray(HEADER_BYTES, end), ...answers]);
    this.socket.send(reply, peer.port, peer.address);
  }
}

function normalize(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

function readQuestion(message: Buffer): { name: string; type: number; end: number } {
  const labels: string[] = [];
  let offset = HEADER_BYTES;
  for (let length = message[offset]; length > 0; length = message[offset]) {
    labels.push(message.toString('latin1', offset + 1, offset + 1 + length));
    offset += 1 + length;
  }
  offset += 1;
  // QTYPE, then QCLASS: the question ends 4 bytes on.
  return { name: labels.join('.'), type: message.readUInt16BE(offset), end: offset + 4 };
}

function encodeName(name: string): Buffer {
  const labels = normalize(name).split('.').filter(Boolean).map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label, 'latin1')]));
  return Buffer.concat([...labels, Buffer.from([0])]);
}

function resourceRecord(type: RecordType, value: string): Buffer {
  let data: Buffer;
  switch (type) {
    case 'CNAME':
      data = encodeName(value);
      break;
    case 'MX': {
      const [preference, exchange] = value.split(' ');
      const head = Buffer.alloc(2);
      head.writeUInt16BE(Number(preference));
      data = Buffer.concat([head, encodeName(exchange)]);
      break;
    }
    case 'TXT': {
      const text = Buffer.from(value, 'utf8');
      data = Buffer.concat([Buffer.from([text.length]), text]);
      break;
    }
  }
  // Name (a pointer to the question's), type, class, TTL, the data's length.
  const fixed = Buffer.alloc(12);
  fixed.writeUInt16BE(POINTER_TO_QUESTION, 0);
  fixed.writeUInt16BE(TYPE_CODES[type], 2);
  fixed.writeUInt16BE(CLASS_IN, 4);
  fixed.writeUInt32BE(TTL_SECONDS, 6);
  fixed.writeUInt16BE(data.length, 10);
  return Buffer.concat([fixed, data]);
}
