// The clients of bench:sse, in their own process: opens N event streams on the URL in argv[2]
// (N in argv[3]), prints "open <n>" once every head has arrived, and on SIGTERM prints the events
// each stream received as JSON.
import http from 'node:http';

const [url, n] = [new URL(process.argv[2]), Number(process.argv[3])];
const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
const events = new Array(n).fill(0);
let open = 0;
let failed = 0;
// Opened 50 at a time, so the listen backlog of the API never overflows.
for (let i = 0; i < n; i++) {
  if (i > 0 && i % 50 === 0) await new Promise((r) => setTimeout(r, 100));
  const req = http.get({ host: url.hostname, port: url.port, path: url.pathname, agent }, (res) => {
    if (res.statusCode !== 200) failed++;
    else open++;
    if (open + failed === n) process.stdout.write(`open ${open} failed ${failed}\n`);
    res.setEncoding('utf8');
    res.on('data', (c) => (events[i] += (c.match(/^id: /gm) ?? []).length));
  });
  req.on('error', () => {
    failed++;
    if (open + failed === n) process.stdout.write(`open ${open} failed ${failed}\n`);
  });
}
process.on('SIGTERM', () => {
  process.stdout.write(`${JSON.stringify({ min: Math.min(...events), max: Math.max(...events) })}\n`);
  process.exit(0);
});
