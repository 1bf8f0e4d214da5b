// The load generator of bench:api, in its own process so that it does not share the API's event
// loop: runs autocannon with the options given as JSON in argv[2] and prints its result as JSON,
// with the count and first body of every status that is not 2xx.
import autocannon from 'autocannon';

const { method = 'GET', body, headers, ...opts } = JSON.parse(process.argv[2]);
const bad = {};
const onResponse = (status, resBody) => {
  if (status >= 200 && status < 300) return;
  bad[status] ??= { count: 0, sample: String(resBody ?? '').slice(0, 300) };
  bad[status].count++;
};
const r = await autocannon({ ...opts, requests: [{ method, ...(body !== undefined && { body }), ...(headers && { headers }), onResponse }] });
process.stdout.write(JSON.stringify({
  average: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors, timeouts: r.timeouts, bad,
}));
