-- Seat counts on the session row. Every change to a session's bookings
-- updates them in the same transaction, under the session's lock, so that
-- listing sessions and taking a seat read one row instead of counting
-- bookings. queue_tail is the newest queued_at of the session's bookings:
-- a new place in the queue goes just after it.

ALTER TABLE sessions ADD COLUMN confirmed_in_person INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN confirmed_online INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN waitlisted_in_person INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN waitlisted_online INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN queue_tail DATETIME;

UPDATE sessions SET
    confirmed_in_person = (SELECT COUNT(*) FROM bookings b WHERE b.session_id = sessions.id AND b.mode = 'in_person' AND b.status = 'confirmed'),
    confirmed_online = (SELECT COUNT(*) FROM bookings b WHERE b.session_id = sessions.id AND b.mode = 'online' AND b.status = 'confirmed'),
    waitlisted_in_person = (SELECT COUNT(*) FROM bookings b WHERE b.session_id = sessions.id AND b.mode = 'in_person' AND b.status = 'waitlisted'),
    waitlisted_online = (SELECT COUNT(*) FROM bookings b WHERE b.session_id = sessions.id AND b.mode = 'online' AND b.status = 'waitlisted'),
    queue_tail = (SELECT MAX(b.queued_at) FROM bookings b WHERE b.session_id = sessions.id);
