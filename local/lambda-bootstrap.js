'use strict';
/**
 * Plays the Lambda runtime for one invocation: `node lambda-bootstrap.js <dir>/index.js`
 * loads the handler, calls it once with the event in LOCAL_LAMBDA_EVENT and
 * exits as soon as its promise settles, as Lambda ends an invocation then.
 * Plain JavaScript, so that it adds no loader cost to the process the bench times.
 *
 * LOCAL_RESPONSE_HOST, LOCAL_RESPONSE_PORT: HTTPS requests to that host go to
 * 127.0.0.1:PORT over plain HTTP instead, so a handler that drops the port of
 * its response URL (AwsCustomResource's does) still reaches a local receiver.
 * LOCAL_DNS_SERVER (`127.0.0.1:PORT`): every DNS resolver the handler
 * creates (`new Resolver()` of node:dns/promises) asks that server instead
 * of the system's, as a FakeDnsServer plays public DNS.
 * LOCAL_LAMBDA_TIMING: writes one JSON line to fd 3: process.hrtime marks in
 * µs (CLOCK_MONOTONIC, comparable across processes), CPU time from require, and
 * with LOCAL_LAMBDA_TIMING=modules the files the handler loaded.
 */
const now = () => Number(process.hrtime.bigint() / 1000n);
const env = process.env;

if (env.LOCAL_RESPONSE_HOST) {
  const http = require('node:http');
  const https = require('node:https');
  const original = https.request;
  https.request = function request(...args) {
    const url = typeof args[0] === 'string' || args[0] instanceof URL ? new URL(args[0]) : undefined;
    const options = (url ? (typeof args[1] === 'object' ? args[1] : {}) : args[0]) ?? {};
    if ((url?.hostname ?? options.hostname ?? options.host) !== env.LOCAL_RESPONSE_HOST) {
      return original.apply(this, args);
    }
    const path = url ? url.pathname + url.search : options.path;
    const target = { ...options, protocol: 'http:', host: undefined, hostname: '127.0.0.1', port: env.LOCAL_RESPONSE_PORT, path, agent: undefined };
    return http.request(target, args.find((arg) => typeof arg === 'function'));
  };
}

if (env.LOCAL_DNS_SERVER) {
  const dns = require('node:dns/promises');
  const SystemResolver = dns.Resolver;
  dns.Resolver = class LocalResolver extends SystemResolver {
    constructor(options) {
      super(options);
      this.setServers([env.LOCAL_DNS_SERVER]);
    }
  };
}

const event = JSON.parse(env.LOCAL_LAMBDA_EVENT);
const deadline = Date.now() + Number(env.LOCAL_LAMBDA_TIMEOUT_MS ?? 300_000);
const context = {
  functionName: env.AWS_LAMBDA_FUNCTION_NAME ?? 'local',
  awsRequestId: event.RequestId,
  getRemainingTimeInMillis: () => deadline - Date.now(),
};
const cpuAtRequire = process.cpuUsage();
const requireStartUs = now();
const { handler } = require(process.argv[2]);
Promise.resolve(handler(event, context)).then(() => finish(0), (error) => {
  console.error(error);
  finish(1);
});

function finish(code) {
  if (env.LOCAL_LAMBDA_TIMING) {
    const cpu = process.cpuUsage(cpuAtRequire);
    const modules = env.LOCAL_LAMBDA_TIMING === 'modules' ? Object.keys(require.cache) : undefined;
    require('node:fs').writeSync(3, JSON.stringify({ requireStartUs, handlerDoneUs: now(), cpuFromRequireUs: cpu.user + cpu.system, modules }));
  }
  process.exit(code);
}
