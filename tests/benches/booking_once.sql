-- One booking request as the booking service runs it on PostgreSQL when nothing is in the way
-- (one slot, no quota): read the space, read its date exceptions, then one statement that walks
-- the space tree, checks closures and writes the booking, its holds and its outbox message
-- (`placement::place_at_once`). Used by `--bench booking` as the ceiling of that path
-- (pgbench -M prepared -f booking_once.sql). Slots as in booking_txn.sql, from 2200 on.
SELECT n % 100 AS s,
       timestamptz '2200-01-04 00:00Z' + (n / 100) * interval '1 hour' AS t0,
       timestamptz '2200-01-04 00:50Z' + (n / 100) * interval '1 hour' AS t1
  FROM nextval('bench_slot') AS n \gset
SELECT id AS space_id FROM spaces ORDER BY id OFFSET :s LIMIT 1 \gset
SELECT * FROM spaces WHERE id = :space_id;
SELECT * FROM opening_exceptions
  WHERE space_id = :space_id AND on_date >= '2199-12-31' AND on_date <= '2200-01-06';
WITH RECURSIVE inside(id) AS (
    SELECT :space_id::uuid
  UNION
    SELECT s.id FROM spaces s JOIN inside i ON s.parent_id = i.id
), around(id) AS (
    SELECT parent_id FROM spaces WHERE id = :space_id AND parent_id IS NOT NULL
  UNION
    SELECT s.parent_id FROM spaces s JOIN around a ON s.id = a.id WHERE s.parent_id IS NOT NULL
), booking AS (
    INSERT INTO bookings (id, series_id, space_id, organisation_id, organisation_name,
        requested_by, contact_email, title, attendees, starts_at, ends_at, status, reason,
        event_id, created_at, updated_at)
    SELECT gen_random_uuid(), NULL, :space_id::uuid, NULL, NULL, gen_random_uuid(),
        'bench@comune.test', 'Prove del coro', 10, :t0::timestamptz, :t1::timestamptz,
        'requested', NULL, NULL, now(), now()
    WHERE NOT EXISTS (
        SELECT 1 FROM closures
        WHERE space_id IN (SELECT id FROM inside UNION SELECT id FROM around)
          AND starts_at < :t1 AND ends_at > :t0)
    RETURNING id
), held AS (
    INSERT INTO holds (booking_id, space_id, starts_at, ends_at)
    SELECT booking.id, inside.id, :t0::timestamptz, :t1::timestamptz FROM booking CROSS JOIN inside
), message AS (
    INSERT INTO outbox (message_id, event_type, payload, created_at)
    SELECT gen_random_uuid(), 'piazza.booking.requested',
      '{"specversion":"1.0","type":"piazza.booking.requested","source":"booking","data":{"version":1,"booking":{"title":"Prove del coro"}}}',
      now() FROM booking
) SELECT count(*) AS placed FROM booking;
