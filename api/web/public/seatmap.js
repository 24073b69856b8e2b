/* global atob, document -- a browser module */
// The seat map as SVG: one circle per seat at its x/y, coloured by price category, styled by state (free, held,
// sold, not for sale, mine, selected). Keyboard: the map is one tab stop; arrows move to the nearest seat that way,
// Enter or Space toggles it. Pure drawing and lookup; what a tap means is the page's business.
const SVG = 'http://www.w3.org/2000/svg';
export const STATES = ['free', 'held', 'sold', 'unavailable'];

/** Per-seat states (indexes into STATES) in seat-map order from an availability snapshot's packed sections. */
export function decodeStates(seats, availability) {
  const states = new Uint8Array(seats.length);
  const bySection = new Map();
  seats.forEach((s, i) => {
    let list = bySection.get(s.sectionId);
    if (!list) bySection.set(s.sectionId, (list = []));
    list.push(i);
  });
  for (const sec of availability?.sections ?? []) {
    const list = bySection.get(sec.sectionId);
    if (!list || sec.generalAdmission) continue;
    const bin = atob(sec.seatStatus);
    if (bin.length < Math.ceil(list.length / 4)) continue; // another revision of the map
    list.forEach((seatIndex, k) => {
      states[seatIndex] = (bin.charCodeAt(k >> 2) >> (6 - 2 * (k & 3))) & 3;
    });
  }
  return states;
}

/** Typical distance between neighbouring seats of a row (the median), to size the circles. */
function seatPitch(seats) {
  const d = [];
  for (let i = 1; i < seats.length; i++) {
    const a = seats[i - 1];
    const b = seats[i];
    if (a.rowId === b.rowId && a.sectionId === b.sectionId) d.push(Math.hypot(b.x - a.x, b.y - a.y));
  }
  d.sort((x, y) => x - y);
  return d.length ? d[d.length >> 1] || 1 : 1;
}

export class SeatMap {
  constructor(svg, { onToggle, onFocus }) {
    this.svg = svg;
    this.onToggle = onToggle;
    this.onFocus = onFocus;
    this.seats = [];
    this.circles = [];
    this.focused = -1;
    svg.addEventListener('click', (e) => {
      const i = Number(e.target?.dataset?.i);
      if (Number.isInteger(i) && e.target.tagName === 'circle' && e.target !== this.ring) {
        this.focus(i);
        this.onToggle(i);
      }
    });
    svg.addEventListener('keydown', (e) => this.key(e));
    svg.addEventListener('focus', () => {
      if (this.focused < 0 && this.seats.length) this.focus(0);
    });
  }

  /** `stage`: the point the audience faces (the event's focus) and its label, drawn under the seats. */
  draw(seats, colourOf, stage) {
    this.seats = seats;
    this.svg.replaceChildren();
    this.circles = [];
    this.focused = -1;
    if (!seats.length) return;
    const pitch = seatPitch(seats);
    this.r = pitch * 0.42;
    const xs = seats.map((s) => s.x);
    const ys = seats.map((s) => s.y);
    if (stage) {
      xs.push(stage.x - pitch * 6, stage.x + pitch * 6);
      ys.push(stage.y - pitch * 1.5, stage.y + pitch * 1.5);
    }
    const pad = pitch;
    const minX = Math.min(...xs) - pad;
    const minY = Math.min(...ys) - pad;
    this.svg.setAttribute('viewBox', `${minX} ${minY} ${Math.max(...xs) - minX + pad} ${Math.max(...ys) - minY + pad}`);
    const frag = document.createDocumentFragment();
    if (stage) {
      const g = document.createElementNS(SVG, 'g');
      g.setAttribute('class', 'stage');
      g.setAttribute('aria-hidden', 'true');
      const rect = document.createElementNS(SVG, 'rect');
      rect.setAttribute('x', stage.x - pitch * 6);
      rect.setAttribute('y', stage.y - pitch * 1.5);
      rect.setAttribute('width', pitch * 12);
      rect.setAttribute('height', pitch * 3);
      rect.setAttribute('rx', pitch / 2);
      const text = document.createElementNS(SVG, 'text');
      // drawn at 10 units and scaled down: browsers round font sizes below a pixel or so up, or drop them
      text.setAttribute('transform', `translate(${stage.x} ${stage.y}) scale(${(pitch * 1.6) / 10})`);
      text.setAttribute('font-size', '10');
      text.setAttribute('text-anchor', 'middle');
      text.setAttribute('dominant-baseline', 'central');
      text.textContent = stage.label;
      g.append(rect, text);
      frag.append(g);
    }
    seats.forEach((s, i) => {
      const c = document.createElementNS(SVG, 'circle');
      c.setAttribute('cx', s.x);
      c.setAttribute('cy', s.y);
      c.setAttribute('r', this.r);
      c.setAttribute('fill', colourOf(s.priceCategoryId));
      c.dataset.i = i;
      c.dataset.id = s.id;
      frag.append(c);
      this.circles.push(c);
    });
    this.ring = document.createElementNS(SVG, 'circle');
    this.ring.setAttribute('class', 'ring');
    this.ring.setAttribute('r', this.r * 1.5);
    this.ring.setAttribute('stroke-width', this.r * 0.35);
    this.ring.style.display = 'none';
    frag.append(this.ring);
    this.svg.append(frag);
    this.svg.style.setProperty('--stroke', `${this.r * 0.45}px`);
  }

  /** `state(i)`: 'free' | 'held' | 'sold' | 'unavailable' | 'mine' | 'selected'. */
  paint(state) {
    this.circles.forEach((c, i) => {
      const s = state(i);
      if (c.dataset.state !== s) c.dataset.state = s;
    });
  }

  focus(i) {
    this.focused = i;
    const s = this.seats[i];
    this.ring.setAttribute('cx', s.x);
    this.ring.setAttribute('cy', s.y);
    this.ring.style.display = '';
    this.onFocus(i);
  }

  key(e) {
    const dirs = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    if ((e.key === 'Enter' || e.key === ' ') && this.focused >= 0) {
      e.preventDefault();
      this.onToggle(this.focused);
      return;
    }
    const d = dirs[e.key];
    if (!d || !this.seats.length) return;
    e.preventDefault();
    if (this.focused < 0) return this.focus(0);
    const from = this.seats[this.focused];
    let best = -1;
    let bestScore = Infinity;
    this.seats.forEach((s, i) => {
      const dx = s.x - from.x;
      const dy = s.y - from.y;
      const along = dx * d[0] + dy * d[1];
      if (along <= 1e-9) return;
      const across = Math.abs(dx * d[1] - dy * d[0]);
      const score = along + across * 3;
      if (score < bestScore) {
        bestScore = score;
        best = i;
      }
    });
    if (best >= 0) {
      this.focus(best);
      this.circles[best].scrollIntoView?.({ block: 'nearest', inline: 'nearest' });
    }
  }
}
