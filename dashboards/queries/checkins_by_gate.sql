-- title: Check-ins per gate
-- unit: scans
-- Ticket scans per gate: admitted, and refused by any reason (empty until the check-in topic is sunk).
SELECT
    gate_id AS gate,
    sumIf(scans, result = 'ADMITTED') AS admitted,
    sumIf(scans, result != 'ADMITTED') AS refused
FROM checkins_per_gate_minute
WHERE event_id IN {event_ids:Array(String)}
  AND minute >= {from:DateTime} AND minute < {to:DateTime}
GROUP BY gate
ORDER BY admitted DESC, gate
