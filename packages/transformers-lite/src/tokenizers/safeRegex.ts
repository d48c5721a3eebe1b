/**
 * The check every regex from tokenizer.json (Split pre-tokenizer, Replace normalizer/decoder) passes
 * before it runs: V8's regex engine backtracks, so a pattern such as `(a+)+$` takes exponential time
 * on a short input ("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!": 11 s). We refuse such patterns at load.
 *
 * The test is the textbook one for exponential ambiguity (Weber and Seidl; Allauzen, Mohri and
 * Rastogi): build the pattern's position automaton (one state per character atom, one edge per way
 * the pattern can go from one atom to the next, so `(a+)+` has two a→a edges), pair it with itself,
 * and look for a strongly connected component of the pair automaton that holds a state (p, p) and
 * either a state (p, q) with p ≠ q or a pair of distinct parallel edges. That is exactly when some
 * loop can read one string in two ways, which a backtracking engine explores 2^n times. Patterns
 * that are only polynomially ambiguous (`\s*[\r\n]+`, in GPT-4-style splits) pass, as do all the
 * splits real tokenizers ship. Two character sets overlap when some character is in both: checked
 * exactly for single characters, on every BMP character plus a stride of the astral planes (and the
 * characters the classes name) for classes.
 */

/** Longest Split/Replace regex accepted (real ones stay under 1,000 characters). */
export const MAX_PATTERN_LENGTH = 2000;
/** More atoms than this in one loop is refused as too complex to check (the pair automaton is quadratic). */
const MAX_LOOP_ATOMS = 200;

type Node =
  | { k: 'atom'; src: string }
  | { k: 'empty' }
  | { k: 'assert' }
  | { k: 'seq'; items: Node[] }
  | { k: 'alt'; items: Node[] }
  | { k: 'rep'; body: Node; min: number; max: number };

/** Why `source` (already accepted by `new RegExp(source, 'u')`) is refused, or null when it is safe. */
export function unsafeRegexReason(source: string): string | null {
  if (source.length > MAX_PATTERN_LENGTH)
    return `is ${source.length} characters long; at most ${MAX_PATTERN_LENGTH} are accepted`;
  const parser = new Parser(source);
  let trees: Node[];
  try {
    trees = parser.parseAll();
  } catch (e) {
    if (e instanceof Refused) return e.reason;
    throw e;
  }
  // The pattern itself and each lookaround body are matched on their own.
  for (const tree of trees) {
    const reason = checkAmbiguity(tree);
    if (reason) return reason;
  }
  return null;
}

class Refused {
  constructor(readonly reason: string) {}
}

class Parser {
  private i = 0;
  private readonly lookarounds: Node[] = [];
  constructor(private readonly s: string) {}

  parseAll(): Node[] {
    const tree = this.alternation();
    return [tree, ...this.lookarounds];
  }

  private alternation(): Node {
    const items = [this.sequence()];
    while (this.s[this.i] === '|') {
      this.i++;
      items.push(this.sequence());
    }
    return items.length === 1 ? items[0]! : { k: 'alt', items };
  }

  private sequence(): Node {
    const items: Node[] = [];
    while (this.i < this.s.length && this.s[this.i] !== '|' && this.s[this.i] !== ')') {
      items.push(this.quantified(this.atom()));
    }
    return { k: 'seq', items };
  }

