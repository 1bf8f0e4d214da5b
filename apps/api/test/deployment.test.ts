// The deployment files, checked offline: the Kubernetes manifests (rendered by `kubectl kustomize`
// where kubectl is installed, else the base's resources as listed) against the Kubernetes and KEDA
// schemas, what they must say (probes, GPU limits, grace periods, autoscaling on the metrics this
// API really serves), the Dockerfiles and docker-compose.yml.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { ConfigMap, Secret, Service } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { Job } from 'kubernetes-models/batch/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1';
import { smallSpec, startService } from './harness.ts';

const root = join(import.meta.dirname, '../../..');
const base = join(root, 'deploy/kubernetes/base');
const read = (p: string) => readFileSync(join(root, p), 'utf8');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Manifest = any;

function render(): Manifest[] {
  const kubectl = spawnSync('kubectl', ['kustomize', base], { encoding: 'utf8' });
  if (!kubectl.error) {
    expect(kubectl.status, kubectl.stderr).toBe(0);
    return parseAllDocuments(kubectl.stdout).map((d) => d.toJS());
  }
  const k = parseYaml(readFileSync(join(base, 'kustomization.yaml'), 'utf8')) as { resources: string[] };
  return k.resources.flatMap((f) => parseAllDocuments(readFileSync(join(base, f), 'utf8')).map((d) => d.toJS()));
}

const MODELS: Record<string, new (m: Manifest) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap, 'v1/Secret': Secret, 'v1/Service': Service, 'apps/v1/Deployment': Deployment,
  'batch/v1/Job': Job, 'policy/v1/PodDisruptionBudget': PodDisruptionBudget, 'keda.sh/v1alpha1/ScaledObject': ScaledObject,
};

const manifests = render();
const find = (kind: string, name: string) => {
  const m = manifests.find((x) => x.kind === kind && x.metadata.name === name);
  if (!m) throw new Error(`no ${kind} ${name}`);
  return m;
};
const container = (deployment: string) => find('Deployment', deployment).spec.template.spec.containers[0];
const envOf = (c: Manifest) => Object.fromEntries((c.env ?? []).map((e: { name: string; value: string }) => [e.name, e.value]));

