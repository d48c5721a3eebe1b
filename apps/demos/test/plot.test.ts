import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { barChart, heatmap, lineChart, scatter } from '../src/charts/charts.ts';
import { testContext } from './helpers.ts';

describe('plots', () => {
  it('writes an SVG and a PNG per plot, through temporary files, and prints both paths', async () => {
    const { ctx, lines, outDir } = testContext();
    const rows = [1, 2, 3].map((x) => ({ x, y: 1 / x, series: 'train' }));
    await ctx.plot('loss', lineChart({ title: 'A loss curve', rows, xTitle: 'epoch', yTitle: 'loss' }));
    const svg = readFileSync(`${outDir}/loss.svg`, 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('A loss curve');
    const png = readFileSync(`${outDir}/loss.png`);
    expect([...png.subarray(0, 8)]).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
    expect(png.length).toBeGreaterThan(5000);
    expect(lines).toEqual([`  plot: ${outDir}/loss.svg`, `        ${outDir}/loss.png`]);
    expect(readdirSync(outDir).sort()).toEqual(['loss.png', 'loss.svg']);
  });

  it('draws one mark per point, cell and bar', async () => {
    const { ctx, outDir } = testContext();
    const points = Array.from({ length: 7 }, (_, i) => ({ x: i, y: i * i, label: String(i % 2) }));
    await ctx.plot('s', scatter({ title: 's', points, xTitle: 'x', yTitle: 'y', colorTitle: 'c' }));
    const cells = ['a', 'b'].flatMap((row) => ['a', 'b', 'c'].map((col) => ({ row, col, value: 1 })));
    await ctx.plot('h', heatmap({ title: 'h', cells, rowTitle: 'r', colTitle: 'c', showValues: true }));
    await ctx.plot(
      'b',
      barChart({
        title: 'b',
        bars: [
          { label: '0', value: 99 },
          { label: '1', value: 1 },
        ],
        xTitle: 'k',
        yTitle: 'n',
        logY: true,
      }),
    );
    // vega's SVG: one <path> per symbol inside the mark-symbol group.
    const svg = readFileSync(`${outDir}/s.svg`, 'utf8');
    const group = svg.split('mark-symbol')[1]!.split('</g>')[0]!;
    expect(group.match(/<path/g)).toHaveLength(7);
    expect(
      readFileSync(`${outDir}/h.svg`, 'utf8').split('mark-rect')[1]!.split('</g>')[0]!.match(/<path/g),
    ).toHaveLength(6);
    expect(
      readFileSync(`${outDir}/b.svg`, 'utf8').split('mark-rect')[1]!.split('</g>')[0]!.match(/<path/g),
    ).toHaveLength(2);
    expect(existsSync(`${outDir}/b.png`)).toBe(true);
  });
});
