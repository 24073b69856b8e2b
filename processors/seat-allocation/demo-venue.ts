/**
 * Demo venues for the seat allocator: a concert hall of about three thousand seats and a
 * 50,000-seat stadium, as catalog definitions (model.ts `EventDefinition`).
 *
 * Pure and deterministic: the same options give the same definition, ids and coordinates; time
 * comes in as data (`onSaleAt`). Coordinates are metres, the focus (the stage, the pitch centre) is
 * the point seats are ranked against. A run of the seat map is a straight line of adjacent seats, so
 * a curved row is drawn as the chords of the wedges (sections) that fan out around the focus.
 */
import { EventDefinition, PriceCategoryDef, RowDef, SectionDef, SeatRunDef } from './model.js';

const DAY = 24 * 60 * 60 * 1000;

/** mulberry32: a small seeded generator, enough for layout variations. */
export function seededRandom(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface DemoEventOptions {
  /** Drives the layout variations and the default event id. */
  seed?: number;
  eventId?: string;
  /** When the sale opens (epoch ms); it lasts `saleDays`. */
  onSaleAt: number;
  saleDays?: number;
  holdDurationMs?: number;
  maxTicketsPerBuyer?: number;
  /** Catalog revision (raise it to publish a new revision of the same event). */
  version?: number;
}

/** Seats of a definition (general-admission places not included). */
export const seatCount = (def: EventDefinition): number =>
  def.venue.sections.reduce(
    (n, s) => n + s.rows.reduce((m, r) => m + r.runs.reduce((k, run) => k + run.count, 0), 0),
    0,
  );

/** `count` seats of width `pitch` centred on (cx, cy) along the unit direction (tx, ty). */
function centredRun(
  cx: number,
  cy: number,
  tx: number,
  ty: number,
  count: number,
  pitch: number,
  firstNumber: number,
  priceCategoryId: string,
): SeatRunDef {
  const half = ((count - 1) / 2) * pitch;
  return {
    firstNumber,
    count,
    numberStep: 1,
    x: round(cx - tx * half),
    y: round(cy - ty * half),
    dx: round(tx * pitch),
    dy: round(ty * pitch),
    priceCategoryId,
  };
}

/** Centimetre precision keeps the catalog record small and the layout exact enough. */
const round = (v: number): number => Math.round(v * 100) / 100;

/**
 * Splits a run at `gapAt` (seat offset) leaving `gapSeats` empty places; numbering goes on after the
 * gap, as halls number around a wheelchair bay or a sound desk.
 */
function withGap(run: SeatRunDef, gapAt: number, gapSeats: number): SeatRunDef[] {
  if (gapAt <= 0 || gapAt + gapSeats >= run.count) return [run];
  const left: SeatRunDef = { ...run, count: gapAt };
  const skip = gapAt + gapSeats;
  const right: SeatRunDef = {
    ...run,
    firstNumber: run.firstNumber + gapAt,
    count: run.count - skip,
    x: round(run.x + run.dx * skip),
    y: round(run.y + run.dy * skip),
  };
  return [left, right];
}

/// Concert hall

/** Row letters as halls print them: no I and no O (they read as 1 and 0). */
const ROW_LETTERS = 'ABCDEFGHJKLMNPQRSTUVWXYZ';

const hallCategories: PriceCategoryDef[] = [
  { id: 'VIP', name: 'VIP', priceMinor: 95_000, color: '#c9a227' },
  { id: 'CAT1', name: 'Category 1', priceMinor: 55_000, color: '#b33a3a' },
  { id: 'CAT2', name: 'Category 2', priceMinor: 30_000, color: '#3a6db3' },
  { id: 'STANDING', name: 'Standing', priceMinor: 20_000, color: '#4a9b5c' },
];

/**
 * A concert hall of about 3,000 seats around a stage whose front centre is (0, 0), the audience towards +y:
 *   - PIT: a general-admission standing area of 450 places in front of the stage;
 *   - stalls ST1..ST5: five wedges fanning over 140°, rows A..W (21 rows, no I/O), rows widening
 *     with the radius; a sound desk interrupts rows T..W of the centre wedge;
 *   - balcony BA1..BA5: five wedges over 110° further back, rows 1..12, with wheelchair bays
 *     (chosen by the seed) in a few rows.
 * The focus is 8 m in front of the stage, so the best seats are the centre of the front stalls.
 * Categories: VIP (stalls A..F of the three centre wedges), CAT1 (the rest of stalls A..M and the
 * front balcony rows 1..3 of the centre), CAT2 (everything else seated), STANDING (the pit).
 */
export function concertHall(options: DemoEventOptions): EventDefinition {
  const seed = options.seed ?? 1;
  const random = seededRandom(seed);
  const sections: SectionDef[] = [
    { id: 'PIT', name: 'Standing pit', kind: 'generalAdmission', capacity: 450, priceCategoryId: 'STANDING', rows: [] },
  ];

  const seatPitch = 0.52;
  const stallWedges = 5;
  const stallSpan = (140 * Math.PI) / 180;
  for (let w = 0; w < stallWedges; w++) {
    const centre = -stallSpan / 2 + (stallSpan * (w + 0.5)) / stallWedges;
    const [sx, sy, tx, ty] = [Math.sin(centre), Math.cos(centre), Math.cos(centre), -Math.sin(centre)];
    const central = Math.abs(w - (stallWedges - 1) / 2) <= 1;
    const rows: RowDef[] = [];
    for (let r = 0; r < 21; r++) {
      const radius = 10 + 0.95 * r;
      const chord = 2 * radius * Math.sin(stallSpan / stallWedges / 2);
      const count = Math.max(4, Math.floor((chord - 1.2) / seatPitch));
      const category = r < 6 && central ? 'VIP' : r < 12 ? 'CAT1' : 'CAT2';
      const letter = ROW_LETTERS[r]!;
      let runs = [centredRun(radius * sx, radius * sy, tx, ty, count, seatPitch, 1, category)];
      if (w === (stallWedges - 1) / 2 && r >= 17) runs = withGap(runs[0]!, Math.floor(count / 2) - 3, 6);
      rows.push({ id: letter, label: letter, runs });
    }
    sections.push({
      id: `ST${w + 1}`,
      name: `Stalls ${w + 1}`,
      kind: 'seated',
      capacity: null,
      priceCategoryId: null,
      rows,
    });
  }

  const balconyWedges = 5;
  const balconySpan = (110 * Math.PI) / 180;
  for (let w = 0; w < balconyWedges; w++) {
    const centre = -balconySpan / 2 + (balconySpan * (w + 0.5)) / balconyWedges;
    const [sx, sy, tx, ty] = [Math.sin(centre), Math.cos(centre), Math.cos(centre), -Math.sin(centre)];
    const central = w === (balconyWedges - 1) / 2;
    const rows: RowDef[] = [];
    for (let r = 0; r < 12; r++) {
      const radius = 31 + 0.9 * r;
      const chord = 2 * radius * Math.sin(balconySpan / balconyWedges / 2);
      const count = Math.floor((chord - 1.2) / seatPitch);
      const category = r < 3 && central ? 'CAT1' : 'CAT2';
      let runs = [centredRun(radius * sx, radius * sy, tx, ty, count, seatPitch, 1, category)];
      // A wheelchair bay (two places without seats) in about one row out of five.
      if (r > 0 && random() < 0.2) runs = withGap(runs[0]!, 2 + Math.floor(random() * (count - 6)), 2);
      rows.push({ id: String(r + 1), label: String(r + 1), runs });
    }
    sections.push({
      id: `BA${w + 1}`,
      name: `Balcony ${w + 1}`,
      kind: 'seated',
      capacity: null,
      priceCategoryId: null,
      rows,
    });
  }

  return {
    eventId: options.eventId ?? `demo-concert-${seed}`,
    organizerId: 'org-demo',
    name: 'An Evening of Arabic Jazz',
    startsAt: options.onSaleAt + (options.saleDays ?? 60) * DAY,
    venue: {
      id: 'riyadh-concert-hall',
      name: 'Riyadh Concert Hall',
      city: 'Riyadh',
      focus: { x: 0, y: 8 },
      sections,
    },
    currency: 'SAR',
    priceCategories: hallCategories.map((c) => ({ ...c })),
    ...saleTerms(options),
  };
}

function saleTerms(options: DemoEventOptions) {
  return {
    onSaleAt: options.onSaleAt,
    offSaleAt: options.onSaleAt + (options.saleDays ?? 60) * DAY,
    maxTicketsPerBuyer: options.maxTicketsPerBuyer ?? 8,
    holdDurationMs: options.holdDurationMs ?? 10 * 60 * 1000,
    status: 'onSale' as const,
    version: options.version ?? 1,
    updatedAt: options.onSaleAt,
  };
}

/// Stadium

export interface StadiumOptions extends DemoEventOptions {
  /** Seats in total, exactly (default 50,000). */
  seats?: number;
  /** Places of a general-admission standing area on the pitch (default 0: none). */
  pitchStanding?: number;
}

/**
 * An oval stadium around a 105 × 68 m pitch centred on (0, 0), with exactly `seats` seats (default
 * 50,000): a lower tier L01..L32 (rows 1..24) and an upper tier U01..U32 (rows 25..44), 32 sections
 * each around the oval, rows widening with the distance. Seats per row follow the row's length and
 * are then scaled so that the total is exact. Categories: CAT1 (lower tier along the long sides),
 * CAT2 (lower tier behind the goals, upper tier along the long sides), CAT3 (the rest), STANDING
 * (the pitch, when `pitchStanding` > 0).
 */
export function stadium(options: StadiumOptions): EventDefinition {
  const target = options.seats ?? 50_000;
  const perTier = 32;
  const seatPitch = 0.5;
  interface RowPlan {
    tier: 'L' | 'U';
    section: number;
    row: number;
    angle: number;
    a: number;
    b: number;
    raw: number;
    count: number;
  }
  const plan: RowPlan[] = [];
  for (const tier of ['L', 'U'] as const) {
    for (let s = 0; s < perTier; s++) {
      const angle = (2 * Math.PI * (s + 0.5)) / perTier;
      const rows = tier === 'L' ? 24 : 20;
      for (let r = 0; r < rows; r++) {
        const depth = tier === 'L' ? 8 + 0.8 * r : 8 + 0.8 * 24 + 6 + 0.9 * r;
        const a = 52.5 + depth;
        const b = 34 + depth;
        const speed = Math.hypot(a * Math.sin(angle), b * Math.cos(angle));
        const length = speed * ((2 * Math.PI) / perTier) - 1.2; // minus the aisles
        plan.push({
          tier,
          section: s,
          row: tier === 'L' ? r + 1 : r + 25,
          angle,
          a,
          b,
          raw: length / seatPitch,
          count: 0,
        });
      }
    }
  }
  // Scale to the exact total: floors first, then one more seat to the largest remainders.
  const rawTotal = plan.reduce((n, p) => n + p.raw, 0);
  const scale = target / rawTotal;
  let total = 0;
  for (const p of plan) {
    p.count = Math.max(1, Math.floor(p.raw * scale));
    total += p.count;
  }
  const byRemainder = plan
    .map((p, i) => ({ i, frac: p.raw * scale - Math.floor(p.raw * scale) }))
    .sort((x, y) => y.frac - x.frac || x.i - y.i);
  for (let k = 0; total !== target; k = (k + 1) % byRemainder.length) {
    const p = plan[byRemainder[k]!.i]!;
    if (total < target) {
      p.count++;
      total++;
    } else if (p.count > 1) {
      p.count--;
      total--;
    }
  }

  const sections = new Map<string, SectionDef>();
  for (const p of plan) {
    const id = `${p.tier}${String(p.section + 1).padStart(2, '0')}`;
    let section = sections.get(id);
    if (!section) {
      section = {
        id,
        name: `${p.tier === 'L' ? 'Lower' : 'Upper'} ${p.section + 1}`,
        kind: 'seated',
        capacity: null,
        priceCategoryId: null,
        rows: [],
      };
      sections.set(id, section);
    }
    const longSide = Math.abs(Math.sin(p.angle)) > 0.7;
    const category = p.tier === 'L' ? (longSide ? 'CAT1' : 'CAT2') : longSide ? 'CAT2' : 'CAT3';
    const cx = p.a * Math.cos(p.angle);
    const cy = p.b * Math.sin(p.angle);
    const tx0 = -p.a * Math.sin(p.angle);
    const ty0 = p.b * Math.cos(p.angle);
    const norm = Math.hypot(tx0, ty0);
    section.rows.push({
      id: String(p.row),
      label: String(p.row),
      runs: [centredRun(cx, cy, tx0 / norm, ty0 / norm, p.count, seatPitch, 1, category)],
    });
  }
  const all = [...sections.values()];
  const categories: PriceCategoryDef[] = [
    { id: 'CAT1', name: 'Category 1', priceMinor: 45_000, color: '#b33a3a' },
    { id: 'CAT2', name: 'Category 2', priceMinor: 30_000, color: '#3a6db3' },
    { id: 'CAT3', name: 'Category 3', priceMinor: 15_000, color: '#7a7a7a' },
  ];
  const standing = options.pitchStanding ?? 0;
  if (standing > 0) {
    categories.push({ id: 'STANDING', name: 'Pitch standing', priceMinor: 35_000, color: '#4a9b5c' });
    all.unshift({
      id: 'PITCH',
      name: 'Pitch',
      kind: 'generalAdmission',
      capacity: standing,
      priceCategoryId: 'STANDING',
      rows: [],
    });
  }
  const seed = options.seed ?? 1;
  return {
    eventId: options.eventId ?? `demo-stadium-${seed}`,
    organizerId: 'org-demo',
    name: 'Super Cup Final',
    startsAt: options.onSaleAt + (options.saleDays ?? 60) * DAY,
    venue: { id: 'national-stadium', name: 'National Stadium', city: 'Jeddah', focus: { x: 0, y: 0 }, sections: all },
    currency: 'SAR',
    priceCategories: categories,
    ...saleTerms(options),
  };
}
