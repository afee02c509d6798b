/**
 * CloudFormation's pre-signed response URL, played over HTTPS on
 * 127.0.0.1:443. It has to be HTTPS on the default port: the AwsCustomResource
 * handler PUTs with `https.request({ hostname, path })`, dropping any scheme or
 * port in the URL. Both variants answer here, so both pay for a TLS handshake,
 * as they do against S3.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as path from 'node:path';
import type { ReceivedResponse } from '../../local/cloudformation';

/** A response, and when (process.hrtime, µs) its last byte arrived. */
export interface TimedResponse extends ReceivedResponse {
  readonly receivedAtUs: number;
}

/**
 * A self-signed certificate for 127.0.0.1, made with openssl. RSA 2048 like
 * S3's certificates, so that the handshake costs the client what it would.
 * Children trust it through NODE_EXTRA_CA_CERTS=certFile.
 */
export function makeCertificate(dir: string): { certFile: string; keyFile: string } {
  const certFile = path.join(dir, 'receiver-cert.pem');
  const keyFile = path.join(dir, 'receiver-key.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1',
    '-keyout', keyFile, '-out', certFile,
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
  ], { stdio: 'ignore' });
  return { certFile, keyFile };
}

export class HttpsResponseReceiver {
  public static async start(certFile: string, keyFile: string): Promise<HttpsResponseReceiver> {
    const receiver = new HttpsResponseReceiver(fs.readFileSync(certFile), fs.readFileSync(keyFile));
    await new Promise<void>((resolve, reject) => {
      receiver.server.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'EACCES' || error.code === 'EADDRINUSE'
        ? new Error(`Cannot listen on 127.0.0.1:443 (${error.code}); the AwsCustomResource handler only PUTs to port 443.`)
        : error));
      receiver.server.listen(443, '127.0.0.1', resolve);
    });
    return receiver;
  }

  private readonly received = new Map<string, TimedResponse>();
  private readonly waiting = new Map<string, (response: TimedResponse) => void>();
  private readonly server: https.Server;

  private constructor(cert: Buffer, key: Buffer) {
    this.server = https.createServer({ cert, key }, (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const receivedAtUs = Number(process.hrtime.bigint() / 1000n);
        const raw = Buffer.concat(chunks).toString('utf8');
        const name = (request.url ?? '/').slice(1);
        const entry: TimedResponse = { raw, bytes: Buffer.byteLength(raw), body: JSON.parse(raw), receivedAtUs };
        this.received.set(name, entry);
        this.waiting.get(name)?.(entry);
        response.writeHead(200).end();
      });
    });
  }

  /** A fresh response URL, without a port: 443 is the only one both handlers reach. */
  public url(): string {
    return `https://127.0.0.1/${randomUUID()}`;
  }

  /** The response sent to `url`; rejects after `timeoutMs`. */
  public response(url: string, timeoutMs: number): Promise<TimedResponse> {
    const key = new URL(url).pathname.slice(1);
    const done = this.received.get(key);
    if (done) {
      return Promise.resolve(done);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no response at ${url} within ${timeoutMs} ms`)), timeoutMs);
      this.waiting.set(key, (response) => {
        clearTimeout(timer);
        resolve(response);
      });
    });
  }

  public stop(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
