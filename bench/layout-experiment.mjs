/**
 * What would the state-layout rewrite buy? (docs/engine-state-layout.md, README "Scale and
 * speed", session 12.) A model of a ping's work on 850 nodes, in two layouts, under the same
 * cache pollution as bench/ping-cache-experiment.mjs:
 * - objects, as the engine holds them today: per node a Map from link ID to a link record
 *   with its token bucket and peer objects, and the overlay's Map of active neighbours,
 *   allocated over time the way links come and go (so a node's objects are scattered);
 * - a neighbour table, as the plan proposes: per node 16 slots in shared typed arrays (link
 *   IDs, last-heard times, tokens, refill times, an active bit), found by a scan of 16 ints.
 * The work is the same: find the link, take a control token, stamp last-heard, check that
 * the peer is an active neighbour. Between pings, `lines` random cache-line writes into a
 * 256 MiB buffer stand for what other nodes' inputs do to the caches in a run.
 *
 * A model, not the engine: it bounds what the layout alone can give a ping, before a line
 * of the rewrite is written. Run: `node bench/layout-experiment.mjs` (~1 min; prints a table).
 */

const NODES = 850;
const SLOTS = 16;
const LINKS_PER_NODE = 8;
const PINGS = 200_000;
const POLLUTED_PINGS = 40_000;
const RATE_PER_MS = 0.01;
const BURST = 20;

/** Allocated and touched first, so the collector has settled with it. */
const POLLUTION = new Float64Array(32 * 1024 * 1024);
POLLUTION.fill(1);
const LINE_INDEX_MASK = (POLLUTION.length - 1) & ~7;

let seed = 12345;
/** A small deterministic generator (xorshift32): the same layout and order every run. */
function random() {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 4294967296;
}
const randomInt = (n) => Math.floor(random() * n);

// ---- objects ------------------------------------------------------------------------------
const objectNodes = Array.from({ length: NODES }, () => ({
  links: new Map(),
  active: new Map(),
}));
let nextLinkId = 1;
// Links arrive over time, interleaved across nodes, with garbage in between (a run's pattern).
const garbage = [];
for (let round = 0; round < LINKS_PER_NODE * 4; round++) {
  for (let i = 0; i < NODES; i++) {
    const node = objectNodes[randomInt(NODES)];
    if (node.links.size >= LINKS_PER_NODE) continue;
    const peerId = `peer-${randomInt(1e9)}`;
    const link = {
      id: nextLinkId++,
      lastHeard: 0,
      lastSent: 0,
      lastUsed: 0,
      control: { tokens: BURST, at: 0 },
      peer: { id: peerId, address: `10.0.${randomInt(256)}.${randomInt(256)}:7000` },
    };
    node.links.set(link.id, link);
    node.active.set(peerId, { since: 0, priority: 1 });
    garbage.push({ filler: new Array(8).fill(round) });
    if (garbage.length > 5_000) garbage.splice(0, 2_500);
  }
}
garbage.length = 0;
const objectTargets = [];
for (const node of objectNodes) for (const id of node.links.keys()) objectTargets.push([node, id]);

function objectPing(node, linkId, now) {
  const link = node.links.get(linkId);
  const bucket = link.control;
  bucket.tokens = Math.min(BURST, bucket.tokens + (now - bucket.at) * RATE_PER_MS);
  bucket.at = now;
  if (bucket.tokens < 1) return false;
  bucket.tokens -= 1;
  link.lastHeard = now;
  return node.active.has(link.peer.id);
}

// ---- neighbour table ----------------------------------------------------------------------
const slotLink = new Int32Array(NODES * SLOTS);
const slotHeard = new Float64Array(NODES * SLOTS);
const slotTokens = new Float64Array(NODES * SLOTS);
const slotTokenAt = new Float64Array(NODES * SLOTS);
const slotActive = new Uint8Array(NODES * SLOTS);
const tableTargets = [];
objectNodes.forEach((node, n) => {
  let slot = 0;
  for (const id of node.links.keys()) {
    const at = n * SLOTS + slot++;
    slotLink[at] = id;
    slotTokens[at] = BURST;
    slotActive[at] = 1;
    tableTargets.push([n, id]);
  }
});

function tablePing(n, linkId, now) {
  const base = n * SLOTS;
  let at = -1;
  for (let s = base; s < base + SLOTS; s++) {
    if (slotLink[s] === linkId) {
      at = s;
      break;
    }
  }
  const tokens = Math.min(BURST, slotTokens[at] + (now - slotTokenAt[at]) * RATE_PER_MS);
  slotTokenAt[at] = now;
  if (tokens < 1) return false;
  slotTokens[at] = tokens - 1;
  slotHeard[at] = now;
  return slotActive[at] === 1;
}

// ---- measuring ----------------------------------------------------------------------------
/** A scattered order over the targets (the same for both layouts). */
const order = Int32Array.from({ length: PINGS }, () => randomInt(objectTargets.length));
let clock = 0;
let sink = 0;

function pollute(lines) {
  for (let i = 0; i < lines; i++) POLLUTION[randomInt(POLLUTION.length) & LINE_INDEX_MASK] += 1;
}

/** ns per ping, the pollution's own cost measured alone and taken off. */
function measure(ping, targets, lines, count) {
  const started = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    const [node, id] = targets[order[i]];
    clock += 1_000;
    if (ping(node, id, clock)) sink += 1;
    pollute(lines);
  }
  const total = Number(process.hrtime.bigint() - started);
  const alone = process.hrtime.bigint();
  for (let i = 0; i < count; i++) pollute(lines);
  return (total - Number(process.hrtime.bigint() - alone)) / count;
}

const rows = [];
for (const lines of [0, 1_000]) {
  const count = lines === 0 ? PINGS : POLLUTED_PINGS;
  const runs = { objects: [], table: [] };
  for (let run = 0; run < 5; run++) {
    runs.objects.push(measure(objectPing, objectTargets, lines, count));
    runs.table.push(measure(tablePing, tableTargets, lines, count));
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  rows.push({
    lines,
    objectsNs: Math.round(median(runs.objects)),
    tableNs: Math.round(median(runs.table)),
  });
}
console.log('random line writes between pings | objects ns/ping | table ns/ping | ratio');
for (const r of rows) {
  console.log(
    `${r.lines} | ${r.objectsNs} | ${r.tableNs} | ${(r.objectsNs / r.tableNs).toFixed(1)}`,
  );
}
if (sink < 0) console.log(sink);
