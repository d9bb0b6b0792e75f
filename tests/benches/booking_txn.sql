-- One booking request on the booking service's checked path on PostgreSQL (a series, a quota,
-- or something in the way; before `placement::place_at_once`, every request), statement for
-- statement: read the space, then in one transaction read the space tree, look for holds and
-- closures in the way, write the booking, its hold and its outbox message. Used by
-- `--bench booking` as the ceiling of what the database allows for that path (pgbench -M prepared -f booking_txn.sql: parameters bound
-- as the service binds them). Transaction n takes hour n / 100 of space n % 100 from 2100 on
-- (sequence `bench_slot`, made by the benchmark), so none clashes, as in the HTTP run.
SELECT n % 100 AS s,
       timestamptz '2100-01-04 00:00Z' + (n / 100) * interval '1 hour' AS t0,
       timestamptz '2100-01-04 00:50Z' + (n / 100) * interval '1 hour' AS t1
  FROM nextval('bench_slot') AS n \gset
SELECT id AS space_id FROM spaces ORDER BY id OFFSET :s LIMIT 1 \gset
BEGIN;
SELECT id, parent_id FROM spaces;
SELECT starts_at, ends_at FROM holds
  WHERE space_id = :space_id AND starts_at < :t1 AND ends_at > :t0;
SELECT starts_at, ends_at FROM closures
  WHERE space_id = :space_id AND starts_at < :t1 AND ends_at > :t0;
INSERT INTO bookings (id, series_id, space_id, organisation_id, organisation_name, requested_by,
    contact_email, title, attendees, starts_at, ends_at, status, reason, event_id, created_at,
    updated_at)
  VALUES (gen_random_uuid(), NULL, :space_id, NULL, NULL, gen_random_uuid(), 'bench@comune.test',
    'Prove del coro', 10, :t0, :t1, 'requested', NULL, NULL, now(), now())
  RETURNING id AS booking_id \gset
INSERT INTO holds (booking_id, space_id, starts_at, ends_at)
  VALUES (:booking_id, :space_id, :t0, :t1);
INSERT INTO outbox (message_id, event_type, payload, created_at)
  VALUES (gen_random_uuid(), 'piazza.booking.requested',
    '{"specversion":"1.0","type":"piazza.booking.requested","source":"booking","data":{"version":1,"booking":{"title":"Prove del coro"}}}',
    now());
COMMIT;
