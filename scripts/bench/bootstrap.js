'use strict';
/**
 * Plays the Lambda runtime for one cold invocation, with timestamps:
 *
 *   node bootstrap.js <asset dir>/index.js
 *
 * loads the handler, calls it once with the event in BENCH_EVENT and exits as
 * soon as its promise settles, as Lambda ends an invocation then (it does not
 * wait for the event loop to drain). Timestamps are process.hrtime in
 * microseconds: CLOCK_MONOTONIC, shared by every process on the machine, so the
 * benchmark can set them against its own (spawn, response received). They are
 * written as one JSON object to fd 3, with the CPU time used, leaving stdout
 * and stderr to the handler.
 *
 * Plain JavaScript, required by nothing: it must add no TypeScript or loader
 * cost to the process it measures.
 */
const marks = { bootstrap: now() };
const fs = require('node:fs');
const diagnostics = require('node:diagnostics_channel');

// The handler's own HTTP traffic: its GET to SES and its PUT to the response URL.
// Node publishes these for http and https alike; the first of each is the one that counts.
diagnostics.subscribe('http.client.request.start', ({ request }) => mark(`${request.method}Sent`));
diagnostics.subscribe('http.client.response.finish', ({ request }) => mark(`${request.method}Answered`));

// When the handler requires an SDK client from the runtime (AwsCustomResource does,
// inside the handler), time it: the one require that is not the bundle itself.
const Module = require('node:module');
const load = Module._load;
Module._load = function (request, ...rest) {
  if (!request.startsWith('@aws-sdk/client-') || marks.sdkRequireStart !== undefined) {
    return load.call(this, request, ...rest);
  }
  marks.sdkRequireStart = now();
  try {
    return load.call(this, request, ...rest);
  } finally {
    marks.sdkRequireEnd = now();
  }
};

const bundle = process.argv[2];
const event = JSON.parse(process.env.BENCH_EVENT);
const deadline = Date.now() + 120_000;
const context = {
  functionName: 'bench',
  logStreamName: '2026/01/01/[$LATEST]bench',
  awsRequestId: event.RequestId,
  getRemainingTimeInMillis: () => deadline - Date.now(),
};

// CPU time as well as wall time: on a busy machine it is the steadier of the two.
const cpuAtRequire = process.cpuUsage();
marks.requireStart = now();
const { handler } = require(bundle);
marks.requireEnd = now();
Promise.resolve(handler(event, context)).then(
  () => finish(0),
  (error) => {
    console.error(error);
    finish(1);
  },
);

function finish(code) {
  marks.handlerDone = now();
  const cpu = process.cpuUsage();
  const report = {
    // With finer marks a loader in the asset may have left (scripts/bench/diagnose.ts).
    marks: { ...globalThis.benchMarks, ...marks },
    // User + system µs of all the process's threads: since it started, and since before require(bundle).
    cpuUs: { total: cpu.user + cpu.system, fromRequire: cpu.user + cpu.system - cpuAtRequire.user - cpuAtRequire.system },
  };
  if (process.env.BENCH_LIST_MODULES) {
    // Which files the handler loaded (the runtime SDK, for AwsCustomResource).
    report.modules = Object.keys(require.cache);
  }
  fs.writeSync(3, JSON.stringify(report));
  process.exit(code);
}

function mark(name) {
  marks[name] ??= now();
}

function now() {
  return Number(process.hrtime.bigint() / 1000n);
}
