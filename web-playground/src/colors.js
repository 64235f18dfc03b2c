// One stable colour per subgraph name (FNV-1a hash into a palette), shared by the
// plan diagram and the waterfall so a person can match a fetch box with its bar.
// Red is kept for errors.
const PALETTE = ['#2563eb', '#16a34a', '#d97706', '#9333ea', '#0891b2', '#db2777', '#65a30d', '#4f46e5'];

export function subgraphColor(name) {
  let hash = 2166136261;
  for (const char of name) {
    hash ^= char.charCodeAt(0);
    hash = Math.imul(hash, 16777619) >>> 0;
  }
  return PALETTE[hash % PALETTE.length];
}
