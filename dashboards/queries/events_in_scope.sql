-- title: Events in scope
-- The events a principal may see: all of them for an admin (organizer_id ''), an organizer's own otherwise
-- (organizer_id comes from the verified access token, never from the request).
SELECT
    event_id,
    name,
    organizer_id,
    currency,
    status,
    capacity,
    toUInt32(on_sale_at) AS on_sale_at,
    toUInt32(off_sale_at) AS off_sale_at
FROM events FINAL
WHERE {organizer_id:String} = '' OR organizer_id = {organizer_id:String}
ORDER BY on_sale_at DESC, event_id