  private atom(): Node {
    const s = this.s;
    const c = s[this.i]!;
    if (c === '(') {
      let look = false;
      if (s.startsWith('(?:', this.i)) this.i += 3;
      else if (s.startsWith('(?=', this.i) || s.startsWith('(?!', this.i)) {
        this.i += 3;
        look = true;
      } else if (s.startsWith('(?<=', this.i) || s.startsWith('(?<!', this.i)) {
        this.i += 4;
        look = true;
      } else if (s.startsWith('(?<', this.i)) this.i = s.indexOf('>', this.i) + 1;
      else if (/^\(\?[ims]*(-[ims]+)?:/.test(s.slice(this.i, this.i + 10)))
        this.i = s.indexOf(':', this.i) + 1; // (?i:...) modifiers: the same paths
      else if (s.startsWith('(?', this.i)) throw new Refused(`uses a group form this check does not know`);
      else this.i++;
      const body = this.alternation();
      this.i++; // ')'
      if (look) {
        this.lookarounds.push(body);
        return { k: 'assert' };
      }
      return body;
    }
    if (c === '[') {
      let j = this.i + 1;
      while (j < s.length && s[j] !== ']') j += s[j] === '\\' ? 2 : 1;
      const src = s.slice(this.i, j + 1);
      this.i = j + 1;
      return { k: 'atom', src };
    }
    if (c === '\\') {
      const e = s[this.i + 1]!;
      if ((e >= '1' && e <= '9') || e === 'k')
        throw new Refused('uses a backreference, which can take exponential time to match');
      if (e === 'b' || e === 'B') {
        this.i += 2;
        return { k: 'assert' };
      }
      let end = this.i + 2;
      if ((e === 'p' || e === 'P' || (e === 'u' && s[end] === '{')) && s.indexOf('}', end) > 0)
        end = s.indexOf('}', end) + 1;
      else if (e === 'u') end += 4;
      else if (e === 'x') end += 2;
      else if (e === 'c') end += 1;
      const src = s.slice(this.i, end);
      this.i = end;
      return { k: 'atom', src };
    }
    if (c === '^' || c === '$') {
      this.i++;
      return { k: 'assert' };
    }
    const cp = s.codePointAt(this.i)!;
    const src = String.fromCodePoint(cp);
    this.i += src.length;
    return { k: 'atom', src };
  }

  private quantified(node: Node): Node {
    const s = this.s;
    let min: number;
    let max: number;
    const c = s[this.i];
    if (c === '*') [min, max] = [0, Number.POSITIVE_INFINITY];
    else if (c === '+') [min, max] = [1, Number.POSITIVE_INFINITY];
    else if (c === '?') [min, max] = [0, 1];
    else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(s.slice(this.i, this.i + 40));
      if (!m) return node;
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? Number.POSITIVE_INFINITY : Number(m[3]);
      this.i += m[0].length - 1;
    } else return node;
    this.i++;
    if (s[this.i] === '?') this.i++; // lazy: same paths, other order
    return { k: 'rep', body: node, min, max };
  }
}

/** The position automaton: atoms, and edges (parallel ones kept: each is one way through the pattern). */
interface Automaton {
  atoms: string[];
  edges: [number, number][];
  /** Atoms after which the match may end at once (no atom or assertion has to follow). */
  final: Set<number>;
}

interface Info {
  nullable: boolean;
  first: number[];
  last: number[];
  assert?: boolean;
}

function glushkov(tree: Node): Automaton {
  const a: Automaton = { atoms: [], edges: [], final: new Set() };
  // Atoms followed by an assertion (a lookaround, ^, $, \b): the match can still fail after them.
  const guarded = new Set<number>();
  const link = (from: readonly number[], to: readonly number[]) => {
    for (const x of from) for (const y of to) a.edges.push([x, y]);
  };
  const build = (n: Node): Info => {
    switch (n.k) {
      case 'atom':
        a.atoms.push(n.src);
        return { nullable: false, first: [a.atoms.length - 1], last: [a.atoms.length - 1] };
      case 'empty':
        return { nullable: true, first: [], last: [] };
      case 'assert':
        return { nullable: true, first: [], last: [], assert: true };
      case 'alt': {
        const parts = n.items.map(build);
        return {
          nullable: parts.some((p) => p.nullable),
          first: parts.flatMap((p) => p.first),
          last: parts.flatMap((p) => p.last),
        };
      }
      case 'seq': {
        let acc: Info = { nullable: true, first: [], last: [] };
        for (const item of n.items) {
          const b = build(item);
          if (b.assert) for (const x of acc.last) guarded.add(x);
          link(acc.last, b.first);
          acc = {
            nullable: acc.nullable && b.nullable,
            first: acc.nullable ? [...acc.first, ...b.first] : acc.first,
            last: b.nullable ? [...b.last, ...acc.last] : b.last,
          };
        }
        return acc;
      }
      case 'rep': {
        const b = build(n.body);
        if (n.max === 0) return { nullable: true, first: [], last: [] };
        // Any repetition count above one is a loop (conservative for {2,5}: treated as +).
        if (n.max > 1) link(b.last, b.first);
        return { nullable: n.min === 0 || b.nullable, first: b.first, last: b.last };
      }
    }
  };
  for (const x of build(tree).last) if (!guarded.has(x)) a.final.add(x);
  return a;
}

