// Real JavaScript clients of ct-serve, from npm: the `ws` client and
// CaliDog's certstream client, each on /, /full-stream and /domains-only.
// usage: node jsclients.js BASE_URL COUNT TIMEOUT_MS   (NODE_PATH has them)
// Prints "ready" once all six are connected, then one JSON object with
// what each received (certificate_update or dns_entries messages).
'use strict';
const WebSocket = require('ws');
const CertStream = require('certstream');
const [base, count, timeout] = [process.argv[2], +process.argv[3], +process.argv[4]];
const paths = ['/', '/full-stream', '/domains-only'];
const got = {};
let open = 0, done = 0;
const total = paths.length * 2;
function finish() {
  console.log(JSON.stringify(got));
  process.exit(0);
}
function seen(name, m) {
  if (m.message_type === 'heartbeat') return;
  got[name].n++;
  if (m.message_type === 'certificate_update' && m.data && m.data.leaf_cert) got[name].domains += m.data.leaf_cert.all_domains.length;
  if (m.message_type === 'dns_entries') got[name].domains += m.data.length;
  if (got[name].n === count && ++done === total) finish();
}
function opened() {
  if (++open === total) console.log('ready');
}
for (const p of paths) {
  const a = 'ws' + p, b = 'certstream' + p;
  got[a] = { n: 0, domains: 0 };
  got[b] = { n: 0, domains: 0 };
  const ws = new WebSocket(base + p);
  ws.on('open', opened);
  ws.on('message', (data) => seen(a, JSON.parse(data)));
  const cs = new CertStream((m) => seen(b, m));
  const log = console.log;
  console.log = () => {}; // certstream-js talks on stdout
  cs.connect(base + p);
  console.log = log;
  cs.ws.on('open', opened);
}
setTimeout(finish, timeout);
