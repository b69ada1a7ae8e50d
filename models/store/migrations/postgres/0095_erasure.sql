-- Erasing an account: the member's row stays, anonymous, so that every
-- past figure stays as it was; erased_at says it has been erased. A
-- certificate of an erased member is withdrawn: the verification page
-- says so and the PDF is no longer served. At most one erasure of a
-- member waits at a time.
ALTER TABLE users ADD COLUMN erased_at TIMESTAMPTZ;
ALTER TABLE certificates ADD COLUMN withdrawn_at TIMESTAMPTZ;
CREATE UNIQUE INDEX data_requests_one_erasure ON data_requests (user_id) WHERE kind = 'erasure' AND status = 'waiting';
