/**
 * The reference templates: the TypeScript example apps the other languages'
 * ports are held against, synthesized into OUTDIR/verified-sender and
 * OUTDIR/cross-account.
 *
 *   ts-node languages/synth-typescript.ts OUTDIR
 */
import * as path from 'path';
import { buildCrossAccountApp } from '../examples/cross-account-app';
import { buildVerifiedSenderApp } from '../examples/verified-sender-app';

const [outdir] = process.argv.slice(2);
if (!outdir) throw new Error('usage: synth-typescript.ts OUTDIR');
buildVerifiedSenderApp({ outdir: path.join(outdir, 'verified-sender') }).synth();
buildCrossAccountApp({ outdir: path.join(outdir, 'cross-account') }).synth();
