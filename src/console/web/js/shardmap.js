// shardmap.js - a stream's shards drawn over the hash-key space: one column per generation
// (a split or merge makes the next), each shard a bar spanning its range of the 128-bit key
// space (top 0, bottom 2^128-1), lines from parents to children; open shards blue, closed grey.
import { svg } from './dom.js';

const MAX_KEY = (1n << 128n) - 1n;
const HEIGHT = 340;
const TOP = 22, BOTTOM = 8, LEFT = 64, GAP = 26;

// The share of the key space below `key` (a decimal string), 0..1.
export function keyFraction(key) {
  return Number((BigInt(key) * 1000000n) / MAX_KEY) / 1000000;
}

export function isOpen(shard) {
  return !(shard.SequenceNumberRange || {}).EndingSequenceNumber;
}

// Each shard's generation: 0 for one whose parents are gone (or that had none), else one more
// than its newest parent's.
export function generations(shards) {
  const byId = new Map(shards.map((s) => [s.ShardId, s]));
  const depth = new Map();
  const visit = (s) => {
    if (depth.has(s.ShardId)) return depth.get(s.ShardId);
    depth.set(s.ShardId, 0);
    const parents = [s.ParentShardId, s.AdjacentParentShardId].filter((p) => p && byId.has(p));
    const d = parents.length ? Math.max(...parents.map((p) => visit(byId.get(p)))) + 1 : 0;
    depth.set(s.ShardId, d);
    return d;
  };
  shards.forEach(visit);
  return depth;
}

const shortId = (id) => (/^shardId-\d+$/.test(id) ? '#' + Number(id.slice(8)) : id);

// The map as an <svg> `width` wide; label(shard) adds text to a shard's tooltip (its rates).
export function shardMap(shards, width, label = () => '') {
  const depth = generations(shards);
  const columns = Math.max(...depth.values(), 0) + 1;
  const colWidth = Math.min(220, (width - LEFT - 10 - GAP * (columns - 1)) / columns);
  const y = (key) => TOP + keyFraction(key) * (HEIGHT - TOP - BOTTOM);
  const box = new Map();
  const root = svg('svg', { viewBox: `0 0 ${width} ${HEIGHT}`, height: HEIGHT, role: 'img',
    'aria-label': `${shards.length} shards over the hash key space` });
  for (let c = 0; c < columns; c++) {
    root.appendChild(svg('text', { x: LEFT + c * (colWidth + GAP), y: 14, class: 'gen' },
      c === 0 ? 'generation 0' : `generation ${c}`));
  }
  [['0', '0'], ['2^127', (1n << 127n).toString()], ['2^128-1', MAX_KEY.toString()]].forEach(
    ([text, key]) => root.appendChild(svg('text', { x: 4, y: y(key) + 4, class: 'keyaxis' }, text)));
  for (const s of shards) {
    const x = LEFT + depth.get(s.ShardId) * (colWidth + GAP);
    const top = y(s.HashKeyRange.StartingHashKey), bottom = y(s.HashKeyRange.EndingHashKey);
    box.set(s.ShardId, { x, top, bottom });
    const open = isOpen(s);
    const share = ((keyFraction(s.HashKeyRange.EndingHashKey) -
      keyFraction(s.HashKeyRange.StartingHashKey)) * 100).toFixed(1);
    const title = `${s.ShardId} (${open ? 'open' : 'closed'})\nhash keys ` +
      `${s.HashKeyRange.StartingHashKey} - ${s.HashKeyRange.EndingHashKey} (${share}%)` +
      (s.ParentShardId ? `\nparent ${s.ParentShardId}` : '') +
      (s.AdjacentParentShardId ? `\nadjacent parent ${s.AdjacentParentShardId}` : '') +
      label(s);
    const g = svg('g', { class: ['shard', open ? 'open' : 'closed'], 'data-shard': s.ShardId },
      svg('title', null, title),
      svg('rect', { x, y: top, width: colWidth, height: Math.max(bottom - top, 2), rx: 3 }));
    if (bottom - top >= 16) {
      g.appendChild(svg('text', { x: x + 8, y: (top + bottom) / 2 + 4 }, shortId(s.ShardId)));
    }
    root.appendChild(g);
  }
  for (const s of shards) {
    const child = box.get(s.ShardId);
    for (const p of [s.ParentShardId, s.AdjacentParentShardId]) {
      const parent = p && box.get(p);
      if (!parent) continue;
      const from = [parent.x + colWidth, (Math.max(parent.top, child.top) +
        Math.min(parent.bottom, child.bottom)) / 2];
      const to = [child.x, (child.top + child.bottom) / 2];
      const mid = (from[0] + to[0]) / 2;
      root.appendChild(svg('path', { class: 'lineage',
        d: `M${from[0]},${from[1]} C${mid},${from[1]} ${mid},${to[1]} ${to[0]},${to[1]}` }));
    }
  }
  return root;
}
