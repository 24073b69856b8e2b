-- title: Rejections by reason
-- unit: decisions
-- Refused commands by command (HOLD, RELEASE_HOLD, CONFIRM_BOOKING, CANCEL_BOOKING) and stable reason code.
SELECT
    rejected_command AS command,
    rejection_code AS code,
    sum(rejections) AS rejections
FROM rejections_per_minute
WHERE event_id IN {event_ids:Array(String)}
  AND minute >= {from:DateTime} AND minute < {to:DateTime}
GROUP BY command, code
ORDER BY rejections DESC, command, code
