// The part of autocannon's API the bench uses (the package ships no types).
declare module 'autocannon' {
  namespace autocannon {
    interface Options { url: string; connections?: number; duration?: number; method?: string; body?: string; headers?: Record<string, string>; requests?: Request[] }
    interface Request { method?: string; body?: string; headers?: Record<string, string>; onResponse?: (status: number, body: string, context: unknown, headers: Record<string, string>) => void }
    interface Result { requests: { average: number }; latency: { p50: number; p99: number }; non2xx: number; errors: number; timeouts: number }
  }
  function autocannon(o: autocannon.Options): Promise<autocannon.Result>;
  export default autocannon;
}
