-- Without an SMTP server, each job tick logs the e-mails not yet logged,
-- oldest first. Such e-mails stay pending for good, so the outbox_due
-- index would have the tick read every pending row to find the few not
-- yet logged; this index holds only those.
CREATE INDEX outbox_unlogged ON outbox (id) WHERE status = 'pending' AND logged_at IS NULL;
