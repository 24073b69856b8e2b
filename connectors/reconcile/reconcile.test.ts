import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { figureKey, type Figures } from './figures.js';
import { compareFigures, formatReport, reconcile } from './reconcile.js';
import { reservationFigures } from './reservation-figures.js';
import { OnSaleSimulation } from '../clickhouse/testing/onsale-simulation.js';

const f = (entries: [string, number][]): Figures => new Map(entries);

describe('compareFigures', () => {
  it('agrees when every source providing a measure has the same figures, absent meaning zero', () => {
    const r = compareFigures([
      {
        name: 'log',
        measures: ['holds', 'decisions'],
        figures: f([
          ['holds|e1|held', 3],
          ['decisions|e1|SeatsHeld', 3],
          ['holds|e1|expired', 0],
        ]),
      },
      { name: 'pg', measures: ['holds'], figures: f([['holds|e1|held', 3]]) },
    ]);
    assert.equal(r.agree, true);
    assert.deepEqual(r.compared, ['holds']);
  });

  it('lists each figure that differs with the value of every provider', () => {
    const r = compareFigures([
      {
        name: 'log',
        measures: ['holds'],
        figures: f([
          ['holds|e1|held', 3],
          ['holds|e2|booked', 1],
        ]),
      },
      { name: 'ch', measures: ['holds'], figures: f([['holds|e1|held', 4]]) },
      {
        name: 'pg',
        measures: ['holds'],
        figures: f([
          ['holds|e1|held', 3],
          ['holds|e2|booked', 1],
        ]),
      },
    ]);
    assert.equal(r.agree, false);
    assert.deepEqual(r.differences, [
      { key: 'holds|e1|held', values: { log: 3, ch: 4, pg: 3 } },
      { key: 'holds|e2|booked', values: { log: 1, ch: 0, pg: 1 } },
    ]);
    assert.match(formatReport(r), /DISAGREE[^\n]*\n {2}holds\|e1\|held: log=3 ch=4 pg=3/);
  });

  it('ignores measures only one source provides', () => {
    const r = compareFigures([
      { name: 'log', measures: ['undecodable', 'holds'], figures: f([['undecodable|t', 2]]) },
      { name: 'ch', measures: ['holds'], figures: f([]) },
    ]);
    assert.equal(r.agree, true);
  });

  it('reads sources given as functions', async () => {
    const r = await reconcile([
      { name: 'a', measures: ['x'], read: async () => f([['x|e|1', 1]]) },
      { name: 'b', measures: ['x'], read: async () => f([['x|e|1', 2]]) },
    ]);
    assert.equal(r.differences.length, 1);
  });
});

describe('reservation figures', () => {
  it('folds decisions of a simulated on-sale into holds by status, bookings, tickets and revenue', () => {
    const sim = new OnSaleSimulation({ seed: 11, onSaleAt: Date.UTC(2026, 0, 1, 10), events: 1, eventPrefix: 'e' });
    const ds = sim.simulate(1_200, Date.UTC(2026, 0, 1, 10));
    const figures = reservationFigures(ds.map((d) => d.value));
    const get = (k: string) => figures.get(k) ?? 0;
    const count = (type: string) =>
      ds.filter((d) => !d.value.replay && Object.keys(d.value.decision)[0]!.endsWith(`.${type}`)).length;
    const holds = ['held', 'released', 'expired', 'booked', 'cancelled'].reduce(
      (n, s) => n + get(figureKey('holds', 'e-1', s)),
      0,
    );
    assert.equal(holds, count('SeatsHeld'));
    assert.equal(get(figureKey('decisions', 'e-1', 'SeatsHeld')), count('SeatsHeld'));
    assert.equal(get(figureKey('holds', 'e-1', 'released')), count('HoldReleased'));
    assert.equal(get(figureKey('holds', 'e-1', 'expired')), count('HoldExpired'));
    assert.equal(get(figureKey('holds', 'e-1', 'cancelled')), count('BookingCancelled'));
    assert.equal(
      get(figureKey('holds', 'e-1', 'booked')) + get(figureKey('holds', 'e-1', 'cancelled')),
      count('BookingConfirmed'),
    );
    assert.equal(get(figureKey('bookings', 'e-1', 'confirmed')), get(figureKey('holds', 'e-1', 'booked')));
    assert.equal(get(figureKey('replays', 'e-1')), ds.filter((d) => d.value.replay).length);
    assert.ok(get(figureKey('revenue', 'e-1', 'SAR')) > 0);
    assert.ok(get(figureKey('tickets', 'e-1', 'sold')) >= get(figureKey('bookings', 'e-1', 'confirmed')));
  });
});
