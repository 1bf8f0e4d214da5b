// A worker process that counts its round trips (round-trips.ts), for npm run bench:dispatch.
import './round-trips.ts';

await import('../../worker/src/main.ts');
