-- One booking request as the booking service runs it on PostgreSQL, statement for statement:
-- read the space, then in one transaction read the space tree, look for holds and closures in
-- the way, write the booking, its hold and its outbox message. Used by `--bench booking` as the
-- ceiling of what the database allows (pgbench -f booking_txn.sql). Slots are random minutes
-- over some 19,000 years, so two requests practically never clash.
\set s random(0, 99)
\set m random(0, 10000000000)
SELECT id AS space_id FROM spaces ORDER BY id OFFSET :s LIMIT 1 \gset
BEGIN;
SELECT id, parent_id FROM spaces;
SELECT id, booking_id, space_id, starts_at, ends_at FROM holds
  WHERE space_id IN (:'space_id')
    AND starts_at < timestamptz '2030-01-01 00:00Z' + (:m + 60) * interval '1 minute'
    AND ends_at > timestamptz '2030-01-01 00:00Z' + :m * interval '1 minute';
SELECT id, space_id, starts_at, ends_at, reason FROM closures
  WHERE space_id IN (:'space_id')
    AND starts_at < timestamptz '2030-01-01 00:00Z' + (:m + 60) * interval '1 minute'
    AND ends_at > timestamptz '2030-01-01 00:00Z' + :m * interval '1 minute';
INSERT INTO bookings (id, series_id, space_id, organisation_id, organisation_name, requested_by,
    contact_email, title, attendees, starts_at, ends_at, status, reason, event_id, created_at,
    updated_at)
  VALUES (gen_random_uuid(), NULL, :'space_id', NULL, NULL, gen_random_uuid(), 'bench@comune.test',
    'Prove del coro', 10, timestamptz '2030-01-01 00:00Z' + :m * interval '1 minute',
    timestamptz '2030-01-01 00:00Z' + (:m + 60) * interval '1 minute', 'requested', NULL, NULL,
    now(), now())
  RETURNING id AS booking_id \gset
INSERT INTO holds (booking_id, space_id, starts_at, ends_at)
  VALUES (:'booking_id', :'space_id', timestamptz '2030-01-01 00:00Z' + :m * interval '1 minute',
    timestamptz '2030-01-01 00:00Z' + (:m + 60) * interval '1 minute');
INSERT INTO outbox (message_id, event_type, payload, created_at)
  VALUES (gen_random_uuid(), 'piazza.booking.requested',
    '{"specversion":"1.0","type":"piazza.booking.requested","source":"booking","data":{"version":1,"booking":{"title":"Prove del coro"}}}',
    now());
COMMIT;