function checkAmbiguity(tree: Node): string | null {
  const a = glushkov(tree);
  const n = a.atoms.length;
  const out: number[][] = Array.from({ length: n }, () => []);
  a.edges.forEach(([x], e) => {
    out[x]!.push(e);
  });
  const component = scc(n, (v) => out[v]!.map((e) => a.edges[e]![1]));
  const overlap = new Overlap(a.atoms);
  const members = new Map<number, number[]>();
  for (let v = 0; v < n; v++) {
    const c = component[v]!;
    if (!members.has(c)) members.set(c, []);
    members.get(c)!.push(v);
  }
  const loops: number[][] = [];
  for (const nodes of members.values()) {
    const inside = new Set(nodes);
    const loopEdges = nodes.flatMap((v) => out[v]!.filter((e) => inside.has(a.edges[e]![1])));
    // One atom with one self-loop (`\p{L}+`) reads each string one way only.
    if (loopEdges.length > 0) loops.push(nodes);
    if (loopEdges.length < 2) continue;
    if (nodes.length > MAX_LOOP_ATOMS)
      return `is too complex to check for catastrophic backtracking (${nodes.length} atoms in one loop)`;
    if (pairAmbiguous(nodes, loopEdges, a, overlap))
      return 'can backtrack catastrophically (a repetition that can read the same text in two ways, as (a+)+ or (a|aa)* do): exponential time on some inputs';
  }
  return chainedLoops(a, out, loops, overlap);
}

/**
 * Two repetitions one after the other that can read the same character, with more to match after
 * the second (`\s*\s*x`, `\s*[\r\n]+x`): a text that fails at the end makes the engine try every
 * split between them at every start, polynomial but hopeless on long runs (`\s*\s*\s*x` took
 * minutes on 500 spaces). When the second repetition can end the match (`\s*[\r\n]+` at the end
 * of GPT-4's alternative, `[\p{Lu}...]*[\p{Ll}...]+` in GPT-4o's) the first try succeeds: allowed.
 */
function chainedLoops(a: Automaton, out: number[][], loops: number[][], overlap: Overlap): string | null {
  const loopOf = new Map<number, number>();
  loops.forEach((nodes, i) => {
    for (const v of nodes) loopOf.set(v, i);
  });
  for (let i = 0; i < loops.length; i++) {
    for (const x of loops[i]!) {
      // Atoms reachable from x through atoms that can also read what x reads.
      const seen = new Set<number>([x]);
      const queue = [x];
      while (queue.length) {
        const v = queue.pop()!;
        for (const e of out[v]!) {
          const w = a.edges[e]![1];
          if (seen.has(w) || !overlap.test(x, w)) continue;
          seen.add(w);
          const j = loopOf.get(w);
          if (j !== undefined && j !== i && !a.final.has(w))
            return 'can backtrack polynomially without bound (two repetitions in a row that can read the same characters, as \\s*\\s*x): minutes on a few hundred characters';
          queue.push(w);
        }
      }
    }
  }
  return null;
}

/** Whether the pair automaton over one loop has a component with a diagonal and an off-diagonal state or edge. */
function pairAmbiguous(
  nodes: readonly number[],
  loopEdges: readonly number[],
  a: Automaton,
  overlap: Overlap,
): boolean {
  const index = new Map(nodes.map((v, i) => [v, i]));
  const k = nodes.length;
  const bySource: number[][] = Array.from({ length: k }, () => []);
  for (const e of loopEdges) bySource[index.get(a.edges[e]![0])!]!.push(e);
  // Pair state (p, q) = p * k + q, only where the two atoms can read one character.
  const succ = (s: number): number[] => {
    const p = Math.floor(s / k);
    const q = s % k;
    const next: number[] = [];
    for (const e1 of bySource[p]!) {
      for (const e2 of bySource[q]!) {
        const p2 = index.get(a.edges[e1]![1])!;
        const q2 = index.get(a.edges[e2]![1])!;
        if (overlap.test(nodes[p2]!, nodes[q2]!)) next.push(p2 * k + q2);
      }
    }
    return next;
  };
  const component = scc(k * k, succ);
  const diagonalComponents = new Set<number>();
  for (let p = 0; p < k; p++) diagonalComponents.add(component[p * k + p]!);
  for (let s = 0; s < k * k; s++) {
    const c = component[s]!;
    if (!diagonalComponents.has(c)) continue;
    const p = Math.floor(s / k);
    const q = s % k;
    if (p !== q && overlap.test(nodes[p]!, nodes[q]!)) {
      // Off-diagonal state in a diagonal component: it must have a way back, i.e. a real cycle.
      if (succ(s).some((t) => component[t] === c)) return true;
    }
  }
  // Two distinct parallel edges between states of one diagonal component (`(a+)+`: two a→a edges).
  for (let i = 0; i < loopEdges.length; i++) {
    for (let j = i + 1; j < loopEdges.length; j++) {
      const [x1, y1] = a.edges[loopEdges[i]!]!;
      const [x2, y2] = a.edges[loopEdges[j]!]!;
      if (x1 !== x2 || y1 !== y2) continue;
      const from = component[index.get(x1)! * k + index.get(x1)!]!;
      const to = component[index.get(y1)! * k + index.get(y1)!]!;
      if (from === to) return true;
    }
  }
  return false;
}

