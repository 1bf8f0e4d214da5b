// `mfsim datasets`: store a dataset on the service once, then name it in specs by its id.
import type { DatasetReply, DatasetRequest } from '@mfsim/client';
import { readSpecFile } from '../spec-file.ts';
import { positional, str, UsageError, type Command } from '../command.ts';
import { fields, table } from '../table.ts';

const describe = (d: DatasetReply) =>
  fields([['id', d.id], ['name', d.name], ['d', d.d], ['train points', d.trainSize], ['test points', d.testSize], ['created', d.createdAt]]);

export const datasets: Command = {
  name: 'datasets',
  summary: 'upload a dataset (JSON or YAML) to the service; list, show or delete stored ones',
  usage: ['datasets upload <dataset.json|dataset.yaml> [--name NAME] [--idempotency-key K]', 'datasets list', 'datasets show <id>', 'datasets delete <id>'],
  optionHelp: [
    'A dataset file is {name?, train: {x: [[...], ...], y: [...]}, test?: {x, y}}; every row of x has d values.',
    'A spec then says inputs: {kind: dataset, datasetId: <id>}. The API sends back only a dataset\'s id,',
    'name, d and sizes, never its points: keep the file (mfsim run --local --dataset FILE needs it).',
    '--name NAME            override the file\'s name',
    '--idempotency-key K    a retried upload with the same key returns the first dataset',
    'delete is refused (exit 1) while a run that may still run, or a schedule, uses the dataset; the message names them.',
  ],
  json: 'print the API\'s reply as JSON',
  options: { name: { type: 'string' }, 'idempotency-key': { type: 'string' } },
  remote: true,
  async run(ctx) {
    const client = ctx.client();
    const sub = ctx.positionals[0];
    const print = (d: DatasetReply) => ctx.out(ctx.values.json ? JSON.stringify(d, null, 2) : describe(d));
    switch (sub) {
      case 'upload': {
        const file = await readSpecFile<DatasetRequest>(positional(ctx, 1, 'dataset file (JSON or YAML)'));
        const name = str(ctx.values.name);
        const d = await client.uploadDataset(
          { ...file, ...(name !== undefined && { name }) },
          { idempotencyKey: str(ctx.values['idempotency-key']) },
        );
        if (ctx.values.json) return print(d);
        ctx.out(`uploaded dataset ${d.id}`);
        ctx.out(describe(d));
        return ctx.out(`\nuse it in a spec as  inputs: { kind: dataset, datasetId: ${d.id} }`);
      }
      case 'show':
        return print(await client.getDataset(positional(ctx, 1, 'dataset id')));
      case 'list': {
        const all: DatasetReply[] = [];
        for await (const d of client.listDatasets({ limit: 200 })) {
          if (ctx.values.json) ctx.out(JSON.stringify(d));
          all.push(d);
        }
        if (ctx.values.json) return;
        if (all.length === 0) return ctx.out('no datasets');
        return ctx.out(table(['id', 'name', 'd', 'train', 'test', 'created'], all.map((d) => [d.id, d.name ?? '', d.d, d.trainSize, d.testSize ?? '', d.createdAt.replace('T', ' ').slice(0, 19)])));
      }
      case 'delete': {
        const id = positional(ctx, 1, 'dataset id');
        await client.deleteDataset(id);
        return ctx.out(`deleted dataset ${id}`);
      }
      default:
        throw new UsageError(sub ? `unknown subcommand "${sub}"` : 'missing subcommand (upload, list, show or delete)');
    }
  },
};