describe('Kubernetes manifests', () => {
  it('are valid objects of their kinds (Kubernetes and KEDA schemas)', () => {
    expect(manifests.length).toBeGreaterThanOrEqual(10);
    for (const m of manifests) {
      const Model = MODELS[`${m.apiVersion}/${m.kind}`];
      expect(Model, `${m.apiVersion}/${m.kind} ${m.metadata?.name}`).toBeDefined();
      expect(() => new Model(m).validate(), `${m.kind} ${m.metadata.name}`).not.toThrow();
    }
  });

  it('run the API with readiness on /readyz and liveness on /healthz, after the migrations', () => {
    const api = container('mfsim-api');
    const port = api.ports.find((p: { name: string }) => p.name === api.readinessProbe.httpGet.port);
    expect(port.containerPort).toBe(3000);
    expect(api.readinessProbe.httpGet.path).toBe('/readyz');
    expect(api.livenessProbe.httpGet.path).toBe('/healthz');
    const init = find('Deployment', 'mfsim-api').spec.template.spec.initContainers[0];
    expect(existsSync(join(root, init.command[1]))).toBe(true);
    const job = find('Job', 'mfsim-migrate').spec.template.spec.containers[0];
    expect(existsSync(join(root, job.command.at(-2)))).toBe(true);
    expect(find('Service', 'mfsim-api').spec.selector).toEqual(find('Deployment', 'mfsim-api').spec.template.metadata.labels);
  });

  it('read the database URL and admin key from a Secret that defines both', () => {
    const secret = find('Secret', 'mfsim-secrets');
    expect(Object.keys(secret.stringData).sort()).toEqual(['API_ADMIN_KEY', 'DATABASE_URL']);
    for (const d of ['mfsim-api', 'mfsim-worker-cpu', 'mfsim-worker-gpu']) {
      expect(container(d).envFrom.map((e: Manifest) => e.secretRef?.name).filter(Boolean)).toEqual(['mfsim-secrets']);
    }
  });

  it('run CPU and GPU workers apart; GPU workers get a GPU on a GPU node', () => {
    expect(envOf(container('mfsim-worker-cpu')).MFSIM_WORKER_KIND).toBe('cpu');
    const gpu = find('Deployment', 'mfsim-worker-gpu').spec.template.spec;
    expect(envOf(gpu.containers[0]).MFSIM_WORKER_KIND).toBe('gpu');
    expect(gpu.containers[0].resources.limits['nvidia.com/gpu']).toBe(1);
    expect(Object.keys(gpu.nodeSelector)).toContain('nvidia.com/gpu.present');
    expect(container('mfsim-worker-cpu').resources.limits['nvidia.com/gpu']).toBeUndefined();
  });

  it('give workers time to checkpoint and hand their job back on SIGTERM', () => {
    const checkpointSeconds = Number(find('ConfigMap', 'mfsim-config').data.MFSIM_CHECKPOINT_SECONDS);
    for (const d of ['mfsim-worker-cpu', 'mfsim-worker-gpu']) {
      const spec = find('Deployment', d).spec.template.spec;
      // A chunk ends within a checkpoint interval; then the checkpoint is written and the job handed back.
      expect(spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(4 * checkpointSeconds);
      expect(spec.securityContext.runAsNonRoot).toBe(true);
    }
  });

  it('keep one API pod and all but one CPU worker through voluntary disruptions', () => {
    const labels = (d: string) => find('Deployment', d).spec.template.metadata.labels;
    expect(find('PodDisruptionBudget', 'mfsim-api').spec).toMatchObject({ minAvailable: 1, selector: { matchLabels: labels('mfsim-api') } });
    expect(find('PodDisruptionBudget', 'mfsim-worker-cpu').spec).toMatchObject({ maxUnavailable: 1, selector: { matchLabels: labels('mfsim-worker-cpu') } });
  });
});

describe('KEDA autoscaling on the queue depths this API serves', () => {
  let service: Awaited<ReturnType<typeof startService>>;
  beforeAll(async () => {
    service = await startService();
  });
  afterAll(async () => {
    await service?.close();
  });

  /** The value Prometheus would compute for `sum(max by (state) (metric{kind="k", state=~"a|b"}))` from one scrape. */
  function evaluate(query: string, scrape: string): number {
    const m = /^sum\(max by \(state\) \((\w+)\{kind="(\w+)", state=~"([\w|]+)"\}\)\)$/.exec(query);
    if (!m) throw new Error(`unexpected query ${query}`);
    const [, metric, kind, states] = m;
    let sum = 0;
    for (const line of scrape.split('\n')) {
      const s = new RegExp(`^${metric}\\{(.*)\\} (\\S+)$`).exec(line);
      if (!s) continue;
      const labels = Object.fromEntries([...s[1].matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
      if (labels.kind === kind && states.split('|').includes(labels.state)) sum += Number(s[2]);
    }
    return sum;
  }

  it('scale CPU workers from one and GPU workers from zero, each on its own queue, counting prioritized jobs', async () => {
    const cpu = find('ScaledObject', 'mfsim-worker-cpu');
    const gpu = find('ScaledObject', 'mfsim-worker-gpu');
    expect(cpu.spec.scaleTargetRef.name).toBe('mfsim-worker-cpu');
    expect(gpu.spec.scaleTargetRef.name).toBe('mfsim-worker-gpu');
    expect(gpu.spec.minReplicaCount).toBe(0);
    expect(cpu.spec.minReplicaCount).toBeGreaterThanOrEqual(1);
    const cpuQuery = cpu.spec.triggers[0].metadata.query as string;
    const gpuQuery = gpu.spec.triggers[0].metadata.query as string;
    for (const state of ['waiting', 'prioritized', 'delayed', 'active']) expect(cpuQuery).toContain(state);

    const scrape = async () => (await request(service.app.server).get('/metrics')).text;
    const before = await scrape();
    // No worker runs in this test: a submitted simulation stays queued (as a prioritized job).
    const post = await request(service.app.server).post('/v1/simulations').send(smallSpec({ resources: { gpu: 'no' } }));
    expect(post.status).toBe(201);
    const after = await scrape();
    expect(evaluate(cpuQuery, after)).toBe(evaluate(cpuQuery, before) + 1);
    expect(evaluate(gpuQuery, after)).toBe(evaluate(gpuQuery, before));
    await request(service.app.server).post(`/v1/simulations/${post.body.id}/cancel`);
  });
});

describe('container images and docker-compose.yml', () => {
  /** The instructions of a Dockerfile's last stage, continuation lines joined. */
  const lastStage = (file: string) => {
    const lines = read(file).replace(/\\\n/g, ' ').split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));
    return lines.slice(lines.map((l) => /^FROM /i.test(l)).lastIndexOf(true));
  };

  it('install with npm ci, build no -march=native, and run as a non-root user with a CMD', () => {
    for (const file of ['Dockerfile', 'Dockerfile.gpu']) {
      const text = read(file);
      expect(text).toMatch(/npm ci\b/);
      expect(text).not.toMatch(/npm install/);
      expect(text).not.toMatch(/-march=native/);
      const stage = lastStage(file);
      const user = stage.filter((l) => /^USER /.test(l)).at(-1);
      expect(user, file).toBeDefined();
      expect(user!.split(/\s+/)[1]).not.toMatch(/^(root|0)(:|$)/);
      expect(stage.some((l) => /^CMD \[/.test(l)), file).toBe(true);
    }
    expect(lastStage('Dockerfile').some((l) => /^HEALTHCHECK .*\/healthz/.test(l))).toBe(true);
    expect(lastStage('Dockerfile.gpu')[0]).toMatch(/^FROM nvidia\/cuda:\S+-runtime-/);
  });

  it('leave the repository history and installed files out of the build context', () => {
    const ignored = read('.dockerignore').split('\n').map((l) => l.trim());
    for (const p of ['.git', 'node_modules', '**/node_modules', '.env']) expect(ignored).toContain(p);
  });

  it('compose: Redis keeps its jobs (AOF, no eviction), a gpu profile, keys asked for on the published port', () => {
    const compose = parseYaml(read('docker-compose.yml')) as { services: Record<string, Manifest> };
    const redis = compose.services.redis.command.join(' ');
    expect(redis).toContain('--appendonly yes');
    expect(redis).toContain('--maxmemory-policy noeviction');
    expect(compose.services['worker-gpu'].profiles).toEqual(['gpu']);
    expect(existsSync(join(root, compose.services['worker-gpu'].build.dockerfile))).toBe(true);
    for (const [name, s] of Object.entries(compose.services)) {
      for (const dep of Object.keys(s.depends_on ?? {})) expect(compose.services[dep], `${name} depends on ${dep}`).toBeDefined();
    }
    expect(compose.services.api.ports).toEqual(['3000:3000']);
    expect(compose.services.api.environment.API_ADMIN_KEY).toBeDefined();
    expect(read('docker-compose.yml')).toMatch(/API_ADMIN_KEY[^\n]*\n[^\n]*without it the API takes requests without keys/);
  });
});