/** Strongly connected components (iterative Tarjan): a component id per vertex. */
function scc(n: number, successors: (v: number) => number[]): Int32Array {
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const comp = new Int32Array(n).fill(-1);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  let counter = 0;
  let comps = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    const work: [number, number[], number][] = [[root, successors(root), 0]];
    index[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = 1;
    while (work.length) {
      const frame = work[work.length - 1]!;
      const [v, succ] = frame;
      if (frame[2] < succ.length) {
        const w = succ[frame[2]++]!;
        if (index[w] === -1) {
          index[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = 1;
          work.push([w, successors(w), 0]);
        } else if (onStack[w]) low[v] = Math.min(low[v]!, index[w]!);
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1]![0];
        low[parent] = Math.min(low[parent]!, low[v]!);
      }
      if (low[v] === index[v]) {
        let w: number;
        do {
          w = stack.pop()!;
          onStack[w] = 0;
          comp[w] = comps;
        } while (w !== v);
        comps++;
      }
    }
  }
  return comp;
}

/** Whether two atoms (a character, a class, an escape, `.`) share a character; results are cached. */
class Overlap {
  private readonly cache = new Map<string, boolean>();
  private readonly members = new Map<string, Uint8Array>();
  private static sample: number[] | null = null;
  constructor(private readonly atoms: readonly string[]) {}

  test(p: number, q: number): boolean {
    const a = this.atoms[p]!;
    const b = this.atoms[q]!;
    if (a === b) return true;
    const key = a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
    let v = this.cache.get(key);
    if (v === undefined) {
      v = this.compute(a, b);
      this.cache.set(key, v);
    }
    return v;
  }

  private compute(a: string, b: string): boolean {
    const ra = new RegExp(`^(?:${a})$`, 'u');
    const rb = new RegExp(`^(?:${b})$`, 'u');
    if (isLiteral(a)) return rb.test(a);
    if (isLiteral(b)) return ra.test(b);
    // Characters either class names explicitly, then the sample.
    for (const cp of namedCodePoints(a + b)) {
      const ch = String.fromCodePoint(cp);
      if (ra.test(ch) && rb.test(ch)) return true;
    }
    const ma = this.membership(a, ra);
    const mb = this.membership(b, rb);
    for (let i = 0; i < ma.length; i++) if (ma[i] && mb[i]) return true;
    return false;
  }

  private membership(src: string, re: RegExp): Uint8Array {
    let m = this.members.get(src);
    if (m) return m;
    const sample = Overlap.sampleCodePoints();
    m = new Uint8Array(sample.length);
    for (let i = 0; i < sample.length; i++) m[i] = re.test(String.fromCodePoint(sample[i]!)) ? 1 : 0;
    this.members.set(src, m);
    return m;
  }

  private static sampleCodePoints(): number[] {
    if (!Overlap.sample) {
      const s: number[] = [];
      for (let c = 0; c < 0x10000; c++) if (c < 0xd800 || c > 0xdfff) s.push(c);
      for (let c = 0x10000; c <= 0x10ffff; c += 61) s.push(c);
      Overlap.sample = s;
    }
    return Overlap.sample;
  }
}

function isLiteral(src: string): boolean {
  return [...src].length === 1 && !'.^$|?*+()[]{}\\'.includes(src);
}

/** Code points a class spells out (literal characters, `\u{...}`, `\uXXXX`, `\xXX`). */
function namedCodePoints(src: string): number[] {
  const out: number[] = [];
  for (const ch of src) out.push(ch.codePointAt(0)!);
  for (const m of src.matchAll(/\\u\{([0-9a-fA-F]+)\}|\\u([0-9a-fA-F]{4})|\\x([0-9a-fA-F]{2})/g)) {
    const cp = Number.parseInt(m[1] ?? m[2] ?? m[3]!, 16);
    if (cp <= 0x10ffff) out.push(cp);
  }
  return out;
}
